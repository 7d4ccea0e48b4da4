import Testing
import DatatrustKit

/// The allocator settings apply on glibc unless the environment already sets glibc's malloc
/// tunables, which win.
@Suite struct ProcessAllocatorTests {
    @Test func appliesUnlessTheEnvironmentSetsMallocTunables() {
        #if canImport(Glibc)
        #expect(ProcessAllocator.tuneForStreaming(environment: [:]))
        #expect(ProcessAllocator.tuneForStreaming(environment: ["GLIBC_TUNABLES": "glibc.pthread.rseq=0"]))
        #endif
        #expect(!ProcessAllocator.tuneForStreaming(environment: ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"]))
        #expect(!ProcessAllocator.tuneForStreaming(environment: ["MALLOC_TRIM_THRESHOLD_": "131072"]))
        #expect(!ProcessAllocator.tuneForStreaming(environment: ["MALLOC_MMAP_THRESHOLD_": "131072"]))
    }
}

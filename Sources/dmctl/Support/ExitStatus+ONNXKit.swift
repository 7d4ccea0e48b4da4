import ONNXKit

/// ONNXKit's refusals: a model or input that cannot be loaded or run is a usage error (exit 2).
extension ONNXError: ExitClassified {
    var exitStatus: ExitStatus { .usage }
}

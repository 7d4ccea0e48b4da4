#!/bin/bash
# Two costs behind the vault's file format 2 and its O_DIRECT blocks (issue 18), measured on the
# machine at hand by a small C program built here (gcc, libsodium-dev):
#   1. writing N GiB through the page cache in 64 KiB writes, into pages the kernel has to find
#      fresh (after dropping the caches and a pause, as after other work) and then again into
#      pages freed a moment before. On a virtual machine that hands free memory back to its host
#      (virtio free page reporting) the first costs a host fault per page.
#   2. libsodium's XChaCha20-Poly1305 secretstream (vault format 1) against AES-256-GCM over
#      16,384 chunks of 64 KiB (1 GiB). Format 2 uses swift-crypto's AES-GCM, which the `large`
#      benchmark measures in place.
# Usage (root for the cache drop): scripts/measure-write-costs.sh [GiB] [folder]
set -euo pipefail
GIB=${1:-4}
DIR=${2:-${TMPDIR:-/tmp}}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK" "$DIR/write-cost.bin"' EXIT
cat > "$WORK/costs.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double sys_seconds(void) { struct rusage r; getrusage(RUSAGE_SELF, &r); return r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6; }
int main(int argc, char **argv) {
    const size_t piece = 65536;
    unsigned char *buffer = malloc(piece + 64), *out = malloc(piece + 64);
    memset(buffer, 3, piece);
    if (argc > 2 && strcmp(argv[1], "write") == 0) {
        long pieces = atol(argv[3]) * 16384L;
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) { perror("open"); return 1; }
        double t = now(), s = sys_seconds();
        for (long i = 0; i < pieces; i++) if (write(fd, buffer, piece) != (ssize_t)piece) { perror("write"); return 1; }
        close(fd);
        printf("%s GiB through the page cache: %.2f s wall, %.2f s system\n", argv[3], now() - t, sys_seconds() - s);
        return 0;
    }
    if (sodium_init() < 0) return 1;
    unsigned char key[32], nonce[24] = {0}, header[24];
    randombytes_buf(key, sizeof key);
    unsigned long long length;
    crypto_secretstream_xchacha20poly1305_state state;
    crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
    double t = now();
    for (int i = 0; i < 16384; i++) crypto_secretstream_xchacha20poly1305_push(&state, out, &length, buffer, piece, NULL, 0, 0);
    printf("secretstream (XChaCha20-Poly1305), 1 GiB in 64 KiB chunks: %.2f s\n", now() - t);
    if (crypto_aead_aes256gcm_is_available()) {
        t = now();
        for (int i = 0; i < 16384; i++) { nonce[0] = (unsigned char)i; crypto_aead_aes256gcm_encrypt(out, &length, buffer, piece, NULL, 0, NULL, nonce, key); }
        printf("libsodium AES-256-GCM, 1 GiB in 64 KiB chunks: %.2f s\n", now() - t);
    }
    return 0;
}
C
gcc -O2 "$WORK/costs.c" -lsodium -o "$WORK/costs"
"$WORK/costs" ciphers
if [ "$(id -u)" = 0 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; sleep 5; echo -n "fresh pages: "; else echo -n "(not root: no cache drop) "; fi
"$WORK/costs" write "$DIR/write-cost.bin" "$GIB"
rm -f "$DIR/write-cost.bin"
echo -n "pages freed a moment before: "
"$WORK/costs" write "$DIR/write-cost.bin" "$GIB"

/*
 * C ENet's range coder speed on jenet's compressor corpus (written by io.jenet.bench.CorpusDump as
 * records of [u32 big-endian length][bytes]). Prints input MB/s for compress and decompress.
 * Build: gcc -O2 -o rangecoder_bench rangecoder_bench.c -lenet
 * Usage: rangecoder_bench [SECONDS] [cpu]; with "cpu" the time is the thread's CPU time rather
 * than the wall clock, so other processes on a shared machine do not count against it.
 */
#include <enet/enet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static clockid_t clock_id = CLOCK_MONOTONIC;

static double now(void) {
    struct timespec ts;
    clock_gettime(clock_id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    if (argc > 2 && argv[2][0] == 'c') clock_id = CLOCK_THREAD_CPUTIME_ID;
    static unsigned char data[1 << 22];
    size_t used = fread(data, 1, sizeof data, stdin);
    unsigned char *rec[4096];
    uint32_t len[4096];
    int n = 0;
    for (size_t p = 0; p + 4 <= used && n < 4096;) {
        len[n] = (uint32_t) data[p] << 24 | (uint32_t) data[p + 1] << 16 | (uint32_t) data[p + 2] << 8 | data[p + 3];
        rec[n++] = data + p + 4;
        p += 4 + len[n - 1];
    }
    void *ctx = enet_range_coder_create();
    static unsigned char out[8192], back[8192];
    unsigned char *comp[4096];
    size_t clen[4096];
    for (int i = 0; i < n; i++) {
        ENetBuffer b = {.data = rec[i], .dataLength = len[i]};
        clen[i] = enet_range_coder_compress(ctx, &b, 1, len[i], out, sizeof out);
        comp[i] = malloc(clen[i] + 1);
        for (size_t k = 0; k < clen[i]; k++) comp[i][k] = out[k];
    }
    double bytes = 0, t0 = now();
    long ops = 0;
    while (now() - t0 < seconds) {
        for (int i = 0; i < n; i++) {
            ENetBuffer b = {.data = rec[i], .dataLength = len[i]};
            enet_range_coder_compress(ctx, &b, 1, len[i], out, sizeof out);
            bytes += len[i];
            ops++;
        }
    }
    double ct = now() - t0;
    printf("compress %.1f MB/s (%ld ops in %.2f s)\n", bytes / ct / 1e6, ops, ct);
    bytes = 0;
    ops = 0;
    t0 = now();
    while (now() - t0 < seconds) {
        for (int i = 0; i < n; i++) {
            if (clen[i] == 0) continue;
            enet_range_coder_decompress(ctx, comp[i], clen[i], back, sizeof back);
            bytes += len[i];
            ops++;
        }
    }
    double dt = now() - t0;
    printf("decompress %.1f MB/s (%ld ops in %.2f s)\n", bytes / dt / 1e6, ops, dt);
    return 0;
}

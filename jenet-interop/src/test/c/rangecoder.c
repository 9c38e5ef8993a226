/*
 * rangecoder: runs C ENet's range coder (Debian's libenet-dev) over a corpus so jenet's Java port
 * can be compared byte for byte. Input on stdin: records of [u32 big-endian length][bytes].
 * Mode "c" compresses each record as ENet does (output limited to the input's size), "C" with
 * room for any output; "d" decompresses each into at most 4096 bytes, "D" into at most 1 MiB.
 * Output: records in the same framing (length 0 when the C function returned 0).
 */
#include <enet/enet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_u32(uint32_t *v) {
    unsigned char b[4];
    if (fread(b, 1, 4, stdin) != 4) return 0;
    *v = (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
    return 1;
}

static void write_u32(uint32_t v) {
    unsigned char b[4] = {(unsigned char) (v >> 24), (unsigned char) (v >> 16), (unsigned char) (v >> 8), (unsigned char) v};
    fwrite(b, 1, 4, stdout);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int compress = argv[1][0] == 'c' || argv[1][0] == 'C';
    int unlimited = argv[1][0] == 'C' || argv[1][0] == 'D';
    static unsigned char in[1 << 20], out[1 << 20];
    void *ctx = enet_range_coder_create();
    uint32_t n;
    while (read_u32(&n)) {
        if (n > sizeof in || fread(in, 1, n, stdin) != n) return 3;
        size_t m;
        if (compress) {
            ENetBuffer b;
            b.data = in;
            b.dataLength = n;
            /* As ENet calls it: output limited to the input size. */
            m = enet_range_coder_compress(ctx, &b, 1, n, out, unlimited ? sizeof out : n);
        } else {
            m = enet_range_coder_decompress(ctx, in, n, out, unlimited ? sizeof out : 4096);
        }
        write_u32((uint32_t) m);
        fwrite(out, 1, m, stdout);
    }
    enet_range_coder_destroy(ctx);
    return 0;
}

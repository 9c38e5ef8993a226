package io.jenet.internal.compress;

/**
 * FastLZ as Godot uses it for {@code COMPRESS_FASTLZ}: compression writes level-1 streams (Godot
 * compresses datagrams, which are far below FastLZ's 64 KiB level-2 threshold, at level 1, and
 * zero-pads inputs shorter than 16 bytes to 16); decompression reads level 1 and level 2.
 *
 * <p>Level-1 format: instructions of a literal run {@code 000LLLLL} (L+1 bytes follow), a short
 * match {@code LLLDDDDD DDDDDDDD} (length L+2 for L in 1..6, distance D+1), or a long match
 * {@code 111DDDDD NNNNNNNN DDDDDDDD} (length N+9). Level 2 adds 255-continued lengths and a 16-bit
 * far distance. The level is the top three bits of the first byte plus one.
 *
 * <p>Thread-safety: not thread-safe (the hash table is reused); use one instance per host.
 */
public final class FastLz implements Compressor {
    private static final int HASH_LOG = 13;
    private static final int HASH_SIZE = 1 << HASH_LOG;
    private static final int MAX_COPY = 32;
    private static final int MAX_LEN = 264;
    private static final int MAX_L1_DISTANCE = 8192;
    private static final int MAX_L2_DISTANCE = 8191;
    private static final int MIN_INPUT = 16;

    private final int[] table = new int[HASH_SIZE];
    private final byte[] padded = new byte[MIN_INPUT];

    /** Creates a codec. */
    public FastLz() {}

    private static int hash(byte[] b, int p) {
        int v = (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16;
        return (int) (((v * 2654435769L) & 0xFFFFFFFFL) >>> (32 - HASH_LOG));
    }

    @Override
    public int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        if (inLength < MIN_INPUT) {
            // Godot pads short inputs with zeros so FastLZ always sees at least 16 bytes.
            java.util.Arrays.fill(padded, (byte) 0);
            System.arraycopy(in, inOffset, padded, 0, inLength);
            return compressLevel1(padded, 0, MIN_INPUT, out, outOffset, outLimit);
        }
        return compressLevel1(in, inOffset, inLength, out, outOffset, outLimit);
    }

    private int compressLevel1(byte[] in, int start, int length, byte[] out, int outStart, int outLimit) {
        int end = start + length;
        int op = outStart;
        int opEnd = outStart + outLimit;
        java.util.Arrays.fill(table, start - MAX_L1_DISTANCE - 1);
        int anchor = start;
        int ip = start;
        int matchLimit = end - 3;
        while (ip < matchLimit) {
            int h = hash(in, ip);
            int ref = table[h];
            table[h] = ip;
            int distance = ip - ref;
            if (distance > 0 && distance <= MAX_L1_DISTANCE && ref >= start
                    && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] && in[ref + 2] == in[ip + 2]) {
                // Extend the match.
                int len = 3;
                while (ip + len < end && len < MAX_LEN && in[ref + len] == in[ip + len]) {
                    len++;
                }
                op = literals(in, anchor, ip - anchor, out, op, opEnd);
                if (op < 0) {
                    return 0;
                }
                int offset = distance - 1;
                if (len <= 8) {
                    if (op + 2 > opEnd) {
                        return 0;
                    }
                    out[op++] = (byte) (((len - 2) << 5) | (offset >>> 8));
                    out[op++] = (byte) offset;
                } else {
                    if (op + 3 > opEnd) {
                        return 0;
                    }
                    out[op++] = (byte) ((7 << 5) | (offset >>> 8));
                    out[op++] = (byte) (len - 9);
                    out[op++] = (byte) offset;
                }
                ip += len;
                anchor = ip;
                if (ip < matchLimit) {
                    table[hash(in, ip - 1)] = ip - 1;
                }
            } else {
                ip++;
            }
        }
        op = literals(in, anchor, end - anchor, out, op, opEnd);
        return op < 0 ? 0 : op - outStart;
    }

    /** Writes literal runs of at most 32 bytes; returns the new output position or -1 if full. */
    private static int literals(byte[] in, int from, int count, byte[] out, int op, int opEnd) {
        while (count > 0) {
            int run = Math.min(count, MAX_COPY);
            if (op + 1 + run > opEnd) {
                return -1;
            }
            out[op++] = (byte) (run - 1);
            System.arraycopy(in, from, out, op, run);
            op += run;
            from += run;
            count -= run;
        }
        return op;
    }

    @Override
    public int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        int level = ((in[inOffset] & 0xFF) >>> 5) + 1;
        if (level != 1 && level != 2) {
            return 0;
        }
        int ip = inOffset;
        int ipEnd = inOffset + inLength;
        int op = outOffset;
        int opEnd = outOffset + outLimit;
        int ctrl = in[ip++] & 31;
        for (;;) {
            if (ctrl >= 32) {
                int len = (ctrl >>> 5) - 1;
                int ofs = (ctrl & 31) << 8;
                int ref = op - ofs - 1;
                if (level == 1) {
                    if (len == 6) {
                        if (ip >= ipEnd) {
                            return 0;
                        }
                        len += in[ip++] & 0xFF;
                    }
                    if (ip >= ipEnd) {
                        return 0;
                    }
                    ref -= in[ip++] & 0xFF;
                } else {
                    if (len == 6) {
                        int code;
                        do {
                            if (ip >= ipEnd) {
                                return 0;
                            }
                            code = in[ip++] & 0xFF;
                            len += code;
                        } while (code == 255);
                    }
                    if (ip >= ipEnd) {
                        return 0;
                    }
                    int code = in[ip++] & 0xFF;
                    ref -= code;
                    if (code == 255 && ofs == (31 << 8)) {
                        if (ip + 2 > ipEnd) {
                            return 0;
                        }
                        int far = (in[ip] & 0xFF) << 8 | (in[ip + 1] & 0xFF);
                        ip += 2;
                        ref = op - far - MAX_L2_DISTANCE - 1;
                    }
                }
                len += 3;
                if (ref < outOffset || op + len > opEnd) {
                    return 0;
                }
                for (int i = 0; i < len; i++) {
                    out[op++] = out[ref++];
                }
            } else {
                int run = ctrl + 1;
                if (op + run > opEnd || ip + run > ipEnd) {
                    return 0;
                }
                System.arraycopy(in, ip, out, op, run);
                ip += run;
                op += run;
            }
            if (ip >= ipEnd) {
                break;
            }
            ctrl = in[ip++] & 0xFF;
        }
        return op - outOffset;
    }
}

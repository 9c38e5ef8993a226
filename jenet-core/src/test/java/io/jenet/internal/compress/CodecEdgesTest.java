package io.jenet.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every codec at its edges: nothing in, nothing out; offsets into larger buffers on both sides;
 * an output limit one byte too small for the result refuses (0) and writes nothing past it; a limit
 * exactly big enough succeeds.
 */
class CodecEdgesTest {
    private static Compressor codec(String name) {
        switch (name) {
            case "range": return new RangeCoder();
            case "fastlz": return new FastLz();
            case "zlib": return new Zlib();
            default: return new Zstd();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "fastlz", "zlib", "zstd"})
    void emptyInputGivesZeroBothWays(String name) {
        Compressor c = codec(name);
        byte[] out = new byte[64];
        Arrays.fill(out, (byte) 0x5A);
        assertThat(c.compress(new byte[10], 3, 0, out, 0, out.length)).isZero();
        assertThat(c.decompress(new byte[10], 3, 0, out, 0, out.length)).isZero();
        assertThat(out).containsOnly(0x5A);
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "fastlz", "zlib", "zstd"})
    void offsetsAndExactLimits(String name) {
        Compressor c = codec(name);
        byte[] plain = new byte[300];
        for (int i = 0; i < plain.length; i++) {
            plain[i] = (byte) (i % 7 == 0 ? i : 'a' + i % 3);
        }
        byte[] in = new byte[plain.length + 11];
        System.arraycopy(plain, 0, in, 5, plain.length);
        byte[] packed = new byte[1000];
        int m = c.compress(in, 5, plain.length, packed, 9, 900);
        assertThat(m).isBetween(1, plain.length - 1);
        // One byte less than it needs: refused, and nothing written past the limit.
        byte[] small = new byte[1000];
        Arrays.fill(small, (byte) 0x5A);
        assertThat(c.compress(in, 5, plain.length, small, 9, m - 1)).isZero();
        for (int i = 9 + m - 1; i < small.length; i++) {
            assertThat(small[i]).as("byte %d", i).isEqualTo((byte) 0x5A);
        }
        // Decompressed at an offset, into exactly its length.
        byte[] out = new byte[plain.length + 20];
        Arrays.fill(out, (byte) 0x5A);
        assertThat(c.decompress(packed, 9, m, out, 7, plain.length)).isEqualTo(plain.length);
        assertThat(Arrays.copyOfRange(out, 7, 7 + plain.length)).isEqualTo(plain);
        assertThat(out[6]).isEqualTo((byte) 0x5A);
        assertThat(out[7 + plain.length]).isEqualTo((byte) 0x5A);
        // One byte short of room: refused, nothing past the limit.
        Arrays.fill(out, (byte) 0x5A);
        assertThat(c.decompress(packed, 9, m, out, 7, plain.length - 1)).isZero();
        assertThat(out[7 + plain.length - 1]).isEqualTo((byte) 0x5A);
        // Truncated by one byte: never the original.
        int t = c.decompress(packed, 9, m - 1, out, 7, plain.length);
        assertThat(t == plain.length && Arrays.equals(Arrays.copyOfRange(out, 7, 7 + plain.length), plain)).isFalse();
    }
}

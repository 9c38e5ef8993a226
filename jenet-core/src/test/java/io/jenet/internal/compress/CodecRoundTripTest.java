package io.jenet.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Round trips and hostile inputs for every datagram compressor. */
class CodecRoundTripTest {
    private static byte[] sample(Random r, int kind, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            switch (kind) {
                case 0 -> b[i] = (byte) r.nextInt(256);
                case 1 -> b[i] = (byte) (i % 7);
                case 2 -> b[i] = (byte) "player 7 at (10.5, 3.25) hp 100 ".charAt(i % 32);
                default -> b[i] = (byte) (r.nextInt(5) == 0 ? r.nextInt(256) : 0);
            }
        }
        return b;
    }

    private static void roundTrips(Supplier<Compressor> codec, boolean padsShortInputs) {
        Compressor c = codec.get();
        Random r = new Random(7);
        byte[] out = new byte[16384];
        byte[] back = new byte[8192];
        int compressed = 0;
        for (int t = 0; t < 2000; t++) {
            int n = 1 + r.nextInt(t % 10 == 0 ? 4096 : 300);
            byte[] in = sample(r, t % 4, n);
            int m = c.compress(in, 0, n, out, 0, out.length);
            if (m == 0) {
                continue;
            }
            compressed++;
            int k = c.decompress(out, 0, m, back, 0, back.length);
            if (padsShortInputs && n < 16) {
                assertThat(k).isEqualTo(16);
                assertThat(Arrays.copyOf(back, n)).isEqualTo(in);
            } else {
                assertThat(Arrays.copyOf(back, k)).as("round %d, %d bytes", t, n).isEqualTo(in);
            }
        }
        assertThat(compressed).isGreaterThan(1500);
    }

    private static void neverThrowsOnGarbage(Supplier<Compressor> codec) {
        Compressor c = codec.get();
        Random r = new Random(11);
        byte[] out = new byte[4096];
        for (int t = 0; t < 20000; t++) {
            byte[] junk = new byte[r.nextInt(300)];
            r.nextBytes(junk);
            int k = c.decompress(junk, 0, junk.length, out, 0, out.length);
            assertThat(k).isBetween(0, out.length);
        }
        // A stream that would expand far beyond the limit is refused, not truncated silently.
        byte[] zeros = new byte[100_000];
        byte[] packed = new byte[200_000];
        int m = c.compress(zeros, 0, zeros.length, packed, 0, packed.length);
        if (m > 0) {
            assertThat(c.decompress(packed, 0, m, out, 0, 4096)).isZero();
        }
    }

    @Test
    void rangeCoderRoundTrips() {
        roundTrips(RangeCoder::new, false);
        neverThrowsOnGarbage(RangeCoder::new);
    }

    @Test
    void fastLzRoundTrips() {
        roundTrips(FastLz::new, true);
        neverThrowsOnGarbage(FastLz::new);
    }

    @Test
    void fastLzDecodesHandWrittenLevelTwoStreams() {
        // Level 2 (top bits 001 in the first byte), as fastlz_compress writes for inputs of 64 KiB
        // and more: literal "abc", then a match of 6 at distance 3.
        FastLz f = new FastLz();
        byte[] out = new byte[400];
        byte[] shortMatch = {0x22, 'a', 'b', 'c', (byte) 0x80, 0x02};
        assertThat(Arrays.copyOf(out, f.decompress(shortMatch, 0, shortMatch.length, out, 0, out.length)))
                .isEqualTo("abcabcabc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        // Literal 'a', then a match of 299 at distance 1 whose length continues over 255.
        byte[] longMatch = {0x20, 'a', (byte) 0xE0, (byte) 0xFF, 0x23, 0x00};
        byte[] as = new byte[300];
        Arrays.fill(as, (byte) 'a');
        assertThat(Arrays.copyOf(out, f.decompress(longMatch, 0, longMatch.length, out, 0, out.length))).isEqualTo(as);
        // A match reaching before the start of the output is refused, not followed.
        byte[] bad = {0x20, 'a', (byte) 0x80, 0x05};
        assertThat(f.decompress(bad, 0, bad.length, out, 0, out.length)).isZero();
    }

    @Test
    void zlibRoundTrips() {
        roundTrips(Zlib::new, false);
        neverThrowsOnGarbage(Zlib::new);
    }

    @Test
    void zstdRoundTrips() {
        roundTrips(Zstd::new, false);
        neverThrowsOnGarbage(Zstd::new);
    }

    @Test
    void compressorsRefuseOutputThatDoesNotFit() {
        byte[] random = sample(new Random(3), 0, 1000);
        byte[] out = new byte[1000];
        for (Compressor c : new Compressor[] {new RangeCoder(), new FastLz(), new Zlib(), new Zstd()}) {
            assertThat(c.compress(random, 0, random.length, out, 0, 999)).as(c.getClass().getSimpleName()).isZero();
        }
    }
}

package io.jenet.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Every codec: round trips on arbitrary inputs; decoders never throw nor overrun on arbitrary bytes. */
class CodecProperties {
    @Provide
    Arbitrary<String> codecs() {
        return Arbitraries.of("range-coder", "fastlz", "zlib", "zstd");
    }

    static Compressor create(String name) {
        return switch (name) {
            case "range-coder" -> new RangeCoder();
            case "fastlz" -> new FastLz();
            case "zlib" -> new Zlib();
            default -> new Zstd();
        };
    }

    @Provide
    Arbitrary<byte[]> datagrams() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4000);
        Arbitrary<byte[]> repetitive = Arbitraries.bytes().between((byte) 0, (byte) 3).array(byte[].class).ofMinSize(1).ofMaxSize(4000);
        return Arbitraries.oneOf(random, repetitive);
    }

    @Property(tries = 400)
    void roundTrips(@ForAll("codecs") String codec, @ForAll("datagrams") byte[] in) {
        Compressor c = create(codec);
        byte[] out = new byte[8192];
        int n = c.compress(in, 0, in.length, out, 0, out.length);
        if (n == 0) {
            return;
        }
        byte[] back = new byte[4096];
        int k = c.decompress(out, 0, n, back, 0, back.length);
        if (codec.equals("fastlz") && in.length < 16) {
            assertThat(k).isEqualTo(16);
            assertThat(Arrays.copyOf(back, in.length)).isEqualTo(in);
        } else {
            assertThat(Arrays.copyOf(back, k)).isEqualTo(in);
        }
    }

    @Property(tries = 1000)
    void decodersNeverThrowOnArbitraryBytes(@ForAll("codecs") String codec, @ForAll @Size(max = 600) byte[] junk) {
        byte[] out = new byte[4100];
        out[4096] = 0x5A;
        int k = create(codec).decompress(junk, 0, junk.length, out, 0, 4096);
        assertThat(k).isBetween(0, 4096);
        assertThat(out[4096]).as("wrote past the limit").isEqualTo((byte) 0x5A);
    }
}

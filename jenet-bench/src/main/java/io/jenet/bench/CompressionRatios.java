package io.jenet.bench;

import io.jenet.internal.compress.Compressor;
import java.util.List;

/** Prints the compression ratio (compressed / original, whole corpus) per codec and size. */
public final class CompressionRatios {
    private CompressionRatios() {}

    /**
     * Entry point.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        String[] codecs = {"range-coder", "fastlz", "zlib", "zstd-jni", "zstd-air"};
        int[] sizes = {64, 512, 1400, 4096};
        System.out.printf("%-12s %8s %8s %8s %8s%n", "codec", "64", "512", "1400", "4096");
        for (String codec : codecs) {
            Compressor c = CompressorBenchmark.create(codec);
            StringBuilder row = new StringBuilder(String.format("%-12s", codec));
            for (int size : sizes) {
                List<byte[]> corpus = Corpus.of(size, 64);
                long in = 0;
                long out = 0;
                byte[] buf = new byte[16384];
                for (byte[] b : corpus) {
                    int n = c.compress(b, 0, b.length, buf, 0, b.length);
                    in += b.length;
                    // ENet sends the datagram uncompressed when compression does not shrink it.
                    out += n > 0 && n < b.length ? n : b.length;
                }
                row.append(String.format(" %8.3f", (double) out / in));
            }
            System.out.println(row);
        }
    }
}

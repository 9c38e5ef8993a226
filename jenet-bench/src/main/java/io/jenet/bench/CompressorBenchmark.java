package io.jenet.bench;

import io.jenet.internal.compress.Compressor;
import io.jenet.internal.compress.FastLz;
import io.jenet.internal.compress.RangeCoder;
import io.jenet.internal.compress.Zlib;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Datagram compressors on datagram-sized inputs: one operation compresses (or decompresses) one
 * datagram of {@code size} bytes from the corpus. Throughput in ops/s × size = input MB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CompressorBenchmark {
    @Param({"range-coder", "fastlz", "zlib", "zstd-jni", "zstd-air"})
    public String codec;

    @Param({"64", "512", "1400", "4096"})
    public int size;

    private Compressor compressor;
    private List<byte[]> inputs;
    private byte[][] compressed;
    private int[] compressedLength;
    private final byte[] out = new byte[16384];
    private int next;

    static Compressor create(String name) {
        return switch (name) {
            case "range-coder" -> new RangeCoder();
            case "fastlz" -> new FastLz();
            case "zlib" -> new Zlib();
            case "zstd-jni" -> new ZstdCandidates.Jni();
            case "zstd-air" -> new ZstdCandidates.Air();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        compressor = create(codec);
        inputs = Corpus.of(size, 64);
        compressed = new byte[inputs.size()][];
        compressedLength = new int[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            byte[] in = inputs.get(i);
            byte[] buf = new byte[16384];
            int n = compressor.compress(in, 0, in.length, buf, 0, buf.length);
            compressed[i] = buf;
            compressedLength[i] = n;
        }
    }

    @Benchmark
    public int compress() {
        byte[] in = inputs.get(next++ & 63);
        return compressor.compress(in, 0, in.length, out, 0, out.length);
    }

    @Benchmark
    public int decompress() {
        int i = next++ & 63;
        return compressor.decompress(compressed[i], 0, compressedLength[i], out, 0, out.length);
    }
}

package io.jenet.bench;

import io.jenet.internal.compress.RangeCoder;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jenet's range coder beside C ENet's, in one run: the same corpus ({@link Corpus}), the same
 * loop as jenet-bench/src/main/c/rangecoder_bench.c (every record in turn, the clock read once per
 * pass), and the same clock, the thread's CPU time, so that other processes on a shared machine
 * do not count against either side. Rounds alternate C and each jenet build, and the medians of
 * the rounds are printed with their ranges and the ratio to C.
 *
 * <pre>
 * gcc -O2 -o /tmp/rcbench jenet-bench/src/main/c/rangecoder_bench.c -lenet
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.RangeCoderVsC \
 *     --c /tmp/rcbench [--rounds 5] [--seconds 0.5] [--sizes 64,512,1400,4096] [name=classes-dir ...]
 * </pre>
 *
 * Each {@code name=dir} adds a jenet build whose {@code io/jenet/internal/compress} classes are in
 * {@code dir} (for instance an older commit's, compiled with javac); the classpath's build is
 * "jenet". Each build runs in its own class loader, so each is compiled by the JIT on its own.
 */
public final class RangeCoderVsC {
    private RangeCoderVsC() {}

    /** The timed loop; loaded once per jenet build, so each build's RangeCoder is its own class. */
    public static final class Loop {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        private Loop() {}

        /**
         * Compresses every record in turn for {@code seconds} of CPU time, then decompresses.
         *
         * @param records the corpus
         * @param seconds CPU seconds per direction
         * @return compress MB/s, decompress MB/s, and a hash of the compressed corpus
         */
        public static double[] run(byte[][] records, double seconds) {
            RangeCoder coder = new RangeCoder();
            byte[] out = new byte[8192];
            byte[] back = new byte[8192];
            byte[][] packed = new byte[records.length][];
            long hash = 0;
            for (int i = 0; i < records.length; i++) {
                packed[i] = Arrays.copyOf(out, coder.compress(records[i], 0, records[i].length, out, 0, out.length));
                hash = hash * 31 + Arrays.hashCode(packed[i]);
                int n = coder.decompress(packed[i], 0, packed[i].length, back, 0, back.length);
                if (!Arrays.equals(Arrays.copyOf(back, n), records[i])) {
                    throw new IllegalStateException("record " + i + " does not round-trip");
                }
            }
            long limit = (long) (seconds * 1e9);
            double bytes = 0;
            long sink = 0;
            long start = THREADS.getCurrentThreadCpuTime();
            while (THREADS.getCurrentThreadCpuTime() - start < limit) {
                for (byte[] r : records) {
                    sink += coder.compress(r, 0, r.length, out, 0, out.length);
                    bytes += r.length;
                }
            }
            double compress = bytes / ((THREADS.getCurrentThreadCpuTime() - start) / 1e9) / 1e6;
            bytes = 0;
            start = THREADS.getCurrentThreadCpuTime();
            while (THREADS.getCurrentThreadCpuTime() - start < limit) {
                for (int i = 0; i < records.length; i++) {
                    sink += coder.decompress(packed[i], 0, packed[i].length, back, 0, back.length);
                    bytes += records[i].length;
                }
            }
            double decompress = bytes / ((THREADS.getCurrentThreadCpuTime() - start) / 1e9) / 1e6;
            return new double[] {compress, decompress, hash, sink};
        }
    }

    private static double[] runC(String bench, File corpus, double seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bench, String.valueOf(seconds), "cpu").redirectInput(corpus).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(bench + " failed: " + out);
        }
        Matcher m = Pattern.compile("compress ([0-9.]+) MB/s.*\\ndecompress ([0-9.]+) MB/s", Pattern.DOTALL).matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(out);
        }
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String cell(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format("%.1f (%.1f–%.1f)", median(xs), a[0], a[a.length - 1]);
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception on a failed run
     */
    public static void main(String[] args) throws Exception {
        String bench = null;
        int rounds = 5;
        double seconds = 0.5;
        int[] sizes = {64, 512, 1400, 4096};
        Map<String, URL> builds = new LinkedHashMap<>();
        builds.put("jenet", RangeCoder.class.getProtectionDomain().getCodeSource().getLocation());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--c" -> bench = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> {
                    String[] kv = args[i].split("=", 2);
                    builds.put(kv[0], new File(kv[1]).toURI().toURL());
                }
            }
        }
        URL benchClasses = RangeCoderVsC.class.getProtectionDomain().getCodeSource().getLocation();
        Map<String, Method> loops = new LinkedHashMap<>();
        for (Map.Entry<String, URL> b : builds.entrySet()) {
            ClassLoader loader = new URLClassLoader(new URL[] {b.getValue(), benchClasses}, ClassLoader.getPlatformClassLoader());
            loops.put(b.getKey(), loader.loadClass(Loop.class.getName()).getMethod("run", byte[][].class, double.class));
        }
        System.out.printf("%s, %d rounds of %.1f CPU-s per direction, medians (min–max) in MB/s of input%n",
                System.getProperty("java.vm.version"), rounds, seconds);
        System.out.println("| size | op | " + (bench != null ? "C ENet | " : "") + String.join(" | ", builds.keySet())
                + (bench != null ? " | " + String.join(" | ", builds.keySet().stream().map(k -> k + " / C").toList()) : "") + " |");
        for (int size : sizes) {
            byte[][] records = Corpus.of(size, 64).toArray(new byte[0][]);
            File corpus = File.createTempFile("corpus", ".bin");
            corpus.deleteOnExit();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            DataOutputStream data = new DataOutputStream(buf);
            for (byte[] r : records) {
                data.writeInt(r.length);
                data.write(r);
            }
            Files.write(corpus.toPath(), buf.toByteArray());
            Map<String, List<Double>> compress = new LinkedHashMap<>();
            Map<String, List<Double>> decompress = new LinkedHashMap<>();
            Long hash = null;
            for (int r = 0; r < rounds; r++) {
                if (bench != null) {
                    double[] c = runC(bench, corpus, seconds);
                    compress.computeIfAbsent("C", k -> new ArrayList<>()).add(c[0]);
                    decompress.computeIfAbsent("C", k -> new ArrayList<>()).add(c[1]);
                }
                for (Map.Entry<String, Method> loop : loops.entrySet()) {
                    double[] x = (double[]) loop.getValue().invoke(null, records, seconds);
                    if (hash != null && hash != (long) x[2]) {
                        throw new IllegalStateException(loop.getKey() + " compresses differently");
                    }
                    hash = (long) x[2];
                    compress.computeIfAbsent(loop.getKey(), k -> new ArrayList<>()).add(x[0]);
                    decompress.computeIfAbsent(loop.getKey(), k -> new ArrayList<>()).add(x[1]);
                }
            }
            for (Map<String, List<Double>> op : List.of(compress, decompress)) {
                StringBuilder row = new StringBuilder("| " + size + " B | " + (op == compress ? "compress" : "decompress") + " |");
                for (List<Double> xs : op.values()) {
                    row.append(' ').append(cell(xs)).append(" |");
                }
                if (bench != null) {
                    for (String b : builds.keySet()) {
                        row.append(String.format(" %.2f |", median(op.get(b)) / median(op.get("C"))));
                    }
                }
                System.out.println(row);
            }
        }
    }
}

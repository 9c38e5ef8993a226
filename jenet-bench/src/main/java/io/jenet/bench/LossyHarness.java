package io.jenet.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reliable echoes through a lossy, delaying relay, for C ENet and jenet side by side (the four
 * client → server pairs), seed by seed: how long a burst takes to finish and whether it stalled.
 * Every pair of one seed crosses a relay with the same settings and seed ({@code jenet relay}),
 * so the pairs differ only in who sends and who echoes.
 *
 * <pre>
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.LossyHarness
 *     [--loss 25] [--latency 20] [--jitter 10] [--seeds 1-10] [--count 200] [--window 20] [--size 64] [--jar PATH]
 * </pre>
 *
 * <p>Prints a Markdown table (median and range of seconds to finish, runs whose longest time
 * without an echo reached 10 s, failed runs) and one line per run.
 */
public final class LossyHarness {
    private LossyHarness() {}

    /** A stall: this long without an echo, ms. */
    static final long STALL_MS = 10_000;

    record Run(double seconds, long maxGapMs, String failure) {}

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception on failure to start the processes
     */
    public static void main(String[] args) throws Exception {
        run(args, System.out);
    }

    /**
     * Runs the harness.
     *
     * @param args see the class comment
     * @param out where the table goes
     * @throws Exception on failure to start the processes
     */
    public static void run(String[] args, PrintStream out) throws Exception {
        double loss = 25;
        int latency = 20;
        int jitter = 10;
        int firstSeed = 1;
        int lastSeed = 10;
        int count = 200;
        int window = 20;
        int size = 64;
        String jar = LoopbackHarness.jar();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--loss" -> loss = Double.parseDouble(args[++i]);
                case "--latency" -> latency = Integer.parseInt(args[++i]);
                case "--jitter" -> jitter = Integer.parseInt(args[++i]);
                case "--seeds" -> {
                    String[] r = args[++i].split("-");
                    firstSeed = Integer.parseInt(r[0]);
                    lastSeed = Integer.parseInt(r[r.length - 1]);
                }
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--jar" -> jar = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path cBench = LoopbackHarness.buildCBench();
        String java = LoopbackHarness.java();
        Process cServer = LoopbackHarness.start(List.of(cBench.toString(), "serve", "0"));
        Process jServer = LoopbackHarness.start(List.of(java, "-jar", jar, "serve", "--port", "0", "--echo", "--peers", "64"));
        String[] pairs = {"C → C", "jenet → jenet", "C → jenet", "jenet → C"};
        List<List<Run>> runs = new ArrayList<>();
        for (int p = 0; p < pairs.length; p++) {
            runs.add(new ArrayList<>());
        }
        try {
            int cPort = LoopbackHarness.awaitPort(cServer, "listening on port ");
            int jPort = LoopbackHarness.awaitPort(jServer, "listening on port ");
            for (int seed = firstSeed; seed <= lastSeed; seed++) {
                for (int p = 0; p < pairs.length; p++) {
                    boolean cClient = p == 0 || p == 2;
                    int server = p == 0 || p == 3 ? cPort : jPort;
                    Process relay = LoopbackHarness.start(List.of(java, "-jar", jar, "relay", "127.0.0.1:" + server,
                            "--loss", "" + loss, "--latency", "" + latency, "--jitter", "" + jitter, "--seed", "" + seed));
                    try {
                        int port = LoopbackHarness.awaitPort(relay, "relaying on port ");
                        List<String> client = cClient
                                ? List.of(cBench.toString(), "bench", "127.0.0.1", "" + port, "" + count, "" + size, "reliable", "" + window, "0", "1")
                                : List.of(java, "-jar", jar, "bench", "127.0.0.1:" + port, "--count", "" + count, "--size", "" + size,
                                        "--mode", "reliable", "--window", "" + window, "--timeout-ms", "120000");
                        Run r = measure(client);
                        runs.get(p).add(r);
                        out.printf("seed %d %s: %s%n", seed, pairs[p], r.failure() != null ? "FAILED " + r.failure()
                                : String.format("%.2f s, longest without an echo %d ms", r.seconds(), r.maxGapMs()));
                    } finally {
                        LoopbackHarness.stop(relay);
                    }
                }
            }
        } finally {
            LoopbackHarness.stop(cServer);
            LoopbackHarness.stop(jServer);
        }
        out.println();
        out.printf("%d reliable %d B echoes, window %d, through `jenet relay --loss %s --latency %d --jitter %d`, seeds %d–%d:%n%n",
                count, size, window, loss, latency, jitter, firstSeed, lastSeed);
        out.println("| pair (client → server) | median s | range s | stalls (10 s without an echo) | failed |");
        out.println("|---|---|---|---|---|");
        for (int p = 0; p < pairs.length; p++) {
            double[] s = runs.get(p).stream().filter(r -> r.failure() == null).mapToDouble(Run::seconds).sorted().toArray();
            long stalls = runs.get(p).stream().filter(r -> r.failure() == null && r.maxGapMs() >= STALL_MS).count();
            long failed = runs.get(p).stream().filter(r -> r.failure() != null).count();
            out.printf("| %s | %s | %s | %d of %d | %d |%n", pairs[p], s.length == 0 ? "-" : String.format("%.1f", median(s)),
                    s.length == 0 ? "-" : String.format("%.1f–%.1f", s[0], s[s.length - 1]), stalls, runs.get(p).size(), failed);
        }
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Runs one bench client; its "ok" line gives the seconds and the longest gap. */
    static Run measure(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(Double.NaN, -1, "timed out");
        }
        try {
            LoopbackHarness.Result r = LoopbackHarness.parse(output);
            return new Run(r.seconds(), r.maxGapMs(), null);
        } catch (IllegalStateException failed) {
            String[] lines = output.trim().split("\n");
            return new Run(Double.NaN, -1, lines[lines.length - 1]);
        }
    }
}

package io.jenet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * jenet beside C ENet on loopback: the same echo workloads run by C ENet's client and server
 * (jenet-bench/src/main/c/enetbench.c, built with gcc against libenet) and by jenet's
 * ({@code jenet serve --echo} / {@code jenet bench}), alternating A B A B over rounds, plus the mixed
 * pairs. Prints a Markdown table: median of the rounds with min–max. Both servers stay up for the
 * whole run; each client run warms up before timing.
 *
 * <pre>
 * ./mvnw -q -B install -DskipTests
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.LoopbackHarness [--rounds N] [--smoke]
 *     [--only TEXT] [--skip-idle] [--jar PATH]
 * </pre>
 */
public final class LoopbackHarness {
    private LoopbackHarness() {}

    /**
     * One row: {@code clients} peers of one client host (one thread, as ENet), each sending
     * {@code count} packets of {@code size} bytes with at most {@code window} unanswered, through a
     * relay losing {@code lossPercent} of datagrams each way when that is above 0.
     */
    record Workload(String name, int size, String mode, int window, int count, int warmup, int clients, double lossPercent) {
        Workload(String name, int size, String mode, int window, int count, int warmup) {
            this(name, size, mode, window, count, warmup, 1, 0);
        }
    }

    /**
     * What a bench client's "ok" line says: rate, latency percentiles (µs), duration and the longest
     * time without an echo; a stream's line adds the largest round trip (µs) and the messages sent,
     * a bulk transfer's its MB/s (-1 where the line has none of these).
     */
    record Result(double msgPerSecond, double p50, double p99, double seconds, long maxGapMs, long messages, long maxUs, long sent,
                  double mbPerSecond) {
        Result(double msgPerSecond, double p50, double p99, double seconds, long maxGapMs) {
            this(msgPerSecond, p50, p99, seconds, maxGapMs, -1, -1, -1, -1);
        }
    }

    private static String JAR = "jenet-cli/target/jenet-cli.jar";
    private static String C_SOURCE = "jenet-bench/src/main/c/enetbench.c";
    private static String C_BINARY = "jenet-bench/target/enetbench";

    /**
     * Entry point.
     *
     * @param args {@code --rounds N}, {@code --smoke} (seconds, for CI), {@code --only TEXT} (rows whose name
     *             contains TEXT), {@code --skip-idle} (no idle-peers table), {@code --jar PATH} (the jenet
     *             command's jar to measure, e.g. an older build beside today's; default the one built here)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        run(args, System.out);
    }

    /**
     * Runs the harness, printing the table to {@code out}.
     *
     * @param args as {@link #main}
     * @param out where the table goes
     * @throws Exception on failure
     */
    public static void run(String[] args, java.io.PrintStream out) throws Exception {
        int rounds = 3;
        boolean smoke = false;
        String only = null;
        boolean skipIdle = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--smoke")) {
                smoke = true;
            } else if (args[i].equals("--only")) {
                only = args[++i];
            } else if (args[i].equals("--skip-idle")) {
                skipIdle = true;
            } else if (args[i].equals("--jar")) {
                jar();
                JAR = args[++i];
            }
        }
        int scale = smoke ? 100 : 1;
        List<Workload> workloads = List.of(
                new Workload("64 B reliable, window 1000", 64, "reliable", 1000, 1_000_000 / scale, 1_000_000 / scale),
                new Workload("64 B unreliable, window 1000", 64, "unreliable", 1000, 1_000_000 / scale, 1_000_000 / scale),
                new Workload("64 B unsequenced, window 1000", 64, "unsequenced", 1000, 1_000_000 / scale, 1_000_000 / scale),
                new Workload("100 kB reliable, window 16", 100_000, "reliable", 16, 5_000 / scale, 2_000 / scale),
                new Workload("64 B ping-pong, window 1", 64, "reliable", 1, 40_000 / scale, 60_000 / scale),
                // Cost against packet size (with the 64 B and 100 kB rows above). Warm-ups are long
                // enough for the JIT to finish: shorter runs measured the JVM's start, not jenet.
                new Workload("256 B reliable, window 100", 256, "reliable", 100, 400_000 / scale, 400_000 / scale),
                new Workload("1 kB reliable, window 100", 1024, "reliable", 100, 200_000 / scale, 100_000 / scale),
                new Workload("8 kB reliable, window 32", 8192, "reliable", 32, 30_000 / scale, 30_000 / scale),
                // Cost against concurrent clients (with the 1-client rows above).
                new Workload("64 clients, 64 B reliable, window 16", 64, "reliable", 16, 20_000 / scale, 15_000 / scale, 64, 0),
                new Workload("1000 clients, 64 B reliable, window 4", 64, "reliable", 4, 300 / Math.min(scale, 10),
                        300 / Math.min(scale, 10), 1000, 0),
                // Through our impairment relay (a third process, the same for both).
                new Workload("64 B reliable, window 100, 5 % loss", 64, "reliable", 100, 30_000 / scale, 20_000 / scale, 1, 5));
        if (smoke) {
            rounds = 1;
        }
        if (only != null) {
            String filter = only;
            workloads = workloads.stream().filter(w -> w.name().contains(filter)).toList();
        }
        jar();
        Path cBench = buildCBench();
        if (!Files.exists(Paths.get(JAR))) {
            throw new IllegalStateException(JAR + " missing: run ./mvnw -q -B install -DskipTests first");
        }
        // Both servers bind a free port (0) and say which.
        Process cServer = start(List.of(cBench.toString(), "serve", "0"));
        Process jServer = start(List.of(java(), "-jar", JAR, "serve", "--port", "0", "--echo", "--peers", "4000"));
        try {
            int cPort = awaitPort(cServer, "listening on port ");
            int jPort = awaitPort(jServer, "listening on port ");
            out.printf("| workload | C→C msg/s | jenet→jenet msg/s | ratio | C→jenet | jenet→C | p50 µs C / jenet | p99 µs C / jenet |%n");
            out.printf("|---|---|---|---|---|---|---|---|%n");
            for (Workload w : workloads) {
                int cTarget = cPort;
                int jTarget = jPort;
                List<Process> relays = new ArrayList<>();
                if (w.lossPercent() > 0) {
                    Process cRelay = start(List.of(java(), "-jar", JAR, "relay", "127.0.0.1:" + cPort, "--loss", "" + w.lossPercent(), "--seed", "1"));
                    Process jRelay = start(List.of(java(), "-jar", JAR, "relay", "127.0.0.1:" + jPort, "--loss", "" + w.lossPercent(), "--seed", "1"));
                    relays.add(cRelay);
                    relays.add(jRelay);
                    cTarget = awaitPort(cRelay, "relaying on port ");
                    jTarget = awaitPort(jRelay, "relaying on port ");
                }
                List<String> failures = new ArrayList<>();
                List<Result> cc = new ArrayList<>();
                List<Result> jj = new ArrayList<>();
                List<Result> cj = new ArrayList<>();
                List<Result> jc = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    boolean cFirst = r % 2 == 0;
                    int ct = cTarget;
                    int jt = jTarget;
                    if (cFirst) {
                        cc.add(orFailed(() -> runC(cBench, ct, w), failures));
                        jj.add(orFailed(() -> runJenet(jt, w), failures));
                    } else {
                        jj.add(orFailed(() -> runJenet(jt, w), failures));
                        cc.add(orFailed(() -> runC(cBench, ct, w), failures));
                    }
                    cj.add(orFailed(() -> runC(cBench, jt, w), failures));
                    jc.add(orFailed(() -> runJenet(ct, w), failures));
                }
                for (Process relay : relays) {
                    stop(relay);
                }
                double c = median(cc, Result::msgPerSecond);
                double j = median(jj, Result::msgPerSecond);
                for (String f : failures) {
                    System.err.println("harness: " + w.name() + ": " + f);
                }
                out.printf("| %s | %s | %s | %.2f | %s | %s | %.0f / %.0f | %.0f / %.0f |%n", w.name(), cell(cc), cell(jj), j / c,
                        cell(cj), cell(jc), median(cc, Result::p50), median(jj, Result::p50), median(cc, Result::p99),
                        median(jj, Result::p99));
            }
        } finally {
            stop(cServer);
            stop(jServer);
        }
        if (!skipIdle) {
            out.println();
            IdlePeers.run(cBench, JAR, smoke ? new int[] {200} : new int[] {1000, 2000, 4000}, smoke ? 2 : 10, out);
        }
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    /** @return the CLI jar's path, from the repository root or a module directory (as the smoke test runs) */
    static synchronized String jar() {
        if (!Files.exists(Paths.get(JAR)) && Files.exists(Paths.get("..", JAR))) {
            JAR = "../" + JAR;
            C_SOURCE = "../" + C_SOURCE;
            C_BINARY = "../" + C_BINARY;
        }
        return JAR;
    }

    /** Runs a bench command and returns its msg/s. */
    static double msgPerSecond(List<String> command) throws IOException, InterruptedException {
        return parse(run(command)).msgPerSecond();
    }

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path buildCBench() throws IOException, InterruptedException {
        Path out = Paths.get(C_BINARY);
        Path src = Paths.get(C_SOURCE);
        if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) < 0) {
            Process gcc = new ProcessBuilder("gcc", "-O2", "-o", out.toString(), src.toString(), "-lenet").inheritIO().start();
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed: install gcc and libenet-dev (apt-get install -y gcc libenet-dev)");
            }
        }
        return out;
    }

    static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    static int awaitPort(Process p, String prefix) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith(prefix)) {
                int port = Integer.parseInt(line.substring(prefix.length()).trim().split(" ")[0]);
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // discard connect/disconnect lines
                        }
                    } catch (IOException ignored) {
                        // server stopped
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return port;
            }
        }
        throw new IllegalStateException("server exited before saying its port");
    }

    /** A failed run (a peer dropped under overload, say) is reported in its cell, not fatal: C ENet does it too. */
    private static Result orFailed(java.util.concurrent.Callable<Result> run, List<String> failures) throws Exception {
        try {
            return run.call();
        } catch (IllegalStateException e) {
            failures.add(e.getMessage());
            return null;
        }
    }

    private static Result runC(Path cBench, int port, Workload w) throws IOException, InterruptedException {
        return parse(run(List.of(cBench.toString(), "bench", "127.0.0.1", "" + port, "" + w.count(), "" + w.size(), w.mode(),
                "" + w.window(), "" + w.warmup(), "" + w.clients())));
    }

    private static Result runJenet(int port, Workload w) throws IOException, InterruptedException {
        return parse(run(List.of(java(), "-jar", JAR, "bench", "127.0.0.1:" + port, "--count", "" + w.count(), "--size", "" + w.size(),
                "--mode", w.mode(), "--window", "" + w.window(), "--warmup", "" + w.warmup(), "--max-loss", "5",
                "--clients", "" + w.clients(), "--one-host")));
    }

    /** Runs a command and returns its standard output. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return out;
    }

    /** Reads the "ok" line both benches (jenet's and enetbench.c) print; throws if there is none. */
    static Result parse(String output) {
        for (String line : output.split("\n")) {
            if (line.startsWith("ok ")) {
                String[] f = line.trim().split(" ");
                // ok N msgs B bytes T s R msg/s p50 X us p99 Y us max-gap G ms [max M us sent S | MB/s X]
                long maxUs = -1;
                long sent = -1;
                double mbPerSecond = -1;
                for (int i = 18; i + 1 < f.length; i++) {
                    switch (f[i]) {
                        case "max" -> maxUs = Long.parseLong(f[++i]);
                        case "sent" -> sent = Long.parseLong(f[++i]);
                        case "MB/s" -> mbPerSecond = Double.parseDouble(f[++i]);
                        default -> { }
                    }
                }
                return new Result(Double.parseDouble(f[7]), Double.parseDouble(f[10]), Double.parseDouble(f[13]),
                        Double.parseDouble(f[5]), Long.parseLong(f[16]), Long.parseLong(f[1]), maxUs, sent, mbPerSecond);
            }
        }
        throw new IllegalStateException("bench failed: " + output.trim());
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().filter(java.util.Objects::nonNull).mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String cell(List<Result> rs) {
        double[] v = rs.stream().filter(java.util.Objects::nonNull).mapToDouble(Result::msgPerSecond).sorted().toArray();
        long failed = rs.stream().filter(java.util.Objects::isNull).count();
        String note = failed == 0 ? "" : " [" + failed + " of " + rs.size() + " runs failed]";
        if (v.length == 0) {
            return "FAIL" + note;
        }
        double med = median(rs, Result::msgPerSecond);
        return (v.length == 1 ? String.format("%.0f", med) : String.format("%.0f (%.0f–%.0f)", med, v[0], v[v.length - 1])) + note;
    }
}

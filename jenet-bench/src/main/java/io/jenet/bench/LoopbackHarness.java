package io.jenet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *     [--only TEXT] [--skip-idle] [--skip-fresh] [--fresh-counts N,N...] [--jar PATH] [--jdk JAVA_HOME]... [--chart FILE.svg]
 * </pre>
 *
 * <p>jenet's side runs on every {@code --jdk} given (default: the running JDK and, for a full run
 * on a JDK older than 22, a Temurin 25 under {@code /usr/lib/jvm}), each with its own server; the
 * mixed pairs run on the last one. Build the jar with a JDK 22+ so that the later JDKs take the
 * batched datagram path. {@code --chart} draws the ratio to C per row and JDK.
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
        boolean skipFresh = false;
        Path chart = null;
        int[] freshCounts = null;
        List<Jdk> jdks = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--smoke")) {
                smoke = true;
            } else if (args[i].equals("--only")) {
                only = args[++i];
            } else if (args[i].equals("--skip-idle")) {
                skipIdle = true;
            } else if (args[i].equals("--skip-fresh")) {
                skipFresh = true;
            } else if (args[i].equals("--jar")) {
                jar();
                JAR = args[++i];
            } else if (args[i].equals("--jdk")) {
                jdks.add(Jdk.of(Paths.get(args[++i])));
            } else if (args[i].equals("--fresh-counts")) {
                freshCounts = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
            } else if (args[i].equals("--chart")) {
                chart = Paths.get(args[++i]);
            }
        }
        if (jdks.isEmpty()) {
            jdks = Jdk.defaults(smoke);
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
        for (Jdk jdk : jdks) {
            if (jdk.feature() >= 22 && !hasBatchedPath()) {
                System.err.println("harness: WARNING: " + JAR + " was built by a JDK older than 22, so Java " + jdk.feature()
                        + " runs it on the DatagramChannel path; build with JAVA_HOME=<JDK 22+> for the batched path");
            }
        }
        Jdk mixed = jdks.get(jdks.size() - 1);
        Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
        // Both kinds of server bind a free port (0) and say which; one jenet server per JDK.
        Process cServer = start(List.of(cBench.toString(), "serve", "0"));
        List<Process> jServers = new ArrayList<>();
        try {
            int cPort = awaitPort(cServer, "listening on port ");
            int[] jPorts = new int[jdks.size()];
            for (int k = 0; k < jdks.size(); k++) {
                Process server = start(jenet(jdks.get(k), "serve", "--port", "0", "--echo", "--peers", "4000"));
                jServers.add(server);
                jPorts[k] = awaitPort(server, "listening on port ");
            }
            out.println(header(jdks, mixed));
            for (Workload w : workloads) {
                int cTarget = cPort;
                int[] jTargets = jPorts.clone();
                List<Process> relays = new ArrayList<>();
                if (w.lossPercent() > 0) {
                    cTarget = relay(cPort, w, relays);
                    for (int k = 0; k < jdks.size(); k++) {
                        jTargets[k] = relay(jPorts[k], w, relays);
                    }
                }
                List<String> failures = new ArrayList<>();
                List<Result> cc = new ArrayList<>();
                List<List<Result>> jj = new ArrayList<>();
                for (int k = 0; k < jdks.size(); k++) {
                    jj.add(new ArrayList<>());
                }
                List<Result> cj = new ArrayList<>();
                List<Result> jc = new ArrayList<>();
                int last = jdks.size() - 1;
                for (int r = 0; r < rounds; r++) {
                    int ct = cTarget;
                    if (r % 2 == 0) {
                        cc.add(orFailed(() -> runC(cBench, ct, w), failures));
                    }
                    for (int k = 0; k < jdks.size(); k++) {
                        int kk = r % 2 == 0 ? k : last - k;
                        Jdk jdk = jdks.get(kk);
                        int jt = jTargets[kk];
                        jj.get(kk).add(orFailed(() -> runJenet(jdk, jt, w), failures));
                    }
                    if (r % 2 == 1) {
                        cc.add(orFailed(() -> runC(cBench, ct, w), failures));
                    }
                    int jt = jTargets[last];
                    cj.add(orFailed(() -> runC(cBench, jt, w), failures));
                    jc.add(orFailed(() -> runJenet(mixed, ct, w), failures));
                }
                for (Process relay : relays) {
                    stop(relay);
                }
                for (String f : failures) {
                    System.err.println("harness: " + w.name() + ": " + f);
                }
                out.println(row(w.name(), cc, jj, cj, jc, jdks, ratios));
            }
        } finally {
            stop(cServer);
            for (Process p : jServers) {
                stop(p);
            }
        }
        if (freshCounts == null) {
            freshCounts = new int[] {smoke ? 2_000 : 200_000};
        }
        for (int freshCount : freshCounts) {
            String fresh = "64 B reliable, window 1000, " + String.format(java.util.Locale.ROOT, "%,d", freshCount).replace(',', ' ')
                    + " echoes, fresh processes";
            if (!skipFresh && (only == null || fresh.contains(only))) {
                freshRows(cBench, jdks, freshCount, rounds, fresh, ratios, out);
            }
        }
        if (chart != null) {
            RatioChart.write(chart, ratios);
            out.println();
            out.println("chart: " + chart);
        }
        if (!skipIdle) {
            out.println();
            IdlePeers.run(cBench, JAR, smoke ? new int[] {200} : new int[] {1000, 2000, 4000}, smoke ? 2 : 10, out);
        }
    }

    /** A JDK to run jenet's side on: its home and feature version (from its {@code release} file). */
    record Jdk(Path home, int feature) {
        static Jdk of(Path home) throws IOException {
            Path release = home.resolve("release");
            int feature = Runtime.version().feature();
            if (Files.exists(release)) {
                for (String line : Files.readAllLines(release)) {
                    if (line.startsWith("JAVA_VERSION=")) {
                        String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                        feature = Integer.parseInt(v.split("[.+-]")[0]);
                    }
                }
            }
            return new Jdk(home, feature);
        }

        /** The running JDK; for a full run also a JDK 25 under /usr/lib/jvm if this is older than 22. */
        static List<Jdk> defaults(boolean smoke) throws IOException {
            List<Jdk> list = new ArrayList<>();
            list.add(of(Paths.get(System.getProperty("java.home"))));
            if (!smoke && list.get(0).feature() < 22) {
                try (java.util.stream.Stream<Path> s = Files.list(Paths.get("/usr/lib/jvm"))) {
                    s.filter(p -> p.getFileName().toString().startsWith("temurin-25")).sorted().findFirst()
                            .ifPresent(p -> list.add(new Jdk(p, 25)));
                } catch (IOException ignored) {
                    // no other JDKs: this one only
                }
            }
            return list;
        }

        String java() {
            return home.resolve("bin").resolve("java").toString();
        }

        String label() {
            return "Java " + feature;
        }
    }

    /** @return the command line of the jenet CLI on {@code jdk} (batched path allowed where it exists) */
    static List<String> jenet(Jdk jdk, String... args) {
        List<String> cmd = new ArrayList<>(List.of(jdk.java(), "--enable-native-access=ALL-UNNAMED",
                "-Djenet.datagrams=" + System.getProperty("jenet.datagrams", "auto"), "-jar", JAR));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static boolean hasBatchedPath() throws IOException {
        Path core = Paths.get(JAR).getParent().resolve("lib");
        try (java.util.stream.Stream<Path> s = Files.list(core)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.getFileName().toString().matches("jenet-\\d.*\\.jar"))::iterator) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
                    if (jar.getEntry("META-INF/versions/22/io/jenet/internal/transport/BatchedUdpEndpoint.class") != null) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int relay(int port, Workload w, List<Process> relays) throws IOException {
        Process relay = start(List.of(java(), "-jar", JAR, "relay", "127.0.0.1:" + port, "--loss", "" + w.lossPercent(), "--seed", "1"));
        relays.add(relay);
        return awaitPort(relay, "relaying on port ");
    }

    private static String header(List<Jdk> jdks, Jdk mixed) {
        StringBuilder h = new StringBuilder("| workload | C→C msg/s |");
        StringBuilder line = new StringBuilder("|---|---|");
        for (Jdk j : jdks) {
            h.append(jdks.size() == 1 ? " jenet→jenet msg/s | ratio |" : " jenet→jenet msg/s, " + j.label() + " | ratio |");
            line.append("---|---|");
        }
        String on = jdks.size() == 1 ? "" : " (" + mixed.label() + ")";
        h.append(" C→jenet").append(on).append(" | jenet→C").append(on).append(" | p50 µs C / jenet | p99 µs C / jenet |");
        line.append("---|---|---|---|");
        return h + "\n" + line;
    }

    private static String row(String name, List<Result> cc, List<List<Result>> jj, List<Result> cj, List<Result> jc, List<Jdk> jdks,
                              Map<String, Map<String, Double>> ratios) {
        double c = median(cc, Result::msgPerSecond);
        StringBuilder r = new StringBuilder("| " + name + " | " + cell(cc) + " |");
        StringBuilder p50 = new StringBuilder(String.format("%.0f", median(cc, Result::p50)));
        StringBuilder p99 = new StringBuilder(String.format("%.0f", median(cc, Result::p99)));
        for (int k = 0; k < jdks.size(); k++) {
            double j = median(jj.get(k), Result::msgPerSecond);
            r.append(String.format(" %s | %.2f |", cell(jj.get(k)), j / c));
            ratios.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(jdks.get(k).label(), j / c);
            p50.append(String.format(" / %.0f", median(jj.get(k), Result::p50)));
            p99.append(String.format(" / %.0f", median(jj.get(k), Result::p99)));
        }
        r.append(" ").append(cj == null ? "–" : cell(cj)).append(" | ").append(jc == null ? "–" : cell(jc)).append(" | ")
                .append(p50).append(" | ").append(p99).append(" |");
        return r.toString();
    }

    /**
     * What a user's first {@code jenet bench} does: a fresh server and a fresh client process per
     * round, no warm-up, on C ENet and on jenet: as {@code java -jar}, through the {@code jenet}
     * command (with its start-up cache, trained before the first round), and through the command with
     * {@code JENET_JAVA_OPTS=quick} (the JIT's quick compiler alone) on both sides.
     */
    private static void freshRows(Path cBench, List<Jdk> jdks, int count, int rounds, String name,
                                  Map<String, Map<String, Double>> ratios, java.io.PrintStream out) throws Exception {
        Workload w = new Workload(name, 64, "reliable", 1000, count, 0);
        Path script = Paths.get(JAR).toAbsolutePath().getParent().getParent().getParent().resolve("jenet");
        for (Jdk jdk : jdks) {
            // Train the command's cache now, outside the timed rounds.
            runScript(script, jdk, List.of("--version"));
        }
        List<String> failures = new ArrayList<>();
        List<Result> cc = new ArrayList<>();
        List<List<Result>> plain = new ArrayList<>();
        List<List<Result>> command = new ArrayList<>();
        List<List<Result>> quick = new ArrayList<>();
        for (int k = 0; k < jdks.size(); k++) {
            plain.add(new ArrayList<>());
            command.add(new ArrayList<>());
            quick.add(new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            cc.add(orFailed(() -> fresh(List.of(cBench.toString(), "serve", "0"),
                    port -> List.of(cBench.toString(), "bench", "127.0.0.1", "" + port, "" + w.count(), "64", "reliable", "1000", "0", "1")),
                    failures));
            for (int k = 0; k < jdks.size(); k++) {
                Jdk jdk = jdks.get(k);
                plain.get(k).add(orFailed(() -> fresh(jenet(jdk, "serve", "--port", "0", "--echo"),
                        port -> benchArgs(jenet(jdk), port, w)), failures));
                command.get(k).add(orFailed(() -> fresh(scriptCommand(script, jdk, "serve", "--port", "0", "--echo"),
                        port -> benchArgs(scriptCommand(script, jdk), port, w)), failures));
                quick.get(k).add(orFailed(() -> fresh(quick(scriptCommand(script, jdk, "serve", "--port", "0", "--echo")),
                        port -> benchArgs(quick(scriptCommand(script, jdk)), port, w)), failures));
            }
        }
        for (String f : failures) {
            System.err.println("harness: " + name + ": " + f);
        }
        out.println(row(name + ", java -jar", cc, plain, null, null, jdks, ratios));
        out.println(row(name + ", jenet command", cc, command, null, null, jdks, ratios));
        out.println(row(name + ", jenet command, JENET_JAVA_OPTS=quick", cc, quick, null, null, jdks, ratios));
    }

    /** The same command with {@code JENET_JAVA_OPTS=quick} in its environment. */
    private static List<String> quick(List<String> scriptCommand) {
        List<String> cmd = new ArrayList<>(scriptCommand);
        cmd.add(1, "JENET_JAVA_OPTS=quick");
        return cmd;
    }

    private static List<String> benchArgs(List<String> prefix, int port, Workload w) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("bench", "127.0.0.1:" + port, "--count", "" + w.count(), "--size", "64", "--window", "1000"));
        return cmd;
    }

    /** The repository's {@code jenet} script on {@code jdk}, told never to build (the harness measures what is built). */
    private static List<String> scriptCommand(Path script, Jdk jdk, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "JAVA_HOME=" + jdk.home(), "JENET_NO_BUILD=1", script.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void runScript(Path script, Jdk jdk, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = scriptCommand(script, jdk);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + cmd);
        }
    }

    /** Starts a fresh server, runs one client against it, stops the server. */
    private static Result fresh(List<String> server, java.util.function.IntFunction<List<String>> client) throws Exception {
        Process s = start(server);
        try {
            int port = awaitPort(s, "listening on port ");
            return parse(run(client.apply(port)));
        } finally {
            stop(s);
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

    private static Result runJenet(Jdk jdk, int port, Workload w) throws IOException, InterruptedException {
        return parse(run(jenet(jdk, "bench", "127.0.0.1:" + port, "--count", "" + w.count(), "--size", "" + w.size(),
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

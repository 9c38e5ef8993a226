package io.jenet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Issue 18's first measurement: raw datagram echo servers, one per process, against one C client
 * (jenet-bench/src/main/c/datagramecho.c, built with gcc at run time: sendmmsg/recvmmsg, a window
 * of datagrams in flight, every echo checked against what was sent). Servers:
 * <ul>
 * <li>{@code endpoint}: jenet's {@code DatagramNetwork.UDP} endpoint driven as {@code service}
 * drives it (today a {@code DatagramChannel}: one system call per datagram, a selector wait);
 * <li>{@code netty}: Netty's native epoll {@code EpollDatagramChannel}, recvmmsg and sendmmsg, the
 * echo in Netty's event loop;
 * <li>{@code netty-handoff}: the same channel on its event loop thread, the echo on an application
 * thread that waits as {@code service} does (queues both ways, a park/unpark);
 * <li>{@code netty-manual}: the same channel on Netty 4.2's {@code ManualIoEventLoop}, run by the
 * service thread itself;
 * <li>{@code c-plain} and {@code c-mmsg}: C servers, recvfrom/sendto per datagram and
 * recvmmsg/sendmmsg in batches of 64 (floor and ceiling of the kernel).
 * </ul>
 * The Java servers are {@link DatagramEchoServer}; each runs on every JDK given with {@code --jdk}.
 * Rows: 64 B window 256, 1200 B window 256, 64 B window 1 (ping-pong). Every round runs every
 * server once per row, in the same order (A B C A B C ...). All servers stay up for the whole run
 * and each gets one untimed run first. Per run: echoes per second (the client's), the server's CPU
 * time (utime+stime from /proc) per echo, its allocation per echo (Java: all threads' allocated
 * bytes), round trip p50/p99. Prints Markdown tables: median of the rounds with min–max.
 *
 * <pre>
 * ./mvnw -o -q -pl jenet-core,jenet-bench -am package -DskipTests
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.DatagramEchoHarness \
 *     --jdk /usr/lib/jvm/java-17-openjdk-amd64 --jdk /usr/lib/jvm/temurin-25-jdk-amd64
 * </pre>
 *
 * <p>Options: {@code --rounds 3}, {@code --seconds 3} (timed, per run), {@code --warmup 1} (untimed
 * start of each run), {@code --kinds endpoint,netty,netty-handoff,netty-manual,c-plain,c-mmsg},
 * {@code --jdk PATH} (repeatable; default the JDK running the harness), {@code --jvm-arg ARG}
 * (repeatable, given to every Java server, e.g. {@code -Djenet.datagrams=channel}), {@code --rows
 * 64x256,1200x256,64x1} (size x window), {@code --smoke} (one short round, for the smoke test).
 */
public final class DatagramEchoHarness {
    private DatagramEchoHarness() {}

    /** All server kinds, in the order they run. */
    public static final List<String> KINDS = List.of("endpoint", "netty", "netty-handoff", "netty-manual", "c-plain", "c-mmsg");

    private static String cSource = "jenet-bench/src/main/c/datagramecho.c";
    private static String cBinary = "jenet-bench/target/datagramecho";

    /** A workload: datagram size and datagrams in flight. */
    public record Row(int size, int window) {
        String name() {
            return window == 1 ? size + " B ping-pong, window 1" : size + " B, window " + window;
        }
    }

    /**
     * One client run against one server.
     *
     * @param server server label (kind, and JDK for Java servers)
     * @param row the workload
     * @param rate echoes per second (timed part)
     * @param p50 round trip median, µs
     * @param p99 round trip 99th percentile, µs
     * @param echoes echoes in the timed part
     * @param total echoes in the whole run (warm-up included)
     * @param lost datagrams given up
     * @param late echoes of datagrams already given up
     * @param bad echoes that did not match what was sent
     * @param cpuMicrosPerEcho server CPU time per echo, µs
     * @param allocPerEcho server bytes allocated per echo (NaN for C servers)
     */
    public record Result(String server, Row row, double rate, double p50, double p99, long echoes, long total, long lost, long late,
                         long bad, double cpuMicrosPerEcho, double allocPerEcho) {}

    /** A running server process and what it prints. */
    private static final class Server {
        final String label;
        final String kind;
        final boolean java;
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Path log;
        int port;

        Server(String label, String kind, boolean java, List<String> command, Path log) throws IOException {
            this.label = label;
            this.kind = kind;
            this.java = java;
            this.log = log;
            this.process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // stopped
                }
            }, "server " + label);
            reader.setDaemon(true);
            reader.start();
        }

        String awaitLine(String prefix) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line == null && !process.isAlive()) {
                    break;
                }
            }
            throw new IllegalStateException("server " + label + " did not say '" + prefix + "'; its stderr: "
                    + (Files.exists(log) ? Files.readString(log).trim() : ""));
        }

        /** @return bytes allocated by the server's threads so far (Java servers), else 0 */
        long allocated() throws Exception {
            if (!java) {
                return 0;
            }
            OutputStream in = process.getOutputStream();
            in.write("stats\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            String[] f = awaitLine("stats ").split(" ");
            return Long.parseLong(f[2]);
        }

        /** @return utime + stime of the server process, in clock ticks */
        long cpuTicks() throws IOException {
            String stat = Files.readString(Paths.get("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state(3) ... utime is field 14, stime 15 (1-based over the whole line)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        run(args, System.out);
    }

    /**
     * Runs the harness, printing the tables to {@code out}.
     *
     * @param args as {@link #main}
     * @param out where the tables go
     * @return every run's result, in the order run
     * @throws Exception on failure
     */
    public static List<Result> run(String[] args, PrintStream out) throws Exception {
        int rounds = 3;
        double seconds = 3;
        double warmup = 1;
        boolean smoke = false;
        List<String> kinds = KINDS;
        List<String> jdks = new ArrayList<>();
        List<String> jvmArgs = new ArrayList<>();
        List<Row> rows = List.of(new Row(64, 256), new Row(1200, 256), new Row(64, 1));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--kinds" -> kinds = List.of(args[++i].split(","));
                case "--jdk" -> jdks.add(args[++i]);
                case "--jvm-arg" -> jvmArgs.add(args[++i]);
                case "--rows" -> rows = Arrays.stream(args[++i].split(",")).map(r -> r.split("x"))
                        .map(r -> new Row(Integer.parseInt(r[0]), Integer.parseInt(r[1]))).toList();
                case "--smoke" -> smoke = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        for (String k : kinds) {
            if (!KINDS.contains(k)) {
                throw new IllegalArgumentException("unknown kind " + k + "; kinds: " + KINDS);
            }
        }
        if (smoke) {
            rounds = 1;
            seconds = 0.5;
            warmup = 0.3;
        }
        if (jdks.isEmpty()) {
            jdks.add(System.getProperty("java.home"));
        }
        Path client = buildC();
        Path logs = client.resolveSibling("datagram-echo");
        Files.createDirectories(logs);

        List<Server> servers = new ArrayList<>();
        try {
            for (String kind : kinds) {
                if (kind.startsWith("c-")) {
                    List<String> cmd = kind.equals("c-plain") ? List.of(client.toString(), "serve-plain", "0")
                            : List.of(client.toString(), "serve-mmsg", "0", "" + DatagramEchoServer.BATCH);
                    servers.add(new Server(kind, kind, false, cmd, logs.resolve(kind + ".stderr")));
                    continue;
                }
                for (String jdk : jdks) {
                    String label = kind + ", Java " + feature(jdk);
                    List<String> cmd = new ArrayList<>();
                    cmd.add(Paths.get(jdk, "bin", "java").toString());
                    cmd.addAll(jvmArgs);
                    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DatagramEchoServer.class.getName(), kind, "0"));
                    servers.add(new Server(label, kind, true, cmd, logs.resolve(kind + "-java" + feature(jdk) + ".stderr")));
                }
            }
            for (Server s : servers) {
                String line = s.awaitLine("listening on port ");
                s.port = Integer.parseInt(line.substring("listening on port ".length()).split(" ")[0]);
                System.err.println("harness: " + s.label + ": " + line);
            }
            if (!smoke) {
                for (Server s : servers) {
                    runClient(client, s, new Row(64, 256), 1, 2); // untimed: the JIT, the pools
                }
            }
            List<Result> results = new ArrayList<>();
            for (Row row : rows) {
                Map<String, List<Result>> byServer = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (Server s : servers) {
                        Result res = runClient(client, s, row, seconds, warmup);
                        results.add(res);
                        byServer.computeIfAbsent(s.label, k -> new ArrayList<>()).add(res);
                    }
                }
                printTable(out, row, byServer, rounds, seconds);
            }
            return results;
        } finally {
            for (Server s : servers) {
                s.process.destroy();
            }
            for (Server s : servers) {
                if (!s.process.waitFor(5, TimeUnit.SECONDS)) {
                    s.process.destroyForcibly();
                }
            }
        }
    }

    private static Result runClient(Path client, Server s, Row row, double seconds, double warmup) throws Exception {
        long alloc0 = s.allocated();
        long cpu0 = s.cpuTicks();
        List<String> cmd = List.of(client.toString(), "client", "127.0.0.1", "" + s.port, "" + row.size(), "" + row.window(),
                "" + seconds, "" + warmup);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("client failed against " + s.label + ": " + output.trim());
        }
        long cpu1 = s.cpuTicks();
        long alloc1 = s.allocated();
        if (!s.process.isAlive()) {
            throw new IllegalStateException("server " + s.label + " died; its stderr: " + Files.readString(s.log).trim());
        }
        Map<String, String> f = new LinkedHashMap<>();
        String line = output.lines().filter(l -> l.startsWith("ok ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("client printed no result against " + s.label + ": " + output.trim()));
        String[] w = line.split(" ");
        for (int i = 1; i + 1 < w.length; i += 2) {
            f.put(w[i], w[i + 1]);
        }
        long total = Long.parseLong(f.get("total"));
        double ticks = 1e6 / 100; // µs per clock tick (USER_HZ is 100 on Linux)
        double cpu = total == 0 ? Double.NaN : (cpu1 - cpu0) * ticks / total;
        double alloc = !s.java || total == 0 ? Double.NaN : (double) (alloc1 - alloc0) / total;
        return new Result(s.label, row, Double.parseDouble(f.get("rate")), Double.parseDouble(f.get("p50")),
                Double.parseDouble(f.get("p99")), Long.parseLong(f.get("echoes")), total, Long.parseLong(f.get("lost")),
                Long.parseLong(f.get("late")), Long.parseLong(f.get("bad")), cpu, alloc);
    }

    private static void printTable(PrintStream out, Row row, Map<String, List<Result>> byServer, int rounds, double seconds) {
        out.printf(Locale.ROOT, "%n%s (%d rounds of %.1f s)%n%n", row.name(), rounds, seconds);
        out.println("| server | " + (row.window() == 1 ? "round trips/s" : "echoes/s") + " | server CPU µs/echo | alloc B/echo"
                + " | p50 µs | p99 µs | lost / late / bad |");
        out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Result>> e : byServer.entrySet()) {
            List<Result> rs = e.getValue();
            long lost = rs.stream().mapToLong(Result::lost).sum();
            long late = rs.stream().mapToLong(Result::late).sum();
            long bad = rs.stream().mapToLong(Result::bad).sum();
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.0f | %.0f | %d / %d / %d |%n", e.getKey(), cell(rs, Result::rate, "%.0f"),
                    cell(rs, Result::cpuMicrosPerEcho, "%.2f"), cell(rs, Result::allocPerEcho, "%.0f"), median(rs, Result::p50),
                    median(rs, Result::p99), lost, late, bad);
        }
        out.flush();
    }

    static double median(List<Result> rs, ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String cell(List<Result> rs, ToDoubleFunction<Result> f, String format) {
        double[] v = rs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return "–";
        }
        String med = String.format(Locale.ROOT, format, median(rs, f));
        return v.length == 1 ? med
                : med + " (" + String.format(Locale.ROOT, format, v[0]) + "–" + String.format(Locale.ROOT, format, v[v.length - 1]) + ")";
    }

    /** @return the JDK's feature version, from its release file (or "?") */
    static String feature(String javaHome) {
        try {
            for (String line : Files.readAllLines(Paths.get(javaHome, "release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return v.split("[.+-]")[0];
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return Objects.equals(javaHome, System.getProperty("java.home")) ? "" + Runtime.version().feature() : "?";
    }

    /** Builds the C client and servers with gcc if the binary is missing or older than the source. */
    static synchronized Path buildC() throws IOException, InterruptedException {
        if (!Files.exists(Paths.get(cSource)) && Files.exists(Paths.get("..", cSource))) {
            cSource = "../" + cSource;
            cBinary = "../" + cBinary;
        }
        Path src = Paths.get(cSource);
        Path bin = Paths.get(cBinary);
        if (!Files.exists(bin) || Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) < 0) {
            Files.createDirectories(bin.getParent());
            Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", bin.toString(), src.toString()).inheritIO().start();
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed: install gcc (apt-get install -y gcc)");
            }
        }
        return bin.toAbsolutePath();
    }
}

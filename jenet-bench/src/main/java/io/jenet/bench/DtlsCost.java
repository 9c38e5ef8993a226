package io.jenet.bench;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.TlsOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What DTLS costs: handshakes per second (a fresh client host connects to a DTLS echo server,
 * sequentially: DTLS handshake plus ENet connect, until both CONNECT events), and the 64 B reliable
 * echo throughput over DTLS against plain ENet ({@code jenet bench} against {@code jenet serve},
 * alternating, median of rounds). Needs {@code openssl} to make the server's certificate.
 *
 * <p>Beside throughput, the CPU time the server's service thread spent per echoed message
 * ({@code /proc/PID/task}, over the whole client run, warm-up included), and the whole server
 * process's (adding the JIT compiler and the garbage collector): on a shared machine the
 * throughput of one run moves with everything else that runs, the CPU per message much less. And
 * the datagrams the client sent and received per echo while timed ({@code jenet bench
 * --count-datagrams}; each is one DTLS record): what DTLS adds in datagrams, if anything.
 *
 * <pre>
 * ./mvnw -q -B install -DskipTests
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.DtlsCost [--rounds N] [--handshakes N]
 *     [--count N] [--warmup N] [--jar LABEL=PATH]... [--smoke]
 * </pre>
 *
 * With several {@code --jar} (builds of {@code jenet-cli}, e.g. before and after a change), each
 * gets its own plain and DTLS server and the rounds alternate between them.
 */
public final class DtlsCost {
    private DtlsCost() {}

    private static final java.util.regex.Pattern DATAGRAMS = java.util.regex.Pattern.compile("datagrams sent (\\d+) received (\\d+)");

    /** One jenet build under test: its two servers and what they measured. */
    private static final class Build {
        final String label;
        final String jar;
        Process plainServer;
        Process dtlsServer;
        int plainPort;
        int dtlsPort;
        /** Whether this build's {@code jenet bench} has {@code --count-datagrams} (older builds do not). */
        boolean countsDatagrams;
        final List<double[]> plain = new ArrayList<>();
        final List<double[]> dtls = new ArrayList<>();
        double handshakes;

        Build(String label, String jar) {
            this.label = label;
            this.jar = jar;
        }
    }

    /**
     * Entry point.
     *
     * @param args {@code --rounds N}, {@code --handshakes N}, {@code --count N} (measured echoes per
     *             run), {@code --warmup N} (echoes before), {@code --jar LABEL=PATH} (repeatable),
     *             {@code --smoke} (seconds, for CI)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int handshakes = 200;
        int count = 500_000;
        int warmup = -1;
        Map<String, String> jars = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> {
                    rounds = 1;
                    handshakes = 5;
                    count = 2_000;
                }
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--handshakes" -> handshakes = Integer.parseInt(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--jar" -> {
                    String[] kv = args[++i].split("=", 2);
                    jars.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (jars.isEmpty()) {
            jars.put("jenet", LoopbackHarness.jar());
        }
        run(rounds, handshakes, count, warmup < 0 ? count : warmup, jars, System.out);
    }

    static void run(int rounds, int handshakes, int count, PrintStream out) throws Exception {
        run(rounds, handshakes, count, count, Map.of("jenet", LoopbackHarness.jar()), out);
    }

    private static void run(int rounds, int handshakes, int count, int warmup, Map<String, String> jars, PrintStream out)
            throws Exception {
        Path dir = Files.createTempDirectory("jenet-dtls-cost");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IllegalStateException("openssl failed: " + log);
        }
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        List<Build> builds = new ArrayList<>();
        for (Map.Entry<String, String> e : jars.entrySet()) {
            builds.add(new Build(e.getKey(), e.getValue()));
        }
        try {
            for (Build b : builds) {
                b.dtlsServer = LoopbackHarness.start(List.of(LoopbackHarness.java(), "-jar", b.jar, "serve", "--port", "0", "--echo",
                        "--dtls-cert", cert.toString(), "--dtls-key", key.toString()));
                b.plainServer = LoopbackHarness.start(List.of(LoopbackHarness.java(), "-jar", b.jar, "serve", "--port", "0", "--echo"));
                b.dtlsPort = LoopbackHarness.awaitPort(b.dtlsServer, "listening on port ");
                b.plainPort = LoopbackHarness.awaitPort(b.plainServer, "listening on port ");
            }
            for (Build b : builds) {
                String help = LoopbackHarness.run(List.of(LoopbackHarness.java(), "-jar", b.jar, "bench", "--help"));
                b.countsDatagrams = help.contains("--count-datagrams");
            }
            for (Build b : builds) {
                // In this JVM, so every build's server meets the same client (this bench's jenet).
                b.handshakes = handshakesPerSecond(b.dtlsPort, cert, Math.max(20, handshakes / 10), handshakes);
                out.printf("%s: DTLS handshakes (ENet connect included), one after another: %.0f per second (%d measured)%n", b.label,
                        b.handshakes, handshakes);
            }
            out.println();
            List<String> common = List.of("--count", "" + count, "--size", "64", "--window", "1000", "--warmup", "" + warmup);
            for (int r = 0; r < rounds; r++) {
                List<Build> order = new ArrayList<>(builds);
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (Build b : order) {
                    for (boolean secure : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                        List<String> cmd = new ArrayList<>(List.of(LoopbackHarness.java(), "-jar", b.jar, "bench",
                                "127.0.0.1:" + (secure ? b.dtlsPort : b.plainPort)));
                        cmd.addAll(common);
                        if (b.countsDatagrams) {
                            cmd.add("--count-datagrams");
                        }
                        if (secure) {
                            cmd.addAll(List.of("--dtls", "--ca", cert.toString(), "--server-name", "localhost"));
                        }
                        long pid = (secure ? b.dtlsServer : b.plainServer).pid();
                        Map<String, long[]> before = threadTicks(pid);
                        String output = LoopbackHarness.run(cmd);
                        double msgPerSecond = LoopbackHarness.parse(output).msgPerSecond();
                        Map<String, long[]> after = threadTicks(pid);
                        double messages = count + warmup;
                        double[] cpu = cpuPerMessage(before, after, messages);
                        java.util.regex.Matcher m = DATAGRAMS.matcher(output);
                        double datagramsPerEcho = m.find() ? (Long.parseLong(m.group(1)) + Long.parseLong(m.group(2))) / (double) count : -1;
                        (secure ? b.dtls : b.plain).add(new double[] {msgPerSecond, cpu[0], cpu[1], datagramsPerEcho});
                    }
                }
            }
            out.printf("64 B reliable echo, window 1000, %d echoes measured after %d; median of %d rounds (least–most). "
                    + "Server CPU µs per echo: its service thread / the whole process.%n%n", count, warmup, rounds);
            out.println("| build | plain msg/s | DTLS msg/s | DTLS / plain | server CPU µs/echo, plain | server CPU µs/echo, DTLS "
                    + "| client datagrams per echo, plain / DTLS |");
            out.println("|---|---|---|---|---|---|---|");
            for (Build b : builds) {
                double p = median(b.plain, 0);
                double d = median(b.dtls, 0);
                out.printf("| %s | %s | %s | %.2f | %.2f / %.2f | %.2f / %.2f | %s |%n", b.label, cell(b.plain, 0), cell(b.dtls, 0), d / p,
                        median(b.plain, 1), median(b.plain, 2), median(b.dtls, 1), median(b.dtls, 2),
                        b.countsDatagrams ? String.format("%.3f / %.3f", median(b.plain, 3), median(b.dtls, 3)) : "n/a");
            }
        } finally {
            for (Build b : builds) {
                if (b.dtlsServer != null) {
                    LoopbackHarness.stop(b.dtlsServer);
                }
                if (b.plainServer != null) {
                    LoopbackHarness.stop(b.plainServer);
                }
            }
        }
    }

    /** CPU ticks of each thread of a process: task id → {ticks, 1 if it is the JIT or GC, else 0}. */
    private static Map<String, long[]> threadTicks(long pid) throws IOException {
        Map<String, long[]> ticks = new HashMap<>();
        try (var tasks = Files.list(Paths.get("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                boolean vm = name.startsWith("C1 ") || name.startsWith("C2 ") || name.contains("GC") || name.startsWith("G1 ")
                        || name.startsWith("VM ");
                ticks.put(task.getFileName().toString(), new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), vm ? 1 : 0});
            }
        }
        return ticks;
    }

    /** @return {the busiest application thread's µs per message, the whole process's} */
    private static double[] cpuPerMessage(Map<String, long[]> before, Map<String, long[]> after, double messages) {
        long busiest = 0;
        long total = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long delta = e.getValue()[0] - b[0];
            total += delta;
            if (e.getValue()[1] == 0) {
                busiest = Math.max(busiest, delta);
            }
        }
        double usPerTick = 1e6 / IdlePeers.ticksPerSecond();
        return new double[] {busiest * usPerTick / messages, total * usPerTick / messages};
    }

    private static double handshakesPerSecond(int port, Path cert, int warmup, int count) throws IOException {
        TlsOptions options = TlsOptions.client(TlsOptions.loadCertificates(cert), null);
        long start = 0;
        for (int i = 0; i < warmup + count; i++) {
            if (i == warmup) {
                start = System.nanoTime();
            }
            try (ENetConnection client = new ENetConnection()) {
                client.createHost(1, 0);
                client.dtlsClientSetup("localhost", options);
                ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 1, 0);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (peer.getState() != ENetPacketPeer.PeerState.STATE_CONNECTED) {
                    ENetEvent e = client.service(5);
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT || System.nanoTime() > deadline) {
                        throw new IllegalStateException("DTLS connect failed: " + client.dtlsLastFailure());
                    }
                }
                peer.peerDisconnectNow(0);
            }
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<double[]> v, int field) {
        double[] s = v.stream().mapToDouble(x -> x[field]).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String cell(List<double[]> v, int field) {
        double[] s = v.stream().mapToDouble(x -> x[field]).sorted().toArray();
        return String.format("%.0f (%.0f–%.0f)", median(v, field), s[0], s[s.length - 1]);
    }
}

package io.jenet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 18's measurement: C ENet's client ({@code enetbench.c}) with many clients, each on its own
 * UDP socket, against C ENet's server, {@code jenet serve --echo} (one host) and
 * {@code jenet serve --echo --shards N} for each N asked, in one run that rotates the order of the
 * servers every round. Each run gets a fresh server process, so its CPU, its threads' CPU and the
 * shard of every client (from its connect lines) belong to that run alone. During the timed phase
 * (from the client's "timing" line to its result line) the harness reads, from /proc: the server's
 * CPU (all threads, and the {@code jenet-shard} threads alone), the whole machine's busy time, and
 * the UDP receive-buffer drops of the server's sockets and of the machine; the client reports its
 * own CPU. Prints one Markdown row per run and a table of medians (with min–max) per server.
 *
 * <pre>
 * ./mvnw -q -B -pl jenet-bench -am package -DskipTests
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.ShardHarness [--rounds N]
 *     [--shards 1,2,4] [--clients 1000] [--sockets 1000] [--count 300] [--warmup 300] [--window 4] [--size 64]
 *     [--no-c] [--no-plain] [--jar PATH]
 * </pre>
 *
 * <p>Linux only (/proc, SO_REUSEPORT's spreading).
 */
public final class ShardHarness {
    private ShardHarness() {}

    /** One server to measure: its name and the command that starts it on a free port. */
    record Server(String name, List<String> command, int shards) {}

    /** What one run measured. */
    record Run(String server, LoopbackHarness.Result result, double wallMs, double serverCpuMs, double shardThreadsCpuMs,
               double[] perShardThreadCpuMs, double machineBusy, long serverDrops, long machineDrops, long clientCpuMs,
               int[] clientsPerShard, String failure) {}

    private static final Pattern CPU = Pattern.compile("cpu-user-ms (\\d+) cpu-sys-ms (\\d+)");
    private static final Pattern SHARD = Pattern.compile("^connect \\S+ data=\\d+ shard (\\d+)$");

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int[] shardCounts = {1, 2, 4};
        int clients = 1000;
        int sockets = -1;
        int count = 300;
        int warmup = 300;
        int window = 4;
        int size = 64;
        boolean withC = true;
        boolean withPlain = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--shards" -> shardCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--sockets" -> sockets = Integer.parseInt(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--no-c" -> withC = false;
                case "--no-plain" -> withPlain = false;
                case "--jar" -> {
                    LoopbackHarness.jar();
                    jarOverride = args[++i];
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (sockets < 0) {
            sockets = clients;
        }
        String jar = jarOverride != null ? jarOverride : LoopbackHarness.jar();
        if (!Files.exists(Paths.get(jar))) {
            throw new IllegalStateException(jar + " missing: run ./mvnw -q -B -pl jenet-bench -am package -DskipTests first");
        }
        Path cBench = LoopbackHarness.buildCBench();
        List<Server> servers = new ArrayList<>();
        if (withC) {
            servers.add(new Server("C ENet", List.of(cBench.toString(), "serve", "0"), 0));
        }
        String java = LoopbackHarness.java();
        if (withPlain) {
            servers.add(new Server("jenet", List.of(java, "-jar", jar, "serve", "--port", "0", "--echo", "--peers", "4000"), 0));
        }
        for (int n : shardCounts) {
            servers.add(new Server("jenet --shards " + n, List.of(java, "-jar", jar, "serve", "--port", "0", "--echo", "--peers", "4000",
                    "--shards", "" + n), n));
        }
        List<String> client = List.of(cBench.toString(), "bench", "127.0.0.1", "PORT", "" + count, "" + size, "reliable", "" + window,
                "" + warmup, "" + clients, "" + sockets);
        System.out.printf("%d clients on %d sockets, %d B reliable, window %d, %d packets each timed after %d of warm-up; %d rounds, "
                + "%d cores%n%n", clients, sockets, size, window, count, warmup, rounds, Runtime.getRuntime().availableProcessors());
        System.out.println("| round | server | msg/s | p50 µs | p99 µs | server CPU (cores) | shard threads (cores each) | client CPU (cores) "
                + "| machine busy (of 1) | everything else (cores) | drops at server / all | clients per shard |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        Map<String, List<Run>> runs = new TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < servers.size(); i++) {
                Server s = servers.get((i + r) % servers.size());
                Run run = runOnce(s, client);
                runs.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(run);
                System.out.println(row("" + (r + 1), run));
            }
        }
        summary("Every run", servers, runs, Double.MAX_VALUE);
        summary("Runs in which everything else took under " + QUIET + " cores", servers, runs, QUIET);
    }

    /** The share of the machine that other work may take in a run counted as quiet. */
    private static final double QUIET = 0.25;

    /** Medians (min–max) per server over its runs in which everything else took less than {@code quietBelow} cores. */
    private static void summary(String title, List<Server> servers, Map<String, List<Run>> runs, double quietBelow) {
        System.out.println();
        System.out.println(title + ":");
        System.out.println();
        System.out.println("| server | runs | msg/s | p50 µs | p99 µs | server CPU (cores) | server CPU µs per message | client CPU (cores) "
                + "| client CPU µs per message | machine busy (of 1) | everything else (cores) | drops at server |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Server s : servers) {
            List<Run> all = runs.get(s.name());
            List<Run> ok = all.stream().filter(x -> x.failure() == null && rest(x) < quietBelow).toList();
            long failed = all.stream().filter(x -> x.failure() != null).count();
            System.out.printf("| %s | %d%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", s.name(), ok.size(),
                    failed > 0 ? " (" + failed + " failed)" : "", cell(ok, x -> x.result().msgPerSecond(), "%.0f"),
                    cell(ok, x -> x.result().p50(), "%.0f"), cell(ok, x -> x.result().p99(), "%.0f"),
                    cell(ok, x -> x.serverCpuMs() / x.wallMs(), "%.2f"), cell(ok, x -> x.serverCpuMs() / x.wallMs() / x.result().msgPerSecond() * 1e6, "%.2f"),
                    cell(ok, ShardHarness::clientCores, "%.2f"), cell(ok, x -> clientCores(x) / x.result().msgPerSecond() * 1e6, "%.2f"),
                    cell(ok, Run::machineBusy, "%.2f"), cell(ok, ShardHarness::rest, "%.2f"), cell(ok, x -> (double) x.serverDrops(), "%.0f"));
        }
    }

    private static String jarOverride;

    /** What the machine spent on anything but the server and the client (other users, the kernel's own threads), in cores. */
    private static double rest(Run x) {
        return x.machineBusy() * Runtime.getRuntime().availableProcessors() - x.serverCpuMs() / x.wallMs() - clientCores(x);
    }

    /** The client's CPU over its timed phase, in cores. */
    private static double clientCores(Run x) {
        return x.clientCpuMs() / (x.result().seconds() * 1000);
    }

    private static String row(String round, Run x) {
        if (x.failure() != null) {
            return "| " + round + " | " + x.server() + " | FAIL: " + x.failure() + " | | | | | | | | | |";
        }
        StringBuilder threads = new StringBuilder();
        for (double ms : x.perShardThreadCpuMs()) {
            threads.append(threads.length() == 0 ? "" : " ").append(String.format("%.2f", ms / x.wallMs()));
        }
        StringBuilder spread = new StringBuilder();
        for (int n : x.clientsPerShard()) {
            spread.append(spread.length() == 0 ? "" : " / ").append(n);
        }
        return String.format("| %s | %s | %.0f | %.0f | %.0f | %.2f | %s | %.2f | %.2f | %.2f | %d / %d | %s |", round, x.server(),
                x.result().msgPerSecond(), x.result().p50(), x.result().p99(), x.serverCpuMs() / x.wallMs(),
                threads.length() == 0 ? "—" : threads, clientCores(x), x.machineBusy(), rest(x), x.serverDrops(), x.machineDrops(),
                spread.length() == 0 ? "—" : spread);
    }

    private interface Value {
        double of(Run r);
    }

    private static String cell(List<Run> runs, Value v, String format) {
        double[] xs = runs.stream().mapToDouble(v::of).sorted().toArray();
        if (xs.length == 0) {
            return "FAIL";
        }
        double median = xs.length % 2 == 1 ? xs[xs.length / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
        return xs.length == 1 ? String.format(format, median)
                : String.format(format + " (" + format + "–" + format + ")", median, xs[0], xs[xs.length - 1]);
    }

    /** Starts the server, runs the client against it, samples /proc around the timed phase, stops the server. */
    private static Run runOnce(Server s, List<String> clientTemplate) throws Exception {
        Process server = new ProcessBuilder(s.command()).redirectErrorStream(true).start();
        Map<Integer, Integer> perShard = new ConcurrentHashMap<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("listening on port ")) {
                        port.complete(Integer.parseInt(line.substring("listening on port ".length()).split("[ ,]")[0]));
                    }
                    Matcher m = SHARD.matcher(line);
                    if (m.find()) {
                        perShard.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
                    }
                }
            } catch (IOException ignored) {
                // the server stopped
            }
            port.completeExceptionally(new IllegalStateException("server exited before saying its port"));
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int p = port.get(30, TimeUnit.SECONDS);
            List<String> command = new ArrayList<>(clientTemplate);
            command.set(command.indexOf("PORT"), "" + p);
            Process client = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            long[] cpu0 = null;
            Map<Integer, Long> threads0 = null;
            long[] machine0 = null;
            long drops0 = 0;
            long allDrops0 = 0;
            long t0 = 0;
            StringBuilder all = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.equals("timing")) {
                    t0 = System.nanoTime();
                    cpu0 = processCpu(server.pid());
                    threads0 = shardThreadCpu(server.pid());
                    machine0 = machine();
                    drops0 = socketDrops(p);
                    allDrops0 = rcvbufErrors();
                } else if (line.startsWith("ok ") && cpu0 != null) {
                    double wallMs = (System.nanoTime() - t0) / 1e6;
                    long[] cpu1 = processCpu(server.pid());
                    Map<Integer, Long> threads1 = shardThreadCpu(server.pid());
                    long[] machine1 = machine();
                    long drops = socketDrops(p) - drops0;
                    long allDrops = rcvbufErrors() - allDrops0;
                    client.waitFor(60, TimeUnit.SECONDS);
                    LoopbackHarness.Result result = LoopbackHarness.parse(all.toString());
                    Matcher m = CPU.matcher(line);
                    long clientCpu = m.find() ? Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)) : -1;
                    double tick = 1000.0 / 100; // USER_HZ: /proc counts CPU in ticks of 10 ms
                    double serverCpu = (cpu1[0] - cpu0[0]) * tick;
                    List<Double> perThread = new ArrayList<>();
                    double shardCpu = 0;
                    for (Map.Entry<Integer, Long> e : threads1.entrySet()) {
                        double ms = (e.getValue() - threads0.getOrDefault(e.getKey(), 0L)) * tick;
                        perThread.add(ms);
                        shardCpu += ms;
                    }
                    perThread.sort(null);
                    double busy = (double) ((machine1[0] - machine1[1]) - (machine0[0] - machine0[1])) / (machine1[0] - machine0[0]);
                    int[] spread = new int[s.shards()];
                    for (int k = 0; k < spread.length; k++) {
                        spread[k] = perShard.getOrDefault(k, 0);
                    }
                    return new Run(s.name(), result, wallMs, serverCpu, shardCpu,
                            perThread.stream().mapToDouble(Double::doubleValue).toArray(), busy, drops, allDrops, clientCpu, spread, null);
                }
            }
            client.waitFor(60, TimeUnit.SECONDS);
            String text = all.toString().trim();
            return new Run(s.name(), null, 0, 0, 0, new double[0], 0, 0, 0, 0, new int[0], text.isEmpty() ? "no output" : text.lines()
                    .reduce((a, b) -> b).orElse(text));
        } finally {
            LoopbackHarness.stop(server);
        }
    }

    /** utime + stime of a process, in clock ticks. */
    private static long[] processCpu(long pid) throws IOException {
        return new long[] {ticks(Files.readString(Paths.get("/proc/" + pid + "/stat")))};
    }

    private static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
    }

    /** utime + stime of each thread whose name starts with "jenet-shard", by thread id. */
    private static Map<Integer, Long> shardThreadCpu(long pid) throws IOException {
        Map<Integer, Long> out = new TreeMap<>();
        try (var tasks = Files.list(Paths.get("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).startsWith("jenet-shard")) {
                        out.put(Integer.parseInt(t.getFileName().toString()), ticks(Files.readString(t.resolve("stat"))));
                    }
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /** The machine's total and idle (idle + iowait) time from /proc/stat, in ticks. */
    private static long[] machine() throws IOException {
        String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    /** Datagrams dropped (receive buffer full) by the UDP sockets bound to {@code port}, IPv4 and IPv6. */
    private static long socketDrops(int port) throws IOException {
        long drops = 0;
        String hex = String.format(":%04X", port);
        for (String file : List.of("/proc/net/udp", "/proc/net/udp6")) {
            for (String line : Files.readAllLines(Paths.get(file))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 12 && f[1].endsWith(hex)) {
                    drops += Long.parseLong(f[f.length - 1]);
                }
            }
        }
        return drops;
    }

    /** The machine's UDP RcvbufErrors (IPv4 and IPv6). */
    private static long rcvbufErrors() throws IOException {
        long sum = 0;
        List<String> snmp = Files.readAllLines(Paths.get("/proc/net/snmp"));
        for (int i = 0; i + 1 < snmp.size(); i++) {
            if (snmp.get(i).startsWith("Udp:") && snmp.get(i + 1).startsWith("Udp:")) {
                List<String> names = Arrays.asList(snmp.get(i).split("\\s+"));
                sum += Long.parseLong(snmp.get(i + 1).split("\\s+")[names.indexOf("RcvbufErrors")]);
                break;
            }
        }
        for (String line : Files.readAllLines(Paths.get("/proc/net/snmp6"))) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("Udp6RcvbufErrors")) {
                sum += Long.parseLong(f[1]);
            }
        }
        return sum;
    }
}

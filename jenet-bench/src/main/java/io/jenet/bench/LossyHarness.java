package io.jenet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Issue 17's measurement: the same workloads through the same impairment relay ({@code jenet relay}:
 * loss each way, one-way latency, jitter, bandwidth cap, seeded) for C ENet and jenet side by side,
 * client → server: C → C, jenet → jenet and the mixed pairs (C ENet 1.3.17 is
 * jenet-bench/src/main/c/enetbench.c built with gcc against libenet; jenet is {@code jenet bench} and
 * {@code jenet serve --echo}). Every pair of one cell and seed crosses its own relay process with
 * the same settings and seed, so the pairs differ only in who sends and who echoes.
 *
 * <p>Workloads (both bench clients run the same loop and print the same result line):
 * <ul>
 * <li>{@code stream}: a game-like stream, 64 B reliable messages at 60/s for 30 s, paced by the
 * clock; latency is the round trip through the relay both ways (send to echo received): p50,
 * p99, max;
 * <li>{@code burst}: 200 reliable 64 B echoes keeping 20 unanswered: seconds from the first send
 * (after the handshake) to the last echo, and runs with no echo for 10 s (stalls); on a new
 * connection, and for jenet a new JVM, unless {@code --warmup N} (N untimed echoes first);
 * <li>{@code bulk}: 4 MiB reliable in 1 KiB packets client → server, all queued at once; done when
 * the server has confirmed the last packet (it answers every 64th with 9 bytes, not an echo).
 * </ul>
 *
 * <p>The grid ({@code --grid}): stream and burst at loss 0/1/5/10/20/30 % each way × one-way latency
 * 10/50/150 ms, jitter 10 ms; bulk at 5 % / 50 ms; and a 2 Mbit/s link ({@code --bandwidth 244},
 * the relay's unit being KiB/s), 50 ms one way (100 ms RTT), no loss, for stream and bulk.
 *
 * <pre>
 * ./mvnw -o -q -B package -DskipTests -pl jenet-cli,jenet-bench -am
 * # the whole grid, the four pairs (about 20 min on 2 vCPUs); tables on stdout and in
 * # jenet-bench/target/lossy/ (lossy.md, lossy-runs.tsv, lossy-p99.svg)
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.LossyHarness --grid
 * # with the fifth pair, once jenet has --enet-timing
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.LossyHarness --grid --pairs cc,jj,cj,jc,xx
 * # one cell
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.LossyHarness \
 *     --loss 5 --latency 50 --workloads stream,burst --seeds 1
 * </pre>
 *
 * <p>Options: {@code --grid}, or one cell with {@code --loss P --latency MS --jitter MS --bandwidth KiBps};
 * {@code --workloads stream,burst,bulk} (default: all three with {@code --grid}, burst otherwise);
 * {@code --pairs cc,jj,cj,jc} (client then server: c = C ENet, j = jenet, x = jenet with
 * {@code --exact-args}, default {@code --enet-timing}, on both its bench and its server: {@code xx}
 * is jenet(exact) → jenet(exact)); {@code --seeds 1-3} (all workloads) or {@code --stream-seeds},
 * {@code --burst-seeds}, {@code --bulk-seeds} (grid defaults 1-2, 1-5, 1-2; one cell: 1-10 for bursts,
 * 1 otherwise); {@code --stream-rate 60 --duration 30 --stream-size 64}; {@code --count 200
 * --window 20 --size 64 --warmup 0}; {@code --bulk-bytes 4194304 --bulk-size 1024}; {@code --parallel
 * stream=16,burst=4,bulk=2} (runs at once); {@code --out DIR} (default jenet-bench/target/lossy:
 * lossy.md, lossy-runs.tsv, lossy-p99.svg); {@code --jar PATH} (the jenet command's jar).
 *
 * <p>Scheduling: the workloads run one after the other; within one, every (cell, seed, pair) is a
 * run of its own (its own relay process and port, its own client process) and up to
 * {@code --parallel} runs go at once, taken in order (the slowest cells first), so the pairs of one
 * cell and seed run side by side. One C server and one jenet server (per kind) serve all runs.
 * Streams are paced and wait on the link (little CPU), so sixteen run at once (four cells). A
 * burst on a short link is over in a fraction of a second, much of it the jenet client's JVM
 * warming up, so bursts go four at a time (the four pairs of one cell and seed): at eight the
 * load average on 2 vCPUs passed 10 and jenet's short bursts spread out. Bulk transfers move data
 * as fast as ENet lets them, so two. The report's first line says how the runs went (how many,
 * how many at a time, minutes per workload).
 */
public final class LossyHarness {
    private LossyHarness() {}

    /** A stall: this long without an echo, ms. */
    static final long STALL_MS = 10_000;

    /** The bench clients give up after this long without progress (C ENet's own peer timeout is 30 s at most). */
    static final int NO_PROGRESS_MS = 30_000;

    /** 2 Mbit/s in the relay's unit (KiB/s): 244 × 1024 B/s = 1.999 Mbit/s. */
    static final long TWO_MBIT_KIBPS = 244;

    enum Workload { STREAM, BURST, BULK;
        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One side of a pair: C ENet, or jenet with extra arguments for its bench and server. */
    record Side(char code, String label, List<String> extraArgs) {
        boolean isC() {
            return code == 'c';
        }
    }

    /** Client → server. */
    record Pair(String code, Side client, Side server) {
        String label() {
            return client.label() + " → " + server.label();
        }

        boolean mixed() {
            return client.code() != server.code();
        }
    }

    /** Relay settings: loss each way (%), one-way latency and jitter (ms), bandwidth cap (KiB/s, 0 none). */
    record Cell(double loss, int latency, int jitter, long bandwidth) {
        String label() {
            String l = String.format(Locale.ROOT, "%s %% loss, %d ms", fmt(loss), latency);
            if (bandwidth > 0) {
                l = String.format(Locale.ROOT, "%s, %s", bandwidth == TWO_MBIT_KIBPS ? "2 Mbit/s" : bandwidth + " KiB/s", l);
            }
            return l;
        }
    }

    record Job(Workload workload, Cell cell, int seed, Pair pair) {}

    record Outcome(Job job, LoopbackHarness.Result result, String failure, double wallSeconds) {
        boolean ok() {
            return failure == null;
        }
    }

    /** Everything the options set. */
    static final class Config {
        boolean grid;
        Cell cell = new Cell(25, 20, 10, 0);
        List<Workload> workloads;
        List<Pair> pairs;
        String pairCodes = "cc,jj,cj,jc";
        List<String> exactArgs = List.of("--enet-timing");
        Map<Workload, int[]> seeds = new LinkedHashMap<>();
        int streamRate = 60;
        double duration = 30;
        int streamSize = 64;
        int count = 200;
        int window = 20;
        int size = 64;
        int warmup;
        long bulkBytes = 4L << 20;
        int bulkSize = 1024;
        Map<Workload, Integer> parallel = new LinkedHashMap<>(Map.of(Workload.STREAM, 16, Workload.BURST, 4, Workload.BULK, 2));
        Path out;
        String jar;
        String commandLine;
    }

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
     * Runs the harness: one line per run on standard error as they finish, then the tables on
     * {@code out} and in the output directory, with the runs (TSV) and the chart (SVG).
     *
     * @param args see the class comment
     * @param out where the tables go
     * @return the output directory
     * @throws Exception on failure to start the processes
     */
    public static Path run(String[] args, PrintStream out) throws Exception {
        Config c = parse(args);
        Path cBench = LoopbackHarness.buildCBench();
        if (!Files.exists(Paths.get(c.jar))) {
            throw new IllegalStateException(c.jar + " missing: build it first (./mvnw -o -q -B package -DskipTests -pl jenet-cli,jenet-bench -am)");
        }
        Files.createDirectories(c.out);
        Map<Character, Process> servers = new LinkedHashMap<>();
        Map<Character, Integer> serverPorts = new LinkedHashMap<>();
        List<Outcome> outcomes = new ArrayList<>();
        List<String> schedule = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (Pair p : c.pairs) {
                Side s = p.server();
                if (!servers.containsKey(s.code())) {
                    List<String> command = new ArrayList<>();
                    if (s.isC()) {
                        command.addAll(List.of(cBench.toString(), "serve", "0"));
                    } else {
                        command.addAll(List.of(LoopbackHarness.java(), "-jar", c.jar, "serve", "--port", "0", "--echo", "--peers", "1024"));
                        command.addAll(s.extraArgs());
                    }
                    Process server = started(LoopbackHarness.start(command));
                    servers.put(s.code(), server);
                    try {
                        serverPorts.put(s.code(), LoopbackHarness.awaitPort(server, "listening on port "));
                    } catch (IllegalStateException e) {
                        // e.g. --enet-timing given to a jenet that does not have it yet
                        throw new IllegalStateException(s.label() + " server did not start: " + String.join(" ", command), e);
                    }
                }
            }
            for (Workload w : c.workloads) {
                List<Job> jobs = jobs(c, w);
                int parallel = Math.max(1, c.parallel.get(w));
                long t0 = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(parallel);
                try {
                    List<Future<Outcome>> futures = new ArrayList<>();
                    for (Job j : jobs) {
                        futures.add(pool.submit(() -> {
                            Outcome o = runJob(c, cBench, serverPorts.get(j.pair().server().code()), j);
                            System.err.println(describe(o));
                            return o;
                        }));
                    }
                    for (Future<Outcome> f : futures) {
                        outcomes.add(f.get());
                    }
                } finally {
                    pool.shutdownNow();
                    pool.awaitTermination(60, TimeUnit.SECONDS);
                }
                schedule.add(String.format(Locale.ROOT, "%s: %d runs, %d at a time, %.1f min", w.id(), jobs.size(), parallel,
                        (System.nanoTime() - t0) / 60e9));
            }
        } finally {
            for (Process p : servers.values()) {
                LoopbackHarness.stop(p);
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String report = report(c, outcomes, schedule, minutes);
        out.print(report);
        out.flush();
        Files.writeString(c.out.resolve("lossy.md"), report, StandardCharsets.UTF_8);
        Files.writeString(c.out.resolve("lossy-runs.tsv"), tsv(outcomes), StandardCharsets.UTF_8);
        if (c.workloads.contains(Workload.STREAM)) {
            LossyChart.write(c.out.resolve("lossy-p99.svg"), streamCells(c), c.pairs, p99ByCellAndPair(c, outcomes));
        }
        return c.out;
    }

    /** Every process the harness started and has not seen end: a harness stopped early (Ctrl-C) ends them on its way out. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "lossy-harness-cleanup"));
    }

    private static Process started(Process p) {
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return p;
    }

    static Config parse(String[] args) {
        Config c = new Config();
        c.jar = LoopbackHarness.jar();
        // the repository root: the default jar is jenet-cli/target/jenet-cli.jar under it
        c.out = Paths.get(c.jar).toAbsolutePath().getParent().getParent().getParent().resolve("jenet-bench/target/lossy");
        c.commandLine = String.join(" ", args);
        double loss = c.cell.loss();
        int latency = c.cell.latency();
        int jitter = c.cell.jitter();
        long bandwidth = 0;
        String workloads = null;
        int[] allSeeds = null;
        Map<Workload, int[]> seeds = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--grid" -> c.grid = true;
                case "--loss" -> loss = Double.parseDouble(args[++i]);
                case "--latency" -> latency = Integer.parseInt(args[++i]);
                case "--jitter" -> jitter = Integer.parseInt(args[++i]);
                case "--bandwidth" -> bandwidth = Long.parseLong(args[++i]);
                case "--workloads" -> workloads = args[++i];
                case "--pairs" -> c.pairCodes = args[++i];
                case "--exact-args" -> c.exactArgs = args[++i].isBlank() ? List.of() : List.of(args[i].trim().split("\\s+"));
                case "--seeds" -> allSeeds = range(args[++i]);
                case "--stream-seeds" -> seeds.put(Workload.STREAM, range(args[++i]));
                case "--burst-seeds" -> seeds.put(Workload.BURST, range(args[++i]));
                case "--bulk-seeds" -> seeds.put(Workload.BULK, range(args[++i]));
                case "--stream-rate" -> c.streamRate = Integer.parseInt(args[++i]);
                case "--duration" -> c.duration = Double.parseDouble(args[++i]);
                case "--stream-size" -> c.streamSize = Integer.parseInt(args[++i]);
                case "--count" -> c.count = Integer.parseInt(args[++i]);
                case "--window" -> c.window = Integer.parseInt(args[++i]);
                case "--size" -> c.size = Integer.parseInt(args[++i]);
                case "--warmup" -> c.warmup = Integer.parseInt(args[++i]);
                case "--bulk-bytes" -> c.bulkBytes = Long.parseLong(args[++i]);
                case "--bulk-size" -> c.bulkSize = Integer.parseInt(args[++i]);
                case "--parallel" -> {
                    for (String kv : args[++i].split(",")) {
                        String[] f = kv.split("=");
                        c.parallel.put(Workload.valueOf(f[0].trim().toUpperCase(Locale.ROOT)), Integer.parseInt(f[1].trim()));
                    }
                }
                case "--out" -> c.out = Paths.get(args[++i]);
                case "--jar" -> c.jar = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + a + " (see LossyHarness's class comment)");
            }
        }
        c.cell = new Cell(loss, latency, jitter, bandwidth);
        c.workloads = new ArrayList<>();
        for (String w : (workloads != null ? workloads : c.grid ? "stream,burst,bulk" : "burst").split(",")) {
            c.workloads.add(Workload.valueOf(w.trim().toUpperCase(Locale.ROOT)));
        }
        for (Workload w : Workload.values()) {
            int[] dflt = c.grid ? (w == Workload.BURST ? range("1-5") : range("1-2"))
                    : (w == Workload.BURST ? range("1-10") : range("1"));
            c.seeds.put(w, seeds.getOrDefault(w, allSeeds != null ? allSeeds : dflt));
        }
        Side cSide = new Side('c', "C", List.of());
        Side jSide = new Side('j', "jenet", List.of());
        Side xSide = new Side('x', "jenet(exact)", c.exactArgs);
        c.pairs = new ArrayList<>();
        for (String code : c.pairCodes.split(",")) {
            String p = code.trim();
            if (p.length() != 2) {
                throw new IllegalArgumentException("a pair is two letters (client, server) of c, j, x: " + p);
            }
            Side[] sides = new Side[2];
            for (int k = 0; k < 2; k++) {
                sides[k] = switch (p.charAt(k)) {
                    case 'c' -> cSide;
                    case 'j' -> jSide;
                    case 'x' -> xSide;
                    default -> throw new IllegalArgumentException("a pair is two letters (client, server) of c, j, x: " + p);
                };
            }
            c.pairs.add(new Pair(p, sides[0], sides[1]));
        }
        return c;
    }

    static int[] range(String r) {
        String[] f = r.split("-");
        int first = Integer.parseInt(f[0].trim());
        int last = Integer.parseInt(f[f.length - 1].trim());
        int[] seeds = new int[last - first + 1];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = first + i;
        }
        return seeds;
    }

    /** The loss × latency cells (jitter 10 ms) of the grid, or the one cell. */
    static List<Cell> streamCells(Config c) {
        List<Cell> cells = new ArrayList<>();
        if (!c.grid) {
            cells.add(c.cell);
            return cells;
        }
        for (int latency : new int[] {10, 50, 150}) {
            for (double loss : new double[] {0, 1, 5, 10, 20, 30}) {
                cells.add(new Cell(loss, latency, 10, 0));
            }
        }
        return cells;
    }

    /** The cells a workload runs in. */
    static List<Cell> cells(Config c, Workload w) {
        if (!c.grid) {
            return List.of(c.cell);
        }
        Cell capped = new Cell(0, 50, 0, TWO_MBIT_KIBPS);
        return switch (w) {
            case STREAM -> {
                List<Cell> cells = new ArrayList<>(streamCells(c));
                cells.add(capped);
                yield cells;
            }
            case BURST -> streamCells(c);
            case BULK -> List.of(new Cell(5, 50, 10, 0), capped);
        };
    }

    /**
     * Cell by cell, seed by seed, the pairs side by side; the slowest cells (long latency, much loss)
     * first, so that the short ones fill in beside them rather than leave the last wave alone.
     */
    static List<Job> jobs(Config c, Workload w) {
        List<Job> jobs = new ArrayList<>();
        List<Cell> cells = new ArrayList<>(cells(c, w));
        cells.sort(java.util.Comparator.comparingDouble((Cell cl) -> (cl.latency() + 10) * (1 + cl.loss() / 5)).reversed());
        for (Cell cell : cells) {
            for (int seed : c.seeds.get(w)) {
                for (Pair p : c.pairs) {
                    jobs.add(new Job(w, cell, seed, p));
                }
            }
        }
        return jobs;
    }

    /** One run: a relay in front of the pair's server, the pair's client through it. */
    static Outcome runJob(Config c, Path cBench, int serverPort, Job j) {
        long t0 = System.nanoTime();
        Process relay = null;
        try {
            Cell cell = j.cell();
            relay = started(LoopbackHarness.start(List.of(LoopbackHarness.java(), "-jar", c.jar, "relay", "127.0.0.1:" + serverPort,
                    "--loss", fmt(cell.loss()), "--latency", "" + cell.latency(), "--jitter", "" + cell.jitter(),
                    "--bandwidth", "" + cell.bandwidth(), "--seed", "" + j.seed())));
            int port = LoopbackHarness.awaitPort(relay, "relaying on port ");
            List<String> client = clientCommand(c, cBench, j, port);
            long deadlineSeconds = switch (j.workload()) {
                case STREAM -> (long) c.duration + 300;
                case BURST, BULK -> 900;
            };
            return measure(j, client, deadlineSeconds, t0);
        } catch (Exception e) {
            return new Outcome(j, null, e.toString(), (System.nanoTime() - t0) / 1e9);
        } finally {
            if (relay != null) {
                try {
                    LoopbackHarness.stop(relay);
                } catch (InterruptedException e) {
                    relay.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    static List<String> clientCommand(Config c, Path cBench, Job j, int port) {
        Side side = j.pair().client();
        String timeout = "" + NO_PROGRESS_MS;
        List<String> cmd = new ArrayList<>();
        if (side.isC()) {
            cmd.add(cBench.toString());
            switch (j.workload()) {
                case STREAM -> cmd.addAll(List.of("stream", "127.0.0.1", "" + port, "" + c.streamRate, fmt(c.duration), "" + c.streamSize, timeout));
                // The C burst gives up after 30 s without progress (NO_PROGRESS_MS), built in.
                case BURST -> cmd.addAll(List.of("bench", "127.0.0.1", "" + port, "" + c.count, "" + c.size, "reliable", "" + c.window,
                        "" + c.warmup, "1"));
                case BULK -> cmd.addAll(List.of("bulk", "127.0.0.1", "" + port, "" + c.bulkBytes, "" + c.bulkSize, timeout));
            }
            return cmd;
        }
        cmd.addAll(List.of(LoopbackHarness.java(), "-jar", c.jar, "bench", "127.0.0.1:" + port, "--timeout-ms", timeout));
        switch (j.workload()) {
            case STREAM -> cmd.addAll(List.of("--stream-rate", "" + c.streamRate, "--duration", fmt(c.duration), "--size", "" + c.streamSize));
            case BURST -> cmd.addAll(List.of("--count", "" + c.count, "--size", "" + c.size, "--mode", "reliable", "--window", "" + c.window,
                    "--warmup", "" + c.warmup));
            case BULK -> cmd.addAll(List.of("--bulk-bytes", "" + c.bulkBytes, "--size", "" + c.bulkSize));
        }
        cmd.addAll(side.extraArgs());
        return cmd;
    }

    /** Runs one bench client (output to a file, so a hung client cannot block the harness) and reads its "ok" line. */
    static Outcome measure(Job j, List<String> command, long deadlineSeconds, long t0) throws IOException, InterruptedException {
        Path log = Files.createTempFile("lossy-", ".out");
        Process p = started(new ProcessBuilder(command).redirectErrorStream(false).redirectOutput(log.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        try {
            if (!p.waitFor(deadlineSeconds, TimeUnit.SECONDS)) {
                return new Outcome(j, null, "timed out after " + deadlineSeconds + " s", (System.nanoTime() - t0) / 1e9);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            try {
                return new Outcome(j, LoopbackHarness.parse(output), null, (System.nanoTime() - t0) / 1e9);
            } catch (IllegalStateException | ArrayIndexOutOfBoundsException failed) {
                String[] lines = output.trim().split("\n");
                String last = lines[lines.length - 1].trim().replaceFirst("^FAIL ", "");
                return new Outcome(j, null, last.isEmpty() ? "exit " + p.exitValue() + ", no output" : last, (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        }
    }

    static String describe(Outcome o) {
        Job j = o.job();
        String head = String.format(Locale.ROOT, "%s, %s, seed %d, %s: ", j.workload().id(), j.cell().label(), j.seed(), j.pair().label());
        if (!o.ok()) {
            return head + "FAILED " + o.failure() + String.format(Locale.ROOT, " (%.0f s wall)", o.wallSeconds());
        }
        LoopbackHarness.Result r = o.result();
        return head + switch (j.workload()) {
            case STREAM -> String.format(Locale.ROOT, "%d of %d echoed, round trip p50 %.1f p99 %.1f max %.1f ms, max-gap %d ms",
                    r.messages(), r.sent(), r.p50() / 1000, r.p99() / 1000, r.maxUs() / 1000.0, r.maxGapMs());
            case BURST -> String.format(Locale.ROOT, "%.2f s, longest without an echo %d ms", r.seconds(), r.maxGapMs());
            case BULK -> String.format(Locale.ROOT, "%.2f s, %.3f MB/s, longest without a reply %d ms", r.seconds(), r.mbPerSecond(), r.maxGapMs());
        } + String.format(Locale.ROOT, " (%.0f s wall)", o.wallSeconds());
    }

    /** p99 (ms) of the stream runs, median over seeds, by cell and pair code; NaN where every run failed. */
    static Map<Cell, Map<String, Double>> p99ByCellAndPair(Config c, List<Outcome> outcomes) {
        Map<Cell, Map<String, Double>> m = new LinkedHashMap<>();
        for (Cell cell : streamCells(c)) {
            Map<String, Double> row = new LinkedHashMap<>();
            for (Pair p : c.pairs) {
                double[] v = select(outcomes, Workload.STREAM, cell, p).stream().filter(Outcome::ok)
                        .mapToDouble(o -> o.result().p99() / 1000).sorted().toArray();
                row.put(p.code(), v.length == 0 ? Double.NaN : median(v));
            }
            m.put(cell, row);
        }
        return m;
    }

    static List<Outcome> select(List<Outcome> outcomes, Workload w, Cell cell, Pair p) {
        return outcomes.stream().filter(o -> o.job().workload() == w && o.job().cell().equals(cell) && o.job().pair().code().equals(p.code()))
                .toList();
    }

    static String report(Config c, List<Outcome> outcomes, List<String> schedule, double minutes) {
        StringBuilder b = new StringBuilder();
        b.append("<!-- LossyHarness ").append(c.commandLine).append(" -->\n");
        b.append(String.format(Locale.ROOT, "%s, %d cores, %.1f min. Client → server pairs; every run has its own `jenet relay` "
                + "(the same settings and seed for every pair of a cell); one server of each kind serves all runs. Runs scheduled "
                + "workload by workload, the slowest cells first, the pairs of one cell side by side: %s.%n%n", Instant.now().toString().substring(0, 16) + "Z",
                Runtime.getRuntime().availableProcessors(), minutes, String.join("; ", schedule)));
        List<String> header = new ArrayList<>();
        header.add("link (loss each way, one-way latency)");
        for (Pair p : c.pairs) {
            header.add(p.label());
        }
        for (Workload w : c.workloads) {
            List<Cell> cells = cells(c, w);
            int[] seeds = c.seeds.get(w);
            String seedText = seeds.length == 1 ? "seed " + seeds[0] : "seeds " + seeds[0] + "–" + seeds[seeds.length - 1];
            switch (w) {
                case STREAM -> b.append(String.format(Locale.ROOT, "**Stream**: %d B reliable messages at %d/s for %s s, paced by the clock; "
                        + "round trip (send → echo received, through the relay both ways), ms: p50 / p99 / max%s; jitter %s; %s.%n%n",
                        c.streamSize, c.streamRate, fmt(c.duration), seeds.length > 1 ? " (p50 and p99 the median over seeds, max the largest)" : "",
                        jitterText(cells), seedText));
                case BURST -> b.append(String.format(Locale.ROOT, "**Bursts**: %d reliable %d B echoes, window %d%s; seconds from the first "
                        + "send (after the handshake) to the last echo, median (range); stalls = runs with %d s or more without an echo; "
                        + "failed = runs that did not finish (the bench gives up after %d s without progress, or ENet disconnects); "
                        + "jitter %s; %s.%n%n", c.count, c.size, c.window,
                        c.warmup > 0 ? ", after " + c.warmup + " untimed echoes on the same connection" : " on a new connection (and, for jenet, a new JVM)",
                        STALL_MS / 1000, NO_PROGRESS_MS / 1000, jitterText(cells), seedText));
                case BULK -> b.append(String.format(Locale.ROOT, "**Bulk**: %d bytes reliable in %d B packets, client → server, all queued at once; "
                        + "seconds until the server has confirmed the last packet, and MB/s (10^6 B/s), median over runs; jitter %s; %s.%n%n",
                        c.bulkBytes, c.bulkSize, jitterText(cells), seedText));
            }
            b.append("| ").append(String.join(" | ", header)).append(" |\n|");
            b.append("---|".repeat(header.size())).append('\n');
            for (Cell cell : cells) {
                b.append("| ").append(cell.label());
                for (Pair p : c.pairs) {
                    b.append(" | ").append(cellText(w, select(outcomes, w, cell, p)));
                }
                b.append(" |\n");
            }
            b.append('\n');
        }
        List<Outcome> failed = outcomes.stream().filter(o -> !o.ok()).toList();
        if (!failed.isEmpty()) {
            b.append("Failed runs:\n\n");
            for (Outcome o : failed) {
                b.append("- ").append(describe(o)).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String jitterText(List<Cell> cells) {
        return cells.stream().map(cl -> cl.jitter() + " ms").distinct().reduce((a, d) -> a + " or " + d).orElse("-")
                + (cells.stream().anyMatch(cl -> cl.bandwidth() > 0) ? " (none on the capped link)" : "");
    }

    static String cellText(Workload w, List<Outcome> runs) {
        List<LoopbackHarness.Result> ok = runs.stream().filter(Outcome::ok).map(Outcome::result).toList();
        long failed = runs.size() - ok.size();
        String fails = failed == 0 ? "" : String.format(Locale.ROOT, " (%d of %d failed)", failed, runs.size());
        if (ok.isEmpty()) {
            return runs.isEmpty() ? "-" : String.format(Locale.ROOT, "FAILED %d of %d: %s", failed, runs.size(), runs.get(0).failure());
        }
        return switch (w) {
            case STREAM -> {
                double p50 = median(ok.stream().mapToDouble(r -> r.p50() / 1000).sorted().toArray());
                double p99 = median(ok.stream().mapToDouble(r -> r.p99() / 1000).sorted().toArray());
                double max = ok.stream().mapToDouble(r -> r.maxUs() / 1000.0).max().orElse(Double.NaN);
                long lost = ok.stream().mapToLong(r -> r.sent() - r.messages()).sum();
                yield String.format(Locale.ROOT, "%s / %s / %s", ms(p50), ms(p99), ms(max)) + (lost != 0 ? " (" + lost + " missing)" : "") + fails;
            }
            case BURST -> {
                double[] s = ok.stream().mapToDouble(LoopbackHarness.Result::seconds).sorted().toArray();
                long stalls = ok.stream().filter(r -> r.maxGapMs() >= STALL_MS).count();
                String range = s.length > 1 ? String.format(Locale.ROOT, " (%.1f–%.1f)", s[0], s[s.length - 1]) : "";
                yield String.format(Locale.ROOT, "%.1f s%s, stalls %d, failed %d of %d", median(s), range, stalls, failed, runs.size());
            }
            case BULK -> {
                double s = median(ok.stream().mapToDouble(LoopbackHarness.Result::seconds).sorted().toArray());
                double mb = median(ok.stream().mapToDouble(LoopbackHarness.Result::mbPerSecond).sorted().toArray());
                yield String.format(Locale.ROOT, "%.1f s, %.2f MB/s", s, mb) + fails;
            }
        };
    }

    private static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String tsv(List<Outcome> outcomes) {
        StringBuilder b = new StringBuilder("workload\tloss\tlatency_ms\tjitter_ms\tbandwidth_kibps\tseed\tpair\tok\tseconds\tp50_us\tp99_us"
                + "\tmax_us\tmax_gap_ms\tmessages\tsent\tmb_per_s\twall_s\tfailure\n");
        for (Outcome o : outcomes) {
            Job j = o.job();
            LoopbackHarness.Result r = o.result();
            b.append(String.join("\t", j.workload().id(), fmt(j.cell().loss()), "" + j.cell().latency(), "" + j.cell().jitter(),
                    "" + j.cell().bandwidth(), "" + j.seed(), j.pair().code(), o.ok() ? "1" : "0",
                    r == null ? "" : String.format(Locale.ROOT, "%.3f", r.seconds()), r == null ? "" : fmt(r.p50()), r == null ? "" : fmt(r.p99()),
                    r == null ? "" : "" + r.maxUs(), r == null ? "" : "" + r.maxGapMs(), r == null ? "" : "" + r.messages(),
                    r == null ? "" : "" + r.sent(), r == null ? "" : fmt(r.mbPerSecond()), String.format(Locale.ROOT, "%.1f", o.wallSeconds()),
                    o.failure() == null ? "" : o.failure().replace('\t', ' '))).append('\n');
        }
        return b.toString();
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

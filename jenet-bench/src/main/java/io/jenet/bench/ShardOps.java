package io.jenet.bench;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.ENetShardedHost;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issue 18's inputs for the many-core estimate, measured on this machine: what the operations that
 * span the shards of an {@link ENetShardedHost} cost (a task's round trip to a shard's thread, one
 * to every shard, a broadcast to every peer, the peer count), and what Linux's
 * {@code SO_REUSEPORT} does with clients: how evenly it spreads them over 2, 4 and 32 sockets and
 * how many move to another socket when one socket of the group closes.
 *
 * <pre>
 * ./mvnw -q -B -pl jenet-bench -am package -DskipTests
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.ShardOps [--peers 1000] [--shards 1,2,4]
 *     [--kernel-only] [--ops-only]
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.ShardOps --simulate
 * </pre>
 */
public final class ShardOps {
    private ShardOps() {}

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int peers = 1000;
        int[] shardCounts = {1, 2, 4};
        boolean ops = true;
        boolean kernel = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--peers" -> peers = Integer.parseInt(args[++i]);
                case "--shards" -> shardCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--kernel-only" -> ops = false;
                case "--ops-only" -> kernel = false;
                case "--simulate" -> {
                    simulate();
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (ops) {
            System.out.println("Cross-shard operations, " + peers + " connected peers (" + peers / 10 + " client sockets of 10 peers), "
                    + Runtime.getRuntime().availableProcessors() + " cores");
            System.out.println();
            System.out.println("| shards | execute round trip µs p50 / p99 | every shard (refuseNewConnections) µs p50 / p99 (shard CPU µs) "
                    + "| reliable broadcast 64 B: µs until every peer has it p50, shard CPU µs per broadcast, per peer | getConnectedPeerCount ns "
                    + "| other processes meanwhile (cores) |");
            System.out.println("|---|---|---|---|---|---|");
            for (int n : shardCounts) {
                operations(n, peers);
            }
            System.out.println();
        }
        if (kernel) {
            System.out.println("SO_REUSEPORT on this kernel (" + System.getProperty("os.version") + "): one datagram from each client socket");
            System.out.println();
            System.out.println("| sockets in the group | clients | fewest / mean / most per socket | most ÷ mean | clients that moved when "
                    + "one socket closed (of those not on it) | moved when nothing changed |");
            System.out.println("|---|---|---|---|---|---|");
            for (int[] c : new int[][] {{2, 1000}, {4, 1000}, {32, 1000}, {4, 10000}, {32, 10000}}) {
                spread(c[0], c[1]);
            }
        }
    }

    // ---- cross-shard operations ----

    private static void operations(int shards, int peers) throws Exception {
        ENetShardedHost server = ENetShardedHost.builder(shards).bind("127.0.0.1", 0).peersPerShard(peers).channels(1)
                .start((shard, connection, event) -> {
                    if (event.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        event.peer().getPacket();
                    }
                });
        List<ENetConnection> clients = new ArrayList<>();
        try {
            int perHost = 10;
            for (int i = 0; i < peers / perHost; i++) {
                ENetConnection c = new ENetConnection();
                c.createHost(perHost, 1);
                clients.add(c);
                for (int k = 0; k < perHost; k++) {
                    c.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
                }
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (server.getConnectedPeerCount() < peers || clients.stream().anyMatch(c -> c.getPeers().stream()
                    .anyMatch(p -> p.getState() != ENetPacketPeer.PeerState.STATE_CONNECTED))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + server.getConnectedPeerCount() + " of " + peers + " connected");
                }
                pump(clients);
            }
            long[] machine0 = machine();
            long self0 = selfTicks();
            // The clients are not serviced while the tasks are measured (nothing needs an answer from
            // them), so the two cores are the server's and this thread's.
            long[] rtt = new long[20_000];
            for (int i = 0; i < rtt.length; i++) {
                long t = System.nanoTime();
                server.execute(i % shards, c -> { }).get(5, TimeUnit.SECONDS);
                rtt[i] = System.nanoTime() - t;
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[] ids = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("jenet-shard-" + server.getLocalPort() + "-")).mapToLong(Thread::getId).toArray();
            // What the shards spend meanwhile on their own (pings to the peers, timers), per ns of wall time.
            long idleCpu0 = cpu(mx, ids);
            long idleT0 = System.nanoTime();
            Thread.sleep(1000);
            double idlePerNs = (double) (cpu(mx, ids) - idleCpu0) / (System.nanoTime() - idleT0);
            long[] all = new long[5_000];
            long allCpu0 = cpu(mx, ids);
            long allT0 = System.nanoTime();
            for (int i = 0; i < all.length; i++) {
                long t = System.nanoTime();
                server.refuseNewConnections(false).get(5, TimeUnit.SECONDS);
                all[i] = System.nanoTime() - t;
            }
            double fanOutCpuNs = ((cpu(mx, ids) - allCpu0) - idlePerNs * (System.nanoTime() - allT0)) / all.length;
            // Reliable broadcasts, each waited for at every peer (the clients are serviced here):
            // the shards' CPU per broadcast covers queuing, sending and the acknowledgements.
            byte[] payload = new byte[64];
            int broadcasts = 200;
            long[] delivered = new long[broadcasts];
            long sent0 = datagramsSent(server);
            long cpu0 = cpu(mx, ids);
            long bT0 = System.nanoTime();
            long received = 0;
            for (int i = 0; i < broadcasts; i++) {
                long t = System.nanoTime();
                CompletableFuture<Integer> done = server.broadcast(0, payload, ENetPacketPeer.FLAG_RELIABLE);
                while (received < (long) peers * (i + 1)) {
                    received += pump(clients);
                    if (System.nanoTime() - t > 10_000_000_000L) {
                        throw new IllegalStateException("broadcast " + i + " not at every peer within 10 s");
                    }
                }
                delivered[i] = System.nanoTime() - t;
                int reached = done.get(5, TimeUnit.SECONDS);
                if (reached != peers) {
                    throw new IllegalStateException("a broadcast reached " + reached + " of " + peers);
                }
            }
            double cpuPerBroadcastNs = ((cpu(mx, ids) - cpu0) - idlePerNs * (System.nanoTime() - bT0)) / broadcasts;
            double sentPerBroadcast = (double) (datagramsSent(server) - sent0) / broadcasts;
            long[] machine1 = machine();
            long elsewhere = (machine1[0] - machine1[1]) - (machine0[0] - machine0[1]) - (selfTicks() - self0);
            double otherCores = (double) elsewhere / (machine1[0] - machine0[0]) * Runtime.getRuntime().availableProcessors();
            int calls = 10_000_000;
            long sum = 0;
            long t = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sum += server.getConnectedPeerCount();
            }
            double countNs = (double) (System.nanoTime() - t) / calls;
            if (sum != (long) calls * peers) {
                throw new IllegalStateException("count changed while measuring");
            }
            System.out.printf("| %d | %.1f / %.1f | %.1f / %.1f (shard CPU %.1f) | %.0f, %.0f, %.2f | %.1f | %.2f |%n", shards, median(rtt) / 1e3,
                    p99(rtt) / 1e3, median(all) / 1e3, p99(all) / 1e3, fanOutCpuNs / 1e3, median(delivered) / 1e3, cpuPerBroadcastNs / 1e3,
                    cpuPerBroadcastNs / 1e3 / peers, countNs, otherCores);
            System.err.printf("%d shards: %.1f datagrams sent per broadcast%n", shards, sentPerBroadcast);
        } finally {
            server.destroy();
            clients.forEach(ENetConnection::close);
        }
    }

    /** Datagrams the shards sent, from a metrics snapshot each takes on its own thread. */
    private static long datagramsSent(ENetShardedHost server) throws Exception {
        long sum = 0;
        for (int k = 0; k < server.getShardCount(); k++) {
            sum += server.submit(k, c -> c.publishMetrics().datagramsSent()).get(5, TimeUnit.SECONDS);
        }
        return sum;
    }

    /** Services every client once; returns the packets they received. */
    private static int pump(List<ENetConnection> clients) {
        int packets = 0;
        for (ENetConnection c : clients) {
            for (ENetEvent e = c.service(0); e.type() != ENetConnection.EventType.EVENT_NONE; e = c.checkEvents()) {
                if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                    e.peer().getPacket();
                    packets++;
                }
            }
        }
        return packets;
    }

    /** The machine's total and idle (idle + iowait) time from /proc/stat, in ticks. */
    private static long[] machine() throws java.io.IOException {
        String[] f = java.nio.file.Files.readAllLines(java.nio.file.Paths.get("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    /** This process's utime + stime, in ticks. */
    private static long selfTicks() throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Paths.get("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long cpu(ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long p99(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[(int) (s.length * 0.99)];
    }

    // ---- the same, computed: a model of the kernel's choice ----

    /**
     * Computed, not measured: Linux picks socket {@code (hash * n) >> 32} of the group for a
     * datagram (reciprocal_scale of a 32-bit hash of the addresses and ports), and when a socket
     * leaves the group the last one takes its place. With the hash of a client taken as uniformly
     * random, this prints how uneven the spread is (the fullest socket against the mean, averaged
     * over trials, and its 99th percentile) and what share of the other sockets' clients move when
     * one socket closes (socket 1, as {@link #spread} measures it, and one at random), for the group
     * sizes and client counts asked of a 32-core server.
     */
    private static void simulate() {
        System.out.println("Computed (a model of the kernel's choice with uniformly random client hashes, 2000 trials each, seed 18):");
        System.out.println();
        System.out.println("| sockets | clients | fullest ÷ mean, average | fullest ÷ mean, 99th percentile | moved when socket 1 closes "
                + "(of the others) | moved when a socket at random closes |");
        System.out.println("|---|---|---|---|---|---|");
        java.util.SplittableRandom random = new java.util.SplittableRandom(18);
        int trials = 2000;
        for (int[] c : new int[][] {{2, 1000}, {4, 1000}, {4, 10000}, {32, 1000}, {32, 10000}, {32, 100000}}) {
            int n = c[0];
            int clients = c[1];
            double[] ratio = new double[trials];
            long[] moved = new long[2];
            long[] others = new long[2];
            for (int t = 0; t < trials; t++) {
                int[] per = new int[n];
                int[] closed = {1, random.nextInt(n)};
                for (int i = 0; i < clients; i++) {
                    long hash = random.nextInt() & 0xFFFFFFFFL;
                    int before = (int) ((hash * n) >>> 32);
                    per[before]++;
                    for (int k = 0; k < 2; k++) {
                        if (before != closed[k]) {
                            others[k]++;
                            // After the close: n - 1 slots, the last socket moved into the closed one's slot.
                            int slot = (int) ((hash * (n - 1)) >>> 32);
                            int after = slot == closed[k] ? n - 1 : slot;
                            if (after != before) {
                                moved[k]++;
                            }
                        }
                    }
                }
                ratio[t] = Arrays.stream(per).max().orElse(0) / ((double) clients / n);
            }
            Arrays.sort(ratio);
            System.out.printf("| %d | %d | %.2f | %.2f | %.0f %% | %.0f %% |%n", n, clients, Arrays.stream(ratio).average().orElse(0),
                    ratio[(int) (trials * 0.99)], 100.0 * moved[0] / others[0], 100.0 * moved[1] / others[1]);
        }
    }

    // ---- what the kernel does ----

    /**
     * Binds {@code n} sockets to one port with SO_REUSEPORT, sends one datagram from each of
     * {@code clients} client sockets, and records which socket got it; again without change (every
     * client must stay), then after closing socket 1 (how many clients of the other sockets move).
     */
    private static void spread(int n, int clients) throws Exception {
        List<DatagramChannel> group = new ArrayList<>();
        List<DatagramChannel> senders = new ArrayList<>();
        try {
            int port = 0;
            for (int i = 0; i < n; i++) {
                DatagramChannel ch = DatagramChannel.open();
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                ch.configureBlocking(false);
                ch.bind(new InetSocketAddress("127.0.0.1", port));
                port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                group.add(ch);
            }
            for (int i = 0; i < clients; i++) {
                DatagramChannel c = DatagramChannel.open();
                c.bind(new InetSocketAddress("127.0.0.1", 0));
                senders.add(c);
            }
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
            int[] first = round(group, senders, to);
            int[] again = round(group, senders, to);
            int[] per = new int[n];
            for (int s : first) {
                per[s]++;
            }
            int min = Arrays.stream(per).min().orElse(0);
            int max = Arrays.stream(per).max().orElse(0);
            double mean = (double) clients / n;
            int unchangedMoved = 0;
            for (int i = 0; i < clients; i++) {
                if (first[i] != again[i]) {
                    unchangedMoved++;
                }
            }
            group.get(1).close();
            int[] after = round(group, senders, to);
            int others = 0;
            int moved = 0;
            for (int i = 0; i < clients; i++) {
                if (first[i] != 1) {
                    others++;
                    if (after[i] != first[i]) {
                        moved++;
                    }
                }
            }
            System.out.printf("| %d | %d | %d / %.1f / %d | %.2f | %d of %d (%.0f %%) | %d |%n", n, clients, min, mean, max, max / mean, moved, others,
                    100.0 * moved / others, unchangedMoved);
        } finally {
            for (DatagramChannel c : group) {
                c.close();
            }
            for (DatagramChannel c : senders) {
                c.close();
            }
        }
    }

    /** One datagram from every sender (its index); returns, per sender, the index of the socket that got it. */
    private static int[] round(List<DatagramChannel> group, List<DatagramChannel> senders, InetSocketAddress to) throws Exception {
        int[] got = new int[senders.size()];
        Arrays.fill(got, -1);
        ByteBuffer out = ByteBuffer.allocate(4);
        ByteBuffer in = ByteBuffer.allocate(16);
        int received = 0;
        for (int i = 0; i < senders.size(); i++) {
            out.clear();
            out.putInt(i).flip();
            senders.get(i).send(out, to);
            if (i % 100 == 99) {
                received += drain(group, got, in);
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (received < senders.size() && System.nanoTime() < deadline) {
            received += drain(group, got, in);
        }
        if (received < senders.size()) {
            throw new IllegalStateException("only " + received + " of " + senders.size() + " datagrams arrived");
        }
        return got;
    }

    private static int drain(List<DatagramChannel> group, int[] got, ByteBuffer in) throws Exception {
        int n = 0;
        for (int s = 0; s < group.size(); s++) {
            DatagramChannel ch = group.get(s);
            if (!ch.isOpen()) {
                continue;
            }
            while (true) {
                in.clear();
                if (ch.receive(in) == null) {
                    break;
                }
                got[in.flip().getInt()] = s;
                n++;
            }
        }
        return n;
    }
}

package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jenet demo}: a server and several clients in one process over real loopback UDP, each
 * host on its own thread, exercising every packet kind on four channels with the server echoing.
 * Draws a live dashboard ({@link DemoDashboard}) and a summary; succeeds only if every reliable packet came back
 * intact and in order.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Showcase: a server and clients over loopback UDP.")
final class DemoCommand implements Runnable {
    @Option(names = "--seconds", defaultValue = "10", description = "How long the clients send (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--json", description = "After the summary, print one JSON line with the results (for machines).")
    boolean json;

    @Option(names = "--clients", defaultValue = "4", description = "Number of clients (default: ${DEFAULT-VALUE}).")
    int clientCount;

    @Option(names = "--loss", defaultValue = "0", description = "Route traffic through a relay dropping this percent of datagrams each way.")
    double lossPercent;

    @Mixin
    SharedOptions.Wire wire;

    /** The compression mode's name, for the report (range-coder unless --compress says otherwise). */
    private String compress;

    /** The server's compression ratio at the end (wire bytes / plain bytes). */
    private volatile double compressionRatio = 1.0;

    @Option(names = "--latency", defaultValue = "0", description = "Route traffic through a relay adding this one-way delay in ms (plus up to 20 % jitter).")
    int latencyMs;

    /** The packet kinds, with the channel each uses. */
    enum Kind {
        RELIABLE(0, ENetPacketPeer.FLAG_RELIABLE, 100),
        RELIABLE_LARGE(0, ENetPacketPeer.FLAG_RELIABLE, 20_000),
        UNRELIABLE(1, 0, 120),
        UNSEQUENCED(2, ENetPacketPeer.FLAG_UNSEQUENCED, 80),
        UNRELIABLE_FRAGMENT(3, ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT, 5_000);

        final int channel;
        final int flags;
        final int size;

        Kind(int channel, int flags, int size) {
            this.channel = channel;
            this.flags = flags;
            this.size = size;
        }
    }

    private static final int HEADER = 8;

    static byte[] payload(Kind kind, int client, int seq) {
        byte[] b = new byte[kind.size];
        ByteBuffer.wrap(b).put((byte) kind.ordinal()).put((byte) client).putShort((short) 0).putInt(seq);
        int x = seq * 31 + client * 7 + kind.ordinal();
        for (int i = HEADER; i < b.length; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) ((x >>> 16) & 0x0F); // game-state-like: few distinct values, so it compresses
        }
        return b;
    }

    @Override
    public void run() {
        if (seconds < 1 || clientCount < 1 || clientCount > 64) {
            throw new Main.CliFailure(2, "--seconds must be >= 1 and --clients 1..64");
        }
        if (lossPercent < 0 || lossPercent > 50 || latencyMs < 0 || latencyMs > 2000) {
            throw new Main.CliFailure(2, "--loss must be 0..50 and --latency 0..2000");
        }
        compress = wire.compressionName("range-coder");
        ENetConnection.CompressionMode mode = wire.compression("range-coder");
        PrintStream out = System.out;
        AtomicBoolean serverRunning = new AtomicBoolean(true);
        Map<String, long[]> serverBytes = new ConcurrentHashMap<>();
        int[] port = {-1};
        Object bound = new Object();
        Thread server = new Thread(() -> serve(serverRunning, serverBytes, port, bound, out, mode), "demo-server");
        server.start();
        synchronized (bound) {
            long end = System.currentTimeMillis() + 5000;
            while (port[0] < 0 && System.currentTimeMillis() < end) {
                try {
                    bound.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (port[0] <= 0) {
            throw new Main.CliFailure(1, "demo FAILED: the server did not start");
        }
        out.printf("jenet demo: server on 127.0.0.1:%d, %d clients, %d s, kinds %s on channels 0-3, compression %s%n", port[0],
                clientCount, seconds, Arrays.toString(Kind.values()), compress);
        ImpairmentRelay relay = null;
        int target = port[0];
        if (lossPercent > 0 || latencyMs > 0) {
            try {
                relay = new ImpairmentRelay(new java.net.InetSocketAddress("127.0.0.1", port[0]), lossPercent / 100, 0, latencyMs,
                        latencyMs / 5, 1);
            } catch (IOException e) {
                throw new Main.CliFailure(1, "demo FAILED: cannot start the impairment relay: " + e.getMessage());
            }
            target = relay.port();
            out.printf("jenet demo: clients go through an impairment relay on port %d: %.1f %% loss each way, %d ms latency (+0-%d ms jitter)%n",
                    target, lossPercent, latencyMs, latencyMs / 5);
        }
        List<DemoClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            DemoClient c = new DemoClient(i, target, mode);
            clients.add(c);
            Thread t = new Thread(c, "demo-client-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        serverRunning.set(false);
        if (relay != null) {
            try {
                out.printf("jenet demo: relay forwarded %d datagrams and dropped %d%n", relay.forwarded(), relay.dropped());
                relay.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            server.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean ok = summary(clients, out);
        if (!ok) {
            throw new Main.CliFailure(1, "demo FAILED: see the summary above");
        }
    }

    private void serve(AtomicBoolean running, Map<String, long[]> bytes, int[] port, Object bound, PrintStream out,
            ENetConnection.CompressionMode mode) {
        DemoDashboard dashboard = new DemoDashboard(out, System.console() != null, seconds);
        try (ENetConnection host = new ENetConnection()) {
            try {
                host.createHostBound("127.0.0.1", 0, clientCount + 4, 4);
                host.compress(mode);
                host.setChecksumEnabled(wire.checksum);
                host.setExactEnetTiming(wire.enetTiming);
            } catch (IOException e) {
                synchronized (bound) {
                    port[0] = 0;
                    bound.notifyAll();
                }
                return;
            }
            synchronized (bound) {
                port[0] = host.getLocalPort();
                bound.notifyAll();
            }
            long nextReport = System.nanoTime() + 1_000_000_000L;
            while (running.get()) {
                ENetEvent e = host.service(5);
                while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        ENetPacketPeer p = e.peer();
                        int flags = p.getPacketFlags();
                        byte[] packet = p.getPacket();
                        bytes.computeIfAbsent(key(p), k -> new long[2])[0] += packet.length;
                        dashboard.channelIn[e.channel()] += packet.length;
                        if (p.isActive() && p.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                            p.send(e.channel(), packet, flags);
                            bytes.get(key(p))[1] += packet.length;
                            dashboard.channelOut[e.channel()] += packet.length;
                        }
                    }
                    e = host.service(0);
                }
                if (System.nanoTime() >= nextReport) {
                    nextReport += 1_000_000_000L;
                    dashboard.draw(host, 1.0, bytes);
                }
            }
            compressionRatio = host.getCompressionRatio();
        }
    }

    static String key(ENetPacketPeer p) {
        return p.getRemoteAddress() + ":" + p.getRemotePort();
    }

    private boolean summary(List<DemoClient> clients, PrintStream out) {
        out.println();
        out.printf("%-7s %-20s %9s %9s %s%n", "client", "kind", "sent", "echoed", "check");
        boolean ok = true;
        for (DemoClient c : clients) {
            for (Kind k : Kind.values()) {
                boolean reliable = (k.flags & ENetPacketPeer.FLAG_RELIABLE) != 0;
                String check;
                if (c.failure != null) {
                    check = "FAILED: " + c.failure;
                } else if (reliable) {
                    check = c.echoed[k.ordinal()] == c.sent[k.ordinal()] ? "all intact, in order" : "MISSING";
                } else {
                    check = "intact, no duplicates" + (k == Kind.UNRELIABLE ? ", in order" : "");
                }
                if (c.failure != null || (reliable && c.echoed[k.ordinal()] != c.sent[k.ordinal()])) {
                    ok = false;
                }
                out.printf("%-7d %-20s %9d %9d %s%n", c.id, k, c.sent[k.ordinal()], c.echoed[k.ordinal()], check);
            }
            out.printf("%-7d %-20s rtt %.1f ms%n", c.id, "", c.lastRtt);
        }
        out.printf("server compression (%s): %.2f of the plain size on the wire%n", compress, compressionRatio);
        out.println(ok ? "demo ok" : "demo FAILED");
        if (json) {
            out.println(json(clients, ok));
        }
        out.flush();
        return ok;
    }

    private String json(List<DemoClient> clients, boolean ok) {
        StringBuilder b = new StringBuilder("{\"ok\":").append(ok).append(",\"seconds\":").append(seconds)
                .append(",\"compression\":\"").append(compress).append("\",\"compressionRatio\":")
                .append(String.format(java.util.Locale.ROOT, "%.3f", compressionRatio)).append(",\"clients\":[");
        for (int i = 0; i < clients.size(); i++) {
            DemoClient c = clients.get(i);
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(c.id).append(",\"rttMs\":").append(Math.round(c.lastRtt))
                    .append(",\"failure\":").append(c.failure == null ? "null" : "\"" + c.failure.replace("\"", "'") + "\"")
                    .append(",\"kinds\":{");
            for (Kind k : Kind.values()) {
                b.append(k.ordinal() == 0 ? "" : ",").append('"').append(k.name()).append("\":{\"sent\":")
                        .append(c.sent[k.ordinal()]).append(",\"echoed\":").append(c.echoed[k.ordinal()]).append('}');
            }
            b.append("}}");
        }
        return b.append("]}").toString();
    }

    /** One client on its own thread with its own connection. */
    final class DemoClient implements Runnable {
        final int id;
        final int port;
        final long[] sent = new long[Kind.values().length];
        final long[] echoed = new long[Kind.values().length];
        volatile String failure;
        volatile double lastRtt;
        private final int[] nextReliable = new int[4];
        private int lastUnreliable = -1;
        private final java.util.BitSet unsequencedSeen = new java.util.BitSet();
        private final java.util.BitSet fragmentSeen = new java.util.BitSet();

        private final ENetConnection.CompressionMode mode;

        DemoClient(int id, int port, ENetConnection.CompressionMode mode) {
            this.id = id;
            this.port = port;
            this.mode = mode;
        }

        @Override
        public void run() {
            try (ENetConnection c = new ENetConnection()) {
                c.createHost(1, 4);
                c.compress(mode);
                c.setChecksumEnabled(wire.checksum);
                c.setExactEnetTiming(wire.enetTiming);
                ENetPacketPeer peer = c.connectToHost("127.0.0.1", port, 4, id);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (peer.getState() != ENetPacketPeer.PeerState.STATE_CONNECTED) {
                    drain(c, 10);
                    if (System.nanoTime() > deadline || failure != null) {
                        failure = failure != null ? failure : "could not connect";
                        return;
                    }
                }
                long start = System.nanoTime();
                long end = start + seconds * 1_000_000_000L;
                int[] seq = new int[Kind.values().length];
                long tick = 0;
                // Reliable small and large packets share channel 0, so they share its order.
                int[] reliableSeq = new int[1];
                while (System.nanoTime() < end && failure == null) {
                    send(peer, Kind.RELIABLE, reliableSeq[0]++);
                    send(peer, Kind.UNRELIABLE, seq[Kind.UNRELIABLE.ordinal()]++);
                    send(peer, Kind.UNSEQUENCED, seq[Kind.UNSEQUENCED.ordinal()]++);
                    if (tick % 10 == 0) {
                        send(peer, Kind.UNRELIABLE_FRAGMENT, seq[Kind.UNRELIABLE_FRAGMENT.ordinal()]++);
                    }
                    if (tick % 50 == 25) {
                        send(peer, Kind.RELIABLE_LARGE, reliableSeq[0]++);
                    }
                    tick++;
                    long next = start + tick * 10_000_000L;
                    while (System.nanoTime() < next && failure == null) {
                        drain(c, 1);
                    }
                    lastRtt = peer.getRoundTripTimeMillis();
                }
                // Let every reliable echo come home.
                long drainEnd = System.nanoTime() + 10_000_000_000L;
                while (failure == null && System.nanoTime() < drainEnd
                        && (echoed[0] < sent[0] || echoed[1] < sent[1])) {
                    drain(c, 5);
                }
                peer.peerDisconnect(0);
                long discEnd = System.nanoTime() + 3_000_000_000L;
                while (peer.isActive() && System.nanoTime() < discEnd) {
                    drain(c, 5);
                }
            } catch (Exception e) {
                failure = e.toString();
            }
        }

        private void send(ENetPacketPeer peer, Kind kind, int seq) {
            peer.send(kind.channel, payload(kind, id, seq), kind.flags);
            sent[kind.ordinal()]++;
        }

        private void drain(ENetConnection c, int timeout) {
            ENetEvent e = c.service(timeout);
            while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                    check(e.peer().getPacket(), e.channel());
                }
                e = c.service(0);
            }
        }

        private void check(byte[] p, int channel) {
            if (p.length < HEADER || p[0] < 0 || p[0] >= Kind.values().length) {
                failure = "malformed echo";
                return;
            }
            Kind kind = Kind.values()[p[0]];
            int seq = ByteBuffer.wrap(p, 4, 4).getInt();
            if (p[1] != id || channel != kind.channel || !Arrays.equals(p, payload(kind, id, seq))) {
                failure = kind + " echo " + seq + " corrupt";
                return;
            }
            switch (kind) {
                case RELIABLE, RELIABLE_LARGE -> {
                    if (seq != nextReliable[0]) {
                        failure = "reliable echo " + seq + " arrived, expected " + nextReliable[0];
                        return;
                    }
                    nextReliable[0]++;
                }
                case UNRELIABLE -> {
                    if (seq <= lastUnreliable) {
                        failure = "unreliable echo " + seq + " after " + lastUnreliable;
                        return;
                    }
                    lastUnreliable = seq;
                }
                case UNSEQUENCED -> {
                    if (unsequencedSeen.get(seq)) {
                        failure = "unsequenced echo " + seq + " duplicated";
                        return;
                    }
                    unsequencedSeen.set(seq);
                }
                case UNRELIABLE_FRAGMENT -> {
                    if (fragmentSeen.get(seq)) {
                        failure = "unreliable fragment echo " + seq + " duplicated";
                        return;
                    }
                    fragmentSeen.set(seq);
                }
                default -> { }
            }
            echoed[kind.ordinal()]++;
        }
    }
}

package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.ENetShardedHost;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jenet serve}: an ENet server, optionally echoing every packet back or relaying it to the
 * others, optionally serving Prometheus metrics; SIGTERM or SIGINT drains it (every peer gets a
 * DISCONNECT with {@link ENetConnection#DRAIN_DISCONNECT_DATA}) and it exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run an ENet server until SIGTERM or SIGINT, which drain it: every peer is told (disconnect data 1001), then it exits 0.")
final class ServeCommand implements Runnable {
    @Option(names = "--port", required = true, description = "UDP port (0 = any free port).")
    int port;

    @Option(names = "--bind", defaultValue = "*", description = "Address to bind, or * for all (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--peers", defaultValue = "32", description = "Maximum peers (default: ${DEFAULT-VALUE}).")
    int peers;

    @Option(names = "--channels", defaultValue = "0", description = "Maximum channels, 0 = 255 (default: ${DEFAULT-VALUE}).")
    int channels;

    @Mixin
    SharedOptions.Wire wire;

    @Option(names = "--echo", description = "Send every packet back to its sender, same channel and flags "
            + "(a jenet bench --bulk-bytes packet gets a 9-byte reply when it asks for one, and nothing otherwise).")
    boolean echo;

    @Option(names = "--relay", description = "Send every packet to every other peer, same channel and flags (a chat relay).")
    boolean relay;

    @Option(names = "--stats", paramLabel = "SECONDS", defaultValue = "0",
            description = "Print a stats line (peers, memory budget, heap) every SECONDS (default: never).")
    int statsSeconds;

    @Option(names = "--incomplete-limit", paramLabel = "BYTES", defaultValue = "0",
            description = "Budget for incomplete incoming data, all peers (default: an eighth of the heap).")
    long incompleteLimit;

    @Option(names = "--peer-outgoing-limit", paramLabel = "BYTES", defaultValue = "0",
            description = "Cap on data queued to one peer (default: 64 MiB).")
    long peerOutgoingLimit;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://BIND:PORT/metrics (0 = any free port; default: none).")
    Integer metricsPort;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "On SIGTERM/SIGINT, wait at most this long for peers to leave (default: ${DEFAULT-VALUE}).")
    int drainTimeoutSeconds;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "0",
            description = "Serve the port with N hosts that share it (SO_REUSEPORT, Linux), one thread each; the kernel keeps each "
                    + "client address on one of them, and --peers is per shard (default: one host on the main thread).")
    int shards;

    @Mixin
    SharedOptions.DtlsServer dtlsOptions;

    @Override
    public void run() {
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new Main.CliFailure(2, "--metrics-port must be 0..65535, got " + metricsPort);
        }
        if (drainTimeoutSeconds < 0 || drainTimeoutSeconds > 3600) {
            throw new Main.CliFailure(2, "--drain-timeout must be 0..3600 seconds, got " + drainTimeoutSeconds);
        }
        if (shards < 0 || shards > ENetShardedHost.MAX_SHARDS) {
            throw new Main.CliFailure(2, "--shards must be 0.." + ENetShardedHost.MAX_SHARDS + ", got " + shards);
        }
        EchoServer server = new EchoServer(bind, port, peers, channels, wire.compression("none"), wire.checksum, echo, System.out);
        server.exactEnetTiming = wire.enetTiming;
        server.relay = relay;
        server.statsEveryMs = statsSeconds * 1000L;
        server.incompleteLimit = incompleteLimit;
        server.peerOutgoingLimit = peerOutgoingLimit;
        server.dtls = dtlsOptions.tls();
        server.metricsPort = metricsPort == null ? -1 : metricsPort;
        server.drainTimeoutMs = drainTimeoutSeconds * 1000;
        server.shards = shards;
        CountDownLatch done = new CountDownLatch(1);
        // SIGTERM and SIGINT start the JVM's shutdown, which runs this hook: it asks the service loop
        // to drain, waits for it, and ends the process with status 0 (the JVM would exit 143 or 130).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!server.requestDrain()) {
                return; // the loop had already ended (a failure, or a normal exit): its status stands
            }
            try {
                boolean drained = done.await(server.drainTimeoutMs + 10_000L, TimeUnit.MILLISECONDS);
                System.out.flush();
                Runtime.getRuntime().halt(drained && server.drained() ? 0 : 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jenet-serve-shutdown"));
        try {
            server.run();
        } finally {
            done.countDown();
        }
    }

    /** The server loop, usable from tests: {@link #run()} until {@link #stop()}. */
    static final class EchoServer implements Runnable {
        private final String bind;
        private final int port;
        private final int peers;
        private final int channels;
        private final ENetConnection.CompressionMode mode;
        private final boolean checksum;
        private final boolean echo;
        /** Forward every packet to every other connected peer. */
        volatile boolean relay;
        /** DTLS server options, or null for plain ENet. */
        volatile io.jenet.TlsOptions dtls;
        /** Stats line interval, 0 for none. */
        volatile long statsEveryMs;
        /** ENet's exact retransmission timing instead of jenet's. */
        volatile boolean exactEnetTiming;
        /** Memory budget settings, 0 for the defaults. */
        volatile long incompleteLimit;
        volatile long peerOutgoingLimit;
        /** TCP port of the Prometheus endpoint, 0 for any, -1 for none. */
        volatile int metricsPort = -1;
        /** How long a drain waits for peers to leave. */
        volatile int drainTimeoutMs = 10_000;
        /** Hosts sharing the port, one thread each ({@link ENetShardedHost}); 0 for one host on the calling thread. */
        volatile int shards;
        private final PrintStream out;
        private static final int RUNNING = 0;
        private static final int DRAIN = 1;
        private static final int STOP = 2;
        private static final int ENDED = 3;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final CountDownLatch bound = new CountDownLatch(1);
        /** Counted down by {@link #stop()} and {@link #requestDrain()}: what a sharded server's main thread waits for. */
        private final CountDownLatch leaving = new CountDownLatch(1);
        private volatile int localPort;
        private volatile int localMetricsPort = -1;
        private volatile String failure;
        private volatile boolean drained;

        EchoServer(String bind, int port, int peers, int channels, ENetConnection.CompressionMode mode, boolean checksum,
                   boolean echo, PrintStream out) {
            this.bind = bind;
            this.port = port;
            this.peers = peers;
            this.channels = channels;
            this.mode = mode;
            this.checksum = checksum;
            this.echo = echo;
            this.out = out;
        }

        /** Waits until bound (or failed); returns the port, or -1. */
        int awaitBound(long millis) throws InterruptedException {
            bound.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
            return failure == null ? localPort : -1;
        }

        /** @return the port of the Prometheus endpoint once bound, or -1 */
        int metricsPort() {
            return localMetricsPort;
        }

        /** Ends the loop; peers are sent an unacknowledged DISCONNECT (data 0) as the host is destroyed. */
        void stop() {
            state.compareAndSet(RUNNING, STOP);
            leaving.countDown();
        }

        /**
         * Ends the loop with a drain: new connections are refused, every peer is told to leave with
         * {@link ENetConnection#DRAIN_DISCONNECT_DATA}, and the loop goes on until they are gone or
         * {@link #drainTimeoutMs} passed.
         *
         * @return false if the loop had already ended or been stopped (nothing to drain)
         */
        boolean requestDrain() {
            boolean now = state.compareAndSet(RUNNING, DRAIN);
            leaving.countDown();
            return now;
        }

        @Override
        public void run() {
            if (shards > 0) {
                try {
                    runSharded();
                } finally {
                    state.set(ENDED);
                }
                return;
            }
            try (ENetConnection host = new ENetConnection()) {
                host.setChecksumEnabled(checksum);
                host.setExactEnetTiming(exactEnetTiming);
                host.compress(mode);
                try {
                    host.setIncompleteDataLimit(incompleteLimit);
                    host.setOutgoingDataLimits(peerOutgoingLimit, 0);
                } catch (IllegalArgumentException e) {
                    failure = e.getMessage();
                    bound.countDown();
                    throw new Main.CliFailure(2, e.getMessage());
                }
                try {
                    host.createHostBound(bind, port, peers, channels);
                } catch (IOException | RuntimeException e) {
                    failure = e.getMessage();
                    bound.countDown();
                    throw new Main.CliFailure(1, "cannot listen on " + bind + ":" + port + ": " + e.getMessage());
                }
                if (dtls != null) {
                    host.dtlsServerSetup(dtls);
                }
                MetricsEndpoint metrics = null;
                if (metricsPort >= 0) {
                    host.setMetricsInterval(METRICS_INTERVAL_MS);
                    try {
                        metrics = new MetricsEndpoint(bind, metricsPort, host);
                    } catch (IOException | RuntimeException e) {
                        failure = e.getMessage();
                        bound.countDown();
                        throw new Main.CliFailure(1, "cannot serve metrics on " + bind + ":" + metricsPort + ": " + e.getMessage());
                    }
                    localMetricsPort = metrics.port();
                }
                try {
                    localPort = host.getLocalPort();
                    out.println("listening on port " + localPort);
                    out.println("datagrams: " + io.jenet.internal.transport.UdpEndpoints.describe());
                    if (metrics != null) {
                        out.println("metrics on port " + localMetricsPort + " (http, /metrics)");
                    }
                    out.flush();
                    bound.countDown();
                    serve(host);
                } finally {
                    if (metrics != null) {
                        metrics.close();
                    }
                }
            } finally {
                state.set(ENDED);
            }
        }

        /** The settings of this server, applied to one host (or one shard) after it is created. */
        private void configure(ENetConnection host) {
            host.setChecksumEnabled(checksum);
            host.setExactEnetTiming(exactEnetTiming);
            host.compress(mode);
            if (incompleteLimit != 0) {
                host.setIncompleteDataLimit(incompleteLimit);
            }
            if (peerOutgoingLimit != 0) {
                host.setOutgoingDataLimits(peerOutgoingLimit, host.getOutgoingDataLimit()); // a shard keeps its share of the total
            }
            if (dtls != null) {
                host.dtlsServerSetup(dtls);
            }
            if (metricsPort >= 0) {
                host.setMetricsInterval(METRICS_INTERVAL_MS);
            }
        }

        /** {@code --shards N}: the same server on N hosts sharing the port, each on its own thread. */
        private void runSharded() {
            ENetShardedHost server;
            try {
                server = ENetShardedHost.builder(shards).bind(bind, port).peersPerShard(peers).channels(channels)
                        .setup((shard, host) -> configure(host))
                        .onError((shard, error) -> {
                            out.println("error: shard " + shard + ": " + error);
                            out.flush();
                        })
                        .start(this::handleSharded);
            } catch (IllegalArgumentException e) {
                failure = e.getMessage();
                bound.countDown();
                throw new Main.CliFailure(2, e.getMessage());
            } catch (IOException | RuntimeException e) {
                failure = e.getMessage();
                bound.countDown();
                throw new Main.CliFailure(1, "cannot listen on " + bind + ":" + port + " with " + shards + " shards: " + e.getMessage());
            }
            MetricsEndpoint metrics = null;
            try {
                if (metricsPort >= 0) {
                    List<ENetConnection> hosts = new ArrayList<>();
                    for (int i = 0; i < shards; i++) {
                        hosts.add(server.getConnection(i)); // only their thread-safe getMetrics() is read
                    }
                    try {
                        metrics = new MetricsEndpoint(bind, metricsPort, hosts);
                    } catch (IOException | RuntimeException e) {
                        failure = e.getMessage();
                        bound.countDown();
                        throw new Main.CliFailure(1, "cannot serve metrics on " + bind + ":" + metricsPort + ": " + e.getMessage());
                    }
                    localMetricsPort = metrics.port();
                }
                localPort = server.getLocalPort();
                out.println("listening on port " + localPort + ", " + shards + " shards sharing it");
                if (metrics != null) {
                    out.println("metrics on port " + localMetricsPort + " (http, /metrics; a shard tag per host)");
                }
                out.flush();
                bound.countDown();
                long nextStats = statsEveryMs > 0 ? System.nanoTime() / 1_000_000 + statsEveryMs : Long.MAX_VALUE;
                while (state.get() == RUNNING) {
                    long nowMs = System.nanoTime() / 1_000_000;
                    if (nowMs >= nextStats) {
                        nextStats = nowMs + statsEveryMs;
                        printStats(server);
                    }
                    try {
                        leaving.await(Math.min(1000, Math.max(1, nextStats - nowMs)), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (state.get() == DRAIN) {
                    drain(server);
                }
            } finally {
                server.destroy();
                if (metrics != null) {
                    metrics.close();
                }
            }
        }

        /** Set while a sharded server drains: its handlers print the timeline. */
        private volatile long shardedDrainStart = -1;

        private void drain(ENetShardedHost server) {
            long start = System.nanoTime();
            out.println("drain begin: " + server.getConnectedPeerCount() + " peers on " + server.getShardCount()
                    + " shards, disconnect data " + ENetConnection.DRAIN_DISCONNECT_DATA + ", timeout " + drainTimeoutMs + " ms");
            out.flush();
            shardedDrainStart = start;
            int left = server.drain(ENetConnection.DRAIN_DISCONNECT_DATA, drainTimeoutMs);
            long ms = (System.nanoTime() - start) / 1_000_000L;
            out.println("drain done in " + ms + " ms: " + (left == 0 ? "every peer left" : left + " peers still there at the deadline were sent a DISCONNECT"));
            out.flush();
            drained = true;
        }

        /** A shard's event: as {@link #handle}, with the shard in the connect lines, relaying across shards. */
        private void handleSharded(int shard, ENetConnection host, ENetEvent e) {
            long drainStart = shardedDrainStart;
            if (drainStart >= 0) {
                ENetPacketPeer peer = e.peer();
                long ms = (System.nanoTime() - drainStart) / 1_000_000L;
                switch (e.type()) {
                    case EVENT_DISCONNECT -> out.println("drain +" + ms + " ms: " + peer.getRemoteAddress() + ":" + peer.getRemotePort()
                            + " left (shard " + shard + "), " + host.getPeers().size() + " to go on that shard");
                    case EVENT_CONNECT -> out.println("drain +" + ms + " ms: " + peer.getRemoteAddress() + ":" + peer.getRemotePort()
                            + " finished its handshake and was told to leave");
                    case EVENT_RECEIVE -> peer.getPacket();
                    default -> { }
                }
                out.flush();
                return;
            }
            Relayed relayed = handle(host, e, " shard " + shard);
            if (relayed != null) {
                ENetShardedHost server = ENetShardedHost.current();
                int channel = e.channel();
                for (int k = 0; k < server.getShardCount(); k++) {
                    if (k != shard) {
                        server.execute(k, other -> relayTo(other, null, channel, relayed.packet(), relayed.flags()));
                    }
                }
            }
        }

        /** A packet {@link #handle} relayed to the peers of its host, for the other shards. */
        private record Relayed(byte[] packet, int flags) {}

        /** Sends a packet to every connected peer of {@code host} but {@code except} that has the channel. */
        private static void relayTo(ENetConnection host, ENetPacketPeer except, int channel, byte[] packet, int flags) {
            for (ENetPacketPeer other : host.getPeers()) {
                if (other != except && other.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED && channel < other.getChannels()) {
                    other.send(channel, packet, flags);
                }
            }
        }

        /** The stats line of a sharded server: each shard's counters, read on its thread, added up. */
        private void printStats(ENetShardedHost server) {
            List<CompletableFuture<long[]>> parts = new ArrayList<>();
            for (int i = 0; i < server.getShardCount(); i++) {
                parts.add(server.submit(i, host -> new long[] {host.getPeers().size(), host.getIncompleteData(), host.getIncompleteDataLimit(),
                    host.getOutgoingData(), host.getBudgetDisconnects(), host.getBudgetDroppedPackets(), host.getDroppedDatagrams(),
                    host.getInternalErrors()}));
            }
            long[] sum = new long[8];
            StringBuilder perShard = new StringBuilder();
            for (CompletableFuture<long[]> part : parts) {
                long[] v;
                try {
                    v = part.get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return; // a shard did not answer (stopping, or stuck): no line this time
                }
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += v[k];
                }
                perShard.append(perShard.length() == 0 ? "" : ",").append(v[0]);
            }
            Runtime rt = Runtime.getRuntime();
            out.println("stats peers " + sum[0] + " incomplete " + sum[1] + " limit " + sum[2] + " outgoing " + sum[3] + " budget-disconnects "
                    + sum[4] + " budget-drops " + sum[5] + " dropped " + sum[6] + " internal-errors " + sum[7] + " heap-used "
                    + (rt.totalMemory() - rt.freeMemory()) + " heap-max " + rt.maxMemory() + " shard-peers " + perShard);
            out.flush();
        }

        /** How often the service loop publishes the metrics snapshot a scrape reads. */
        static final int METRICS_INTERVAL_MS = 250;

        private void serve(ENetConnection host) {
            long nextStats = statsEveryMs > 0 ? System.nanoTime() / 1_000_000 + statsEveryMs : Long.MAX_VALUE;
            while (state.get() == RUNNING) {
                ENetEvent e = host.service(50);
                while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                    handle(host, e);
                    e = host.checkEvents();
                }
                long nowMs = System.nanoTime() / 1_000_000;
                if (nowMs >= nextStats) {
                    nextStats = nowMs + statsEveryMs;
                    printStats(host);
                }
            }
            if (state.get() == DRAIN) {
                drain(host);
            }
        }

        /** The drain, with a timeline on standard output: one line when it begins, one per peer that leaves, one at the end. */
        private void drain(ENetConnection host) {
            long start = System.nanoTime();
            int peersAtStart = host.getPeers().size();
            out.println("drain begin: " + peersAtStart + " peers, disconnect data " + ENetConnection.DRAIN_DISCONNECT_DATA
                    + ", timeout " + drainTimeoutMs + " ms");
            out.flush();
            int left = host.drain(ENetConnection.DRAIN_DISCONNECT_DATA, drainTimeoutMs, e -> {
                long ms = (System.nanoTime() - start) / 1_000_000L;
                ENetPacketPeer peer = e.peer();
                switch (e.type()) {
                    case EVENT_DISCONNECT -> out.println("drain +" + ms + " ms: " + peer.getRemoteAddress() + ":" + peer.getRemotePort()
                            + " left, " + host.getPeers().size() + " to go");
                    case EVENT_CONNECT -> out.println("drain +" + ms + " ms: " + peer.getRemoteAddress() + ":" + peer.getRemotePort()
                            + " finished its handshake and was told to leave");
                    case EVENT_RECEIVE -> peer.getPacket();
                    default -> { }
                }
                out.flush();
            });
            long ms = (System.nanoTime() - start) / 1_000_000L;
            out.println("drain done in " + ms + " ms: " + (left == 0 ? "every peer left" : left + " peers still there at the deadline were sent a DISCONNECT"));
            out.flush();
            drained = true;
        }

        /** @return whether a drain ran to its end */
        boolean drained() {
            return drained;
        }

        /** One machine-readable line: peers, the memory budget's state and counters, heap in use. */
        private void printStats(ENetConnection host) {
            Runtime rt = Runtime.getRuntime();
            out.println("stats peers " + host.getPeers().size() + " incomplete " + host.getIncompleteData() + " limit "
                    + host.getIncompleteDataLimit() + " outgoing " + host.getOutgoingData() + " budget-disconnects "
                    + host.getBudgetDisconnects() + " budget-drops " + host.getBudgetDroppedPackets() + " dropped "
                    + host.getDroppedDatagrams() + " internal-errors " + host.getInternalErrors() + " heap-used "
                    + (rt.totalMemory() - rt.freeMemory()) + " heap-max " + rt.maxMemory());
            out.flush();
        }

        private void handle(ENetConnection host, ENetEvent e) {
            handle(host, e, "");
        }

        /** @return the packet if it was relayed (for a sharded server's other shards), else null */
        private Relayed handle(ENetConnection host, ENetEvent e, String where) {
            ENetPacketPeer peer = e.peer();
            switch (e.type()) {
                case EVENT_CONNECT -> out.println("connect " + peer.getRemoteAddress() + ":" + peer.getRemotePort() + " data=" + e.data() + where);
                case EVENT_DISCONNECT -> out.println("disconnect " + peer.getRemoteAddress() + ":" + peer.getRemotePort() + " data=" + e.data() + where);
                case EVENT_RECEIVE -> {
                    int flags = peer.getPacketFlags();
                    byte[] packet = peer.getPacket();
                    if (echo && peer.isActive() && peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                        if (!BenchCommand.isBulk(packet, packet.length)) {
                            peer.send(e.channel(), packet, flags);
                        } else if (packet[BenchCommand.BULK_HEADER - 1] != 0) {
                            // jenet bench --bulk-bytes: a short reply instead of the echo
                            peer.send(e.channel(), packet, 0, BenchCommand.BULK_HEADER, flags);
                        }
                    }
                    if (relay) {
                        relayTo(host, peer, e.channel(), packet, flags);
                        return new Relayed(packet, flags);
                    }
                }
                case EVENT_ERROR -> out.println("error: service failed");
                default -> { }
            }
            return null;
        }
    }
}

package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jenet serve}: an ENet server, optionally echoing every packet back or relaying it to the others. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run an ENet server until interrupted.")
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

    @Option(names = "--echo", description = "Send every packet back to its sender, same channel and flags.")
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

    @Mixin
    SharedOptions.DtlsServer dtlsOptions;

    @Override
    public void run() {
        EchoServer server = new EchoServer(bind, port, peers, channels, wire.compression("none"), wire.checksum, echo, System.out);
        server.relay = relay;
        server.statsEveryMs = statsSeconds * 1000L;
        server.incompleteLimit = incompleteLimit;
        server.peerOutgoingLimit = peerOutgoingLimit;
        server.dtls = dtlsOptions.tls();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            try {
                done.await();
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
        /** Memory budget settings, 0 for the defaults. */
        volatile long incompleteLimit;
        volatile long peerOutgoingLimit;
        private final PrintStream out;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final CountDownLatch bound = new CountDownLatch(1);
        private volatile int localPort;
        private volatile String failure;

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

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            try (ENetConnection host = new ENetConnection()) {
                host.setChecksumEnabled(checksum);
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
                localPort = host.getLocalPort();
                out.println("listening on port " + localPort);
                out.flush();
                bound.countDown();
                long nextStats = statsEveryMs > 0 ? System.nanoTime() / 1_000_000 + statsEveryMs : Long.MAX_VALUE;
                while (running.get()) {
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
            }
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
            ENetPacketPeer peer = e.peer();
            switch (e.type()) {
                case EVENT_CONNECT -> out.println("connect " + peer.getRemoteAddress() + ":" + peer.getRemotePort() + " data=" + e.data());
                case EVENT_DISCONNECT -> out.println("disconnect " + peer.getRemoteAddress() + ":" + peer.getRemotePort() + " data=" + e.data());
                case EVENT_RECEIVE -> {
                    int flags = peer.getPacketFlags();
                    byte[] packet = peer.getPacket();
                    if (echo && peer.isActive() && peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                        peer.send(e.channel(), packet, flags);
                    }
                    if (relay) {
                        for (ENetPacketPeer other : host.getPeers()) {
                            if (other != peer && other.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED
                                    && e.channel() < other.getChannels()) {
                                other.send(e.channel(), packet, flags);
                            }
                        }
                    }
                }
                case EVENT_ERROR -> out.println("error: service failed");
                default -> { }
            }
        }
    }
}

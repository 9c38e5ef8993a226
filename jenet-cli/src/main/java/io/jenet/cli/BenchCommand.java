package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jenet bench}: drives an echo server with numbered packets, checks every echo, and prints
 * one machine-readable result line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark an echo server (jenet serve --echo): throughput and round-trip times.")
final class BenchCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "Echo server, e.g. 127.0.0.1:7777 or [::1]:7777.")
    String target;

    @Option(names = "--count", defaultValue = "10000", description = "Packets per client (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--size", defaultValue = "64", description = "Packet size in bytes, at least 4 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--mode", defaultValue = "reliable", description = "reliable, unreliable or unsequenced.")
    String mode;

    @Option(names = "--window", defaultValue = "100", description = "Most unanswered packets per client (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--channel", defaultValue = "0", description = "Channel (default: ${DEFAULT-VALUE}).")
    int channel;

    @Option(names = "--compress", defaultValue = "none", description = "none, range-coder, fastlz, zlib or zstd.")
    String compress;

    @Option(names = "--checksum", description = "Use ENet's CRC-32 datagram checksum.")
    boolean checksum;

    @Option(names = "--clients", defaultValue = "1", description = "Concurrent clients, one thread each (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "Give up after this long without progress.")
    long timeoutMs;

    @Option(names = "--max-loss", defaultValue = "1.0", description = "Percent of unreliable packets that may be lost (default: ${DEFAULT-VALUE}).")
    double maxLoss;

    @Option(names = "--warmup", defaultValue = "0", description = "Packets exchanged (and checked) before timing starts, per client.")
    int warmup;

    /** An unreliable packet unanswered this long is counted as lost. */
    static final long LOSS_AFTER_NANOS = 1_000_000_000L;

    @Override
    public void run() {
        if (size < 4) {
            throw new Main.CliFailure(2, "--size must be at least 4 (the sequence number); got " + size);
        }
        if (count < 1 || window < 1 || clients < 1) {
            throw new Main.CliFailure(2, "--count, --window and --clients must be at least 1");
        }
        String host;
        int port;
        try {
            int colon = target.lastIndexOf(':');
            host = target.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (RuntimeException e) {
            throw new Main.CliFailure(2, "target must be HOST:PORT, got '" + target + "'");
        }
        ENetConnection.CompressionMode compression = Options.compression(compress);
        Options.flags(mode, size, 0);
        PrintStream out = System.out;
        AtomicLong progress = new AtomicLong();
        List<Client> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            Client c = new Client(i, host, port, compression, progress);
            all.add(c);
            Thread t = new Thread(c, "bench-client-" + i);
            threads.add(t);
            t.start();
        }
        long total = (long) count * clients;
        long lastReport = System.nanoTime();
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Main.CliFailure(1, "FAIL interrupted");
                }
                if (System.nanoTime() - lastReport > 1_000_000_000L) {
                    lastReport = System.nanoTime();
                    System.err.printf("bench: %d/%d echoed%n", progress.get(), total);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Client c : all) {
            if (c.failure != null) {
                out.println("FAIL " + c.failure);
                out.flush();
                throw new Main.CliFailure(1, "bench failed: " + c.failure);
            }
        }
        long echoed = 0;
        long lost = 0;
        int rttCount = 0;
        for (Client c : all) {
            echoed += c.echoed;
            lost += c.lost;
            rttCount += c.rttCount;
        }
        if (warmup > 0) {
            // Time from the end of the slowest client's warmup.
            long measuredStart = Long.MIN_VALUE;
            long measuredEnd = Long.MIN_VALUE;
            for (Client c : all) {
                measuredStart = Math.max(measuredStart, c.measuredFrom);
                measuredEnd = Math.max(measuredEnd, c.measuredTo);
            }
            seconds = (measuredEnd - measuredStart) / 1e9;
        }
        long[] rtts = new long[rttCount];
        int k = 0;
        for (Client c : all) {
            System.arraycopy(c.rtts, 0, rtts, k, c.rttCount);
            k += c.rttCount;
        }
        Arrays.sort(rtts);
        if (lost * 100.0 > maxLoss * total) {
            String reason = String.format("lost %d of %d packets (%.2f %% > %.2f %%)", lost, total, lost * 100.0 / total, maxLoss);
            out.println("FAIL " + reason);
            throw new Main.CliFailure(1, "bench failed: " + reason);
        }
        long p50 = rtts.length == 0 ? 0 : rtts[(int) Math.min(rtts.length - 1, rtts.length * 50L / 100)] / 1000;
        long p99 = rtts.length == 0 ? 0 : rtts[(int) Math.min(rtts.length - 1, rtts.length * 99L / 100)] / 1000;
        if (lost > 0) {
            System.err.printf("bench: %d packets lost (%.3f %%)%n", lost, lost * 100.0 / total);
        }
        out.printf("ok %d msgs %d bytes %.3f s %d msg/s p50 %d us p99 %d us%n", echoed, size, seconds,
                (long) (echoed / seconds), p50, p99);
        out.flush();
    }

    static byte[] payload(int seq, int size) {
        byte[] b = new byte[size];
        fill(b, seq);
        return b;
    }

    /** Checks an echo against {@link #payload} without allocating. */
    static boolean matches(byte[] p, int seq, int size) {
        if (p.length != size || p[0] != (byte) (seq >>> 24) || p[1] != (byte) (seq >>> 16) || p[2] != (byte) (seq >>> 8)
                || p[3] != (byte) seq) {
            return false;
        }
        int x = seq * 0x9E3779B9 + 1;
        for (int i = 4; i < size; i++) {
            x = x * 1103515245 + 12345;
            if (p[i] != (byte) (x >>> 16)) {
                return false;
            }
        }
        return true;
    }

    private static void fill(byte[] b, int seq) {
        int size = b.length;
        b[0] = (byte) (seq >>> 24);
        b[1] = (byte) (seq >>> 16);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        int x = seq * 0x9E3779B9 + 1;
        for (int i = 4; i < size; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
    }

    /** One client: its own connection and thread, as ENet hosts are single-threaded. */
    final class Client implements Runnable {
        private final int id;
        private final String host;
        private final int port;
        private final ENetConnection.CompressionMode compression;
        private final AtomicLong progress;
        volatile String failure;
        long echoed;
        long lost;
        long[] rtts = new long[count];
        int rttCount;
        long measuredFrom;
        long measuredTo;

        Client(int id, String host, int port, ENetConnection.CompressionMode compression, AtomicLong progress) {
            this.id = id;
            this.host = host;
            this.port = port;
            this.compression = compression;
            this.progress = progress;
        }

        @Override
        public void run() {
            try (ENetConnection connection = new ENetConnection()) {
                connection.setChecksumEnabled(checksum);
                connection.compress(compression);
                connection.createHost(1, 0);
                ENetPacketPeer peer = connection.connectToHost(host, port, channel + 1, id);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (peer.getState() != ENetPacketPeer.PeerState.STATE_CONNECTED) {
                    ENetEvent e = connection.service(10);
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT || System.nanoTime() > deadline) {
                        failure = "client " + id + " could not connect to " + host + ":" + port;
                        return;
                    }
                }
                if (warmup > 0) {
                    int measured = count;
                    rtts = new long[warmup];
                    exchange(connection, peer, warmup, 0);
                    echoed = 0;
                    lost = 0;
                    rttCount = 0;
                    rtts = new long[measured];
                    if (failure != null) {
                        return;
                    }
                }
                measuredFrom = System.nanoTime();
                exchange(connection, peer, count, warmup);
                measuredTo = System.nanoTime();
                if (failure == null) {
                    peer.peerDisconnect(0);
                    long end = System.nanoTime() + 3_000_000_000L;
                    while (peer.isActive() && System.nanoTime() < end) {
                        connection.service(10);
                    }
                }
            } catch (Exception e) {
                failure = "client " + id + ": " + e;
            }
        }

        /** Sends {@code count} packets numbered from {@code base}; echoes numbered below it are stale warmup. */
        private void exchange(ENetConnection connection, ENetPacketPeer peer, int count, int base) {
            int payloadPerFragment = 1392 - 28;
            int flags = Options.flags(mode, size, payloadPerFragment);
            boolean reliable = "reliable".equals(mode);
            boolean sequenced = "unreliable".equals(mode);
            long[] sentAt = new long[count];
            boolean[] answered = new boolean[count];
            boolean[] markedLost = new boolean[count];
            int nextToSend = 0;
            int nextExpected = 0; // reliable: next in order; unreliable: lowest unanswered candidate
            int lastEchoed = -1;
            int inFlight = 0;
            long lastProgress = System.nanoTime();
            while (echoed + lost < count) {
                while (inFlight < window && nextToSend < count) {
                    sentAt[nextToSend] = System.nanoTime();
                    peer.send(channel, payload(base + nextToSend, size), flags);
                    nextToSend++;
                    inFlight++;
                }
                ENetEvent e = connection.service(1);
                while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                        failure = "client " + id + " disconnected by the server after " + echoed + " echoes";
                        return;
                    }
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        byte[] p = e.peer().getPacket();
                        int wire = p.length >= 4 ? ((p[0] & 0xFF) << 24 | (p[1] & 0xFF) << 16 | (p[2] & 0xFF) << 8 | (p[3] & 0xFF)) : -1;
                        if (wire >= 0 && wire < base && matches(p, wire, size)) {
                            e = connection.service(0);
                            continue;
                        }
                        int seq = wire - base;
                        if (seq < 0 || seq >= nextToSend || !matches(p, wire, size)) {
                            failure = "client " + id + " got a corrupt echo (seq " + seq + ", " + p.length + " bytes)";
                            return;
                        }
                        if (e.channel() != channel) {
                            failure = "client " + id + " got echo " + seq + " on channel " + e.channel();
                            return;
                        }
                        if (reliable && seq != nextExpected) {
                            failure = "client " + id + " got reliable echo " + seq + " but expected " + nextExpected + " (order broken)";
                            return;
                        }
                        if (answered[seq]) {
                            failure = "client " + id + " got echo " + seq + " twice";
                            return;
                        }
                        if (sequenced && seq < lastEchoed) {
                            failure = "client " + id + " got unreliable echo " + seq + " after " + lastEchoed + " (out of order)";
                            return;
                        }
                        if (markedLost[seq]) {
                            // Already counted as lost; arrived late. Count it as echoed instead.
                            lost--;
                            inFlight++;
                        }
                        answered[seq] = true;
                        lastEchoed = Math.max(lastEchoed, seq);
                        rtts[rttCount++] = System.nanoTime() - sentAt[seq];
                        if (reliable) {
                            nextExpected++;
                        }
                        echoed++;
                        inFlight--;
                        if (count == BenchCommand.this.count) {
                            progress.incrementAndGet();
                        }
                        lastProgress = System.nanoTime();
                    }
                    e = connection.service(0);
                }
                if (!reliable) {
                    long now = System.nanoTime();
                    while (nextExpected < nextToSend && (answered[nextExpected] || markedLost[nextExpected]
                            || now - sentAt[nextExpected] > LOSS_AFTER_NANOS)) {
                        if (!answered[nextExpected] && !markedLost[nextExpected]) {
                            markedLost[nextExpected] = true;
                            lost++;
                            inFlight--;
                        }
                        nextExpected++;
                    }
                }
                if (System.nanoTime() - lastProgress > timeoutMs * 1_000_000L) {
                    failure = "client " + id + " made no progress for " + timeoutMs + " ms (" + echoed + "/" + count + " echoed)";
                    return;
                }
            }
        }
    }
}

package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jenet bench}: drives an echo server with numbered packets, checks every echo, and prints
 * one machine-readable result line. Three workloads, the same as enetbench.c's (jenet-bench), with
 * the same result line:
 * <ul>
 * <li>bursts (the default): {@code --count} packets keeping {@code --window} unanswered;
 * <li>a game-like stream ({@code --stream-rate R --duration S}): one reliable {@code --size}-byte
 * message every 1/R s, paced by the clock, not by echoes; latency is the round trip (send to echo
 * received); the line adds {@code max M us sent N};
 * <li>bulk ({@code --bulk-bytes B}): B bytes in {@code --size}-byte reliable packets, all queued at
 * once; every 64th and the last ask the echo server for a 9-byte reply instead of an echo
 * ({@link #BULK_MARKER}), so the time ends when the server has confirmed the last byte; the line
 * adds {@code MB/s X} (10^6 bytes a second).
 * </ul>
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

    @Mixin
    SharedOptions.Wire wire;

    @Option(names = "--clients", defaultValue = "1", description = "Concurrent clients, one host and thread each unless --one-host (default: ${DEFAULT-VALUE}).")
    int clients;

    @Mixin
    SharedOptions.DtlsClient dtlsOptions;

    @Option(names = "--one-host", description = "All clients are peers of one host serviced by one thread (as ENet would run them).")
    boolean oneHost;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "Give up after this long without progress.")
    long timeoutMs;

    @Option(names = "--max-loss", defaultValue = "1.0", description = "Percent of unreliable packets that may be lost (default: ${DEFAULT-VALUE}).")
    double maxLoss;

    @Option(names = "--warmup", defaultValue = "0", description = "Packets exchanged (and checked) before timing starts, per client.")
    int warmup;

    @Option(names = "--stream-rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "A game-like stream: one reliable --size message every 1/RATE s for --duration, paced by the clock (default: off).")
    int streamRate;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "30", description = "Length of a --stream-rate stream (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--bulk-bytes", paramLabel = "BYTES", defaultValue = "0",
            description = "A bulk transfer: BYTES in reliable --size packets, all queued at once, done when the server confirms the last (default: off).")
    long bulkBytes;

    @Option(names = "--count-datagrams",
            description = "Before the result line, print the UDP datagrams the clients sent and received while timed (as ENet counts them: one per DTLS record too).")
    boolean countDatagrams;

    private io.jenet.TlsOptions tls;

    /**
     * The first bytes of a bulk packet: 0xFF 'B' 'L' 'K', then its sequence number (4 bytes,
     * big-endian) and a flag byte, 1 if it wants a reply. {@code jenet serve --echo} (and
     * enetbench.c's server) answers such a packet with its first {@value #BULK_HEADER} bytes when
     * the flag is set, and with nothing otherwise. Bench packets never start with 0xFF (their first
     * four bytes are a non-negative sequence number).
     */
    static final byte[] BULK_MARKER = {(byte) 0xFF, 'B', 'L', 'K'};

    /** Length of a bulk packet's header, and of the server's reply. */
    static final int BULK_HEADER = 9;

    /** @return whether {@code p} is a bulk packet ({@link #BULK_MARKER}) */
    static boolean isBulk(byte[] p, int length) {
        return length >= BULK_HEADER && p[0] == BULK_MARKER[0] && p[1] == BULK_MARKER[1] && p[2] == BULK_MARKER[2] && p[3] == BULK_MARKER[3];
    }

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
        boolean special = streamRate > 0 || bulkBytes > 0;
        if (special && (clients != 1 || warmup != 0 || !"reliable".equals(mode) || (streamRate > 0 && bulkBytes > 0))) {
            throw new Main.CliFailure(2, "--stream-rate and --bulk-bytes are reliable, one client, no warmup, one at a time");
        }
        if (streamRate < 0 || bulkBytes < 0 || (streamRate > 0 && (duration <= 0 || streamRate * duration > 100_000_000))) {
            throw new Main.CliFailure(2, "--stream-rate and --duration must be positive (and at most 10^8 messages), --bulk-bytes at least 0");
        }
        if (bulkBytes > 0 && size < BULK_HEADER) {
            throw new Main.CliFailure(2, "--bulk-bytes needs --size at least " + BULK_HEADER);
        }
        if (streamRate > 0) {
            count = (int) Math.round(streamRate * duration);
        } else if (bulkBytes > 0) {
            count = (int) Math.min(Integer.MAX_VALUE, (bulkBytes + size - 1) / size);
        }
        Options.HostPort target = Options.hostPort(this.target);
        String host = target.host();
        int port = target.port();
        ENetConnection.CompressionMode compression = wire.compression("none");
        tls = dtlsOptions.tls();
        Options.flags(mode, size, 0);
        PrintStream out = System.out;
        // On stderr: stdout is the result (its first line "ok …" or "FAIL …", which scripts read).
        System.err.println("datagrams: " + io.jenet.internal.transport.UdpEndpoints.describe());
        AtomicLong progress = new AtomicLong();
        List<Client> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        int hosts = oneHost ? 1 : clients;
        for (int i = 0; i < hosts; i++) {
            Client c = new Client(i, oneHost ? clients : 1, host, port, compression, progress);
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
        if (special) {
            printSpecial(out, all.get(0));
            return;
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
        } else {
            // From the first client's first send (after its handshake, as enetbench.c times it) to the last echo.
            long measuredStart = Long.MAX_VALUE;
            long measuredEnd = Long.MIN_VALUE;
            for (Client c : all) {
                measuredStart = Math.min(measuredStart, c.measuredFrom);
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
        long maxGapMs = 0;
        for (Client c : all) {
            maxGapMs = Math.max(maxGapMs, c.maxGapNanos / 1_000_000);
        }
        if (countDatagrams) {
            long sentDatagrams = 0;
            long receivedDatagrams = 0;
            for (Client c : all) {
                sentDatagrams += c.datagramsSent;
                receivedDatagrams += c.datagramsReceived;
            }
            out.printf("datagrams sent %d received %d%n", sentDatagrams, receivedDatagrams);
        }
        out.printf("ok %d msgs %d bytes %.3f s %d msg/s p50 %d us p99 %d us max-gap %d ms%n", echoed, size, seconds,
                (long) (echoed / seconds), p50, p99, maxGapMs);
        out.flush();
    }

    /** The result line of a stream or bulk run: time from the first send to the last echo or reply. */
    private void printSpecial(PrintStream out, Client c) {
        double seconds = (c.measuredTo - c.measuredFrom) / 1e9;
        long[] rtts = Arrays.copyOf(c.rtts, c.rttCount);
        Arrays.sort(rtts);
        long p50 = rtts.length == 0 ? 0 : rtts[(int) Math.min(rtts.length - 1, rtts.length * 50L / 100)] / 1000;
        long p99 = rtts.length == 0 ? 0 : rtts[(int) Math.min(rtts.length - 1, rtts.length * 99L / 100)] / 1000;
        long messages = streamRate > 0 ? c.echoed : count;
        String extra = streamRate > 0 ? String.format(" max %d us sent %d", rtts.length == 0 ? 0 : rtts[rtts.length - 1] / 1000, c.sent)
                : String.format(java.util.Locale.ROOT, " MB/s %.3f", c.sentBytes / seconds / 1e6);
        out.printf(java.util.Locale.ROOT, "ok %d msgs %d bytes %.3f s %d msg/s p50 %d us p99 %d us max-gap %d ms%s%n", messages, size, seconds,
                (long) (messages / seconds), p50, p99, c.maxGapNanos / 1_000_000, extra);
        out.flush();
    }

    // The payload's bytes 4.. are successive outputs (bits 16..23) of the LCG x = x*A + C seeded
    // from the sequence number. Four interleaved lanes, each stepping 4 at a time (x*A4 + C4), give
    // the same bytes without one long multiply chain; enetbench.c computes them the same way.
    private static final int A = 1103515245;
    private static final int C = 12345;
    private static final int A4 = A * A * A * A;
    private static final int C4 = C * (1 + A + A * A + A * A * A);

    /**
     * Checks an echo against {@link #fill}, regenerating the expected bytes into {@code scratch}
     * (at least {@code size} long) so that checking allocates nothing.
     */
    static boolean matches(byte[] p, int length, int seq, int size, byte[] scratch) {
        if (length != size) {
            return false;
        }
        fill(scratch, seq, size);
        return Arrays.equals(p, 0, size, scratch, 0, size);
    }

    static void fill(byte[] b, int seq, int size) {
        b[0] = (byte) (seq >>> 24);
        b[1] = (byte) (seq >>> 16);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        int x1 = seq * 0x9E3779B9 + 1;
        x1 = x1 * A + C;
        int x2 = x1 * A + C;
        int x3 = x2 * A + C;
        int x4 = x3 * A + C;
        int i = 4;
        for (; i + 3 < size; i += 4) {
            b[i] = (byte) (x1 >>> 16);
            b[i + 1] = (byte) (x2 >>> 16);
            b[i + 2] = (byte) (x3 >>> 16);
            b[i + 3] = (byte) (x4 >>> 16);
            x1 = x1 * A4 + C4;
            x2 = x2 * A4 + C4;
            x3 = x3 * A4 + C4;
            x4 = x4 * A4 + C4;
        }
        if (i < size) {
            b[i++] = (byte) (x1 >>> 16);
        }
        if (i < size) {
            b[i++] = (byte) (x2 >>> 16);
        }
        if (i < size) {
            b[i] = (byte) (x3 >>> 16);
        }
    }

    /** One client's echo stream: a peer with its own window and checks. */
    static final class Stream {
        final int id;
        ENetPacketPeer peer;
        long[] sentAt;
        boolean[] answered;
        boolean[] markedLost;
        int nextToSend;
        int nextExpected; // reliable: next in order; unreliable: lowest unanswered candidate
        int lastEchoed;
        int inFlight;

        Stream(int id) {
            this.id = id;
        }

        void reset(int count) {
            sentAt = new long[count];
            answered = new boolean[count];
            markedLost = new boolean[count];
            nextToSend = 0;
            nextExpected = 0;
            lastEchoed = -1;
            inFlight = 0;
        }
    }

    /**
     * One host and its thread, driving one or more clients' streams (with {@code --one-host}, all of
     * them, as a single-threaded ENet host with many peers).
     */
    final class Client implements Runnable {
        private final int id;
        private final String host;
        private final int port;
        private final ENetConnection.CompressionMode compression;
        private final AtomicLong progress;
        private final Stream[] streams;
        private final byte[] sendBuffer;
        private final byte[] receiveArray;
        private final byte[] expected;
        private final java.nio.ByteBuffer receiveBuffer;
        volatile String failure;
        long echoed;
        long lost;
        long[] rtts;
        int rttCount;
        /** Longest time without an echo in the measured phase (a stall), ns. */
        long maxGapNanos;
        long measuredFrom;
        long measuredTo;
        /** Datagrams this client's host sent and received while timed (the echo workload). */
        long datagramsSent;
        long datagramsReceived;
        /** Stream: messages sent; bulk: bytes sent. */
        long sent;
        long sentBytes;

        Client(int id, int streamCount, String host, int port, ENetConnection.CompressionMode compression, AtomicLong progress) {
            this.id = id;
            this.host = host;
            this.port = port;
            this.compression = compression;
            this.progress = progress;
            this.streams = new Stream[streamCount];
            for (int i = 0; i < streamCount; i++) {
                streams[i] = new Stream(id + i);
            }
            this.rtts = new long[count * streamCount];
            this.sendBuffer = new byte[size];
            this.receiveArray = new byte[size];
            this.expected = new byte[size];
            this.receiveBuffer = java.nio.ByteBuffer.wrap(receiveArray);
        }

        @Override
        public void run() {
            try (ENetConnection connection = new ENetConnection()) {
                connection.setChecksumEnabled(wire.checksum);
                connection.setExactEnetTiming(wire.enetTiming);
                connection.compress(compression);
                connection.createHost(streams.length, 0);
                if (tls != null) {
                    connection.dtlsClientSetup(dtlsOptions.serverName(host), tls);
                }
                for (Stream s : streams) {
                    s.peer = connection.connectToHost(host, port, channel + 1, s.id);
                }
                long deadline = System.nanoTime() + 30_000_000_000L;
                int connected = 0;
                while (connected < streams.length) {
                    ENetEvent e = connection.service(10);
                    if (e.type() == ENetConnection.EventType.EVENT_CONNECT) {
                        connected++;
                    } else if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT || System.nanoTime() > deadline) {
                        failure = "client " + id + " could not connect to " + host + ":" + port + " (" + connected + " of "
                                + streams.length + " connected)"
                                + (connection.dtlsLastFailure() != null ? ": DTLS: " + connection.dtlsLastFailure() : "");
                        return;
                    }
                }
                if (streamRate > 0 || bulkBytes > 0) {
                    if (streamRate > 0) {
                        stream(connection);
                    } else {
                        bulk(connection);
                    }
                    if (failure == null) {
                        streams[0].peer.peerDisconnect(0);
                        long end = System.nanoTime() + 3_000_000_000L;
                        while (System.nanoTime() < end && connection.service(10).type() != ENetConnection.EventType.EVENT_DISCONNECT) {
                            // until the server has seen the disconnect
                        }
                    }
                    return;
                }
                if (warmup > 0) {
                    int measured = count;
                    rtts = new long[warmup * streams.length];
                    exchange(connection, warmup, 0);
                    echoed = 0;
                    lost = 0;
                    rttCount = 0;
                    rtts = new long[measured * streams.length];
                    if (failure != null) {
                        return;
                    }
                }
                for (ENetConnection.HostStatistic statistic : ENetConnection.HostStatistic.values()) {
                    connection.popStatistic(statistic);
                }
                measuredFrom = System.nanoTime();
                exchange(connection, count, warmup);
                measuredTo = System.nanoTime();
                datagramsSent = (long) connection.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_SENT_PACKETS);
                datagramsReceived = (long) connection.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_PACKETS);
                if (failure == null) {
                    for (Stream s : streams) {
                        s.peer.peerDisconnect(0);
                    }
                    long end = System.nanoTime() + 3_000_000_000L;
                    int left = streams.length;
                    while (left > 0 && System.nanoTime() < end) {
                        if (connection.service(10).type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                            left--;
                        }
                    }
                }
            } catch (Exception e) {
                failure = "client " + id + ": " + e;
            }
        }

        /**
         * The game-like stream: message i is due at start + i/rate; the loop services the host with a
         * 1 ms timeout (as the bursts do) and sends whatever is due, then waits for the last echo.
         */
        private void stream(ENetConnection connection) {
            Stream s = streams[0];
            s.reset(count);
            long interval = (long) (1e9 / streamRate);
            long start = System.nanoTime();
            long lastProgress = start;
            measuredFrom = start;
            while (s.nextExpected < count) {
                long now = System.nanoTime();
                while (s.nextToSend < count && start + s.nextToSend * interval - now <= 0) {
                    fill(sendBuffer, s.nextToSend, size);
                    s.sentAt[s.nextToSend] = System.nanoTime();
                    s.peer.send(channel, sendBuffer, 0, size, ENetPacketPeer.FLAG_RELIABLE);
                    s.nextToSend++;
                    sent++;
                }
                ENetEvent e = connection.service(1);
                while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                        failure = "client " + id + " disconnected after " + echoed + " echoes";
                        return;
                    }
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        int length = receive(e);
                        if (length < 0) {
                            return;
                        }
                        byte[] p = receiveArray;
                        int seq = length >= 4 ? ((p[0] & 0xFF) << 24 | (p[1] & 0xFF) << 16 | (p[2] & 0xFF) << 8 | (p[3] & 0xFF)) : -1;
                        if (seq < 0 || seq >= s.nextToSend || !matches(p, length, seq, size, expected)) {
                            failure = "client " + id + " got a corrupt echo (seq " + seq + ", " + length + " bytes)";
                            return;
                        }
                        if (seq != s.nextExpected) {
                            failure = "client " + id + " got reliable echo " + seq + " but expected " + s.nextExpected + " (order broken)";
                            return;
                        }
                        long echoAt = System.nanoTime();
                        rtts[rttCount++] = echoAt - s.sentAt[seq];
                        s.nextExpected++;
                        echoed++;
                        progress.incrementAndGet();
                        maxGapNanos = Math.max(maxGapNanos, echoAt - lastProgress);
                        lastProgress = echoAt;
                    }
                    e = connection.checkEvents();
                }
                if (System.nanoTime() - lastProgress > timeoutMs * 1_000_000L) {
                    failure = "client " + id + " made no progress for " + timeoutMs + " ms (" + echoed + "/" + count + " echoed)";
                    return;
                }
            }
            measuredTo = lastProgress;
        }

        /** The bulk transfer: every packet queued at once; done when the server confirms the last. */
        private void bulk(ENetConnection connection) {
            Stream s = streams[0];
            s.reset(count);
            long start = System.nanoTime();
            measuredFrom = start;
            for (int i = 0; i < count; i++) {
                int n = (int) Math.max(BULK_HEADER, Math.min(size, bulkBytes - sentBytes));
                fill(sendBuffer, i, n);
                System.arraycopy(BULK_MARKER, 0, sendBuffer, 0, BULK_MARKER.length);
                sendBuffer[4] = (byte) (i >>> 24);
                sendBuffer[5] = (byte) (i >>> 16);
                sendBuffer[6] = (byte) (i >>> 8);
                sendBuffer[7] = (byte) i;
                sendBuffer[8] = (byte) ((i + 1) % 64 == 0 || i == count - 1 ? 1 : 0);
                s.sentAt[i] = System.nanoTime();
                s.peer.send(channel, sendBuffer, 0, n, ENetPacketPeer.FLAG_RELIABLE);
                sentBytes += n;
            }
            int last = -1;
            long lastProgress = start;
            while (last < count - 1) {
                ENetEvent e = connection.service(1);
                while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                        failure = "client " + id + " disconnected after " + (last + 1) + " packets confirmed";
                        return;
                    }
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        int length = receive(e);
                        if (length < 0) {
                            return;
                        }
                        byte[] p = receiveArray;
                        int seq = length == BULK_HEADER && isBulk(p, length)
                                ? (p[4] & 0xFF) << 24 | (p[5] & 0xFF) << 16 | (p[6] & 0xFF) << 8 | (p[7] & 0xFF) : -1;
                        if (seq <= last || seq >= count) {
                            failure = "client " + id + " got a bad bulk reply (seq " + seq + " after " + last + ", " + length + " bytes)";
                            return;
                        }
                        long at = System.nanoTime();
                        rtts[rttCount++] = at - s.sentAt[seq];
                        last = seq;
                        echoed++;
                        progress.incrementAndGet();
                        maxGapNanos = Math.max(maxGapNanos, at - lastProgress);
                        lastProgress = at;
                    }
                    e = connection.checkEvents();
                }
                if (System.nanoTime() - lastProgress > timeoutMs * 1_000_000L) {
                    failure = "client " + id + " made no progress for " + timeoutMs + " ms (" + (last + 1) + "/" + count + " confirmed)";
                    return;
                }
            }
            measuredTo = lastProgress;
        }

        /** Copies the received packet into {@link #receiveArray}; -1 (with a failure) if it is longer. */
        private int receive(ENetEvent e) {
            receiveBuffer.clear();
            try {
                return e.peer().getPacket(receiveBuffer);
            } catch (java.nio.BufferOverflowException tooLong) {
                failure = "client " + id + " got a packet longer than " + size + " bytes";
                return -1;
            }
        }

        /** Each stream sends {@code count} packets numbered from {@code base}; echoes numbered below it are stale warmup. */
        private void exchange(ENetConnection connection, int count, int base) {
            int payloadPerFragment = 1392 - 28;
            int flags = Options.flags(mode, size, payloadPerFragment);
            boolean reliable = "reliable".equals(mode);
            boolean sequenced = "unreliable".equals(mode);
            Map<ENetPacketPeer, Stream> byPeer = new IdentityHashMap<>();
            for (Stream s : streams) {
                s.reset(count);
                byPeer.put(s.peer, s);
            }
            long total = (long) count * streams.length;
            long finished = 0;
            long lastProgress = System.nanoTime();
            while (finished < total) {
                for (Stream s : streams) {
                    while (s.inFlight < window && s.nextToSend < count) {
                        s.sentAt[s.nextToSend] = System.nanoTime();
                        fill(sendBuffer, base + s.nextToSend, size);
                        s.peer.send(channel, sendBuffer, 0, size, flags);
                        s.nextToSend++;
                        s.inFlight++;
                    }
                }
                ENetEvent e = connection.service(1);
                while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                        failure = "client " + id + " disconnected by the server after " + echoed + " echoes";
                        return;
                    }
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        Stream s = streams.length == 1 ? streams[0] : byPeer.get(e.peer());
                        // The allocation-free receive path: the packet is copied into a reused buffer.
                        receiveBuffer.clear();
                        int length;
                        try {
                            length = e.peer().getPacket(receiveBuffer);
                        } catch (java.nio.BufferOverflowException tooLong) {
                            failure = "client " + id + " got an echo longer than " + size + " bytes";
                            return;
                        }
                        byte[] p = receiveArray;
                        int wire = length >= 4 ? ((p[0] & 0xFF) << 24 | (p[1] & 0xFF) << 16 | (p[2] & 0xFF) << 8 | (p[3] & 0xFF)) : -1;
                        boolean intact = matches(p, length, wire, size, expected);
                        if (wire >= 0 && wire < base && intact) {
                            e = connection.checkEvents();
                            continue;
                        }
                        int seq = wire - base;
                        if (s == null || seq < 0 || seq >= s.nextToSend || !intact) {
                            failure = "client " + id + " got a corrupt echo (seq " + seq + ", " + length + " bytes)";
                            return;
                        }
                        if (e.channel() != channel) {
                            failure = "client " + s.id + " got echo " + seq + " on channel " + e.channel();
                            return;
                        }
                        if (reliable && seq != s.nextExpected) {
                            failure = "client " + s.id + " got reliable echo " + seq + " but expected " + s.nextExpected + " (order broken)";
                            return;
                        }
                        if (s.answered[seq]) {
                            failure = "client " + s.id + " got echo " + seq + " twice";
                            return;
                        }
                        if (sequenced && seq < s.lastEchoed) {
                            failure = "client " + s.id + " got unreliable echo " + seq + " after " + s.lastEchoed + " (out of order)";
                            return;
                        }
                        if (s.markedLost[seq]) {
                            // Already counted as lost; arrived late. Count it as echoed instead.
                            lost--;
                            finished--;
                            s.inFlight++;
                        }
                        s.answered[seq] = true;
                        s.lastEchoed = Math.max(s.lastEchoed, seq);
                        rtts[rttCount++] = System.nanoTime() - s.sentAt[seq];
                        if (reliable) {
                            s.nextExpected++;
                        }
                        echoed++;
                        finished++;
                        s.inFlight--;
                        long echoAt = System.nanoTime();
                        if (count == BenchCommand.this.count) {
                            progress.incrementAndGet();
                            maxGapNanos = Math.max(maxGapNanos, echoAt - lastProgress);
                        }
                        lastProgress = echoAt;
                    }
                    e = connection.checkEvents();
                }
                if (!reliable) {
                    long now = System.nanoTime();
                    for (Stream s : streams) {
                        while (s.nextExpected < s.nextToSend && (s.answered[s.nextExpected] || s.markedLost[s.nextExpected]
                                || now - s.sentAt[s.nextExpected] > LOSS_AFTER_NANOS)) {
                            if (!s.answered[s.nextExpected] && !s.markedLost[s.nextExpected]) {
                                s.markedLost[s.nextExpected] = true;
                                lost++;
                                finished++;
                                s.inFlight--;
                            }
                            s.nextExpected++;
                        }
                    }
                }
                if (System.nanoTime() - lastProgress > timeoutMs * 1_000_000L) {
                    failure = "client " + id + " made no progress for " + timeoutMs + " ms (" + echoed + "/" + total + " echoed)";
                    return;
                }
            }
        }
    }
}

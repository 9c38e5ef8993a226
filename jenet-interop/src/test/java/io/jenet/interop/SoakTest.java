package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_NONE;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.cli.ImpairmentRelay;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Soak: 500 peers with mixed traffic (reliable echoes of 16 B – 5 kB, unreliable sequenced,
 * unsequenced) through our impairment relay at 5 % loss and 1 % duplication, for
 * {@code -Djenet.soak.seconds} (30 by default; {@code ./mvnw -Psoak verify} runs 600). Every reliable
 * packet comes back once and in order, sequenced packets never go backwards, unsequenced ones are
 * never delivered twice, and most of both arrive (at least (1 - loss)² less a margin of 0.25 of the
 * ones sent: each peer sends every 100 ms, far apart against the relay's 4 ms of jitter, so only
 * loss and the sender's throttle take them); no peer drops out; heap, file handles and threads are
 * flat between the first quarter of the run and its end.
 */
class SoakTest {
    private static final int PEERS = 500;
    private static final int TICK_MS = 100;

    private static long seconds() {
        return Long.getLong("jenet.soak.seconds", 30);
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static int openFiles() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** The packet every channel carries: peer index, sequence, then filler derived from both. */
    private static byte[] packet(int peer, int seq, int length) {
        byte[] b = new byte[Math.max(8, length)];
        ByteBuffer.wrap(b).putInt(peer).putInt(seq);
        for (int i = 8; i < b.length; i++) {
            b[i] = (byte) (peer * 31 + seq * 7 + i);
        }
        return b;
    }

    private static boolean intact(byte[] b) {
        ByteBuffer in = ByteBuffer.wrap(b);
        int peer = in.getInt();
        int seq = in.getInt();
        for (int i = 8; i < b.length; i++) {
            if (b[i] != (byte) (peer * 31 + seq * 7 + i)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void fiveHundredPeersOfMixedTrafficAtFivePercentLoss() throws Exception {
        AtomicReference<String> serverError = new AtomicReference<>();
        ENetConnection server = new ENetConnection();
        server.createHostBound("127.0.0.1", 0, PEERS + 12, 3);
        int[] lastSequenced = new int[PEERS];
        Arrays.fill(lastSequenced, -1);
        long[][] unsequencedSeen = new long[PEERS][];
        for (int i = 0; i < PEERS; i++) {
            unsequencedSeen[i] = new long[1 << 12];
        }
        AtomicLongArray serverCounts = new AtomicLongArray(3);
        Thread serverThread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (ENetEvent e = server.service(1); e.type() != EVENT_NONE; e = server.service(0)) {
                    if (e.type() == EVENT_DISCONNECT) {
                        serverError.compareAndSet(null, "server saw a disconnect");
                    } else if (e.type() == EVENT_RECEIVE) {
                        byte[] p = e.peer().getPacket();
                        ByteBuffer in = ByteBuffer.wrap(p);
                        int peer = in.getInt();
                        int seq = in.getInt();
                        if (!intact(p) || peer < 0 || peer >= PEERS) {
                            serverError.compareAndSet(null, "corrupt packet on channel " + e.channel());
                            continue;
                        }
                        serverCounts.incrementAndGet(e.channel());
                        if (e.channel() == 0) {
                            e.peer().send(0, p, ENetPacketPeer.FLAG_RELIABLE);
                        } else if (e.channel() == 1) {
                            if (seq <= lastSequenced[peer]) {
                                serverError.compareAndSet(null, "sequenced packet " + seq + " after " + lastSequenced[peer]);
                            }
                            lastSequenced[peer] = seq;
                        } else {
                            long[] seen = unsequencedSeen[peer];
                            int bit = seq & ((seen.length << 6) - 1);
                            if ((seen[bit >>> 6] & (1L << bit)) != 0) {
                                serverError.compareAndSet(null, "unsequenced packet " + seq + " of peer " + peer + " twice");
                            }
                            seen[bit >>> 6] |= 1L << bit;
                        }
                    }
                }
            }
        }, "soak-server");
        serverThread.start();

        try (ImpairmentRelay relay = new ImpairmentRelay(new InetSocketAddress("127.0.0.1", server.getLocalPort()),
                0.0, 0.0, 1, 4, 7);
                ENetConnection clients = new ENetConnection()) {
            clients.createHost(PEERS, 3);
            ENetPacketPeer[] peers = new ENetPacketPeer[PEERS];
            java.util.Map<ENetPacketPeer, Integer> index = new java.util.IdentityHashMap<>();
            for (int i = 0; i < PEERS; i++) {
                peers[i] = clients.connectToHost("127.0.0.1", relay.port(), 3, i);
                index.put(peers[i], i);
            }
            int connected = 0;
            int[] nextEcho = new int[PEERS];
            int[] sentReliable = new int[PEERS];
            int[] sentOther = new int[PEERS];
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (connected < PEERS) {
                assertThat(System.nanoTime()).as("500 peers connected within 60 s").isLessThan(deadline);
                for (ENetEvent e = clients.service(1); e.type() != EVENT_NONE; e = clients.service(0)) {
                    if (e.type() == EVENT_CONNECT) {
                        e.peer().setTimeout(1024, 30_000, 60_000);
                        connected++;
                    }
                }
            }
            relay.impair(0.05, 0.01);

            SplittableRandom random = new SplittableRandom(11);
            long start = System.nanoTime();
            long end = start + seconds() * 1_000_000_000L;
            long quarter = start + seconds() * 250_000_000L;
            long heapAtQuarter = -1;
            int filesAtQuarter = -1;
            int threadsAtQuarter = -1;
            long nextTick = start;
            int tick = 0;
            while (System.nanoTime() < end || Arrays.stream(nextEcho).sum() < Arrays.stream(sentReliable).sum()) {
                long now = System.nanoTime();
                assertThat(now).as("every reliable echo back within 120 s of the end").isLessThan(end + 120_000_000_000L);
                if (now < end && now >= nextTick) {
                    // A tenth of the peers per 10 ms: each peer sends every TICK_MS.
                    for (int i = tick % 10; i < PEERS; i += 10) {
                        int size = random.nextInt(20) == 0 ? 5000 : 16 + random.nextInt(600);
                        peers[i].send(0, packet(i, sentReliable[i]++, size), ENetPacketPeer.FLAG_RELIABLE);
                        int seq = sentOther[i]++;
                        peers[i].send(1, packet(i, seq, 40), 0);
                        peers[i].send(2, packet(i, seq, 40), ENetPacketPeer.FLAG_UNSEQUENCED);
                    }
                    tick++;
                    nextTick += TICK_MS * 100_000L;
                }
                if (heapAtQuarter < 0 && now >= quarter) {
                    heapAtQuarter = usedHeapAfterGc();
                    filesAtQuarter = openFiles();
                    threadsAtQuarter = ManagementFactory.getThreadMXBean().getThreadCount();
                }
                for (ENetEvent e = clients.service(0); e.type() != EVENT_NONE; e = clients.service(0)) {
                    assertThat(e.type()).as("no peer drops out").isEqualTo(EVENT_RECEIVE);
                    int i = index.get(e.peer());
                    byte[] p = e.peer().getPacket();
                    assertThat(intact(p)).isTrue();
                    ByteBuffer in = ByteBuffer.wrap(p);
                    assertThat(in.getInt()).isEqualTo(i);
                    assertThat(in.getInt()).as("reliable echo order of peer %d", i).isEqualTo(nextEcho[i]++);
                }
                assertThat(serverError.get()).isNull();
                LockSupport.parkNanos(200_000); // pacing of the load, not synchronisation
            }
            long heapAtEnd = usedHeapAfterGc();
            int filesAtEnd = openFiles();
            int threadsAtEnd = ManagementFactory.getThreadMXBean().getThreadCount();
            long reliable = Arrays.stream(sentReliable).sum();
            System.out.printf("[soak] %d s, %d peers, 5 %% loss: %d reliable echoed in order, server got %d reliable, %d sequenced,"
                    + " %d unsequenced (of %d each); relay dropped %d of %d; heap %d -> %d KiB, files %d -> %d, threads %d -> %d%n",
                    seconds(), PEERS, reliable, serverCounts.get(0), serverCounts.get(1), serverCounts.get(2), Arrays.stream(sentOther).sum(),
                    relay.dropped(), relay.forwarded() + relay.dropped(), heapAtQuarter / 1024, heapAtEnd / 1024,
                    filesAtQuarter, filesAtEnd, threadsAtQuarter, threadsAtEnd);
            assertThat(Arrays.stream(nextEcho).sum()).isEqualTo(reliable);
            assertThat(serverError.get()).isNull();
            assertThat(serverCounts.get(0)).as("reliable packets at the server").isEqualTo(reliable);
            long other = Arrays.stream(sentOther).sum();
            long atLeast = (long) Math.floor(other * (0.95 * 0.95 - 0.25));
            assertThat(serverCounts.get(1)).as("sequenced packets delivered of %d sent at 5 %% loss", other)
                    .isBetween(Math.max(1, atLeast), other);
            assertThat(serverCounts.get(2)).as("unsequenced packets delivered of %d sent at 5 %% loss", other)
                    .isBetween(Math.max(1, atLeast), other);
            assertThat(relay.dropped()).as("the link really lost datagrams").isPositive();
            assertThat(heapAtEnd - heapAtQuarter).as("heap growth, bytes").isLessThan(16L << 20);
            assertThat(filesAtEnd).as("open files").isLessThanOrEqualTo(filesAtQuarter + 2);
            assertThat(threadsAtEnd).as("threads").isLessThanOrEqualTo(threadsAtQuarter);
        } finally {
            serverThread.interrupt();
            serverThread.join(10_000);
            server.destroy();
        }
    }
}

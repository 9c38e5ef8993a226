package io.jenet.interop;

import static io.jenet.internal.protocol.Protocol.CONNECT_SIZE;
import static io.jenet.internal.protocol.Protocol.HEADER_FLAG_SENT_TIME;
import static io.jenet.internal.protocol.Protocol.MAXIMUM_PEER_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetConnection.EventType;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.Wire;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A spoofed CONNECT flood over real UDP: thousands of CONNECTs per second from many loopback
 * addresses and ports (127.0.0.0/8) that never complete the handshake, while 50 honest jenet
 * clients connect and exchange a reliable packet with the server. The same flood against a jenet
 * server and against C ENet 1.3.17 (our enetpeer program on Debian's libenet): jenet must let
 * ≥ 99 % of the honest clients in while the flood runs, with its pending handshakes bounded and its
 * heap flat; C ENet lets none in (its policy refuses newcomers while every slot is held by a pending
 * handshake, and those hold for ~30 s, longer than the flood). Counts, not times, are asserted: the
 * honest clients start once the flood has sent twice the slots, and the flood runs until the test
 * loop ends (6–9 s); how long each took to connect is printed.
 */
class ConnectFloodInteropTest {
    private static final int SLOTS = 256;
    private static final int HONEST = 50;
    private static final int FLOOD_PER_SECOND = 5000;

    /** Sends spoofed CONNECTs from sockets on many 127/8 addresses, moving to new ports as it goes. */
    private static final class Flooder implements AutoCloseable {
        private final InetSocketAddress target;
        private final int perSecond;
        private final int addresses;
        private final Thread thread;
        private volatile boolean stop;
        private volatile long sent;
        private volatile Throwable failure;

        Flooder(InetSocketAddress target, int perSecond, int addresses) {
            this.target = target;
            this.perSecond = perSecond;
            this.addresses = addresses;
            this.thread = new Thread(this::run, "connect-flooder");
            thread.setDaemon(true);
            thread.start();
        }

        private static InetSocketAddress source(int i) {
            return new InetSocketAddress("127.77." + (i / 250) + "." + (1 + i % 250), 0);
        }

        private void run() {
            SplittableRandom random = new SplittableRandom(42);
            DatagramChannel[] sockets = new DatagramChannel[addresses];
            byte[] d = new byte[4 + CONNECT_SIZE];
            ByteBuffer buffer = ByteBuffer.wrap(d);
            long start = System.nanoTime();
            long count = 0;
            try {
                while (!stop) {
                    long due = (System.nanoTime() - start) / 1_000_000L * perSecond / 1000;
                    for (; count < due && !stop; count++) {
                        int i = (int) (count % addresses);
                        if (sockets[i] == null || count % (addresses * 20L) < addresses) {
                            // Every 20 rounds each address moves to a new port: many ports per address.
                            if (sockets[i] != null) {
                                sockets[i].close();
                            }
                            sockets[i] = DatagramChannel.open().bind(source(i));
                        }
                        Wire.put16(d, 0, MAXIMUM_PEER_ID | HEADER_FLAG_SENT_TIME);
                        Wire.put16(d, 2, random.nextInt(0x10000));
                        CommandWriter.connect(d, 4, random.nextInt(MAXIMUM_PEER_ID), 0xFF, 0xFF, 1392, 65536, 2, 0, 0,
                                5000, 2, 2, random.nextInt(), 0);
                        CommandWriter.reliableSequenceNumber(d, 4, 1);
                        buffer.clear();
                        sockets[i].send(buffer, target);
                        sent = count + 1;
                    }
                    LockSupport.parkNanos(500_000); // pacing of the load, not synchronisation
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
            } finally {
                for (DatagramChannel s : sockets) {
                    try {
                        if (s != null) {
                            s.close();
                        }
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
        }

        long sent() {
            return sent;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
            if (failure != null) {
                throw new AssertionError("the flooder failed", failure);
            }
        }
    }

    /** What one flooded run saw. */
    private record Outcome(int started, int connected, int connectedWithin5s, int echoed, long[] connectMillis, long floodSent) {
        String describe() {
            long[] sorted = connectMillis.clone();
            Arrays.sort(sorted);
            long median = sorted[sorted.length / 2];
            return connected + "/" + HONEST + " connected during the flood, " + connectedWithin5s + " within 5 s (median "
                    + (median == Long.MAX_VALUE ? "never" : median + " ms") + "), " + echoed + " echoes, "
                    + floodSent + " spoofed CONNECTs";
        }
    }

    /**
     * Starts the flood against {@code port}, then one honest client every 20 ms from 0.5 s in; each
     * sends one reliable packet once connected and waits for its echo. {@code serverStep} services a
     * server living on this thread (or does nothing for a server in another process).
     */
    private static Outcome honestClientsUnderFlood(int port, int floodAddresses, Runnable serverStep, Runnable sample)
            throws Exception {
        List<ENetConnection> clients = new ArrayList<>();
        ENetPacketPeer[] peers = new ENetPacketPeer[HONEST];
        long[] startedAt = new long[HONEST];
        long[] connectMillis = new long[HONEST];
        Arrays.fill(connectMillis, Long.MAX_VALUE);
        boolean[] echoed = new boolean[HONEST];
        byte[] hello = new byte[32];
        long flooded;
        int started = 0;
        try (Flooder flooder = new Flooder(new InetSocketAddress("127.0.0.1", port), FLOOD_PER_SECOND, floodAddresses)) {
            long start = System.nanoTime();
            long deadline = start + 9_000_000_000L;
            long lastSample = 0;
            while (System.nanoTime() < deadline) {
                long elapsedMs = (System.nanoTime() - start) / 1_000_000L;
                if (started < HONEST && elapsedMs >= 500 + 20L * started && flooder.sent() >= 2L * SLOTS) {
                    ENetConnection c = new ENetConnection();
                    c.createHost(1, 2);
                    clients.add(c);
                    startedAt[started] = System.nanoTime();
                    peers[started] = c.connectToHost("127.0.0.1", port, 2, started);
                    started++;
                }
                serverStep.run();
                for (int i = 0; i < clients.size(); i++) {
                    ENetConnection c = clients.get(i);
                    for (ENetEvent e = c.service(0); e.type() != EventType.EVENT_NONE; e = c.service(0)) {
                        if (e.type() == EventType.EVENT_CONNECT) {
                            connectMillis[i] = (System.nanoTime() - startedAt[i]) / 1_000_000L;
                            Arrays.fill(hello, (byte) i);
                            e.peer().send(0, hello, ENetPacketPeer.FLAG_RELIABLE);
                        } else if (e.type() == EventType.EVENT_RECEIVE) {
                            byte[] back = e.peer().getPacket();
                            byte[] expected = new byte[32];
                            Arrays.fill(expected, (byte) i);
                            echoed[i] |= Arrays.equals(back, expected);
                        }
                    }
                }
                if (elapsedMs - lastSample >= 20) {
                    sample.run();
                    lastSample = elapsedMs;
                }
                int done = 0;
                for (boolean b : echoed) {
                    done += b ? 1 : 0;
                }
                if (done == HONEST && elapsedMs > 6000) {
                    break;
                }
                LockSupport.parkNanos(200_000); // pacing: 50 hosts polled without a selector
            }
            flooded = flooder.sent();
        } finally {
            for (ENetConnection c : clients) {
                c.destroy();
            }
        }
        int connected = 0;
        int within = 0;
        int echoes = 0;
        for (int i = 0; i < HONEST; i++) {
            connected += connectMillis[i] != Long.MAX_VALUE ? 1 : 0;
            within += connectMillis[i] <= 5000 ? 1 : 0;
            echoes += echoed[i] ? 1 : 0;
        }
        assertThat(started).as("honest clients started while the flood ran").isEqualTo(HONEST);
        return new Outcome(started, connected, within, echoes, connectMillis, flooded);
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A jenet server serviced on this thread: echoes every packet, tracks its pending handshakes. */
    private static final class JenetServer {
        final ENetConnection connection = new ENetConnection();
        int peakPending;

        void step() {
            for (ENetEvent e = connection.service(0); e.type() != EventType.EVENT_NONE; e = connection.service(0)) {
                if (e.type() == EventType.EVENT_RECEIVE) {
                    e.peer().send(e.channel(), e.peer().getPacket(), ENetPacketPeer.FLAG_RELIABLE);
                }
            }
        }

        void sample() {
            peakPending = Math.max(peakPending, connection.getPendingHandshakes());
        }
    }

    @Test
    void jenetLetsHonestClientsInDuringASpoofedFloodFromManyAddresses() throws Exception {
        JenetServer server = new JenetServer();
        try (ENetConnection c = server.connection) {
            c.createHostBound("127.0.0.1", 0, SLOTS, 2);
            long heapBefore = usedHeapAfterGc();
            Outcome o = honestClientsUnderFlood(c.getLocalPort(), 500, server::step, server::sample);
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            System.out.println("[flood] jenet server, " + SLOTS + " slots, " + FLOOD_PER_SECOND
                    + " spoofed CONNECT/s from 500 addresses: " + o.describe() + "; pending handshakes peak "
                    + server.peakPending + ", evicted " + c.getEvictedHandshakes() + ", refused "
                    + c.getRefusedConnects() + ", heap growth " + heapGrowth / 1024 + " KiB");
            assertThat(o.floodSent()).as("the flood ran").isGreaterThan(FLOOD_PER_SECOND * 5L);
            assertThat(o.connected()).as("honest clients in during the flood").isGreaterThanOrEqualTo(HONEST * 99 / 100);
            assertThat(o.echoed()).as("honest clients that exchanged data").isGreaterThanOrEqualTo(HONEST * 99 / 100);
            assertThat(server.peakPending).as("pending handshakes bounded by the slots").isLessThanOrEqualTo(SLOTS);
            assertThat(c.getEvictedHandshakes()).as("the flood filled the host and was evicted").isPositive();
            assertThat(heapGrowth).as("heap after the flood").isLessThan(32L << 20);
        }
    }

    @Test
    void oneFloodingAddressIsHeldToItsPerAddressLimit() throws Exception {
        JenetServer server = new JenetServer();
        try (ENetConnection c = server.connection) {
            c.setHalfOpenLimits(8, 0);
            c.createHostBound("127.0.0.1", 0, SLOTS, 2);
            Outcome o = honestClientsUnderFlood(c.getLocalPort(), 1, server::step, server::sample);
            System.out.println("[flood] jenet server, per-address limit 8, " + FLOOD_PER_SECOND
                    + " spoofed CONNECT/s from one address: " + o.describe() + "; pending handshakes peak "
                    + server.peakPending + ", refused " + c.getRefusedConnects() + ", evicted " + c.getEvictedHandshakes());
            assertThat(o.connected()).isEqualTo(HONEST);
            assertThat(o.echoed()).isEqualTo(HONEST);
            // The flooding address never holds more than 8; the rest is honest clients mid-handshake.
            assertThat(server.peakPending).isLessThanOrEqualTo(8 + HONEST);
            assertThat(c.getRefusedConnects()).as("the flood's CONNECTs beyond the limit").isGreaterThan(FLOOD_PER_SECOND * 4L);
            assertThat(c.getEvictedHandshakes()).as("no slot pressure, so nothing evicted").isZero();
        }
    }

    @Test
    void theSameFloodAgainstCEnet() throws Exception {
        NativePeers.enetPeer();
        try (CPeer server = new CPeer()) {
            int port = server.host(0, SLOTS, 2, 0, 0);
            server.cmd("echo 1");
            Outcome o = honestClientsUnderFlood(port, 500, () -> { }, () -> { });
            int cConnects = server.linesStartingWith("connect ").size();
            System.out.println("[flood] C ENet 1.3.17 server, " + SLOTS + " slots, " + FLOOD_PER_SECOND
                    + " spoofed CONNECT/s from 500 addresses: " + o.describe() + "; its connect events " + cConnects);
            assertThat(o.floodSent()).as("the flood ran").isGreaterThan(FLOOD_PER_SECOND * 5L);
            // C ENet's policy, a fact of 1.3.17: the flood holds all 256 slots before the first honest
            // CONNECT, each for ~30 s (its timeout), so nobody gets in while it runs.
            assertThat(o.connected()).as("honest clients C ENet let in during the flood").isZero();
            assertThat(o.echoed()).as("honest clients that exchanged data with C ENet").isZero();
            assertThat(cConnects).as("C's connect events").isZero();
        }
    }
}

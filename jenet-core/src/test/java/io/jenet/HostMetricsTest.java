package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static io.jenet.HostMetrics.DatagramDrop.CHECKSUM;
import static io.jenet.HostMetrics.DatagramDrop.CONNECT_LIMIT;
import static io.jenet.HostMetrics.DatagramDrop.DECOMPRESSION;
import static io.jenet.HostMetrics.DatagramDrop.INVALID;
import static io.jenet.HostMetrics.DatagramDrop.OVERSIZED;
import static io.jenet.HostMetrics.DatagramDrop.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenet.ENetPacketPeer.PeerState;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HostMetrics}: what a snapshot holds (exactly what the host counted, drops by reason),
 * how it is published (interval, on demand, at destroy), and that another thread reading it while
 * the host runs sees consistent, monotonic snapshots.
 */
class HostMetricsTest {
    private final List<ENetConnection> open = new ArrayList<>();

    private ENetConnection host(int peers, boolean server) throws Exception {
        ENetConnection c = new ENetConnection();
        if (server) {
            c.createHostBound("127.0.0.1", 0, peers, 0);
        } else {
            c.createHost(peers, 0);
        }
        open.add(c);
        return c;
    }

    @AfterEach
    void closeAll() {
        open.forEach(ENetConnection::close);
    }

    @Test
    void aSnapshotHoldsWhatTheHostCountedAndStaysMonotonicWhenStatisticsArePopped() throws Exception {
        ENetConnection server = host(8, true);
        ENetConnection[] clients = {host(1, false), host(1, false), host(1, false)};
        Loop loop = new Loop(server, clients[0], clients[1], clients[2]);
        assertThat(server.getMetrics().sequence()).as("nothing published yet").isZero();
        for (ENetConnection c : clients) {
            c.connectToHost("127.0.0.1", server.getLocalPort(), 2, 0);
        }
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 3 && loop.count(clients[2], EVENT_CONNECT) == 1
                && loop.count(clients[0], EVENT_CONNECT) == 1 && loop.count(clients[1], EVENT_CONNECT) == 1, 5000);
        for (ENetConnection c : clients) {
            c.getPeers().get(0).send(1, new byte[700], ENetPacketPeer.FLAG_RELIABLE);
        }
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 3, 5000);

        HostMetrics m = server.publishMetrics();
        assertThat(server.getMetrics()).isSameAs(m);
        assertThat(m.sequence()).isEqualTo(1);
        assertThat(m.peerSlots()).isEqualTo(8);
        assertThat(m.connectedPeers()).isEqualTo(3);
        assertThat(m.peers(PeerState.STATE_DISCONNECTED)).isEqualTo(5);
        assertThat(m.pendingHandshakes()).isZero();
        assertThat(m.roundTripTimes()).hasSize(3).isSorted();
        assertThat(m.packetLosses()).hasSize(3);
        assertThat(m.draining()).isFalse();
        assertThat(m.droppedDatagrams()).isZero();
        assertThat(m.ageMillis()).isBetween(0L, 60_000L);
        // The same thread, no service in between: the snapshot and the host agree to the byte.
        long bytesIn = (long) server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA);
        long datagramsIn = (long) server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_PACKETS);
        long bytesOut = (long) server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_SENT_DATA);
        long datagramsOut = (long) server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_SENT_PACKETS);
        assertThat(m.bytesReceived()).isEqualTo(bytesIn).isGreaterThan(3 * 700);
        assertThat(m.datagramsReceived()).isEqualTo(datagramsIn);
        assertThat(m.bytesSent()).isEqualTo(bytesOut);
        assertThat(m.datagramsSent()).isEqualTo(datagramsOut);
        // Popping zeroed Godot's counters, not the metrics.
        HostMetrics again = server.publishMetrics();
        assertThat(again.sequence()).isEqualTo(2);
        assertThat(again.bytesReceived()).isEqualTo(m.bytesReceived());
        assertThat(again.datagramsSent()).isEqualTo(m.datagramsSent());
        clients[0].getPeers().get(0).send(0, new byte[100], ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 4, 5000);
        HostMetrics later = server.publishMetrics();
        assertThat(later.bytesReceived() - m.bytesReceived())
                .isEqualTo((long) server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA));
        assertThat(later.bytesReceived() - m.bytesReceived()).isGreaterThanOrEqualTo(100);
    }

    @Test
    void droppedDatagramsAreCountedByReason() throws Exception {
        ENetConnection server = new ENetConnection();
        server.setChecksumEnabled(true);
        server.createHostBound("127.0.0.1", 0, 1, 0);
        open.add(server);
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", server.getLocalPort());
        try (DatagramChannel raw = DatagramChannel.open()) {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            for (int i = 0; i < 2; i++) {
                raw.send(ByteBuffer.wrap(new byte[1]), to);                                            // shorter than a header
            }
            for (int i = 0; i < 3; i++) {
                raw.send(ByteBuffer.wrap(new byte[] {0x0F, (byte) 0xFF, 0, 0, 0, 0, 1, 2, 3, (byte) i}), to); // wrong CRC-32
            }
            raw.send(ByteBuffer.wrap(new byte[] {0x4F, (byte) 0xFF, 0, 0, 0, 0, 9, 9}), to);           // compressed, no compressor
            raw.send(ByteBuffer.wrap(new byte[5000]), to);                                             // beyond ENet's 4 KiB
        }
        waitFor(server, () -> server.publishMetrics().droppedDatagrams() == 7);
        HostMetrics m = server.getMetrics();
        assertThat(m.droppedDatagrams(INVALID)).isEqualTo(2);
        assertThat(m.droppedDatagrams(CHECKSUM)).isEqualTo(3);
        assertThat(m.droppedDatagrams(DECOMPRESSION)).isEqualTo(1);
        assertThat(m.droppedDatagrams(OVERSIZED)).isEqualTo(1);
        assertThat(m.droppedDatagrams()).isEqualTo(server.getDroppedDatagrams()).isEqualTo(7);

        // One slot, taken: every CONNECT of a second client is refused by the flood limits.
        ENetConnection first = new ENetConnection();
        first.setChecksumEnabled(true);
        first.createHost(1, 0);
        open.add(first);
        ENetConnection second = new ENetConnection();
        second.setChecksumEnabled(true);
        second.createHost(1, 0);
        open.add(second);
        Loop loop = new Loop(server, first);
        first.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(first, EVENT_CONNECT) == 1, 5000);
        second.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (second.getMetrics().datagramsSent() < 2) {        // its CONNECT and a retransmission
            assertThat(System.nanoTime()).as("the second client resends its CONNECT").isLessThan(deadline);
            second.service(10);
            second.publishMetrics();
        }
        long connects = second.getMetrics().datagramsSent();
        waitFor(server, () -> server.publishMetrics().droppedDatagrams(CONNECT_LIMIT) == connects);
        assertThat(server.getRefusedConnects()).isEqualTo(connects);

        // Refusing new connections: a CONNECT counts as refused, before any limit is looked at.
        server.refuseNewConnections(true);
        ENetConnection third = new ENetConnection();
        third.setChecksumEnabled(true);
        third.createHost(1, 0);
        open.add(third);
        third.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        third.service(0);
        long refused = third.publishMetrics().datagramsSent();
        assertThat(refused).isEqualTo(1);
        waitFor(server, () -> server.publishMetrics().droppedDatagrams(REFUSED) == refused);
        assertThat(server.getMetrics().droppedDatagrams(CONNECT_LIMIT)).isEqualTo(connects);
        assertThat(server.getMetrics().droppedDatagrams()).isEqualTo(server.getDroppedDatagrams()).isEqualTo(7 + connects + refused);
    }

    /** Services {@code c} until the condition holds; fails after 5 s. */
    private static void waitFor(ENetConnection c, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s; now %s", c.getMetrics()).isLessThan(deadline);
            c.service(5);
        }
    }

    @Test
    void theIntervalSpacesPublicationsAndDestroyPublishesTheEnd() throws Exception {
        ENetConnection server = host(4, true);
        for (int i = 0; i < 20; i++) {
            server.service(1);
        }
        assertThat(server.getMetrics().sequence()).as("off by default").isZero();
        server.setMetricsInterval(40);
        server.service(0);
        HostMetrics first = server.getMetrics();
        assertThat(first.sequence()).as("published at the next service").isEqualTo(1);
        while (server.getMetrics().sequence() < 3) {
            server.service(5);
        }
        HostMetrics third = server.getMetrics();
        assertThat(third.publishedAtNanos() - first.publishedAtNanos()).as("two intervals apart at least").isGreaterThanOrEqualTo(80_000_000L);
        ENetConnection client = host(1, false);
        client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        Loop loop = new Loop(server, client);
        loop.until(() -> server.getMetrics().connectedPeers() == 1, 5000);
        server.destroy();
        HostMetrics last = server.getMetrics();
        assertThat(last.sequence()).isGreaterThan(third.sequence());
        assertThat(last.peers(PeerState.STATE_DISCONNECTED)).isEqualTo(4);
        assertThat(last.connectedPeers()).isZero();
        assertThatThrownBy(() -> server.setMetricsInterval(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(server::publishMetrics).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void quantilesAreNearestRankAcrossConnectedPeers() {
        HostMetrics.Builder b = new HostMetrics.Builder();
        b.roundTripTimes = new int[] {10, 20, 30, 40};
        b.packetLosses = new int[] {0, 0, ENetPacketPeer.PACKET_LOSS_SCALE / 4, ENetPacketPeer.PACKET_LOSS_SCALE / 2};
        b.compressionInput = 1000;
        b.compressionOutput = 420;
        HostMetrics m = b.build();
        assertThat(m.roundTripTimeQuantile(0)).isEqualTo(10);
        assertThat(m.roundTripTimeQuantile(0.25)).isEqualTo(10);
        assertThat(m.roundTripTimeQuantile(0.5)).isEqualTo(20);
        assertThat(m.roundTripTimeQuantile(0.75)).isEqualTo(30);
        assertThat(m.roundTripTimeQuantile(0.9)).isEqualTo(40);
        assertThat(m.roundTripTimeQuantile(1)).isEqualTo(40);
        assertThat(m.roundTripTimeMean()).isEqualTo(25.0);
        assertThat(m.packetLossQuantile(0.5)).isEqualTo(0.0);
        assertThat(m.packetLossQuantile(1)).isEqualTo(0.5);
        assertThat(m.packetLossMean()).isEqualTo(0.1875);
        assertThat(m.packetLosses()).containsExactly(0, 0, 0.25, 0.5);
        assertThat(m.compressionRatio()).isEqualTo(0.42);
        int[] copy = m.roundTripTimes();
        copy[0] = 999;
        assertThat(m.roundTripTimes()[0]).as("the snapshot hands out copies").isEqualTo(10);
        assertThatThrownBy(() -> m.roundTripTimeQuantile(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.roundTripTimeQuantile(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        HostMetrics none = new HostMetrics.Builder().build();
        assertThat(none.roundTripTimeQuantile(0.5)).isZero();
        assertThat(none.packetLossMean()).isZero();
        assertThat(none.compressionRatio()).isEqualTo(1.0);
        assertThat(HostMetrics.DatagramDrop.CONNECT_LIMIT.tag()).isEqualTo("connect_limit");
        assertThat(HostMetrics.PacketDrop.WAITING_DATA_FULL.tag()).isEqualTo("waiting_data_full");
    }

    /**
     * The service thread publishes every millisecond while clients come and go and send; another
     * thread reads as fast as it can. Every snapshot it sees adds up, and no counter ever goes
     * back, also across the service thread popping Godot's statistics.
     */
    @Test
    void aConcurrentScrapeLoopSeesConsistentMonotonicSnapshots() throws Exception {
        ENetConnection server = host(16, true);
        server.setMetricsInterval(1);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong sequences = new AtomicLong();
        Thread scraper = new Thread(() -> {
            HostMetrics previous = server.getMetrics();
            try {
                while (running.get()) {
                    HostMetrics m = server.getMetrics();
                    reads.incrementAndGet();
                    if (m == previous) {
                        continue;
                    }
                    sequences.incrementAndGet();
                    checkConsistent(m);
                    assertThat(m.sequence()).isGreaterThan(previous.sequence());
                    assertThat(m.publishedAtNanos() - previous.publishedAtNanos()).isGreaterThanOrEqualTo(0);
                    assertThat(m.datagramsSent()).isGreaterThanOrEqualTo(previous.datagramsSent());
                    assertThat(m.bytesSent()).isGreaterThanOrEqualTo(previous.bytesSent());
                    assertThat(m.datagramsReceived()).isGreaterThanOrEqualTo(previous.datagramsReceived());
                    assertThat(m.bytesReceived()).isGreaterThanOrEqualTo(previous.bytesReceived());
                    assertThat(m.retransmissions()).isGreaterThanOrEqualTo(previous.retransmissions());
                    assertThat(m.droppedDatagrams()).isGreaterThanOrEqualTo(previous.droppedDatagrams());
                    for (HostMetrics.DatagramDrop reason : HostMetrics.DatagramDrop.values()) {
                        assertThat(m.droppedDatagrams(reason)).isGreaterThanOrEqualTo(previous.droppedDatagrams(reason));
                    }
                    previous = m;
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "scraper");
        scraper.start();
        List<ENetConnection> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(host(1, false));
        }
        Loop loop = new Loop(0, concat(server, clients));
        long end = System.nanoTime() + 1_500_000_000L;
        int round = 0;
        long receivedByServer = 0;
        while (System.nanoTime() < end && failure.get() == null) {
            ENetConnection c = clients.get(round % clients.size());
            if (c.getPeers().isEmpty()) {
                c.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
            } else if (c.getPeers().get(0).getState() == PeerState.STATE_CONNECTED) {
                if (round % 37 == 0) {
                    c.getPeers().get(0).peerDisconnect(0);
                } else {
                    c.getPeers().get(0).send(0, new byte[200 + round % 300], ENetPacketPeer.FLAG_RELIABLE);
                }
            }
            if (round % 101 == 0) {
                receivedByServer += (long) server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA);
            }
            loop.pumpOnce(0);
            round++;
        }
        running.set(false);
        scraper.join(5000);
        if (failure.get() != null) {
            throw new AssertionError("scraper saw a bad snapshot", failure.get());
        }
        assertThat(sequences.get()).as("snapshots the scraper saw change").isGreaterThan(50);
        assertThat(reads.get()).isGreaterThan(sequences.get());
        HostMetrics end1 = server.publishMetrics();
        checkConsistent(end1);
        receivedByServer += (long) server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA);
        assertThat(end1.bytesReceived()).as("the metrics count what the pops took").isEqualTo(receivedByServer);
        assertThat(loop.count(server, EVENT_CONNECT)).isGreaterThan(4);
    }

    private static void checkConsistent(HostMetrics m) {
        int sum = 0;
        for (PeerState s : PeerState.values()) {
            sum += m.peers(s);
        }
        assertThat(sum).as("states add up to the slots in %s", m).isEqualTo(m.peerSlots());
        assertThat(m.roundTripTimes()).as("one RTT per connected peer in %s", m).hasSize(m.connectedPeers()).isSorted();
        assertThat(m.packetLosses()).hasSize(m.connectedPeers());
        long reasons = 0;
        for (HostMetrics.DatagramDrop reason : HostMetrics.DatagramDrop.values()) {
            reasons += m.droppedDatagrams(reason);
        }
        assertThat(m.droppedDatagrams()).isEqualTo(reasons);
        assertThat(m.bytesSent()).as("every datagram has at least a header").isGreaterThanOrEqualTo(2 * m.datagramsSent());
    }

    private static ENetConnection[] concat(ENetConnection first, List<ENetConnection> rest) {
        List<ENetConnection> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(new ENetConnection[0]);
    }
}

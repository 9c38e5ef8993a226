package io.jenet.testkit;

import static io.jenet.testkit.Pairs.CLIENT;
import static io.jenet.testkit.Pairs.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetPacketPeer;
import org.junit.jupiter.api.Test;

/** Each impairment of a Link is applied, measured in counts and virtual times. */
class ImpairmentTest {
    /** Sends {@code count} numbered packets from client to server, one per virtual millisecond. */
    private static void stream(SimulatedNetwork net, Endpoint server, Endpoint client, int count, int flags, long drainMillis) {
        int[] next = {0};
        long start = net.now();
        Pairs.run(net, server, client, () -> {
            if (next[0] < count) {
                // The packet carries its send time, so the receiver can measure its delay.
                client.peer.send(0, Endpoint.number((int) net.now()), flags);
                next[0]++;
            }
            return false;
        }, count + drainMillis);
        assertThat(net.now() - start).isEqualTo(count + drainMillis);
    }

    @Test
    void lossDropsItsShareOfDatagrams() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(11);
        Endpoint[] pair = Pairs.connect(net, 1);
        net.setDefaultLink(Link.perfect().withLoss(0.25));
        NetworkStats before = net.stats();
        stream(net, pair[0], pair[1], 2_000, ENetPacketPeer.FLAG_UNSEQUENCED, 100);
        NetworkStats after = net.stats();
        long sent = after.sent() - before.sent();
        long lost = after.lost() - before.lost();
        assertThat(sent).isGreaterThan(2_000);
        assertThat((double) lost / sent).isBetween(0.22, 0.28);
        assertThat(after.delivered() - before.delivered()).isEqualTo(sent - lost);
        // The application sees the loss too: unreliable packets are simply gone.
        assertThat(pair[0].received.size()).isBetween(1_300, 1_700);
    }

    @Test
    void aPerfectLinkLosesNothing() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(11);
        Endpoint[] pair = Pairs.connect(net, 1);
        stream(net, pair[0], pair[1], 2_000, ENetPacketPeer.FLAG_UNSEQUENCED, 100);
        assertThat(net.stats().lost()).isZero();
        assertThat(net.stats().duplicated()).isZero();
        assertThat(pair[0].received).hasSize(2_000);
    }

    @Test
    void duplicationDeliversCopiesThatEnetDiscards() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(12);
        Endpoint[] pair = Pairs.connect(net, 1);
        net.setDefaultLink(Link.perfect().withDuplicate(0.5));
        NetworkStats before = net.stats();
        stream(net, pair[0], pair[1], 500, ENetPacketPeer.FLAG_RELIABLE, 200);
        NetworkStats after = net.stats();
        long sent = after.sent() - before.sent();
        long copies = after.duplicated() - before.duplicated();
        assertThat((double) copies / sent).isBetween(0.44, 0.56);
        assertThat(after.delivered() - before.delivered()).isEqualTo(sent + copies);
        // Every reliable packet once, in order, although half came twice.
        assertThat(pair[0].numbers()).hasSize(500).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void latencyDelaysEveryDatagramByItsOneWayTime() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(13, Link.perfect().withLatency(100));
        Endpoint[] pair = Pairs.connect(net, 1);
        // CONNECT out (100 ms), VERIFY_CONNECT back (100 ms): the client is connected at 200 ms.
        assertThat(pair[1].connectedAt).isEqualTo(200);
        stream(net, pair[0], pair[1], 300, ENetPacketPeer.FLAG_RELIABLE, 200);
        // Queued in a frame, sent at the next frame's service (1 ms later), then 100 ms on the wire.
        assertThat(pair[0].received).hasSize(300).allSatisfy(r ->
                assertThat(r.atMillis() - Endpoint.number(r.data())).isEqualTo(101));
        assertThat(pair[1].peer.getStatistic(ENetPacketPeer.PeerStatistic.PEER_ROUND_TRIP_TIME)).isBetween(200.0, 230.0);
    }

    @Test
    void jitterSpreadsDelaysAndReorders() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(14, Link.perfect().withLatency(50).withJitter(40));
        Endpoint[] pair = Pairs.connect(net, 1);
        stream(net, pair[0], pair[1], 1_000, ENetPacketPeer.FLAG_UNSEQUENCED, 200);
        java.util.List<Integer> sentAt = pair[0].numbers();
        assertThat(sentAt).hasSize(1_000);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        int inversions = 0;
        for (int i = 0; i < sentAt.size(); i++) {
            long delay = pair[0].received.get(i).atMillis() - sentAt.get(i);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
            if (i > 0 && sentAt.get(i) < sentAt.get(i - 1)) {
                inversions++;
            }
        }
        // Delays cover 1 ms in the sender's queue (see the latency test) plus latency … latency + jitter,
        // seen at the receiver's next millisecond frame.
        assertThat(min).isBetween(51L, 52L);
        assertThat(max).isBetween(89L, 92L);
        assertThat(inversions).isGreaterThan(100);
    }

    @Test
    void withoutJitterNothingIsReordered() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(14, Link.perfect().withLatency(50));
        Endpoint[] pair = Pairs.connect(net, 1);
        stream(net, pair[0], pair[1], 1_000, ENetPacketPeer.FLAG_UNSEQUENCED, 200);
        assertThat(pair[0].numbers()).hasSize(1_000).isSorted();
    }

    @Test
    void aBandwidthCapLimitsThroughputAndItsFullQueueDropsTheTail() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(15);
        Endpoint[] pair = Pairs.connect(net, 1);
        // Upstream only: 20 kB/s with an 8 KiB queue; downstream stays perfect.
        net.setLink(CLIENT, SERVER, Link.perfect().withBandwidth(20_000).withQueue(8 * 1024));
        byte[] payload = new byte[1_000];
        NetworkStats before = net.stats();
        int[] sent = {0};
        // 100 kB/s offered for 5 s: five times the cap.
        Pairs.run(net, pair[0], pair[1], () -> {
            if (net.now() % 10 == 0 && sent[0] < 500) {
                pair[1].peer.send(0, payload, ENetPacketPeer.FLAG_UNSEQUENCED);
                sent[0]++;
            }
            return false;
        }, 5_000);
        long bytes = 0;
        for (Endpoint.Received r : pair[0].received) {
            bytes += r.data().length;
        }
        // What got through in 5 s is the cap's worth (less ENet's headers), never more.
        assertThat(bytes).isBetween(85_000L, 100_000L);
        assertThat(net.stats().queueDropped() - before.queueDropped()).isGreaterThan(300);
        // The queue adds its delay: a full 8 KiB queue at 20 kB/s holds about 0.4 s.
        assertThat(pair[1].peer.getStatistic(ENetPacketPeer.PeerStatistic.PEER_ROUND_TRIP_TIME)).isGreaterThan(200.0);
    }
}

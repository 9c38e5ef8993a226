package io.jenet.testkit;

import static io.jenet.testkit.Pairs.CLIENT;
import static io.jenet.testkit.Pairs.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetPacketPeer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** ENet's guarantees over a bad simulated network: reliable delivery, and timeouts. */
class ReliabilityTest {
    @Test
    void reliableDataArrivesCompleteAndInOrderOverThirtyPercentLoss() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(31, Link.perfect().withLoss(0.3).withLatency(20).withJitter(10));
        Endpoint[] pair = Pairs.connect(net, 1);
        Endpoint server = pair[0];
        Endpoint client = pair[1];
        int count = 1_000;
        int[] queued = {0};
        boolean done = Pairs.run(net, server, client, () -> {
            // Ten packets a frame, some large enough to be fragmented.
            for (int i = 0; i < 10 && queued[0] < count; i++, queued[0]++) {
                byte[] packet = queued[0] % 50 == 0 ? new byte[4_000] : new byte[4];
                System.arraycopy(Endpoint.number(queued[0]), 0, packet, 0, 4);
                client.peer.send(0, packet, ENetPacketPeer.FLAG_RELIABLE);
            }
            return server.received.size() == count;
        }, 120_000);
        assertThat(done).as("all delivered within 120 s of virtual time").isTrue();
        assertThat(server.numbers()).containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
        assertThat(server.received).allSatisfy(r -> assertThat(r.data().length).isEqualTo(Endpoint.number(r.data()) % 50 == 0 ? 4_000 : 4));
        assertThat((double) net.stats().lost() / net.stats().sent()).isBetween(0.25, 0.35);
        assertThat(server.disconnects + client.disconnects).isZero();
    }

    @Test
    void aPeerCutOffTimesOutWithinEnetsTimeoutWindow() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(32, Link.perfect().withLatency(25));
        Endpoint[] pair = Pairs.connect(net, 1);
        Endpoint server = pair[0];
        Endpoint client = pair[1];
        Pairs.run(net, server, client, () -> false, 2_000); // a quiet, healthy connection first
        long cut = net.now();
        net.setLinkBetween(CLIENT, SERVER, Link.down());
        assertThat(Pairs.run(net, server, client, () -> server.disconnects == 1 && client.disconnects == 1, 60_000)).isTrue();
        // ENet's defaults: not before its 5 s minimum, and by the first retransmission after its 30 s maximum.
        assertThat(server.disconnectedAt - cut).isBetween(5_000L, 32_000L);
        assertThat(client.disconnectedAt - cut).isBetween(5_000L, 32_000L);
        assertThat(server.log.get(server.log.size() - 1)).endsWith("disconnect data=0");
    }

    @Test
    void aClientThatStopsServicingTimesOutOnTheServer() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(33, Link.perfect().withLatency(25));
        Endpoint[] pair = Pairs.connect(net, 1);
        Endpoint server = pair[0];
        long frozen = net.now();
        // The client's process hangs: its socket still receives (into its queue), nothing answers.
        assertThat(net.runUntil(() -> {
            server.pump();
            return server.disconnects == 1;
        }, 60_000)).isTrue();
        assertThat(server.disconnectedAt - frozen).isBetween(5_000L, 32_000L);
        assertThat(net.stats().receiveOverflows()).isZero();
    }

    @Test
    void aGracefulDisconnectArrivesWithItsData() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(34, Link.perfect().withLatency(40).withLoss(0.2));
        Endpoint[] pair = Pairs.connect(net, 1);
        pair[1].peer.peerDisconnect(42);
        assertThat(Pairs.run(net, pair[0], pair[1], () -> pair[0].disconnects == 1, 10_000)).isTrue();
        assertThat(pair[0].log.get(pair[0].log.size() - 1)).endsWith("disconnect data=42");
    }
}

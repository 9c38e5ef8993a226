package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The per-peer incoming limit on the simulated network: a peer sending ten times the limit has its
 * excess dropped and counted while an honest peer's reliable packets all arrive in order; without
 * the limit everything the flooder sends is taken (ENet's behaviour).
 */
class PeerIncomingLimitTest {
    private static final long LIMIT = 100_000; // bytes per second
    private static final int SECONDS = 4;

    private record Outcome(long floodBytesTaken, long throttled, long honestInOrder) {}

    private static Outcome run(long limit) {
        SimulatedNetwork net = new SimulatedNetwork(3, new SimulatedNetwork.Link().latency(5));
        InetSocketAddress sa = SimulatedNetwork.address(1, 7777);
        Host server = net.addHost(sa, 4, 0, 0, 0);
        server.setPeerIncomingLimit(limit);
        Host flooder = net.addHost(SimulatedNetwork.address(2, 5000), 1, 0, 0, 0);
        Host honest = net.addHost(SimulatedNetwork.address(3, 5000), 1, 0, 0, 0);
        Peer floodPeer = flooder.connect(sa, 2, 1);
        Peer honestPeer = honest.connect(sa, 2, 2);
        assertThat(net.runUntil(() -> net.events(server).size() == 2, 5000)).isTrue();
        byte[] junk = new byte[1000];
        int honestSent = 0;
        // 1 MB/s from the flooder (10 x the limit), a 100-byte reliable packet every 10 ms from the honest peer.
        for (int ms = 0; ms < SECONDS * 1000; ms += 10) {
            for (int k = 0; k < 10; k++) {
                floodPeer.send(1, flooder.createPacket(junk, 0, junk.length, Packet.FLAG_UNSEQUENCED));
            }
            byte[] p = new byte[100];
            p[0] = (byte) honestSent;
            p[1] = (byte) (honestSent >>> 8);
            honestPeer.send(0, honest.createPacket(p, 0, p.length, Packet.FLAG_RELIABLE));
            honestSent++;
            net.runFor(10);
        }
        int sent = honestSent;
        net.runUntil(() -> net.events(server).stream().filter(s -> s.type() == Event.TYPE_RECEIVE && s.channelID() == 0).count() == sent, 30_000);
        long floodBytes = 0;
        java.util.List<Integer> honestSeqs = new java.util.ArrayList<>();
        for (SimulatedNetwork.Seen s : net.events(server)) {
            if (s.type() == Event.TYPE_RECEIVE && s.channelID() == 1) {
                assertThat(s.packet()).as("a flood packet, intact").isEqualTo(junk);
                floodBytes += s.packet().length;
            } else if (s.type() == Event.TYPE_RECEIVE && s.channelID() == 0) {
                int seq = (s.packet()[0] & 0xFF) | (s.packet()[1] & 0xFF) << 8;
                byte[] want = new byte[100];
                want[0] = (byte) seq;
                want[1] = (byte) (seq >>> 8);
                assertThat(s.packet()).as("honest packet %d intact", seq).isEqualTo(want);
                honestSeqs.add(seq);
            }
        }
        // Exactly 0, 1, ..., sent - 1: a reordered, duplicated or missing packet fails here.
        assertThat(honestSeqs).as("honest reliable packets, all of them, once each, in order")
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, sent).boxed().toList());
        long inOrder = honestSeqs.size();
        return new Outcome(floodBytes, server.throttledDatagrams(), inOrder);
    }

    @Test
    void aFloodingPeerIsHeldToTheLimitAndAnHonestPeerIsNotTouched() {
        Outcome limited = run(LIMIT);
        // At most the rate for the run plus one bucket (a quarter second, at least 64 KiB).
        assertThat(limited.floodBytesTaken()).isLessThanOrEqualTo(LIMIT * SECONDS + 65_536);
        assertThat(limited.floodBytesTaken()).as("the limit is a limit, not a wall").isGreaterThan(LIMIT * SECONDS / 2);
        assertThat(limited.throttled()).isPositive();
    }

    @Test
    void withoutALimitEverythingIsTaken() {
        Outcome unlimited = run(0);
        assertThat(unlimited.floodBytesTaken()).isEqualTo(1000L * 10 * 100 * SECONDS);
        assertThat(unlimited.throttled()).isZero();
    }
}

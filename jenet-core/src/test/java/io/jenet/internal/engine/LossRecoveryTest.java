package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.COMMAND_ACKNOWLEDGE;
import static io.jenet.internal.protocol.Protocol.COMMAND_SEND_RELIABLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.DatagramDecoder;
import io.jenet.internal.protocol.DecodedCommand;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pins each of jenet's sender mechanisms ({@link LossRecovery}) on the simulated network, each
 * beside ENet's exact timing on the same seed and schedule: what differs, and by how much.
 */
class LossRecoveryTest {
    private static final int CLIENT_PORT = 50000;

    /** Reliable sequence numbers on channel 0 in a datagram the client sent. */
    private static List<Integer> reliableSent(byte[] datagram) {
        List<Integer> out = new ArrayList<>();
        for (DecodedCommand c : DatagramDecoder.decode(datagram, 0, datagram.length, false).commands()) {
            if (c.number() == COMMAND_SEND_RELIABLE) {
                out.add(c.reliableSequenceNumber());
            }
        }
        return out;
    }

    private static Pair pair(long seed, int latency, boolean exact) {
        Pair p = new Pair(seed, new SimulatedNetwork.Link().latency(latency));
        if (exact) {
            p.exactEnetTiming();
        }
        p.connect(1, 0);
        // Pings for 3 s settle the round-trip estimate; then only the test's traffic is on the wire.
        p.net.runFor(3000);
        p.clientPeer.pingInterval(600_000);
        p.serverPeer.pingInterval(600_000);
        p.net.runFor(1000);
        return p;
    }

    /** Times (virtual ms) at which the client put reliable sequence number {@code seq} on the wire. */
    private static List<Long> sendsOf(Pair p, int seq) {
        List<Long> at = new ArrayList<>();
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (d.from().getPort() == CLIENT_PORT && reliableSent(d.data()).contains(seq)) {
                at.add(d.time());
            }
        }
        return at;
    }

    /**
     * Drops the first datagram carrying one reliable command, then sends another 5 ms later:
     * jenet resends the first as soon as the second's acknowledgement shows it overtaken (a round
     * trip plus the reorder allowance after it was sent), ENet only when its timer expires.
     */
    @ParameterizedTest(name = "exact ENet timing: {0}")
    @ValueSource(booleans = {false, true})
    void aCommandOvertakenByALaterAcknowledgedOneIsResentBeforeItsTimer(boolean exact) {
        Pair p = pair(71, 40, exact);
        Peer peer = p.clientPeer;
        int seq = peer.channel(0).outgoingReliableSequenceNumber + 1;
        Set<Integer> droppedOnce = new HashSet<>();
        p.net.tamper = d -> {
            List<Integer> carried = reliableSent(d);
            return carried.contains(seq) && droppedOnce.add(seq) ? null : d;
        };
        p.net.sent = new ArrayList<>();
        long start = p.net.now();
        int timer = exact ? (int) (peer.roundTripTime + 4 * peer.roundTripTimeVariance) : peer.recovery.retransmissionTimeout(peer);
        int reorder = peer.recovery.reorderThreshold();
        p.send(p.client, peer, 0, Traffic.payload(0, 0, 100), Packet.FLAG_RELIABLE);
        p.net.runFor(5);
        p.send(p.client, peer, 0, Traffic.payload(0, 1, 100), Packet.FLAG_RELIABLE);
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) == 2, 10_000)).isTrue();
        List<Long> sends = sendsOf(p, seq);
        assertThat(sends).hasSize(2);
        long gap = sends.get(1) - sends.get(0);
        if (exact) {
            assertThat(gap).isEqualTo(timer);
            assertThat(peer.earlyRetransmissions()).isZero();
        } else {
            assertThat(reorder).isLessThan(timer);
            assertThat(gap).isEqualTo(reorder);
            assertThat(peer.earlyRetransmissions()).isEqualTo(1);
        }
        assertThat(peer.retransmissions()).isEqualTo(1);
        // The simulation services hosts a millisecond after the call that queued the packet.
        assertThat(sends.get(0)).isEqualTo(start + 1);
    }

    /**
     * One command is dropped six times while the peer keeps acknowledging a steady stream of
     * others: ENet doubles its timer each time (1, 2, 4, 8, 16, 32 ×), jenet at most to twice
     * its current timeout, so the command arrives several seconds sooner.
     */
    @ParameterizedTest(name = "exact ENet timing: {0}")
    @ValueSource(booleans = {false, true})
    void whileThePeerKeepsAcknowledgingTheBackOffIsBounded(boolean exact) {
        Pair p = pair(72, 30, exact);
        Peer peer = p.clientPeer;
        peer.timeout(1 << 20, 600_000, 600_000);
        int seq = peer.channel(0).outgoingReliableSequenceNumber + 1;
        int[] drops = {0};
        p.net.tamper = d -> reliableSent(d).contains(seq) && drops[0]++ < 6 ? null : d;
        p.net.sent = new ArrayList<>();
        p.send(p.client, peer, 0, Traffic.payload(0, 0, 600), Packet.FLAG_RELIABLE);
        long start = p.net.now();
        // A message every 50 ms, each too large to be copied, keeps acknowledgements coming.
        for (int i = 1; p.count(p.server, Event.TYPE_RECEIVE) == 0 && i < 400; i++) {
            p.send(p.client, peer, 0, Traffic.payload(0, i, 600), Packet.FLAG_RELIABLE);
            p.net.runFor(50);
        }
        long delivered = p.events(p.server, Event.TYPE_RECEIVE).get(0).time() - start;
        List<Long> sends = sendsOf(p, seq);
        assertThat(sends).hasSize(7);
        List<Long> gaps = new ArrayList<>();
        for (int k = 1; k < sends.size(); k++) {
            gaps.add(sends.get(k) - sends.get(k - 1));
        }
        if (exact) {
            for (int k = 1; k < gaps.size(); k++) {
                assertThat(gaps.get(k)).as("gap %d", k).isGreaterThanOrEqualTo(2 * gaps.get(k - 1) - 2);
            }
            assertThat(delivered).isGreaterThan(5000);
        } else {
            long bound = 2L * peer.recovery.retransmissionTimeout(peer) + 60;
            assertThat(gaps).allSatisfy(g -> assertThat(g).isLessThanOrEqualTo(bound));
            assertThat(delivered).isLessThan(1500);
        }
    }

    /**
     * A peer that goes silent is declared gone by ENet's rule at the same moment under both
     * timings (5 resends and 5 s, default limits): jenet's bounded back-off needs the peer to be
     * acknowledging, so a silent peer backs off as ENet does.
     */
    @Test
    void aSilentPeerTimesOutWhenEnetWould() {
        long[] at = new long[2];
        for (int i = 0; i < 2; i++) {
            Pair p = pair(73, 25, i == 1);
            p.net.blackholed.add(p.serverAddress);
            long start = p.net.now();
            for (int k = 0; k < 5; k++) {
                p.send(p.client, p.clientPeer, 0, Traffic.payload(0, k, 100), Packet.FLAG_RELIABLE);
            }
            assertThat(p.net.runUntil(() -> p.count(p.client, Event.TYPE_DISCONNECT) == 1, 60_000)).isTrue();
            at[i] = p.events(p.client, Event.TYPE_DISCONNECT).get(0).time() - start;
        }
        assertThat(at[1]).isBetween((long) Peer.TIMEOUT_MINIMUM, (long) Peer.TIMEOUT_MAXIMUM);
        assertThat(at[0]).isBetween((long) Peer.TIMEOUT_MINIMUM, (long) Peer.TIMEOUT_MAXIMUM);
        // Same rule, timers that differ only by jenet's margin: within a few hundred ms of each other.
        assertThat(Math.abs(at[0] - at[1])).isLessThan(800);
    }

    /**
     * A path whose round trip falls from 20 ms to 2 ms: ENet's estimate stops 8 ms above it (an
     * eighth of a difference under 8 truncates to nothing); jenet's follows it down.
     */
    @Test
    void theRoundTripEstimateIsNotTruncated() {
        double[] estimate = new double[2];
        for (int i = 0; i < 2; i++) {
            Pair p = pair(74, 10, i == 1);
            p.link.latency = 1;
            for (int k = 0; k < 200; k++) {
                p.send(p.client, p.clientPeer, 0, Traffic.payload(0, k, 50), Packet.FLAG_RELIABLE);
                p.net.runFor(20);
            }
            estimate[i] = p.clientPeer.roundTripTimeMicros() / 1000.0;
        }
        assertThat(estimate[1]).as("ENet").isBetween(9.0, 10.0);
        assertThat(estimate[0]).as("jenet").isBetween(2.0, 2.5);
    }

    /**
     * After the path has lost something, small reliable messages ride again in the next datagrams
     * (up to three copies), so one lost datagram costs a message only the time to the next one;
     * large ones are not copied. On a clean path nothing is copied.
     */
    @Test
    void copiesRideInLaterDatagramsOnlyAfterLossAndOnlyForSmallMessages() {
        Pair clean = pair(75, 30, false);
        for (int k = 0; k < 100; k++) {
            clean.send(clean.client, clean.clientPeer, 0, Traffic.payload(0, k, 64), Packet.FLAG_RELIABLE);
            clean.net.runFor(16);
        }
        assertThat(clean.clientPeer.redundantCopies()).isZero();

        Pair p = pair(75, 30, false);
        Peer peer = p.clientPeer;
        peer.recovery.lossSeen((int) p.net.now());
        int seq = peer.channel(0).outgoingReliableSequenceNumber + 1;
        boolean[] dropped = {false};
        p.net.tamper = d -> {
            if (!dropped[0] && reliableSent(d).contains(seq)) {
                dropped[0] = true;
                return null;
            }
            return d;
        };
        p.net.sent = new ArrayList<>();
        long start = p.net.now();
        for (int k = 0; k < 20; k++) {
            p.send(p.client, peer, 0, Traffic.payload(0, k, 64), Packet.FLAG_RELIABLE);
            p.net.runFor(16);
        }
        p.net.runFor(500);
        List<SimulatedNetwork.Seen> got = p.events(p.server, Event.TYPE_RECEIVE);
        assertThat(got).extracting(s -> Traffic.seq(s.packet())).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 20).boxed().toList());
        // Lost at once (sent a millisecond after the call), it arrived with the next datagram 16 ms
        // later: one latency after that.
        assertThat(got.get(0).time() - start).isEqualTo(1 + 16 + 30);
        assertThat(sendsOf(p, seq).size()).isBetween(2, 1 + LossRecovery.MAXIMUM_COPIES);
        assertThat(peer.retransmissions()).isZero();
        assertThat(peer.redundantCopies()).isPositive();

        long before = peer.redundantCopies();
        p.send(p.client, peer, 0, Traffic.payload(0, 20, LossRecovery.MAXIMUM_COPY_SIZE), Packet.FLAG_RELIABLE);
        p.net.runFor(16);
        p.send(p.client, peer, 0, Traffic.payload(0, 21, 64), Packet.FLAG_RELIABLE);
        p.net.runFor(2);
        assertThat(peer.redundantCopies()).as("a %d B message is not copied", LossRecovery.MAXIMUM_COPY_SIZE).isEqualTo(before);
    }

    /**
     * A bulk transfer on a 100 ms round trip: ENet never has more than its 64 KiB window in flight,
     * jenet grows it with the bandwidth-delay product and finishes much sooner; on a 2 ms path
     * jenet keeps ENet's window.
     */
    @Test
    void theReliableWindowGrowsWithTheBandwidthDelayProductOnLongPathsOnly() {
        long[] took = new long[2];
        long[] mostInFlight = new long[2];
        for (int i = 0; i < 2; i++) {
            Pair p = pair(76, 50, i == 1);
            long start = p.net.now();
            for (int k = 0; k < 2000; k++) {
                p.send(p.client, p.clientPeer, 0, Traffic.payload(0, k, 1000), Packet.FLAG_RELIABLE);
            }
            while (p.count(p.server, Event.TYPE_RECEIVE) < 2000 && p.net.now() - start < 120_000) {
                p.net.runFor(5);
                mostInFlight[i] = Math.max(mostInFlight[i], p.clientPeer.reliableDataInTransit);
            }
            took[i] = p.net.now() - start;
        }
        assertThat(mostInFlight[1]).as("ENet").isLessThanOrEqualTo(Peer.WINDOW_SIZE_SCALE);
        assertThat(mostInFlight[0]).as("jenet").isGreaterThan(4L * Peer.WINDOW_SIZE_SCALE);
        assertThat(took[0]).as("jenet vs ENet, ms").isLessThan(took[1] / 3);

        Pair near = pair(77, 1, false);
        long most = 0;
        for (int k = 0; k < 1000; k++) {
            near.send(near.client, near.clientPeer, 0, Traffic.payload(0, k, 1000), Packet.FLAG_RELIABLE);
        }
        while (near.count(near.server, Event.TYPE_RECEIVE) < 1000) {
            near.net.runFor(1);
            most = Math.max(most, near.clientPeer.reliableDataInTransit);
        }
        assertThat(most).isLessThanOrEqualTo(Peer.WINDOW_SIZE_SCALE);
    }

    /**
     * Copies make second acknowledgements common. One that arrives while the peer is disconnecting,
     * ahead of the DISCONNECT's own acknowledgement in the same datagram, is skipped; ENet abandons
     * the datagram there, and the disconnect would wait for a timeout.
     */
    @Test
    void aSecondAcknowledgementAheadOfTheDisconnectsDoesNotHideIt() {
        Pair p = pair(78, 20, false);
        p.send(p.client, p.clientPeer, 0, Traffic.payload(0, 0, 64), Packet.FLAG_RELIABLE);
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) == 1, 1000)).isTrue();
        p.net.runFor(100);
        int dataSeq = p.clientPeer.channel(0).outgoingReliableSequenceNumber;
        boolean[] spliced = {false};
        p.net.tamper = d -> {
            boolean ackOfDisconnect = false;
            for (DecodedCommand c : DatagramDecoder.decode(d, 0, d.length, false).commands()) {
                ackOfDisconnect |= c.number() == COMMAND_ACKNOWLEDGE && c.channelID() == 0xFF;
            }
            if (!ackOfDisconnect || spliced[0] || d.length < 4) {
                return d;
            }
            spliced[0] = true;
            // The server's header (2 bytes, 4 with a send time), an acknowledgement of the data
            // packet again, then the server's commands.
            int header = (d[0] & 0x80) != 0 ? 4 : 2;
            byte[] out = new byte[d.length + 8];
            System.arraycopy(d, 0, out, 0, header);
            CommandWriter.acknowledge(out, header, 0, dataSeq, 0);
            System.arraycopy(d, header, out, header + 8, d.length - header);
            return out;
        };
        long start = p.net.now();
        p.clientPeer.disconnect(0);
        assertThat(p.net.runUntil(() -> p.count(p.client, Event.TYPE_DISCONNECT) == 1, 30_000)).isTrue();
        assertThat(spliced[0]).isTrue();
        // One round trip, not a timeout.
        assertThat(p.events(p.client, Event.TYPE_DISCONNECT).get(0).time() - start).isLessThan(200);
    }
}

package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.COMMAND_SEND_RELIABLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.DatagramDecoder;
import io.jenet.internal.protocol.DecodedCommand;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two of ENet's sending rules, exactly. The packet throttle drops unreliable packets by a counter
 * that steps 7 (mod 32) per packet: a packet goes out only when the counter is not above the
 * throttle. A reliable command unacknowledged for its round-trip timeout (RTT + 4 x variance)
 * is resent, and its timeout doubles each time.
 */
class OutgoingRulesTest {
    @ParameterizedTest(name = "throttle {0}")
    @ValueSource(ints = {0, 1, 7, 16, 31, 32})
    void theThrottleCounterPicksWhichUnreliablePacketsGoOut(int throttle) {
        Pair p = new Pair(51, new SimulatedNetwork.Link().latency(5)).connect(2, 0);
        p.net.runFor(200);
        Peer peer = p.clientPeer;
        int before = p.events(p.server, Event.TYPE_RECEIVE).size();
        peer.packetThrottle = throttle;
        peer.packetThrottleCounter = 0;
        for (int i = 1; i <= 32; i++) {
            p.send(p.client, peer, 1, Traffic.payload(1, i, 20), 0);
        }
        p.client.service(p.net.now()); // one pass: the throttle is the one set above
        p.net.runFor(100);
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= 32; i++) {
            if ((7 * i) % 32 <= throttle) {
                expected.add(i);
            }
        }
        List<SimulatedNetwork.Seen> got = p.events(p.server, Event.TYPE_RECEIVE);
        assertThat(got.subList(before, got.size())).extracting(s -> Traffic.seq(s.packet())).containsExactlyElementsOf(expected);
        assertThat(peer.packetThrottleCounter).isZero(); // 32 steps of 7 come back to 0 mod 32
    }

    @ParameterizedTest(name = "RTT {0}, variance {1}")
    @CsvSource({"40, 3, 52", "100, 25, 200", "7, 0, 7"})
    void anUnacknowledgedReliableCommandIsResentAtItsTimeoutWhichThenDoubles(long rtt, long variance, long firstTimeout) {
        Pair p = new Pair(52, new SimulatedNetwork.Link().latency(20)).exactEnetTiming().connect(1, 0);
        p.net.runFor(200);
        Peer peer = p.clientPeer;
        peer.timeout(1 << 20, 600_000, 600_000);
        peer.pingInterval(600_000);
        p.net.runFor(2000);
        peer.roundTripTime = rtt;
        peer.roundTripTimeVariance = variance;
        p.net.blackholed.add(p.serverAddress);
        p.net.sent = new ArrayList<>();
        p.send(p.client, peer, 0, Traffic.payload(0, 1, 100), io.jenet.internal.engine.Packet.FLAG_RELIABLE);
        p.net.runFor(firstTimeout * 16);
        List<Long> sentAt = new ArrayList<>();
        for (SimulatedNetwork.Sent d : p.net.sent) {
            for (DecodedCommand c : DatagramDecoder.decode(d.data(), 0, d.data().length, false).commands()) {
                if (c.number() == COMMAND_SEND_RELIABLE) {
                    sentAt.add(d.time());
                }
            }
        }
        assertThat(sentAt).hasSizeGreaterThanOrEqualTo(4);
        for (int k = 1; k < 4; k++) {
            assertThat(sentAt.get(k) - sentAt.get(k - 1)).as("gap before resend %d", k).isEqualTo(firstTimeout << (k - 1));
        }
        assertThat(peer.packetsLost).isGreaterThanOrEqualTo(3);
    }
}

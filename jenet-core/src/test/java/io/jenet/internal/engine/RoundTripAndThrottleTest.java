package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ENet's round-trip estimate and packet throttle, exactly: the throttle's rule on one sample
 * (enet_peer_throttle), and the estimate a peer reaches on a link of fixed latency, where ENet's
 * integer smoothing gives known numbers. The statistics Godot reads (getStatistic) come from here.
 */
class RoundTripAndThrottleTest {
    private static Peer peer(long lastRtt, long lastVariance, long throttle, long limit, long acceleration, long deceleration) {
        Pair p = new Pair(31, new SimulatedNetwork.Link().latency(5)).exactEnetTiming().connect(1, 0);
        Peer peer = p.clientPeer;
        peer.lastRoundTripTime = lastRtt;
        peer.lastRoundTripTimeVariance = lastVariance;
        peer.packetThrottle = throttle;
        peer.packetThrottleLimit = limit;
        peer.packetThrottleAcceleration = acceleration;
        peer.packetThrottleDeceleration = deceleration;
        return peer;
    }

    @ParameterizedTest(name = "last rtt {0} var {1}, throttle {2}/{3} +{4} -{5}, sample {6} -> {7}, returns {8}")
    @CsvSource({
        // A last RTT not above its variance: back to the limit, "no change" returned.
        "10, 10, 5, 32, 2, 2, 100, 32, 0",
        "10, 11, 5, 20, 2, 2, 1, 20, 0",
        // A sample at or under the last RTT: accelerate, capped at the limit.
        "50, 10, 10, 32, 3, 2, 50, 13, 1",
        "50, 10, 10, 32, 3, 2, 49, 13, 1",
        "50, 10, 31, 32, 3, 2, 20, 32, 1",
        "50, 10, 32, 32, 3, 2, 20, 32, 1",
        // Above last + 2 x variance: decelerate, never below 0.
        "50, 10, 10, 32, 2, 3, 71, 7, -1",
        "50, 10, 3, 32, 2, 3, 71, 0, -1",
        "50, 10, 2, 32, 2, 3, 200, 0, -1",
        "50, 10, 4, 32, 2, 3, 200, 1, -1",
        // In between: unchanged.
        "50, 10, 10, 32, 2, 3, 70, 10, 0",
        "50, 10, 10, 32, 2, 3, 51, 10, 0",
    })
    void throttleFollowsEnetsRule(long lastRtt, long lastVariance, long throttle, long limit, long acceleration, long deceleration,
                                 long sample, long expected, int returned) {
        Peer peer = peer(lastRtt, lastVariance, throttle, limit, acceleration, deceleration);
        assertThat(peer.throttle(sample)).isEqualTo(returned);
        assertThat(peer.packetThrottle).isEqualTo(expected);
        assertThat(peer.statistic(7)).isEqualTo(expected);
    }

    /**
     * Fixed 20 ms each way, no jitter, no loss: every sample is 40 ms. The first sets the RTT to 40
     * and the variance to (40 + 1) / 2 = 20; each further one leaves the RTT and takes a quarter
     * (rounded down) off the variance: 20, 15, 12, 9, 7, 6, 5, 4, 3, 3, ... which stops at 3.
     */
    @Test
    void aFixedLatencyLinkGivesEnetsIntegerEstimate() {
        Pair p = new Pair(32, new SimulatedNetwork.Link().latency(20)).exactEnetTiming().connect(1, 0);
        p.clientPeer.pingInterval(100);
        p.serverPeer.pingInterval(100);
        // Three throttle intervals (5 s each): the last one's highest variance is the settled 3.
        p.net.runFor(16_000);
        for (Peer peer : new Peer[] {p.clientPeer, p.serverPeer}) {
            assertThat(peer.roundTripTime()).isEqualTo(40);
            assertThat(peer.statistic(3)).isEqualTo(40);
            assertThat(peer.statistic(4)).as("variance").isEqualTo(3);
            assertThat(peer.lowestRoundTripTime).isEqualTo(40);
            assertThat(peer.statistic(5)).as("last RTT (lowest of the last throttle interval)").isEqualTo(40);
            assertThat(peer.statistic(6)).as("last variance (highest of the last interval, at least 1)").isEqualTo(3);
            assertThat(peer.statistic(7)).as("throttle").isEqualTo(Peer.DEFAULT_PACKET_THROTTLE);
            assertThat(peer.statistic(8)).as("throttle limit").isEqualTo(Peer.PACKET_THROTTLE_SCALE);
            assertThat(peer.statistic(11)).isEqualTo(Peer.PACKET_THROTTLE_ACCELERATION);
            assertThat(peer.statistic(12)).isEqualTo(Peer.PACKET_THROTTLE_DECELERATION);
            assertThat(peer.statistic(13)).isEqualTo(Peer.PACKET_THROTTLE_INTERVAL);
            assertThat(peer.statistic(0)).as("packet loss").isZero();
        }
    }

    /** The first samples one by one: 40 then the variance's quarter-steps, RTT unmoved. */
    @Test
    void theVarianceDecaysByAQuarterPerSample() {
        Pair p = new Pair(33, new SimulatedNetwork.Link().latency(20)).exactEnetTiming().connect(1, 0);
        // The handshake gave the first samples; reset to ENet's starting state and feed pings.
        Peer peer = p.clientPeer;
        peer.lastReceiveTime = 0;
        long[] variances = {20, 15, 12, 9, 7, 6, 5, 4, 3, 3};
        p.clientPeer.pingInterval(1000);
        p.serverPeer.pingInterval(60_000);
        for (long variance : variances) {
            long sent = p.net.delivered;
            peer.ping();
            assertThat(p.net.runUntil(() -> p.net.delivered >= sent + 2, 1000)).isTrue();
            p.net.runFor(5);
            assertThat(peer.roundTripTime()).isEqualTo(40);
            assertThat(peer.roundTripTimeVariance).isEqualTo(variance);
        }
    }

    /** A slower sample raises the estimate by an eighth of the gap, a faster one lowers it so. */
    @Test
    void samplesMoveTheEstimateByAnEighth() {
        Pair p = new Pair(34, new SimulatedNetwork.Link().latency(20)).exactEnetTiming().connect(1, 0);
        Peer peer = p.clientPeer;
        peer.roundTripTime = 100;
        peer.roundTripTimeVariance = 40;
        peer.lastReceiveTime = 1;
        long before = p.net.delivered;
        peer.ping();
        assertThat(p.net.runUntil(() -> p.net.delivered >= before + 2, 1000)).isTrue();
        p.net.runFor(5);
        // Sample 40 < 100: variance 40 - 10 + 60 / 4 = 45, RTT 100 - 60 / 8 = 93.
        assertThat(peer.roundTripTimeVariance).isEqualTo(45);
        assertThat(peer.roundTripTime()).isEqualTo(93);
        peer.roundTripTime = 8;
        peer.roundTripTimeVariance = 8;
        long again = p.net.delivered;
        peer.ping();
        assertThat(p.net.runUntil(() -> p.net.delivered >= again + 2, 1000)).isTrue();
        p.net.runFor(5);
        // Sample 40 >= 8: variance 8 - 2 + 32 / 4 = 14, RTT 8 + 32 / 8 = 12.
        assertThat(peer.roundTripTimeVariance).isEqualTo(14);
        assertThat(peer.roundTripTime()).isEqualTo(12);
    }

    /**
     * Every 10 s of sending, ENet folds the share of reliable sends lost into a smoothed loss
     * (out of 65536): new = lost * 65536 / sent, variance = (3 variance + |new - loss|) / 4,
     * loss = (7 loss + new) / 8. The ping that triggers the update counts as one more sent.
     */
    @ParameterizedTest(name = "loss {0} var {1}, lost {2} of {3} -> loss {4} var {5}")
    @CsvSource({
        "0, 0, 25, 100, 2027, 4055",
        "4000, 100, 10, 99, 4319, 713",
        "20000, 100, 10, 99, 18319, 3436",
        "0, 0, 0, 99, 0, 0",
    })
    void packetLossIsSmoothedEveryTenSeconds(long loss, long variance, long lost, long sent, long expectedLoss, long expectedVariance) {
        Pair p = new Pair(35, new SimulatedNetwork.Link().latency(20)).exactEnetTiming().connect(1, 0);
        p.net.runFor(1000);
        Peer peer = p.clientPeer;
        int now = p.client.serviceTime;
        peer.packetLoss = loss;
        peer.packetLossVariance = variance;
        peer.packetsLost = lost;
        peer.packetsSent = sent;
        peer.packetLossEpoch = now - Peer.PACKET_LOSS_INTERVAL;
        peer.ping();
        p.client.service(p.net.now());
        assertThat(peer.statistic(0)).as("loss").isEqualTo(expectedLoss);
        assertThat(peer.statistic(1)).as("variance").isEqualTo(expectedVariance);
        assertThat(peer.statistic(2)).as("epoch").isEqualTo(Integer.toUnsignedLong(p.client.serviceTime));
        assertThat(peer.packetsSent).isZero();
        assertThat(peer.packetsLost).isZero();
        // A second send within the interval changes nothing.
        peer.packetsLost = 50;
        peer.ping();
        p.client.service(p.net.now() + 1);
        assertThat(peer.statistic(0)).isEqualTo(expectedLoss);
        assertThat(peer.packetsLost).isEqualTo(50);
    }

    @Test
    void everyStatisticReadsItsField() {
        Pair p = new Pair(36, new SimulatedNetwork.Link().latency(5)).exactEnetTiming().connect(1, 0);
        Peer peer = p.clientPeer;
        long[] values = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
        peer.packetLoss = values[0];
        peer.packetLossVariance = values[1];
        peer.packetLossEpoch = (int) values[2];
        peer.roundTripTime = values[3];
        peer.roundTripTimeVariance = values[4];
        peer.lastRoundTripTime = values[5];
        peer.lastRoundTripTimeVariance = values[6];
        peer.packetThrottle = values[7];
        peer.packetThrottleLimit = values[8];
        peer.packetThrottleCounter = values[9];
        peer.packetThrottleEpoch = (int) values[10];
        peer.packetThrottleAcceleration = values[11];
        peer.packetThrottleDeceleration = values[12];
        peer.packetThrottleInterval = values[13];
        for (int i = 0; i < values.length; i++) {
            assertThat(peer.statistic(i)).as("statistic %d", i).isEqualTo(values[i]);
        }
        peer.packetLossEpoch = -1;
        peer.packetThrottleEpoch = -2;
        assertThat(peer.statistic(2)).isEqualTo(0xFFFF_FFFFL);
        assertThat(peer.statistic(10)).isEqualTo(0xFFFF_FFFEL);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> peer.statistic(14)).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> peer.statistic(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}

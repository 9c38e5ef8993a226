package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.COMMAND_BANDWIDTH_LIMIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.DatagramDecoder;
import io.jenet.internal.protocol.DecodedCommand;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ENet's once-a-second bandwidth throttle (enet_host_bandwidth_throttle), one call at a time on a
 * server with three connected peers whose counters are set by hand; every expected number is
 * worked out in the comments from ENet's rules. Packet throttle values are out of 32.
 */
class BandwidthThrottleTest {
    private SimulatedNetwork net;
    private Host server;
    private final Peer[] peers = new Peer[3];
    private final InetSocketAddress[] clients = new InetSocketAddress[3];

    private void connectThree() {
        net = new SimulatedNetwork(41, new SimulatedNetwork.Link().latency(3));
        InetSocketAddress sa = SimulatedNetwork.address(1, 7777);
        server = net.addHost(sa, 3, 0, 0, 0);
        for (int i = 0; i < 3; i++) {
            clients[i] = SimulatedNetwork.address(10 + i, 5000);
            net.addHost(clients[i], 1, 0, 0, 0).connect(sa, 1, i);
        }
        assertThat(net.runUntil(() -> server.connectedPeers() == 3, 5000)).isTrue();
        net.runFor(50);
        for (SimulatedNetwork.Seen s : net.events(server)) {
            peers[s.data()] = s.peer();
        }
        for (Peer p : peers) {
            p.incomingBandwidth = 0;
            p.outgoingBandwidth = 0;
            p.packetThrottle = 32;
            p.packetThrottleLimit = 32;
            p.outgoingDataTotal = 0;
            p.incomingDataTotal = 0;
        }
        server.bandwidthLimitedPeers = 0;
        server.recalculateBandwidthLimits = false;
        server.bandwidthThrottleEpoch = server.serviceTime - 1000; // one second elapsed
    }

    /** The BANDWIDTH_LIMIT each client got after the call, as "incoming/outgoing", in peer order. */
    private List<String> bandwidthLimitsSent() {
        net.sent = new ArrayList<>();
        net.runFor(20);
        List<String> out = new ArrayList<>();
        for (InetSocketAddress client : clients) {
            String got = "none";
            for (SimulatedNetwork.Sent d : net.sent) {
                if (d.to().equals(client)) {
                    for (DecodedCommand c : DatagramDecoder.decode(d.data(), 0, d.data().length, false).commands()) {
                        if (c.number() == COMMAND_BANDWIDTH_LIMIT) {
                            got = c.field("incomingBandwidth") + "/" + c.field("outgoingBandwidth");
                        }
                    }
                }
            }
            out.add(got);
        }
        return out;
    }

    @Test
    void aPeerWithALowIncomingBandwidthIsThrottledToItAndTheOthersAreNot() {
        connectThree();
        // Host unlimited; peer 0 takes 10 000 B/s and was sent 40 000 B: its limit is
        // 10 000 * 32 / 40 000 = 8. The others keep 32.
        peers[0].incomingBandwidth = 10_000;
        peers[0].outgoingDataTotal = 40_000;
        peers[1].outgoingDataTotal = 5_000;
        peers[2].outgoingDataTotal = 0;
        server.bandwidthLimitedPeers = 1;
        Bandwidth.throttle(server);
        assertThat(peers[0].packetThrottleLimit).isEqualTo(8);
        assertThat(peers[0].packetThrottle).isEqualTo(8);
        assertThat(peers[1].packetThrottleLimit).isEqualTo(32);
        assertThat(peers[2].packetThrottleLimit).isEqualTo(32);
        assertThat(peers[0].outgoingBandwidthThrottleEpoch).isEqualTo(server.serviceTime);
        assertThat(peers[1].outgoingBandwidthThrottleEpoch).isNotEqualTo(server.serviceTime);
        for (Peer p : peers) {
            assertThat(p.outgoingDataTotal).isZero();
            assertThat(p.incomingDataTotal).isZero();
        }
        assertThat(server.bandwidthThrottleEpoch).isEqualTo(server.serviceTime);
        assertThat(bandwidthLimitsSent()).containsExactly("none", "none", "none");
    }

    @Test
    void aLimitedHostSharesItsOutgoingBandwidthByWhatEachWasSent() {
        connectThree();
        // Host 30 000 B/s out; peers were sent 40 000 + 20 000 + 0 = 60 000 B in the second:
        // everyone gets 30 000 * 32 / 60 000 = 16, and a throttle above it comes down to it.
        server.outgoingBandwidth = 30_000;
        peers[0].outgoingDataTotal = 40_000;
        peers[1].outgoingDataTotal = 20_000;
        peers[2].packetThrottle = 10;
        Bandwidth.throttle(server);
        assertThat(peers).extracting(p -> p.packetThrottleLimit).containsExactly(16L, 16L, 16L);
        assertThat(peers).extracting(p -> p.packetThrottle).containsExactly(16L, 16L, 10L);
    }

    @Test
    void aLimitedHostAndALimitedPeerTogether() {
        connectThree();
        // Host 100 000 out, sent 50 000 + 100 000 + 0 = 150 000. First pass: throttle
        // 100 000 * 32 / 150 000 = 21; peer 0 (20 000 in) would get 21 * 50 000 / 32 = 32 812 >
        // 20 000, so its limit is 20 000 * 32 / 50 000 = 12 and 20 000 leaves both totals
        // (80 000 of 130 000). Second pass: 80 000 * 32 / 130 000 = 19 for the rest.
        server.outgoingBandwidth = 100_000;
        peers[0].incomingBandwidth = 20_000;
        peers[0].outgoingDataTotal = 50_000;
        peers[1].outgoingDataTotal = 100_000;
        server.bandwidthLimitedPeers = 1;
        Bandwidth.throttle(server);
        assertThat(peers).extracting(p -> p.packetThrottleLimit).containsExactly(12L, 19L, 19L);
        assertThat(peers).extracting(p -> p.packetThrottle).containsExactly(12L, 19L, 19L);
    }

    @Test
    void aPeerThatAsksForAlmostNothingStillGetsOne() {
        connectThree();
        peers[1].incomingBandwidth = 1;
        peers[1].outgoingDataTotal = 1_000_000;
        server.bandwidthLimitedPeers = 1;
        Bandwidth.throttle(server);
        assertThat(peers).extracting(p -> p.packetThrottleLimit).containsExactly(32L, 1L, 32L);
    }

    @Test
    void nothingHappensBeforeASecondHasPassed() {
        connectThree();
        server.bandwidthThrottleEpoch = server.serviceTime - 999;
        server.outgoingBandwidth = 1_000;
        peers[0].outgoingDataTotal = 1_000_000;
        server.recalculateBandwidthLimits = true;
        Bandwidth.throttle(server);
        assertThat(peers[0].packetThrottleLimit).isEqualTo(32);
        assertThat(peers[0].outgoingDataTotal).isEqualTo(1_000_000);
        assertThat(server.bandwidthThrottleEpoch).isEqualTo(server.serviceTime - 999);
        assertThat(server.recalculateBandwidthLimits).isTrue();
    }

    @Test
    void theHostsIncomingBandwidthIsSharedInBandwidthLimitCommands() {
        connectThree();
        // Host 90 000 in, 0 out. Peers send at most 10 000, unlimited and 200 000. First pass:
        // share 90 000 / 3 = 30 000; peer 0 (10 000 < 30 000) and peer 1 (unlimited counts as
        // below) are settled at their own rate and leave 90 000 - 10 000 - 0 = 80 000; second
        // pass: 80 000 / 1 = 80 000 for peer 2 (200 000 >= it, so it is the one limited).
        server.incomingBandwidth = 90_000;
        peers[0].outgoingBandwidth = 10_000;
        peers[2].outgoingBandwidth = 200_000;
        server.recalculateBandwidthLimits = true;
        Bandwidth.throttle(server);
        assertThat(server.recalculateBandwidthLimits).isFalse();
        assertThat(bandwidthLimitsSent()).containsExactly("10000/0", "0/0", "80000/0");
    }

    @Test
    void anUnlimitedHostTellsEveryPeerItIsUnlimited() {
        connectThree();
        server.outgoingBandwidth = 50_000;
        server.incomingBandwidth = 0;
        peers[1].outgoingBandwidth = 5;
        server.recalculateBandwidthLimits = true;
        Bandwidth.throttle(server);
        assertThat(bandwidthLimitsSent()).containsExactly("0/50000", "0/50000", "0/50000");
    }
}

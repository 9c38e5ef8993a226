package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Throttle configuration, bandwidth limits and pings between jenet and C ENet. */
class CEnetThrottleInteropTest {
    private static String stats(CPeer c, JenetSide side, int id) {
        int before = c.linesStartingWith("stats ").size();
        c.cmd("stats " + id);
        side.until(() -> c.linesStartingWith("stats ").size() > before, 5000);
        List<String> all = c.linesStartingWith("stats ");
        return all.get(all.size() - 1) + " ";
    }

    @Test
    void throttleConfigureReachesTheCPeerAndCsReachesJenet() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            int port = c.host(0, 4, 0, 0, 0);
            client.createHost(1, 0);
            JenetSide side = new JenetSide(client);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 1, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            peer.throttleConfigure(1234, 5, 6);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!stats(c, side, 0).contains(" interval 1234 acceleration 5 deceleration 6 ")) {
                assertThat(System.nanoTime()).as(c.tail()).isLessThan(deadline);
            }
            c.cmd("throttle 0 4321 7 8");
            side.until(() -> peer.getStatistic(ENetPacketPeer.PeerStatistic.PEER_PACKET_THROTTLE_INTERVAL) == 4321, 5000);
            assertThat(peer.getStatistic(ENetPacketPeer.PeerStatistic.PEER_PACKET_THROTTLE_ACCELERATION)).isEqualTo(7);
            assertThat(peer.getStatistic(ENetPacketPeer.PeerStatistic.PEER_PACKET_THROTTLE_DECELERATION)).isEqualTo(8);
        }
    }

    @Test
    void pingsMeasureTheRoundTripWithoutTraffic() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            int port = c.host(0, 4, 0, 0, 0);
            client.createHost(1, 0);
            JenetSide side = new JenetSide(client);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 1, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            peer.pingInterval(50);
            c.cmd("pinginterval 0 50");
            // With no data at all, only pings can bring the round trip down from ENet's 500 ms guess.
            side.until(() -> peer.getStatistic(ENetPacketPeer.PeerStatistic.PEER_ROUND_TRIP_TIME) < 100, 5000);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (true) {
                String s = stats(c, side, 0);
                int rtt = Integer.parseInt(s.split(" rtt ")[1].split(" ")[0]);
                if (rtt < 100) {
                    break;
                }
                assertThat(System.nanoTime()).as(s).isLessThan(deadline);
            }
            assertThat(side.count(EVENT_RECEIVE)).isZero();
        }
    }

    @Test
    void bandwidthLimitsAreExchangedAndASustainedUnreliableStreamStaysNearTheLimit() throws Exception {
        int limit = 40_000;
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            int port = c.host(0, 4, 0, limit, limit);
            client.createHost(1, 0, limit, limit);
            JenetSide side = new JenetSide(client);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 2, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            // Both limits are announced in CONNECT/VERIFY_CONNECT (and later BANDWIDTH_LIMIT).
            assertThat(stats(c, side, 0)).contains(" incoming " + limit + " outgoing " + limit + " ");
            // Packet k carries k; it is offered at start + 4k ms (the loop catches up after a stall).
            java.util.Map<Long, Integer> indexOfCrc = new java.util.HashMap<>();
            long start = System.nanoTime();
            long end = start + 5_000_000_000L;
            int sent = 0;
            while (System.nanoTime() < end) {
                // Offer ~250 kB/s of unreliable data: six times the limit.
                while (System.nanoTime() >= start + sent * 4_000_000L) {
                    byte[] chunk = java.nio.ByteBuffer.allocate(1000).putInt(sent).array();
                    indexOfCrc.put(Payloads.crc(chunk), sent);
                    peer.send(0, chunk, 0);
                    sent++;
                }
                side.pump(1);
            }
            // Let what is in flight land: until C's count stops moving for half a second.
            int received = -1;
            for (int now = c.linesStartingWith("receive ").size(); now != received; now = c.linesStartingWith("receive ").size()) {
                received = now;
                long quiet = System.nanoTime() + 500_000_000L;
                while (System.nanoTime() < quiet) {
                    side.pump(1);
                }
            }
            // Counts by content, not a measured rate. The throttle needs a bandwidth interval (1 s)
            // to learn the limit, so count the packets offered from 2 s on (index 500): of those the
            // sender drops most (a 6x offer), C never gets more than the limit allows over the time
            // they were offered in (a ceiling: a slower machine only lowers it), and the stream is
            // not starved (a tenth of the limit).
            int from = 500;
            int counted = 0;
            for (String line : c.linesStartingWith("receive ")) {
                String[] f = line.split(" ");
                assertThat(f).as(line).containsExactly("receive", "0", "0", "0", "1000", f[5]);
                Integer k = indexOfCrc.get(Long.parseLong(f[5]));
                assertThat(k).as("a packet we sent: %s", line).isNotNull();
                counted += k >= from ? 1 : 0;
            }
            double offeredSeconds = (sent - from) * 0.004;
            assertThat(counted).as("unreliable packets delivered of the %d offered from 2 s on", sent - from)
                    .isLessThan((sent - from) / 2)
                    .isLessThanOrEqualTo((int) (limit * 1.5 * offeredSeconds / 1000))
                    .isGreaterThanOrEqualTo((int) (limit * 0.1 * offeredSeconds / 1000));
            System.out.printf("[throttle] %d of %d unreliable packets delivered, %d of the %d offered from 2 s on%n",
                    received, sent, counted, sent - from);
        }
    }
}

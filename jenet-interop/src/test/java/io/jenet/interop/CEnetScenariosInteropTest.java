package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Connection lifecycle, channels, checksums, MTUs and failures between jenet and C ENet 1.3.17. */
class CEnetScenariosInteropTest {

    /** A jenet client connected to a fresh C server (4 peers, given channel limit). */
    record ClientRig(CPeer c, ENetConnection jenet, JenetSide side, ENetPacketPeer peer) implements AutoCloseable {
        @Override
        public void close() {
            jenet.close();
            c.close();
        }
    }

    static ClientRig jenetClient(int channels, int cChannelLimit, boolean checksum, int cMtu, int jMtu, int data) throws Exception {
        CPeer c = new CPeer();
        if (checksum) {
            c.cmd("checksum");
        }
        if (cMtu > 0) {
            c.cmd("mtu " + cMtu);
        }
        int port = c.host(0, 4, cChannelLimit, 0, 0);
        ENetConnection j = new ENetConnection();
        j.setChecksumEnabled(checksum);
        if (jMtu > 0) {
            j.setMtu(jMtu);
        }
        j.createHost(1, 0);
        JenetSide side = new JenetSide(j);
        ENetPacketPeer peer = j.connectToHost("127.0.0.1", port, channels, data);
        return new ClientRig(c, j, side, peer);
    }

    static void connected(ClientRig r) {
        r.side().until(() -> r.side().count(EVENT_CONNECT) == 1 && !r.c().linesStartingWith("connect ").isEmpty(), 5000);
    }

    @Test
    void disconnectLaterDeliversQueuedReliablePacketsFirstBothWays() throws Exception {
        try (ClientRig r = jenetClient(1, 0, false, 0, 0, 0)) {
            connected(r);
            for (int i = 0; i < 40; i++) {
                r.peer().send(0, Payloads.fill(5000, i), ENetPacketPeer.FLAG_RELIABLE);
            }
            r.peer().peerDisconnectLater(321);
            r.side().until(() -> !r.c().linesStartingWith("disconnect ").isEmpty(), 10_000);
            List<String> lines = r.c().lines();
            int disconnectAt = lines.indexOf("disconnect 0 321");
            assertThat(disconnectAt).isPositive();
            List<String> receives = r.c().linesStartingWith("receive ");
            assertThat(receives).hasSize(40);
            for (int i = 0; i < 40; i++) {
                assertThat(receives.get(i)).isEqualTo("receive 0 0 1 5000 " + Payloads.crc(Payloads.fill(5000, i)));
                assertThat(lines.indexOf(receives.get(i))).isLessThan(disconnectAt);
            }
            r.side().until(() -> r.side().count(EVENT_DISCONNECT) == 1, 5000);
        }
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            JenetSide side = new JenetSide(server);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), 1, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            for (int i = 0; i < 40; i++) {
                c.cmd("send " + id + " 0 1 5000 " + i);
            }
            c.cmd("later " + id + " 654");
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 10_000);
            assertThat(side.of(EVENT_RECEIVE)).hasSize(40);
            for (int i = 0; i < 40; i++) {
                assertThat(side.of(EVENT_RECEIVE).get(i).packet()).isEqualTo(Payloads.fill(5000, i));
            }
            assertThat(side.seen.get(side.seen.size() - 1).event().type()).isEqualTo(EVENT_DISCONNECT);
            assertThat(side.of(EVENT_DISCONNECT).get(0).event().data()).isEqualTo(654);
        }
    }

    @Test
    void disconnectNowReachesTheOtherSideBothWays() throws Exception {
        try (ClientRig r = jenetClient(1, 0, false, 0, 0, 0)) {
            connected(r);
            r.peer().peerDisconnectNow(77);
            r.side().until(() -> !r.c().linesStartingWith("disconnect ").isEmpty(), 5000);
            assertThat(r.c().linesStartingWith("disconnect ")).containsExactly("disconnect 0 77");
            r.side().pump(50);
            assertThat(r.side().count(EVENT_DISCONNECT)).isZero();
        }
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            JenetSide side = new JenetSide(server);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), 1, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            c.cmd("now " + id + " 88");
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 5000);
            assertThat(side.of(EVENT_DISCONNECT).get(0).event().data()).isEqualTo(88);
        }
    }

    @Test
    void resetOnOneSideMakesTheOtherTimeOut() throws Exception {
        try (ClientRig r = jenetClient(1, 0, false, 0, 0, 0)) {
            connected(r);
            r.c().cmd("timeout 0 4 300 1000");
            r.peer().reset();
            long start = System.nanoTime();
            r.c().cmd("send 0 0 1 10 1");
            r.side().until(() -> !r.c().linesStartingWith("disconnect ").isEmpty(), 10_000);
            // A timeout (data 0), not a disconnect: nothing was sent to C, and C's timeout cannot
            // fire before its 300 ms minimum (a lower bound: a loaded machine only lengthens it).
            assertThat(r.c().linesStartingWith("disconnect ")).containsExactly("disconnect 0 0");
            assertThat(r.c().linesStartingWith("receive ")).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290L);
        }
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            JenetSide side = new JenetSide(server);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), 1, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            ENetPacketPeer toC = side.of(EVENT_CONNECT).get(0).event().peer();
            toC.setTimeout(4, 300, 1000);
            c.cmd("reset " + id);
            toC.send(0, new byte[10], ENetPacketPeer.FLAG_RELIABLE);
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 10_000);
            assertThat(side.of(EVENT_DISCONNECT).get(0).event().peer()).isSameAs(toC);
        }
    }

    @ParameterizedTest(name = "client asks {0}, server limit {1} -> {2}")
    @CsvSource({"1, 0, 1", "2, 0, 2", "255, 0, 255", "255, 4, 4", "2, 1, 1"})
    void channelCountsAreNegotiatedAndEveryChannelCarriesData(int asked, int limit, int expected) throws Exception {
        try (ClientRig r = jenetClient(asked, limit, false, 0, 0, 0)) {
            connected(r);
            assertThat(r.peer().getChannels()).isEqualTo(expected);
            assertThat(r.c().linesStartingWith("connect ").get(0)).endsWith(" " + expected);
            for (int ch = 0; ch < expected; ch++) {
                r.peer().send(ch, Payloads.fill(20, ch), ENetPacketPeer.FLAG_RELIABLE);
            }
            r.side().until(() -> r.c().linesStartingWith("receive ").size() == expected, 10_000);
            List<String> want = new ArrayList<>();
            for (int ch = 0; ch < expected; ch++) {
                want.add("receive 0 " + ch + " 1 20 " + Payloads.crc(Payloads.fill(20, ch)));
            }
            assertThat(r.c().linesStartingWith("receive ")).containsExactlyInAnyOrderElementsOf(want);
        }
        // And C asking a jenet server with a limit.
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, limit);
            JenetSide side = new JenetSide(server);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), asked, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            assertThat(side.of(EVENT_CONNECT).get(0).event().peer().getChannels()).isEqualTo(expected);
            for (int ch = 0; ch < expected; ch++) {
                c.cmd("send " + id + " " + ch + " 1 30 " + ch);
            }
            side.until(() -> side.count(EVENT_RECEIVE) == expected, 10_000);
            assertThat(side.of(EVENT_RECEIVE)).extracting(s -> s.event().channel())
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, expected).boxed().toList());
            for (JenetSide.Seen s : side.of(EVENT_RECEIVE)) {
                assertThat(s.packet()).as("payload on channel %d", s.event().channel()).isEqualTo(Payloads.fill(30, s.event().channel()));
                assertThat(s.flags()).isEqualTo(ENetPacketPeer.FLAG_RELIABLE);
            }
        }
    }

    @Test
    void checksumsOnBothSidesWorkAndAMismatchNeverConnects() throws Exception {
        try (ClientRig r = jenetClient(1, 0, true, 0, 0, 0)) {
            connected(r);
            r.peer().send(0, Payloads.fill(100_000, 9), ENetPacketPeer.FLAG_RELIABLE);
            r.side().until(() -> !r.c().linesStartingWith("receive ").isEmpty(), 10_000);
            assertThat(r.c().linesStartingWith("receive ").get(0)).isEqualTo("receive 0 0 1 100000 " + Payloads.crc(Payloads.fill(100_000, 9)));
        }
        // jenet checksums, C does not.
        CPeer c = new CPeer();
        int port = c.host(0, 4, 0, 0, 0);
        try (c; ENetConnection j = new ENetConnection()) {
            j.setChecksumEnabled(true);
            j.createHost(1, 0);
            JenetSide side = new JenetSide(j);
            ENetPacketPeer p = j.connectToHost("127.0.0.1", port, 1, 0);
            p.setTimeout(4, 300, 1500);
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 15_000);
            assertThat(side.count(EVENT_CONNECT)).isZero();
            assertThat(c.linesStartingWith("connect ")).isEmpty();
        }
        // C checksums, jenet does not.
        try (CPeer c2 = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            JenetSide side = new JenetSide(server);
            c2.cmd("checksum");
            c2.host(0, 1, 0, 0, 0);
            int id = c2.connect("127.0.0.1", server.getLocalPort(), 1, 0);
            c2.cmd("timeout " + id + " 4 300 1500");
            side.until(() -> !c2.linesStartingWith("disconnect ").isEmpty(), 15_000);
            assertThat(side.count(EVENT_CONNECT)).isZero();
            assertThat(server.getDroppedDatagrams()).isPositive();
        }
    }

    /**
     * C ENet 1.3.17's server adopts the client's MTU whatever its own (1.3.18 fixed this to take the
     * smaller one); jenet's server takes the smaller, as 1.3.18. Either way both ends agree and
     * fragments follow the negotiated MTU.
     */
    @ParameterizedTest(name = "C server mtu {0}, jenet client mtu {1}")
    @CsvSource({"576, 1392, 1392", "1392, 576, 576", "4096, 4096, 4096", "4096, 1392, 1392", "1392, 4096, 4096"})
    void aCServerTakesTheClientMtuAndLargePacketsArrive(int cMtu, int jMtu, int expected) throws Exception {
        try (ClientRig r = jenetClient(1, 0, false, cMtu, jMtu, 0)) {
            connected(r);
            r.c().cmd("stats 0");
            r.side().until(() -> !r.c().linesStartingWith("stats ").isEmpty(), 5000);
            assertThat(r.c().linesStartingWith("stats ").get(0)).contains(" mtu " + expected + " ");
            byte[] big = Payloads.fill(200_000, 4);
            r.c().cmd("echo 1");
            r.peer().send(0, big, ENetPacketPeer.FLAG_RELIABLE);
            r.side().until(() -> r.side().count(EVENT_RECEIVE) == 1, 15_000);
            assertThat(r.side().of(EVENT_RECEIVE).get(0).packet()).isEqualTo(big);
        }
    }

    @ParameterizedTest(name = "C client mtu {0}, jenet server mtu {1}")
    @CsvSource({"576, 1392, 576", "1392, 576, 576", "4096, 4096, 4096", "4096, 1392, 1392", "1392, 4096, 1392"})
    void aJenetServerTakesTheSmallerMtuAndLargePacketsArrive(int cMtu, int jMtu, int expected) throws Exception {
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.setMtu(jMtu);
            server.createHostBound("127.0.0.1", 0, 4, 0);
            JenetSide side = new JenetSide(server);
            c.cmd("mtu " + cMtu);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), 1, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            c.cmd("stats " + id);
            side.until(() -> !c.linesStartingWith("stats ").isEmpty(), 5000);
            assertThat(c.linesStartingWith("stats ").get(0)).contains(" mtu " + expected + " ");
            c.cmd("send " + id + " 0 1 200000 5");
            side.until(() -> side.count(EVENT_RECEIVE) == 1, 15_000);
            assertThat(side.of(EVENT_RECEIVE).get(0).packet()).isEqualTo(Payloads.fill(200_000, 5));
        }
    }

    @Test
    void aCPeerKilledMidTransferTimesOutAndTheHostKeepsServing() throws Exception {
        try (CPeer victim = new CPeer(); CPeer survivor = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 8, 0);
            JenetSide side = new JenetSide(server);
            victim.host(0, 1, 0, 0, 0);
            survivor.host(0, 1, 0, 0, 0);
            int v = victim.connect("127.0.0.1", server.getLocalPort(), 1, 1);
            int s = survivor.connect("127.0.0.1", server.getLocalPort(), 1, 2);
            side.until(() -> side.count(EVENT_CONNECT) == 2, 5000);
            ENetPacketPeer toVictim = side.of(EVENT_CONNECT).stream().filter(e -> e.event().data() == 1).findFirst().orElseThrow().event().peer();
            toVictim.setTimeout(4, 500, 2000);
            for (int i = 0; i < 20; i++) {
                victim.cmd("send " + v + " 0 1 50000 " + i);
            }
            side.until(() -> side.count(EVENT_RECEIVE) >= 1, 5000);
            victim.kill();
            long killedAt = System.nanoTime();
            toVictim.send(0, new byte[100], ENetPacketPeer.FLAG_RELIABLE);
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 10_000);
            // A timeout, which cannot come long before the 500 ms minimum set above (a lower bound
            // only: a loaded machine lengthens it; the deadline above is the upper one).
            assertThat((System.nanoTime() - killedAt) / 1_000_000).isGreaterThanOrEqualTo(300L);
            assertThat(side.of(EVENT_DISCONNECT).get(0).event().peer()).isSameAs(toVictim);
            // The other peer is unaffected.
            int before = side.of(EVENT_RECEIVE).size();
            survivor.cmd("send " + s + " 0 1 3000 99");
            side.until(() -> side.count(EVENT_RECEIVE) == before + 1, 5000);
            assertThat(side.of(EVENT_RECEIVE).get(before).packet()).isEqualTo(Payloads.fill(3000, 99));
        }
    }
}

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

/** The first proof of the wire: jenet and C ENet 1.3.17 connect and exchange packets both ways. */
class CEnetBasicInteropTest {
    private static final int[] SIZES = {0, 1, 1363, 1364, 1365, 4096, 100_000};

    @Test
    void jenetClientAgainstCServerEchoesEveryKind() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            int port = c.host(0, 8, 0, 0, 0);
            c.cmd("echo 1");
            client.createHost(1, 0);
            JenetSide side = new JenetSide(client);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 3, 4242);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            assertThat(c.linesStartingWith("connect ").get(0)).isEqualTo("connect 0 4242 3");
            List<String> want = new ArrayList<>();
            int seed = 1;
            for (int i = 0; i < SIZES.length; i++) {
                byte[] b = Payloads.fill(SIZES[i], seed++);
                peer.send(i % 3, b, ENetPacketPeer.FLAG_RELIABLE);
                want.add((i % 3) + ":" + Payloads.crc(b) + ":" + b.length);
            }
            side.until(() -> side.count(EVENT_RECEIVE) == SIZES.length, 10000);
            List<String> got = side.of(EVENT_RECEIVE).stream()
                    .map(s -> s.event().channel() + ":" + Payloads.crc(s.packet()) + ":" + s.packet().length).toList();
            // Reliable order holds per channel (ENet does not order across channels), and every
            // channel's payloads come back intact.
            assertThat(got).containsExactlyInAnyOrderElementsOf(want);
            for (String channel : List.of("0:", "1:", "2:")) {
                assertThat(got.stream().filter(g -> g.startsWith(channel)).toList())
                        .containsExactlyElementsOf(want.stream().filter(w -> w.startsWith(channel)).toList());
            }
            assertThat(side.of(EVENT_RECEIVE)).allMatch(s -> s.flags() == ENetPacketPeer.FLAG_RELIABLE);
            peer.peerDisconnect(7);
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 5000);
            side.until(() -> !c.linesStartingWith("disconnect ").isEmpty(), 5000);
            assertThat(c.linesStartingWith("disconnect ").get(0)).isEqualTo("disconnect 0 7");
        }
    }

    @Test
    void cClientAgainstJenetServerDeliversEveryKind() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 8, 0);
            JenetSide side = new JenetSide(server);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), 2, 99);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            assertThat(side.of(EVENT_CONNECT).get(0).event().data()).isEqualTo(99);
            int seed = 100;
            List<String> want = new ArrayList<>();
            for (int i = 0; i < SIZES.length; i++) {
                c.cmd("send " + id + " " + (i % 2) + " 1 " + SIZES[i] + " " + seed);
                byte[] b = Payloads.fill(SIZES[i], seed++);
                want.add((i % 2) + ":" + Payloads.crc(b) + ":" + b.length);
            }
            side.until(() -> side.count(EVENT_RECEIVE) == SIZES.length, 10000);
            assertThat(side.of(EVENT_RECEIVE)).extracting(s -> s.event().channel() + ":" + Payloads.crc(s.packet()) + ":" + s.packet().length)
                    .containsExactlyElementsOf(want);
            ENetPacketPeer toC = side.of(EVENT_CONNECT).get(0).event().peer();
            byte[] reply = Payloads.fill(3000, 5);
            toC.send(1, reply, ENetPacketPeer.FLAG_RELIABLE);
            side.until(() -> !c.linesStartingWith("receive ").isEmpty(), 5000);
            String line = c.linesStartingWith("receive ").get(0);
            assertThat(line).isEqualTo("receive 0 1 1 3000 " + Payloads.crc(reply));
            c.cmd("disconnect " + id + " 11");
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 5000);
            assertThat(side.of(EVENT_DISCONNECT).get(0).event().data()).isEqualTo(11);
        }
    }
}

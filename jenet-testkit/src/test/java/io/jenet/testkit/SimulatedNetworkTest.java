package io.jenet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenet.ENetConnection;
import io.jenet.ENetConnection.EventType;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.net.BindException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Connections on a simulated network: connecting, addresses, service semantics, bad use. */
class SimulatedNetworkTest {
    private static Endpoint[] connectedPair(SimulatedNetwork net) throws Exception {
        Endpoint server = new Endpoint(net, "server");
        server.connection.createHostBound("10.0.0.1", 7777, 32, 2, 0, 0);
        Endpoint client = new Endpoint(net, "client");
        client.connection.createHost(1, 2, 0, 0);
        client.peer = client.connection.connectToHost("10.0.0.1", 7777, 2, 0);
        assertThat(net.runUntil(() -> {
            server.pump();
            client.pump();
            return client.connects == 1 && server.connects == 1;
        }, 5_000)).isTrue();
        return new Endpoint[] {server, client};
    }

    @Test
    void realConnectionsConnectAndExchangeInVirtualTime() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(1);
        Endpoint[] pair = connectedPair(net);
        Endpoint server = pair[0];
        Endpoint client = pair[1];
        // A perfect link delivers at once: CONNECT at 0, VERIFY_CONNECT at the server's frame at 1
        // (the server was pumped before the client sent), the acknowledgement at 2.
        assertThat(net.now()).isEqualTo(2);
        assertThat(server.peer.getRemoteAddress()).isEqualTo("10.1.0.2");
        assertThat(client.connection.getLocalPort()).isEqualTo(49152);

        client.peer.send(0, "hello".getBytes(), ENetPacketPeer.FLAG_RELIABLE);
        assertThat(net.runUntil(() -> {
            client.pump();
            server.pump();
            return !server.received.isEmpty();
        }, 1_000)).isTrue();
        assertThat(new String(server.received.get(0).data())).isEqualTo("hello");
        assertThat(net.stats().undeliverable()).isZero();
    }

    @Test
    void serviceZeroNeverMovesTheClock() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(2, Link.perfect().withLatency(50));
        ENetConnection client = net.connection();
        client.createHost(1, 1, 0, 0);
        client.connectToHost("10.0.0.9", 7777, 1, 0);
        for (int i = 0; i < 100; i++) {
            assertThat(client.service(0).type()).isEqualTo(EventType.EVENT_NONE);
        }
        assertThat(net.now()).isZero();
        assertThat(net.nowNanos()).isZero();
    }

    @Test
    void serviceWithTimeoutWaitsInVirtualTimeAndReturnsWhenADatagramArrives() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(3);
        Endpoint[] pair = connectedPair(net);
        ENetConnection server = pair[0].connection;
        ENetConnection client = pair[1].connection;

        // Nothing to receive: the wait takes exactly its timeout of virtual time, and returns NONE.
        long before = net.now();
        assertThat(server.service(100).type()).isEqualTo(EventType.EVENT_NONE);
        assertThat(net.now() - before).isBetween(100L, 101L);

        // A packet 40 ms away: the wait ends when it arrives, not at the timeout.
        net.setDefaultLink(Link.perfect().withLatency(40));
        pair[1].peer.send(0, new byte[] {7}, ENetPacketPeer.FLAG_RELIABLE);
        client.flush();
        before = net.now();
        ENetEvent e = server.service(1_000);
        assertThat(e.type()).isEqualTo(EventType.EVENT_RECEIVE);
        assertThat(e.peer().getPacket()).containsExactly(7);
        assertThat(net.now() - before).isBetween(40L, 41L);
    }

    @Test
    void connectingToAnAddressNobodyBoundTimesOutAsInRealLife() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(4);
        ENetConnection client = net.connection();
        client.createHost(1, 1, 0, 0);
        ENetPacketPeer peer = client.connectToHost("10.0.0.99", 7777, 1, 0);
        // One blocking call, as a real program might make; virtual time passes until ENet gives up.
        ENetEvent e = client.service(60_000);
        assertThat(e.type()).isEqualTo(EventType.EVENT_DISCONNECT);
        assertThat(e.peer()).isSameAs(peer);
        // ENet's timeout: no earlier than its minimum of 5 s, and at the first retransmission after its
        // maximum of 30 s (the timer is checked there); the call returned at the event, not at 60 s.
        assertThat(net.now()).isBetween(5_000L, 32_000L);
        assertThat(net.stats().undeliverable()).isEqualTo(net.stats().sent()).isGreaterThan(3);
    }

    @Test
    void bindingAnAddressTwiceThrowsBindExceptionAndADestroyedHostFreesIt() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(5);
        ENetConnection a = net.connection();
        a.createHostBound("10.0.0.1", 7777, 4, 1, 0, 0);
        ENetConnection b = net.connection();
        assertThatThrownBy(() -> b.createHostBound("10.0.0.1", 7777, 4, 1, 0, 0))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("10.0.0.1:7777")
                .hasMessageContaining("already in use");
        // Another port on the address, or the same port on another address, is fine.
        b.createHostBound("10.0.0.1", 7778, 4, 1, 0, 0);
        ENetConnection c = net.connection("10.0.0.2");
        c.createHostBound("*", 7777, 4, 1, 0, 0);
        a.destroy();
        ENetConnection d = net.connection();
        d.createHostBound("10.0.0.1", 7777, 4, 1, 0, 0);
        assertThat(d.getLocalPort()).isEqualTo(7777);
    }

    @Test
    void namesAreRefusedWhereOnlyLiteralsMakeSense() {
        SimulatedNetwork net = SimulatedNetwork.create(6);
        assertThatThrownBy(() -> net.connection("game.example"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IP literal");
        assertThatThrownBy(() -> net.setLink("10.0.0.1", "server", Link.down()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IP literal");
        assertThatThrownBy(() -> net.advance(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Link.perfect().withLoss(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Link.perfect().withLatency(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anotherThreadGetsAClearException() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(7);
        ENetConnection client = net.connection();
        client.createHost(1, 1, 0, 0);
        client.connectToHost("10.0.0.1", 7777, 1, 0);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                net.advance(1);
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "intruder");
        t.start();
        t.join();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("single-threaded").hasMessageContaining("intruder");
    }

    @Test
    void unservicedSocketsQueueDatagramsUntilTheOwnerServices() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(8, Link.perfect().withLatency(10));
        Endpoint[] pair = connectedPair(net);
        Endpoint server = pair[0];
        Endpoint client = pair[1];
        for (int i = 0; i < 5; i++) {
            client.peer.send(0, Endpoint.number(i), ENetPacketPeer.FLAG_RELIABLE);
        }
        client.pump();
        net.advance(500); // the server is not serviced meanwhile: the datagrams wait in its queue
        assertThat(server.received).isEmpty();
        server.pump();
        assertThat(server.numbers()).containsExactly(0, 1, 2, 3, 4);
        assertThat(server.received).allSatisfy(r -> assertThat(r.atMillis()).isEqualTo(net.now()));
    }

    @Test
    void metricsAndDrainFollowVirtualTime() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(9, Link.perfect().withLatency(10));
        Endpoint[] pair = connectedPair(net);
        ENetConnection server = pair[0].connection;
        server.setMetricsInterval(100);
        long first = server.getMetrics().sequence();
        net.runUntil(() -> {
            server.service(0);
            return false;
        }, 1_000);
        // One snapshot per 100 ms of virtual time, however fast the loop ran in real time.
        assertThat(server.getMetrics().sequence() - first).isBetween(10L, 11L);
        assertThat(server.getMetrics().connectedPeers()).isEqualTo(1);

        // The client hangs (never serviced again): a 2 s drain waits 2 s of virtual time for it.
        long before = net.now();
        int left = server.drain(ENetConnection.DRAIN_DISCONNECT_DATA, 2_000, null);
        assertThat(left).isEqualTo(1);
        assertThat(net.now() - before).isBetween(2_000L, 2_050L);
    }
}

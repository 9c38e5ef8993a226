package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful drain over real loopback UDP: every peer hears {@link ENetConnection#DRAIN_DISCONNECT_DATA}
 * in a DISCONNECT after what was queued for it, new connections are refused, a peer that stopped
 * answering is told at the deadline, and the host is destroyed at the end.
 */
class DrainTest {
    private final List<ENetConnection> open = new ArrayList<>();

    private ENetConnection client() throws Exception {
        ENetConnection c = new ENetConnection();
        c.createHost(1, 0);
        open.add(c);
        return c;
    }

    private ENetConnection server(int peers) throws Exception {
        ENetConnection s = new ENetConnection();
        s.createHostBound("127.0.0.1", 0, peers, 0);
        open.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        open.forEach(ENetConnection::close);
    }

    /** Runs {@code drain} on a thread of its own (the server's service thread from then on). */
    private static Thread drainOnItsThread(ENetConnection server, int timeoutMillis, List<ENetEvent> events,
                                           AtomicInteger left, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                left.set(server.drain(ENetConnection.DRAIN_DISCONNECT_DATA, timeoutMillis, e -> {
                    if (e.type() == EVENT_RECEIVE) {
                        e.peer().getPacket();
                    }
                    events.add(e);
                }));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "drain");
        t.start();
        return t;
    }

    @Test
    void everyPeerIsToldAfterItsQueuedDataAndTheHostIsDestroyed() throws Exception {
        ENetConnection server = server(8);
        server.setMetricsInterval(1);
        ENetConnection[] clients = {client(), client(), client()};
        Loop loop = new Loop(server, clients[0], clients[1], clients[2]);
        for (ENetConnection c : clients) {
            c.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        }
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 3, 5000);
        loop.until(() -> loop.count(clients[0], EVENT_CONNECT) + loop.count(clients[1], EVENT_CONNECT)
                + loop.count(clients[2], EVENT_CONNECT) == 3, 5000);
        // Queued for the first client just before the drain: it is delivered before the DISCONNECT.
        ENetPacketPeer first = loop.of(server, EVENT_CONNECT).get(0).event().peer();
        for (int i = 0; i < 40; i++) {
            first.send(0, new byte[] {(byte) i, 1, 2, 3}, ENetPacketPeer.FLAG_RELIABLE);
        }
        ENetConnection firstClient = null;
        for (ENetConnection c : clients) {
            if (c.getPeers().get(0).getRemotePort() == server.getLocalPort()
                    && first.getRemotePort() == c.getLocalPort()) {
                firstClient = c;
            }
        }
        assertThat(firstClient).isNotNull();

        List<ENetEvent> serverEvents = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread drainer = drainOnItsThread(server, 10_000, serverEvents, left, failure);
        Loop clientsOnly = new Loop(clients);
        clientsOnly.until(() -> clientsOnly.count(clients[0], EVENT_DISCONNECT) + clientsOnly.count(clients[1], EVENT_DISCONNECT)
                + clientsOnly.count(clients[2], EVENT_DISCONNECT) == 3 || failure.get() != null, 5000);
        drainer.join(5000);
        assertThat(failure.get()).isNull();
        assertThat(drainer.isAlive()).isFalse();
        assertThat(left.get()).as("peers still there at the deadline").isZero();

        for (ENetConnection c : clients) {
            List<Loop.Seen> disconnects = clientsOnly.of(c, EVENT_DISCONNECT);
            assertThat(disconnects).hasSize(1);
            assertThat(disconnects.get(0).event().data()).isEqualTo(ENetConnection.DRAIN_DISCONNECT_DATA);
        }
        List<Loop.Seen> got = clientsOnly.of(firstClient, EVENT_RECEIVE);
        assertThat(got).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(got.get(i).packet()).containsExactly(i, 1, 2, 3);
        }
        int lastReceive = clientsOnly.seen.indexOf(got.get(39));
        int disconnect = clientsOnly.seen.indexOf(clientsOnly.of(firstClient, EVENT_DISCONNECT).get(0));
        assertThat(lastReceive).as("the queued packets come before the DISCONNECT").isLessThan(disconnect);

        assertThat(serverEvents).filteredOn(e -> e.type() == EVENT_DISCONNECT).hasSize(3);
        assertThatThrownBy(server::getLocalPort).as("destroyed").isInstanceOf(IllegalStateException.class);
        HostMetrics last = server.getMetrics();
        assertThat(last.draining()).isTrue();
        assertThat(last.peers(ENetPacketPeer.PeerState.STATE_DISCONNECTED)).isEqualTo(8);
    }

    @Test
    void newConnectionsAreRefusedAndAHandshakeUnderWayIsToldToLeave() throws Exception {
        ENetConnection server = server(4);
        ENetConnection midway = client();
        midway.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        midway.service(0);                                   // its CONNECT leaves
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.getPendingHandshakes() == 0) {         // the server answers, the client has not yet acknowledged
            assertThat(System.nanoTime()).isLessThan(deadline);
            server.service(5);
        }
        server.beginDrain(ENetConnection.DRAIN_DISCONNECT_DATA);
        assertThat(server.isDraining()).isTrue();
        server.beginDrain(7);                                // again: nothing changes
        ENetConnection late = client();
        late.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        Loop loop = new Loop(server, midway, late);
        loop.until(() -> loop.count(midway, EVENT_DISCONNECT) == 1 && server.isDrained()
                && server.publishMetrics().droppedDatagrams(HostMetrics.DatagramDrop.REFUSED) >= 1, 5000);
        assertThat(loop.of(midway, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(ENetConnection.DRAIN_DISCONNECT_DATA);
        assertThat(loop.count(server, EVENT_CONNECT)).as("the handshake under way completes").isEqualTo(1);
        assertThat(loop.count(server, EVENT_DISCONNECT)).isEqualTo(1);
        assertThat(loop.count(late, EVENT_CONNECT)).as("refused while draining").isZero();
        assertThat(server.getPeers()).isEmpty();
        assertThat(server.getMetrics().draining()).isTrue();
    }

    @Test
    void aPeerThatStoppedAnsweringIsToldAtTheDeadline() throws Exception {
        ENetConnection server = server(4);
        ENetConnection answering = client();
        ENetConnection silent = client();
        Loop loop = new Loop(server, answering, silent);
        answering.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        silent.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 2 && loop.count(answering, EVENT_CONNECT) == 1
                && loop.count(silent, EVENT_CONNECT) == 1, 5000);
        List<ENetEvent> serverEvents = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        Thread drainer = drainOnItsThread(server, 600, serverEvents, left, failure);
        Loop answeringOnly = new Loop(answering);
        answeringOnly.until(() -> answeringOnly.count(answering, EVENT_DISCONNECT) == 1, 5000);
        drainer.join(5000);                                  // "silent" is not serviced meanwhile: it acknowledges nothing
        long tookMillis = (System.nanoTime() - start) / 1_000_000L;
        assertThat(failure.get()).isNull();
        assertThat(left.get()).as("the silent peer was still there").isEqualTo(1);
        assertThat(tookMillis).as("the drain waited for its deadline").isGreaterThanOrEqualTo(600);
        assertThat(answeringOnly.of(answering, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(ENetConnection.DRAIN_DISCONNECT_DATA);
        // When the silent one looks again, what waits for it is a DISCONNECT with the drain's data, not a timeout.
        Loop silentOnly = new Loop(silent);
        silentOnly.until(() -> silentOnly.count(silent, EVENT_DISCONNECT) == 1, 3000);
        assertThat(silentOnly.of(silent, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(ENetConnection.DRAIN_DISCONNECT_DATA);
        assertThat(serverEvents).filteredOn(e -> e.type() == EVENT_DISCONNECT).hasSize(1);
    }

    @Test
    void aHostWithoutPeersDrainsAtOnce() throws Exception {
        ENetConnection server = server(2);
        assertThat(server.isDrained()).isTrue();
        assertThat(server.isDraining()).isFalse();
        assertThatThrownBy(() -> server.drain(ENetConnection.DRAIN_DISCONNECT_DATA, -1, null))
                .isInstanceOf(IllegalArgumentException.class);
        long start = System.nanoTime();
        assertThat(server.drain(ENetConnection.DRAIN_DISCONNECT_DATA, 10_000, null)).isZero();
        assertThat((System.nanoTime() - start) / 1_000_000L).isLessThan(5_000);
        assertThat(server.isDraining()).as("no host any more").isFalse();
        assertThatThrownBy(server::isDrained).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.beginDrain(1)).isInstanceOf(IllegalStateException.class);
    }
}

package io.jenet.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.engine.Event;
import io.jenet.internal.engine.Peer;


import io.jenet.ENetPacketPeer;
import io.jenet.TestCertificates;
import io.jenet.TlsOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DTLS under heavy loss, deterministically: four clients and a server on a virtual-time link that
 * loses 30 % of datagrams each way, the DTLS layers polled on every pass as Godot does. Every
 * client must connect on both sides and its reliable data must arrive in order, whatever the
 * seed: stalled handshakes are retransmitted, and sessions a server dropped are started over.
 * ENet's own give-up is switched off (patient peers), and the window is long because ENet's
 * retransmission back-off is unbounded: a VERIFY_CONNECT that fails six times in a row at 30 %
 * loss (about 2 % of handshakes) is next retried two minutes later.
 */
class DtlsLossySimulationTest {
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void contexts() throws Exception {
        serverContext = new TestCertificates("sim CA").server("localhost").serverOptions().sslContext();
        clientContext = TlsOptions.clientUnsafe(null).sslContext();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void fourClientsConnectAndDeliverAtThirtyPercentLoss(long seed) {
        DtlsSimulation sim = new DtlsSimulation(seed, 0.30, 5);
        sim.patient = true;
        InetSocketAddress serverAddress = new InetSocketAddress("10.0.0.1", 7777);
        DtlsSimulation.Endpoint server = sim.add(serverAddress, 4, e -> new DtlsServer(serverContext, e::wire, 4352, 4));
        List<DtlsSimulation.Endpoint> clients = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            DtlsSimulation.Endpoint c = sim.add(new InetSocketAddress("10.0.0." + (10 + i), 5000), 1,
                    e -> new DtlsClient(clientContext, e::wire, "localhost", false, 4352));
            clients.add(c);
            Peer p = c.host.connect(serverAddress, 1, i);
            peers.add(p);
        }
        boolean connected = sim.runUntil(() -> server.count(Event.TYPE_CONNECT) == 4
                && clients.stream().allMatch(c -> c.count(Event.TYPE_CONNECT) == 1), 600_000);
        assertThat(connected).as("all connected by %d ms (server %d, clients %s)", sim.now, server.count(Event.TYPE_CONNECT),
                clients.stream().map(c -> c.count(Event.TYPE_CONNECT) + "/" + c.dtls.establishedSessions()).toList()).isTrue();
        for (int i = 0; i < 4; i++) {
            for (int m = 0; m < 10; m++) {
                byte[] b = {(byte) i, (byte) m};
                peers.get(i).send(0, clients.get(i).host.createPacket(b, 0, 2, ENetPacketPeer.FLAG_RELIABLE));
            }
        }
        assertThat(sim.runUntil(() -> server.count(Event.TYPE_RECEIVE) == 40, 120_000)).as("all data").isTrue();
        assertThat(server.errors).isZero();
        assertThat(clients.stream().mapToLong(c -> c.errors).sum()).isZero();
        assertThat(server.dtls.sessions()).isEqualTo(4);
    }
}

package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Godot's DTLS extension over real loopback UDP: handshake, data, verification, refusal, misuse.
 * Every scenario runs with {@code service(0)} (what a Godot game calls every frame, which must
 * drive handshakes too) and with a positive timeout.
 */
class DtlsTest {
    private static TestCertificates authority;
    private static TestCertificates.Issued localhost;
    private final List<ENetConnection> open = new ArrayList<>();
    /** The timeout every scenario's loop passes to {@code service}. */
    private int serviceTimeout;

    @BeforeAll
    static void certificates() throws Exception {
        authority = new TestCertificates("jenet test CA");
        localhost = authority.server("localhost");
    }

    @AfterEach
    void closeAll() {
        open.forEach(ENetConnection::close);
    }

    private ENetConnection dtlsServer(TestCertificates.Issued identity, int peers) throws Exception {
        ENetConnection s = new ENetConnection();
        open.add(s);
        s.createHostBound("127.0.0.1", 0, peers, 0);
        s.dtlsServerSetup(identity.serverOptions());
        return s;
    }

    private ENetConnection client(String hostname, TlsOptions options) throws Exception {
        ENetConnection c = new ENetConnection();
        open.add(c);
        c.createHost(1, 0);
        if (options != null) {
            c.dtlsClientSetup(hostname, options);
        }
        return c;
    }

    private TlsOptions trustingOurCa() {
        return TlsOptions.client(List.of(authority.ca), null);
    }

    private static byte[] payload(int seq, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seq * 131 + i * 7 + (i >>> 8));
        }
        return b;
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 1})
    void handshakeThenEveryPacketKindAndSizeBothWaysThenDisconnect(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        ENetConnection server = dtlsServer(localhost, 4);
        ENetConnection client = client("localhost", trustingOurCa());
        Loop loop = new Loop(serviceTimeout, server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 2, 42);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1 && loop.count(server, EVENT_CONNECT) == 1, 10_000);
        assertThat(loop.of(server, EVENT_CONNECT).get(0).event().data()).isEqualTo(42);
        ENetPacketPeer serverSide = loop.of(server, EVENT_CONNECT).get(0).event().peer();

        int[] sizes = {0, 1, 64, 1000, 1364, 5000, 100_000, 1 << 20};
        int[] flags = {ENetPacketPeer.FLAG_RELIABLE, 0, ENetPacketPeer.FLAG_UNSEQUENCED, ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT};
        List<byte[]> sent = new ArrayList<>();
        int seq = 0;
        for (int size : sizes) {
            for (int flag : flags) {
                if (size >= 100_000 && flag != ENetPacketPeer.FLAG_RELIABLE) {
                    continue; // large unreliable packets may lose a fragment; reliable covers the size
                }
                byte[] b = payload(seq++, size);
                sent.add(b);
                peer.send(flag == ENetPacketPeer.FLAG_RELIABLE ? 0 : 1, b, flag);
                serverSide.send(flag == ENetPacketPeer.FLAG_RELIABLE ? 0 : 1, b, flag);
            }
        }
        int expected = sent.size();
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == expected && loop.count(client, EVENT_RECEIVE) == expected, 30_000);
        for (ENetConnection side : List.of(server, client)) {
            List<byte[]> got = new ArrayList<>();
            loop.of(side, EVENT_RECEIVE).forEach(s -> got.add(s.packet()));
            assertThat(got).hasSize(expected);
            // Every packet intact (loopback loses nothing); reliable ones in order on channel 0.
            assertThat(got).usingElementComparator(java.util.Arrays::compare).containsExactlyInAnyOrderElementsOf(sent);
            List<byte[]> reliable = loop.of(side, EVENT_RECEIVE).stream().filter(s -> s.event().channel() == 0).map(Loop.Seen::packet).toList();
            List<byte[]> sentReliable = new ArrayList<>();
            int k = 0;
            for (int size : sizes) {
                for (int flag : flags) {
                    if (size >= 100_000 && flag != ENetPacketPeer.FLAG_RELIABLE) {
                        continue;
                    }
                    if (flag == ENetPacketPeer.FLAG_RELIABLE) {
                        sentReliable.add(sent.get(k));
                    }
                    k++;
                }
            }
            assertThat(reliable).usingElementComparator(java.util.Arrays::compare).containsExactlyElementsOf(sentReliable);
        }
        peer.peerDisconnect(7);
        loop.until(() -> loop.count(server, EVENT_DISCONNECT) == 1 && loop.count(client, EVENT_DISCONNECT) == 1, 10_000);
        assertThat(loop.of(server, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(7);
        assertThat(server.isDtlsEnabled()).isTrue();
        assertThat(client.dtlsLastFailure()).isNull();
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 1})
    void sixtyFourDtlsClientsOnOneServer(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        ENetConnection server = dtlsServer(localhost, 64);
        List<ENetConnection> clients = new ArrayList<>();
        List<ENetPacketPeer> peers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            ENetConnection c = client("localhost", trustingOurCa());
            clients.add(c);
            peers.add(c.connectToHost("127.0.0.1", server.getLocalPort(), 1, i));
        }
        List<ENetConnection> all = new ArrayList<>(clients);
        all.add(server);
        Loop loop = new Loop(serviceTimeout, all.toArray(new ENetConnection[0]));
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 64, 30_000);
        for (int i = 0; i < 64; i++) {
            peers.get(i).send(0, payload(i, 100), ENetPacketPeer.FLAG_RELIABLE);
        }
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 64, 30_000);
        List<Integer> data = new ArrayList<>();
        for (Loop.Seen s : loop.of(server, EVENT_RECEIVE)) {
            int i = -1;
            for (int j = 0; j < 64; j++) {
                if (java.util.Arrays.equals(s.packet(), payload(j, 100))) {
                    i = j;
                }
            }
            data.add(i);
        }
        assertThat(data).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 64).boxed().toList());
    }

    /**
     * A client that must not get through: as Godot's DTLS client, each failed handshake makes
     * {@code service} return EVENT_ERROR (the next CONNECT retransmission tries a new handshake),
     * and the connection ends in DISCONNECT once ENet gives up; the failure is reported.
     */
    private String refused(ENetConnection server, ENetConnection client) {
        Loop loop = new Loop(serviceTimeout, server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        peer.setTimeout(4, 1000, 3000);
        loop.until(() -> loop.count(client, EVENT_DISCONNECT) == 1, 15_000);
        assertThat(loop.count(client, EVENT_CONNECT)).isZero();
        assertThat(loop.count(server, EVENT_CONNECT)).isZero();
        List<ENetConnection.EventType> types = loop.seen.stream().filter(s -> s.connection() == client)
                .map(s -> s.event().type()).toList();
        assertThat(types).first().isEqualTo(ENetConnection.EventType.EVENT_ERROR);
        assertThat(types).last().isEqualTo(EVENT_DISCONNECT);
        assertThat(types).containsOnly(ENetConnection.EventType.EVENT_ERROR, EVENT_DISCONNECT);
        assertThat(loop.count(server, ENetConnection.EventType.EVENT_ERROR)).isZero();
        return client.dtlsLastFailure();
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void anUntrustedCertificateIsRefusedAndLogged(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        // System.Logger "io.jenet" goes to java.util.logging when no other backend is installed.
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.jenet");
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        try {
            TestCertificates otherCa = new TestCertificates("some other CA");
            String failure = refused(dtlsServer(otherCa.server("localhost"), 4), client("localhost", trustingOurCa()));
            assertThat(failure).isNotNull().containsIgnoringCase("certification path");
            assertThat(records).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
                assertThat(java.text.MessageFormat.format(r.getMessage(), r.getParameters())).startsWith("jenet: DTLS session failed: ")
                        .containsIgnoringCase("certification path");
            });
        } finally {
            jul.removeHandler(handler);
        }
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void aHostnameMismatchIsRefused(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        String failure = refused(dtlsServer(authority.server("game.example.org"), 4), client("localhost", trustingOurCa()));
        assertThat(failure).isNotNull().containsIgnoringCase("localhost");
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void anExpiredCertificateIsRefused(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        TestCertificates.Issued expired = authority.server("localhost", Instant.now().minus(Duration.ofDays(30)),
                Instant.now().minus(Duration.ofDays(1)));
        String failure = refused(dtlsServer(expired, 4), client("localhost", trustingOurCa()));
        assertThat(failure).isNotNull().containsIgnoringCase("validity check failed");
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void theCommonNameOverrideIsWhatGetsVerified(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        ENetConnection server = dtlsServer(authority.server("game.example.org"), 4);
        ENetConnection client = client("127.0.0.1", TlsOptions.client(List.of(authority.ca), "game.example.org"));
        Loop loop = new Loop(serviceTimeout, server, client);
        client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1, 10_000);
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void anUnsafeClientAcceptsASelfSignedCertificate(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        ENetConnection server = dtlsServer(TestCertificates.selfSigned("whatever.invalid"), 4);
        ENetConnection client = client("localhost", TlsOptions.clientUnsafe(null));
        Loop loop = new Loop(serviceTimeout, server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1, 10_000);
        peer.send(0, payload(1, 300), ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 1, 10_000);
        assertThat(loop.of(server, EVENT_RECEIVE).get(0).packet()).isEqualTo(payload(1, 300));
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void aVerifyingClientRefusesTheSameSelfSignedCertificate(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        String failure = refused(dtlsServer(TestCertificates.selfSigned("localhost"), 4), client("localhost", trustingOurCa()));
        assertThat(failure).isNotNull();
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void aPlaintextClientCannotConnectAndTheServerKeepsServingItsDtlsPeers(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        ENetConnection server = dtlsServer(localhost, 4);
        ENetConnection good = client("localhost", trustingOurCa());
        ENetConnection plain = client(null, null);
        Loop loop = new Loop(serviceTimeout, server, good, plain);
        ENetPacketPeer goodPeer = good.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(good, EVENT_CONNECT) == 1, 10_000);
        ENetPacketPeer plainPeer = plain.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        plainPeer.setTimeout(4, 1000, 3000);
        for (int i = 0; i < 50; i++) {
            goodPeer.send(0, payload(i, 200), ENetPacketPeer.FLAG_RELIABLE);
            loop.pumpOnce(serviceTimeout);
        }
        loop.until(() -> loop.count(plain, EVENT_DISCONNECT) == 1 && loop.count(server, EVENT_RECEIVE) == 50, 15_000);
        assertThat(loop.count(plain, EVENT_CONNECT)).isZero();
        assertThat(loop.count(server, EVENT_CONNECT)).isEqualTo(1);
        List<Loop.Seen> got = loop.of(server, EVENT_RECEIVE);
        for (int i = 0; i < 50; i++) {
            assertThat(got.get(i).packet()).isEqualTo(payload(i, 200));
        }
    }

    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void refuseNewConnectionsStopsNewClientsButNotExistingSessions(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        ENetConnection server = dtlsServer(localhost, 4);
        ENetConnection first = client("localhost", trustingOurCa());
        Loop loop = new Loop(serviceTimeout, server, first);
        ENetPacketPeer firstPeer = first.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(first, EVENT_CONNECT) == 1, 10_000);
        server.refuseNewConnections(true);

        ENetConnection second = client("localhost", trustingOurCa());
        Loop loop2 = new Loop(serviceTimeout, server, first, second);
        ENetPacketPeer secondPeer = second.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        secondPeer.setTimeout(4, 1000, 3000);
        firstPeer.send(0, payload(9, 500), ENetPacketPeer.FLAG_RELIABLE);
        loop2.until(() -> loop2.count(second, EVENT_DISCONNECT) == 1 && loop2.count(server, EVENT_RECEIVE) == 1, 15_000);
        assertThat(loop2.count(second, EVENT_CONNECT)).isZero();
        assertThat(loop2.of(server, EVENT_RECEIVE).get(0).packet()).isEqualTo(payload(9, 500));

        server.refuseNewConnections(false);
        ENetConnection third = client("localhost", trustingOurCa());
        Loop loop3 = new Loop(serviceTimeout, server, first, third);
        third.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop3.until(() -> loop3.count(third, EVENT_CONNECT) == 1, 10_000);
    }

    /**
     * A disconnect that ENet sends as its peer is reset (peerDisconnectNow on either side, destroy
     * on the client) reaches the other end inside the session, which ends after it: the server's
     * slot is free at once, not after ENet's timeout. Peers get timeouts far longer than the loop's
     * bound, so only the DISCONNECT can end them.
     */
    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 1})
    void disconnectNowAndDestroyReachTheOtherEndThroughTheSession(int serviceTimeout) throws Exception {
        this.serviceTimeout = serviceTimeout;
        // One slot: each client below gets in only once the one before has gone.
        ENetConnection server = dtlsServer(localhost, 1);
        for (int step = 0; step < 3; step++) {
            ENetConnection client = client("localhost", trustingOurCa());
            Loop loop = new Loop(serviceTimeout, server, client);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
            loop.until(() -> loop.count(client, EVENT_CONNECT) == 1 && loop.count(server, EVENT_CONNECT) == 1, 10_000);
            ENetPacketPeer serverSide = loop.of(server, EVENT_CONNECT).get(0).event().peer();
            peer.setTimeout(32, 60_000, 60_000);
            serverSide.setTimeout(32, 60_000, 60_000);
            if (step == 0) {
                peer.peerDisconnectNow(11);
                loop.until(() -> loop.count(server, EVENT_DISCONNECT) == 1, 10_000);
                assertThat(loop.of(server, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(11);
            } else if (step == 1) {
                serverSide.peerDisconnectNow(12);
                loop.until(() -> loop.count(client, EVENT_DISCONNECT) == 1, 10_000);
                assertThat(loop.of(client, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(12);
            } else {
                client.destroy();
                Loop serverOnly = new Loop(serviceTimeout, server);
                serverOnly.until(() -> serverOnly.count(server, EVENT_DISCONNECT) == 1, 10_000);
            }
            // Both sessions end with their peers (the next pass of service drops them).
            boolean destroyed = step == 2;
            Loop after = destroyed ? new Loop(serviceTimeout, server) : new Loop(serviceTimeout, server, client);
            after.until(() -> server.getDtlsSessions() == 0 && (destroyed || client.getDtlsSessions() == 0), 10_000);
        }
    }

    @Test
    void misuseGetsClearExceptions() throws Exception {
        ENetConnection none = new ENetConnection();
        open.add(none);
        assertThatThrownBy(() -> none.dtlsServerSetup(localhost.serverOptions())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("host not created");
        ENetConnection server = dtlsServer(localhost, 4);
        assertThatThrownBy(() -> server.dtlsServerSetup(localhost.serverOptions())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already set up");
        ENetConnection c = client(null, null);
        assertThatThrownBy(() -> c.dtlsClientSetup("localhost", localhost.serverOptions())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.dtlsServerSetup(trustingOurCa())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.dtlsClientSetup("", trustingOurCa())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host name");
        c.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        assertThatThrownBy(() -> c.dtlsClientSetup("localhost", trustingOurCa())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before any peer");
        assertThatThrownBy(() -> TlsOptions.server(localhost.key(), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsOptions.client(List.of(), null)).isInstanceOf(IllegalArgumentException.class);
    }
}

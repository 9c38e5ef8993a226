package io.jenet.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;




import io.jenet.TestCertificates;
import io.jenet.TlsOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DTLS session lifetime as Godot has it, on an in-memory link with a virtual clock: a server
 * session lives as long as the ENet peer at its address, one that no peer adopts is dropped after
 * 32 s of silence from its client, there are never more sessions than peer slots; a client keeps one session, started by the
 * first datagram it sends, that ends with its peer; a client whose first flight is lost starts
 * over when polled.
 */
class DtlsSessionLifetimeTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 7777);
    private static final byte[] OUT = new byte[65536];
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    private final ArrayDeque<Datagram> wire = new ArrayDeque<>();
    private long now = 1_000;

    @BeforeAll
    static void contexts() throws Exception {
        serverContext = new TestCertificates("lifetime CA").server("localhost").serverOptions().sslContext();
        clientContext = TlsOptions.clientUnsafe(null).sslContext();
    }

    private DtlsServer server(int slots) {
        return new DtlsServer(serverContext, (to, d, o, l) -> {
            wire.add(new Datagram(SERVER, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, 4352, slots);
    }

    private DtlsClient client(InetSocketAddress at) {
        return new DtlsClient(clientContext, (to, d, o, l) -> {
            wire.add(new Datagram(at, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, "localhost", false, 4352);
    }

    /** Delivers everything on the wire (and what it provokes); returns the last ENet datagram the server got. */
    private byte[] deliver(DtlsServer server, InetSocketAddress at, DtlsClient client) {
        byte[] delivered = null;
        for (int i = 0; i < 1000 && !wire.isEmpty(); i++) {
            Datagram d = wire.pollFirst();
            if (d.to().equals(SERVER)) {
                int n = server.receive(d.from(), d.data(), d.data().length, OUT, now);
                if (n >= 0) {
                    delivered = Arrays.copyOf(OUT, n);
                }
            } else if (d.to().equals(at)) {
                client.receive(SERVER, d.data(), d.data().length, OUT, now);
            }
        }
        return delivered;
    }

    /** A client at {@code at} completes a handshake and its first datagram arrives. */
    private DtlsClient establish(DtlsServer server, InetSocketAddress at) {
        DtlsClient c = client(at);
        byte[] hello = ("hello from " + at.getPort()).getBytes(StandardCharsets.US_ASCII);
        c.send(SERVER, hello, 0, hello.length, now);
        assertThat(deliver(server, at, c)).isEqualTo(hello);
        assertThat(c.establishedSessions()).isEqualTo(1);
        return c;
    }

    @Test
    void aSessionNoPeerAdoptsIsDroppedAfterItsClientIsSilentFor32SecondsAndAnAdoptedOneStays() {
        DtlsServer server = server(8);
        InetSocketAddress lonely = new InetSocketAddress("127.0.0.2", 1000);
        InetSocketAddress adopted = new InetSocketAddress("127.0.0.2", 1001);
        DtlsClient lonelyClient = establish(server, lonely);
        establish(server, adopted);
        server.peerAttached(adopted);
        assertThat(server.sessions()).isEqualTo(2);

        // ENet's CONNECT retransmissions through loss arrive 16 s apart: each keeps the session.
        byte[] connect = {7, 7, 7};
        for (int retry = 0; retry < 3; retry++) {
            now += 16_000;
            server.poll(now);
            lonelyClient.send(SERVER, connect, 0, connect.length, now);
            assertThat(deliver(server, lonely, lonelyClient)).isEqualTo(connect);
        }
        assertThat(server.sessions()).isEqualTo(2);
        assertThat(server.expiredSessions()).isZero();

        now += DtlsLayer.UNADOPTED_IDLE_MS - 1;
        server.poll(now);
        assertThat(server.sessions()).isEqualTo(2);
        assertThat(server.dueAt()).isEqualTo(now + 1);
        now += 1;
        server.poll(now);
        assertThat(server.sessions()).isEqualTo(1);
        assertThat(server.expiredSessions()).isEqualTo(1);

        // The adopted session has no expiry of its own: it lives as long as its peer.
        now += 10 * 60_000;
        server.poll(now);
        assertThat(server.sessions()).isEqualTo(1);
        assertThat(server.dueAt()).isEqualTo(Long.MAX_VALUE);
        // Released, the session still carries what the host sends before its next poll (the
        // peer's DISCONNECT), and is dropped by that poll.
        server.peerReleased(adopted);
        byte[] last = {4, 5, 6};
        assertThat(server.send(adopted, last, 0, last.length, now)).isEqualTo(last.length);
        assertThat(wire).hasSize(1);
        assertThat(wire.peekFirst().to()).isEqualTo(adopted);
        wire.clear();
        server.poll(now);
        assertThat(server.sessions()).isZero();
        byte[] late = {1, 2, 3};
        assertThat(server.send(adopted, late, 0, late.length, now)).isZero();
        assertThat(wire).isEmpty();
    }

    @Test
    void neverMoreSessionsThanPeerSlots() {
        DtlsServer server = server(3);
        for (int i = 0; i < 3; i++) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.3", 2000 + i);
            establish(server, at);
            server.peerAttached(at);
        }
        InetSocketAddress fourth = new InetSocketAddress("127.0.0.3", 2003);
        DtlsClient c = client(fourth);
        byte[] hello = {9};
        c.send(SERVER, hello, 0, 1, now);
        assertThat(deliver(server, fourth, c)).isNull();
        assertThat(server.sessions()).isEqualTo(3);
        assertThat(c.establishedSessions()).isZero();

        // A slot frees when a peer goes; the fourth client's next attempt gets in.
        server.peerReleased(new InetSocketAddress("127.0.0.3", 2000));
        server.poll(now);
        now += 1_000;
        c.poll(now);
        deliver(server, fourth, c);
        assertThat(c.establishedSessions()).isEqualTo(1);
        assertThat(server.sessions()).isEqualTo(3);
        assertThat(server.establishedSessions()).isEqualTo(3);
    }

    @Test
    void aRestartedClientKeepsItsNewSessionWhenTheOldPeerTimesOut() {
        DtlsServer server = server(8);
        InetSocketAddress at = new InetSocketAddress("127.0.0.4", 3000);
        establish(server, at);
        server.peerAttached(at);
        // The game restarts on the same address and port: a new handshake replaces the session.
        now += 100;
        DtlsClient again = establish(server, at);
        assertThat(server.sessions()).isEqualTo(1);
        server.peerAttached(at);
        // The old ENet peer times out later; the new one lives on, and so does its session.
        server.peerReleased(at);
        assertThat(server.sessions()).isEqualTo(1);
        byte[] data = "still here".getBytes(StandardCharsets.US_ASCII);
        again.send(SERVER, data, 0, data.length, now);
        assertThat(deliver(server, at, again)).isEqualTo(data);
        server.peerReleased(at);
        server.poll(now);
        assertThat(server.sessions()).isZero();
    }

    @Test
    void theClientKeepsOneSessionThatEndsWithItsPeer() {
        DtlsServer server = server(8);
        InetSocketAddress at = new InetSocketAddress("127.0.0.5", 4000);
        DtlsClient c = client(at);
        c.peerAttached(SERVER);
        byte[] hello = {1};
        c.send(SERVER, hello, 0, 1, now);
        deliver(server, at, c);
        assertThat(c.sessions()).isEqualTo(1);
        // Whatever the destination, later datagrams go inside the one session, to its server.
        byte[] other = {2, 2};
        assertThat(c.send(new InetSocketAddress("127.0.0.9", 9), other, 0, 2, now)).isEqualTo(2);
        assertThat(wire).hasSize(1);
        assertThat(wire.peekFirst().to()).isEqualTo(SERVER);
        assertThat(deliver(server, at, c)).isEqualTo(other);
        // Bound to its peer, the session outlives the silence rule; it ends when the peer does.
        now += DtlsLayer.UNADOPTED_IDLE_MS * 3;
        c.poll(now);
        assertThat(c.sessions()).isEqualTo(1);
        c.peerReleased(SERVER);
        c.poll(now);
        assertThat(c.sessions()).isZero();
        assertThat(c.takeFailure()).isFalse();
    }

    @Test
    void theLastDatagramOfAReleasedPeerStillGoesThroughItsSession() {
        DtlsServer server = server(8);
        InetSocketAddress at = new InetSocketAddress("127.0.0.5", 4001);
        DtlsClient c = establish(server, at);
        c.peerAttached(SERVER);
        server.peerAttached(at);
        // The engine releases a peer as it resets it, and the host then sends the DISCONNECT that
        // the reset queued: it goes inside the session, which ends at the next poll.
        c.peerReleased(SERVER);
        byte[] disconnect = {3, 3};
        assertThat(c.send(SERVER, disconnect, 0, 2, now)).isEqualTo(2);
        assertThat(deliver(server, at, c)).isEqualTo(disconnect);
        c.poll(now);
        assertThat(c.sessions()).isZero();
        // The same from the server's side.
        DtlsClient d = establish(server, new InetSocketAddress("127.0.0.5", 4002));
        InetSocketAddress dAt = new InetSocketAddress("127.0.0.5", 4002);
        server.peerAttached(dAt);
        d.peerAttached(SERVER);
        server.peerReleased(dAt);
        assertThat(server.send(dAt, disconnect, 0, 2, now)).isEqualTo(2);
        Datagram out = wire.pollLast();
        assertThat(out.to()).isEqualTo(dAt);
        byte[] got = new byte[65536];
        assertThat(d.receive(SERVER, out.data(), out.data().length, got, now)).isEqualTo(2);
        assertThat(Arrays.copyOf(got, 2)).isEqualTo(disconnect);
        server.poll(now);
        assertThat(server.sessions()).isEqualTo(1);
        assertThat(server.send(dAt, disconnect, 0, 2, now)).isZero();
        // A new peer of the client after the release starts a new session, never the old one.
        c.peerAttached(SERVER);
        c.send(SERVER, new byte[] {1}, 0, 1, now);
        assertThat(c.sessions()).isEqualTo(1);
        assertThat(c.establishedSessions()).isZero();
    }

    @Test
    void aClientWhoseFirstFlightIsLostStartsOverWhenPolledAndKeepsItsHeldDatagrams() {
        DtlsServer server = server(8);
        InetSocketAddress at = new InetSocketAddress("127.0.0.6", 5000);
        DtlsClient c = client(at);
        c.peerAttached(SERVER);
        byte[] connect = "CONNECT".getBytes(StandardCharsets.US_ASCII);
        assertThat(c.send(SERVER, connect, 0, connect.length, now)).isZero();
        assertThat(wire).hasSize(1);
        wire.clear(); // the ClientHello is lost
        long due = c.dueAt();
        assertThat(due).isGreaterThan(now).isLessThan(Long.MAX_VALUE);
        c.poll(due - 1);
        assertThat(wire).isEmpty();
        now = due;
        c.poll(now);
        assertThat(wire).as("a new ClientHello").hasSize(1);
        assertThat(deliver(server, at, c)).as("the held CONNECT, sent once the handshake is done").isEqualTo(connect);
    }


    /**
     * A client whose server has lost its side (a restart) hears nothing back through its session:
     * after 32 s of silence it starts over, and the new server takes the held datagram; while
     * anything comes back, or before the 32 s, it keeps its session.
     */
    @Test
    void aClientThatHearsNothingFor32SecondsAfterItsHandshakeStartsOver() {
        InetSocketAddress at = new InetSocketAddress("127.0.0.7", 6000);
        DtlsClient c = establish(server(8), at);
        c.peerAttached(SERVER);
        long establishedAt = now;
        DtlsServer restarted = server(8);
        byte[] connect = "CONNECT again".getBytes(StandardCharsets.US_ASCII);
        now += 16_000;
        c.send(SERVER, connect, 0, connect.length, now);
        assertThat(deliver(restarted, at, c)).as("the restarted server knows no session").isNull();
        now = establishedAt + DtlsLayer.UNADOPTED_IDLE_MS - 1;
        c.poll(now);
        assertThat(c.restartedSessions()).isZero();
        assertThat(c.dueAt()).isEqualTo(now + 1);
        now += 1;
        c.poll(now);
        assertThat(c.restartedSessions()).isEqualTo(1);
        c.send(SERVER, connect, 0, connect.length, now);
        assertThat(deliver(restarted, at, c)).as("through the new session").isEqualTo(connect);
        assertThat(c.establishedSessions()).isEqualTo(1);
    }

    /**
     * A resumed (abbreviated) handshake ends with the client's flight; when that is lost the
     * server retransmits its own, which the JDK client, already done, ignores. The client counts
     * those late flights and starts over at the third, and the new session carries data.
     */
    @Test
    void aClientWhoseLastFlightIsLostStartsOverWhenTheServerKeepsRetransmitting() {
        DtlsServer server = server(8);
        establish(server, new InetSocketAddress("127.0.0.7", 6100)); // a session to resume
        InetSocketAddress at = new InetSocketAddress("127.0.0.7", 6101);
        DtlsClient c = client(at);
        c.peerAttached(SERVER);
        byte[] connect = "CONNECT".getBytes(StandardCharsets.US_ASCII);
        c.send(SERVER, connect, 0, connect.length, now);
        for (int i = 0; i < 100 && c.establishedSessions() == 0 && !wire.isEmpty(); i++) {
            Datagram d = wire.pollFirst();
            if (d.to().equals(SERVER)) {
                server.receive(d.from(), d.data(), d.data().length, OUT, now);
            } else {
                c.receive(SERVER, d.data(), d.data().length, OUT, now);
            }
        }
        assertThat(c.establishedSessions()).as("abbreviated: the client is done first").isEqualTo(1);
        wire.clear(); // the client's last flight (and the held CONNECT) are lost
        assertThat(server.establishedSessions()).isEqualTo(1);
        int late = 0;
        while (c.restartedSessions() == 0 && late < 10) {
            server.poll(now);
            now = server.dueAt();
            server.poll(now);
            c.poll(now);
            assertThat(wire).as("the server retransmits its flight").isNotEmpty();
            while (!wire.isEmpty()) {
                Datagram d = wire.pollFirst();
                if (d.to().equals(at)) {
                    c.receive(SERVER, d.data(), d.data().length, OUT, now);
                }
            }
            late++;
            c.poll(now);
        }
        assertThat(late).isEqualTo(DtlsClient.LATE_FLIGHTS_TO_RESTART);
        assertThat(c.restartedSessions()).isEqualTo(1);
        c.send(SERVER, connect, 0, connect.length, now); // ENet's CONNECT retransmission
        assertThat(deliver(server, at, c)).as("through the new session").isEqualTo(connect);
        assertThat(server.establishedSessions()).isEqualTo(2);
        assertThat(server.sessions()).isEqualTo(2);
    }
    /**
     * The JDK halves its DTLS record size limit on every third handshake retransmission and never
     * raises it; a session must carry full-size ENet datagrams (up to ENet's largest MTU) once the
     * handshake is done, however many flights were lost on the way.
     */
    @Test
    void fullSizeDatagramsPassAfterAHandshakeWhoseServerFlightsWereLost() {
        DtlsServer server = server(8);
        InetSocketAddress at = new InetSocketAddress("127.0.0.8", 7000);
        DtlsClient c = client(at);
        c.peerAttached(SERVER);
        c.send(SERVER, new byte[] {1}, 0, 1, now);
        int lostServerFlights = 0;
        for (int round = 0; round < 200 && c.establishedSessions() == 0; round++) {
            boolean sawServerFlight = false;
            for (int i = 0; i < 1000 && !wire.isEmpty(); i++) {
                Datagram d = wire.pollFirst();
                if (d.to().equals(SERVER)) {
                    server.receive(d.from(), d.data(), d.data().length, OUT, now);
                } else if (lostServerFlights < 6 && d.data().length > 200) {
                    sawServerFlight = true; // the flight with the certificate: lost
                } else {
                    c.receive(SERVER, d.data(), d.data().length, OUT, now);
                }
            }
            if (sawServerFlight) {
                lostServerFlights++;
            }
            now = Math.min(server.dueAt(), c.dueAt());
            server.poll(now);
            c.poll(now);
        }
        assertThat(lostServerFlights).isEqualTo(6);
        assertThat(c.establishedSessions()).isEqualTo(1);
        deliver(server, at, c);
        for (int size : new int[] {1000, 1400, 4096}) {
            byte[] big = new byte[size];
            java.util.Arrays.fill(big, (byte) size);
            assertThat(c.send(SERVER, big, 0, big.length, now)).as("client sends %d bytes", size).isEqualTo(size);
            assertThat(deliver(server, at, c)).as("server gets %d bytes", size).isEqualTo(big);
            assertThat(server.send(at, big, 0, big.length, now)).as("server sends %d bytes", size).isEqualTo(size);
            assertThat(wire).hasSize(1);
            Datagram back = wire.pollFirst();
            assertThat(c.receive(SERVER, back.data(), back.data().length, OUT, now)).isEqualTo(size);
        }
    }

    @Test
    void aClientHandshakeFailureIsReportedOnceAndTheNextDatagramTriesAgain() throws Exception {
        SSLContext verifying = TlsOptions.client(java.util.List.of(new TestCertificates("another CA").ca), null).sslContext();
        DtlsServer server = server(8);
        InetSocketAddress at = new InetSocketAddress("127.0.0.7", 6000);
        DtlsClient c = new DtlsClient(verifying, (to, d, o, l) -> {
            wire.add(new Datagram(at, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, "localhost", true, 4352);
        c.peerAttached(SERVER);
        c.send(SERVER, new byte[] {1}, 0, 1, now);
        deliver(server, at, c);
        assertThat(c.lastFailure()).containsIgnoringCase("certification path");
        assertThat(c.sessions()).isZero();
        assertThat(c.takeFailure()).isTrue();
        assertThat(c.takeFailure()).isFalse();
        assertThat(c.failedHandshakes()).isEqualTo(1);
        // ENet's next CONNECT retransmission starts a new handshake at once, as Godot's client.
        c.send(SERVER, new byte[] {1}, 0, 1, now + 1000);
        assertThat(c.sessions()).isEqualTo(1);
        deliver(server, at, c);
        assertThat(c.failedHandshakes()).isEqualTo(2);
        assertThat(c.takeFailure()).isTrue();
    }
}

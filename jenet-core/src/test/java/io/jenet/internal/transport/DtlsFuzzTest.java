package io.jenet.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jenet.TestCertificates;
import io.jenet.TlsOptions;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The DTLS server's receive path under hostile datagrams: genuine first and second ClientHellos
 * (with cookie) from a real JDK client, then mutated by the fuzzer, and raw bytes, from strangers'
 * addresses, while an honest client's session is up. Invariants: nothing throws, at most
 * {@link DtlsServer#MAX_PENDING_HANDSHAKES} handshakes are kept, and the honest client's data still
 * arrives intact afterwards. Without {@code -Pfuzz} the seed inputs replay as an ordinary test.
 */
class DtlsFuzzTest {
    private static final InetSocketAddress HONEST = new InetSocketAddress("127.0.0.1", 40_000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 7777);
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    private static synchronized void contexts() throws Exception {
        if (serverContext == null) {
            serverContext = new TestCertificates("fuzz CA").server("localhost").serverOptions().sslContext();
            clientContext = TlsOptions.clientUnsafe(null).sslContext();
        }
    }

    /** An in-memory link: datagrams sent by either side queue here until delivered. */
    private final ArrayDeque<Datagram> wire = new ArrayDeque<>();

    private void pump(DtlsServer server, DtlsClient client, InetSocketAddress clientAddress, List<byte[]> toServerApp,
                      List<byte[]> toClientApp, long now) {
        byte[] out = new byte[65536];
        for (int i = 0; i < 200 && !wire.isEmpty(); i++) {
            Datagram d = wire.pollFirst();
            if (d.to().equals(SERVER)) {
                int n = server.receive(d.from(), d.data(), d.data().length, out, now);
                if (n >= 0) {
                    toServerApp.add(Arrays.copyOf(out, n));
                }
            } else if (d.to().equals(clientAddress) && client != null) {
                int n = client.receive(SERVER, d.data(), d.data().length, out, now);
                if (n >= 0) {
                    toClientApp.add(Arrays.copyOf(out, n));
                }
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void dtlsServerSurvivesHostileDatagrams(FuzzedDataProvider in) throws Exception {
        contexts();
        long now = 1_000;
        DtlsServer server = new DtlsServer(serverContext, (to, d, o, l) -> {
            wire.add(new Datagram(SERVER, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, 4352, 64);
        DtlsClient honest = new DtlsClient(clientContext, (to, d, o, l) -> {
            wire.add(new Datagram(HONEST, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, "localhost", false, 4352);
        List<byte[]> atServer = new java.util.ArrayList<>();
        List<byte[]> atClient = new java.util.ArrayList<>();
        byte[] hello = "honest".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        honest.send(SERVER, hello, 0, hello.length, now);
        for (int i = 0; i < 10 && server.establishedSessions() == 0; i++) {
            pump(server, honest, HONEST, atServer, atClient, now);
        }
        assertThat(server.establishedSessions()).isEqualTo(1);

        // A stranger's genuine ClientHellos (the second with its cookie), captured off the wire.
        InetSocketAddress stranger = new InetSocketAddress("127.0.0.2", 50_000);
        DtlsClient other = new DtlsClient(clientContext, (to, d, o, l) -> {
            wire.add(new Datagram(stranger, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, "localhost", false, 4352);
        other.send(SERVER, hello, 0, hello.length, now);
        byte[] firstHello = wire.pollLast().data();
        server.receive(stranger, firstHello, firstHello.length, new byte[65536], now);
        byte[] verify = wire.pollLast().data();
        other.receive(SERVER, verify, verify.length, new byte[65536], now);
        byte[] secondHello = wire.pollLast().data();
        wire.clear();

        int datagrams = in.consumeInt(1, 24);
        for (int i = 0; i < datagrams; i++) {
            int kind = in.consumeInt(0, 2);
            byte[] base = kind == 0 ? firstHello : kind == 1 ? secondHello : new byte[0];
            byte[] d = kind == 2 ? in.consumeBytes(in.consumeInt(0, 2000)) : base.clone();
            int edits = kind == 2 ? 0 : in.consumeInt(0, 8);
            for (int e = 0; e < edits && d.length > 0; e++) {
                d[in.consumeInt(0, d.length - 1)] = in.consumeByte();
            }
            if (kind != 2 && in.consumeBoolean()) {
                d = Arrays.copyOf(d, in.consumeInt(0, d.length));
            }
            InetSocketAddress from = new InetSocketAddress("127.0.0." + in.consumeInt(2, 40), in.consumeInt(1, 65535));
            server.receive(from, d, d.length, new byte[65536], now);
            now += in.consumeInt(0, 2000);
            server.poll(now);
            assertThat(server.sessions() - server.establishedSessions()).isLessThanOrEqualTo(DtlsServer.MAX_PENDING_HANDSHAKES);
        }
        // Whatever the strangers did, the honest session still carries data both ways.
        wire.clear();
        atServer.clear();
        byte[] after = "still here".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(honest.send(SERVER, after, 0, after.length, now)).isEqualTo(after.length);
        pump(server, honest, HONEST, atServer, atClient, now);
        assertThat(atServer).anySatisfy(b -> assertThat(b).isEqualTo(after));
        atClient.clear();
        assertThat(server.send(HONEST, after, 0, after.length, now)).isEqualTo(after.length);
        pump(server, honest, HONEST, atServer, atClient, now);
        assertThat(atClient).anySatisfy(b -> assertThat(b).isEqualTo(after));
    }
}

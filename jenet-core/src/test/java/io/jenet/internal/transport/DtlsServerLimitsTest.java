package io.jenet.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;



import io.jenet.TestCertificates;
import io.jenet.TlsOptions;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The DTLS server's state bounds, on an in-memory link: a ClientHello without a cookie leaves
 * nothing behind; at most 16 handshakes are pending; clients that prove their address and then
 * stall are evicted (stalest first) for a newcomer, whose handshake completes.
 */
class DtlsServerLimitsTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 7777);

    private record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    private final ArrayDeque<Datagram> wire = new ArrayDeque<>();

    private DtlsClient client(SSLContext context, InetSocketAddress at) {
        return new DtlsClient(context, (to, d, o, l) -> {
            wire.add(new Datagram(at, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, "localhost", false, 4352);
    }

    /** Runs the cookie exchange for a client at {@code at}, then loses every server flight. */
    private void proveAndStall(DtlsServer server, SSLContext context, InetSocketAddress at, byte[] out, long now) {
        DtlsClient staller = client(context, at);
        staller.send(SERVER, new byte[] {1}, 0, 1, now);
        Datagram hello = wire.pollLast();
        server.receive(at, hello.data(), hello.data().length, out, now);
        Datagram verify = wire.pollLast();
        staller.receive(SERVER, verify.data(), verify.data().length, out, now);
        Datagram second = wire.pollLast();
        server.receive(at, second.data(), second.data().length, out, now);
        wire.clear();
    }

    @Test
    void pendingHandshakesAreBoundedAndStalledOnesMakeRoom() throws Exception {
        SSLContext serverContext = new TestCertificates("limits CA").server("localhost").serverOptions().sslContext();
        SSLContext clientContext = TlsOptions.clientUnsafe(null).sslContext();
        DtlsServer server = new DtlsServer(serverContext, (to, d, o, l) -> {
            wire.add(new Datagram(SERVER, to, Arrays.copyOfRange(d, o, o + l)));
            return l;
        }, 4352, 4095);
        byte[] out = new byte[65536];
        long now = 1_000;
        byte[] first = {1};

        // 40 strangers send a first ClientHello each: answered, nothing kept.
        for (int i = 0; i < 40; i++) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.3", 20_000 + i);
            client(clientContext, at).send(SERVER, first, 0, 1, now);
            Datagram hello = wire.pollLast();
            server.receive(at, hello.data(), hello.data().length, out, now);
        }
        assertThat(server.sessions()).isZero();
        assertThat(server.helloVerifyRequests()).isEqualTo(40);
        wire.clear();

        // 16 clients prove their address (second ClientHello with the cookie), then stall.
        for (int i = 0; i < 16; i++) {
            proveAndStall(server, clientContext, new InetSocketAddress("127.0.0.4", 30_000 + i), out, now);
            now += 10;
        }
        assertThat(server.sessions()).isEqualTo(DtlsServer.MAX_PENDING_HANDSHAKES);

        // Full of handshakes that are still fresh: a 17th is turned away, nothing is evicted.
        long dropped = server.droppedDatagrams();
        proveAndStall(server, clientContext, new InetSocketAddress("127.0.0.4", 30_100), out, now);
        assertThat(server.sessions()).isEqualTo(DtlsServer.MAX_PENDING_HANDSHAKES);
        assertThat(server.evictedHandshakes()).isZero();
        assertThat(server.droppedDatagrams()).isEqualTo(dropped + 1);

        // Once they have been silent for longer than the stall limit, newcomers evict the stalest.
        now += DtlsServer.STALLED_HANDSHAKE_MS + 1;
        for (int i = 0; i < 4; i++) {
            proveAndStall(server, clientContext, new InetSocketAddress("127.0.0.4", 30_200 + i), out, now);
            now += 10;
        }
        assertThat(server.sessions()).isEqualTo(DtlsServer.MAX_PENDING_HANDSHAKES);
        assertThat(server.evictedHandshakes()).isEqualTo(4);
        now += DtlsServer.STALLED_HANDSHAKE_MS + 1;

        // An honest client still gets in, and its first datagram arrives.
        InetSocketAddress honestAt = new InetSocketAddress("127.0.0.5", 40_000);
        DtlsClient honest = client(clientContext, honestAt);
        byte[] hello = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        honest.send(SERVER, hello, 0, hello.length, now);
        byte[] delivered = null;
        for (int i = 0; i < 500 && !wire.isEmpty(); i++) {
            Datagram d = wire.pollFirst();
            if (d.to().equals(SERVER)) {
                int n = server.receive(d.from(), d.data(), d.data().length, out, now);
                if (n >= 0) {
                    delivered = Arrays.copyOf(out, n);
                }
            } else if (d.to().equals(honestAt)) {
                honest.receive(SERVER, d.data(), d.data().length, out, now);
            }
        }
        assertThat(honest.establishedSessions()).isEqualTo(1);
        assertThat(delivered).isEqualTo(hello);
        assertThat(server.establishedSessions()).isEqualTo(1);
        assertThat(server.sessions()).isLessThanOrEqualTo(DtlsServer.MAX_PENDING_HANDSHAKES);
    }
}

package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import io.jenet.TlsOptions;
import io.jenet.cli.ImpairmentRelay;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DTLS between real processes' views: a lossy, reordering link, and a plaintext C ENet client turned away. */
class DtlsInteropTest {
    @TempDir
    static Path dir;
    private static TlsOptions serverOptions;
    private static TlsOptions unsafeClient;

    @BeforeAll
    static void identity() throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        serverOptions = TlsOptions.server(TlsOptions.loadPrivateKey(dir.resolve("key.pem")), TlsOptions.loadCertificates(dir.resolve("cert.pem")));
        unsafeClient = TlsOptions.clientUnsafe(null);
        assertThat(Files.exists(dir.resolve("cert.pem"))).isTrue();
    }

    @Test
    void handshakeAndReliableDataSurviveTenPercentLossAndReordering() throws Exception {
        try (ENetConnection server = new ENetConnection(); ENetConnection client = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            server.dtlsServerSetup(serverOptions);
            client.createHost(1, 0);
            client.dtlsClientSetup("localhost", unsafeClient);
            // 10 % loss each way from the first datagram (the DTLS handshake included), 5 %
            // duplication, 2–10 ms delay (reordering).
            try (ImpairmentRelay relay = new ImpairmentRelay(new InetSocketAddress("127.0.0.1", server.getLocalPort()),
                    0.10, 0.05, 2, 8, 77)) {
                JenetSide s = new JenetSide(server);
                JenetSide c = new JenetSide(client);
                ENetPacketPeer peer = client.connectToHost("127.0.0.1", relay.port(), 1, 0);
                peer.setTimeout(64, 30_000, 60_000);
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!(c.count(EVENT_CONNECT) == 1 && s.count(EVENT_CONNECT) == 1)) {
                    assertThat(System.nanoTime()).as("connected through the lossy link").isLessThan(deadline);
                    s.pump(1);
                    c.pump(1);
                }
                int n = 300;
                for (int i = 0; i < n; i++) {
                    peer.send(0, Payloads.fill(1 + (i * 37) % 3000, i), ENetPacketPeer.FLAG_RELIABLE);
                }
                while (s.count(EVENT_RECEIVE) < n) {
                    assertThat(System.nanoTime()).as("all reliable data through the lossy link").isLessThan(deadline);
                    s.pump(1);
                    c.pump(1);
                }
                for (int i = 0; i < n; i++) {
                    assertThat(s.of(EVENT_RECEIVE).get(i).packet()).isEqualTo(Payloads.fill(1 + (i * 37) % 3000, i));
                }
                assertThat(relay.dropped()).isPositive();
            }
        }
    }

    @Test
    void aPlaintextCEnetClientCannotConnectToADtlsServer() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection(); ENetConnection good = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            server.dtlsServerSetup(serverOptions);
            good.createHost(1, 0);
            good.dtlsClientSetup("localhost", unsafeClient);
            JenetSide s = new JenetSide(server);
            JenetSide g = new JenetSide(good);
            ENetPacketPeer goodPeer = good.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), 1, 5);
            c.cmd("timeout " + id + " 4 1000 3000");
            long deadline = System.nanoTime() + 30_000_000_000L;
            int sent = 0;
            while (c.linesStartingWith("disconnect ").isEmpty() || s.count(EVENT_RECEIVE) < 20) {
                assertThat(System.nanoTime()).as("C client turned away, DTLS peer served").isLessThan(deadline);
                if (g.count(EVENT_CONNECT) == 1 && sent < 20) {
                    goodPeer.send(0, Payloads.fill(100, sent++), ENetPacketPeer.FLAG_RELIABLE);
                }
                s.pump(1);
                g.pump(1);
            }
            assertThat(c.linesStartingWith("connect ")).isEmpty();
            assertThat(s.count(EVENT_CONNECT)).isEqualTo(1);
            for (int i = 0; i < 20; i++) {
                assertThat(s.of(EVENT_RECEIVE).get(i).packet()).isEqualTo(Payloads.fill(100, i));
            }
        }
    }
}

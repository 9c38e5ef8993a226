package io.jenet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code jenet serve --metrics-port} over real HTTP and ENet on loopback: the exposition shows the
 * connected peer and the bytes it sent; a drain request tells the peer (data 1001), prints the
 * timeline and ends the loop. (A real signal to a real process: jenet-interop's ServeSignalDrainInteropTest.)
 */
class ServeMetricsAndDrainTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the one sample whose name and labels are exactly {@code series}, or NaN. */
    static double sample(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    @Test
    void metricsShowThePeerAndItsBytesAndADrainTellsIt() throws Exception {
        ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
        ServeCommand.EchoServer server = new ServeCommand.EchoServer("127.0.0.1", 0, 8, 0,
                ENetConnection.CompressionMode.COMPRESS_NONE, false, true, new PrintStream(serverOut, true, StandardCharsets.UTF_8));
        server.metricsPort = 0;
        server.drainTimeoutMs = 5000;
        Thread serverThread = new Thread(server, "serve");
        serverThread.start();
        int port = server.awaitBound(10_000);
        assertThat(port).isPositive();
        int metricsPort = server.metricsPort();
        assertThat(metricsPort).isPositive();
        try (ENetConnection client = new ENetConnection()) {
            client.createHost(1, 0);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 1, 0);
            List<ENetEvent> events = new ArrayList<>();
            int echoed = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            boolean sent = false;
            String body = "";
            // Wait for the echoes, then for a published snapshot that shows the peer and our bytes.
            while (true) {
                assertThat(System.nanoTime()).as("metrics within 10 s; last scrape:\n%s", body).isLessThan(deadline);
                for (ENetEvent e = client.service(5); e.type() != ENetConnection.EventType.EVENT_NONE; e = client.checkEvents()) {
                    events.add(e);
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        assertThat(e.peer().getPacket()).hasSize(1000);
                        echoed++;
                    }
                }
                if (!sent && peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                    for (int i = 0; i < 5; i++) {
                        peer.send(0, new byte[1000], ENetPacketPeer.FLAG_RELIABLE);
                    }
                    sent = true;
                }
                if (echoed == 5) {
                    HttpResponse<String> r = get(metricsPort, "/metrics");
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
                    body = r.body();
                    // A snapshot published after the echoes went out (it is taken every 250 ms).
                    if (sample(body, "jenet_peers{state=\"connected\"}") == 1.0 && sample(body, "jenet_received_bytes_total") >= 5000
                            && sample(body, "jenet_sent_bytes_total") >= 5000) {
                        break;
                    }
                }
            }
            assertThat(sample(body, "jenet_peer_slots")).isEqualTo(8.0);
            assertThat(sample(body, "jenet_sent_datagrams_total")).isGreaterThanOrEqualTo(5);
            assertThat(sample(body, "jenet_draining")).isEqualTo(0.0);
            assertThat(body).contains("jvm_memory_used_bytes{");
            assertThat(get(metricsPort, "/").statusCode()).isEqualTo(404);

            assertThat(server.requestDrain()).isTrue();
            assertThat(server.requestDrain()).as("once").isFalse();
            while (events.stream().noneMatch(e -> e.type() == ENetConnection.EventType.EVENT_DISCONNECT)) {
                assertThat(System.nanoTime()).as("DISCONNECT within 10 s").isLessThan(deadline + 10_000_000_000L);
                for (ENetEvent e = client.service(5); e.type() != ENetConnection.EventType.EVENT_NONE; e = client.checkEvents()) {
                    events.add(e);
                }
            }
            ENetEvent disconnect = events.get(events.size() - 1);
            assertThat(disconnect.type()).isEqualTo(ENetConnection.EventType.EVENT_DISCONNECT);
            assertThat(disconnect.data()).isEqualTo(ENetConnection.DRAIN_DISCONNECT_DATA);
        }
        serverThread.join(10_000);
        assertThat(serverThread.isAlive()).isFalse();
        assertThat(server.drained()).isTrue();
        String out = serverOut.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("drain begin: 1 peers, disconnect data 1001, timeout 5000 ms");
        assertThat(out).containsPattern("drain \\+\\d+ ms: 127\\.0\\.0\\.1:\\d+ left, 0 to go");
        assertThat(out).containsPattern("drain done in \\d+ ms: every peer left");
        assertThat(server.requestDrain()).as("after the end").isFalse();
    }

    @Test
    void badMetricsAndDrainArgumentsAreUsageErrors() {
        assertThat(CliTest.run("serve", "--port", "0", "--metrics-port", "70000").status()).isEqualTo(2);
        assertThat(CliTest.run("serve", "--port", "0", "--drain-timeout", "-1").status()).isEqualTo(2);
    }
}

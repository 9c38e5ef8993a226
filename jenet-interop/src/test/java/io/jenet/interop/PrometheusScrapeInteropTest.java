package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import io.jenet.HostMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's 2.42) scrapes a running {@code jenet serve --metrics-port}
 * every second; its HTTP API must then show the server's peers and traffic: three connected peers
 * while three clients echo, then none, and exactly the bytes and datagrams the clients sent.
 */
class PrometheusScrapeInteropTest {
    private static final int CLIENTS = 3;
    private static final int PACKETS = 20;
    private static final int SIZE = 500;

    /** Asks Prometheus until the query's one series has the value; fails after 30 s with what it last said. */
    private static String awaitValue(PrometheusServer prometheus, String promql, String expected) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<PrometheusServer.Sample> last = List.of();
        while (System.nanoTime() < deadline) {
            last = prometheus.query(promql);
            if (last.size() == 1 && Double.parseDouble(last.get(0).value()) == Double.parseDouble(expected)) {
                return prometheus.queryJson(promql);
            }
            Thread.sleep(200); // Prometheus scrapes on its own clock (every second): nothing here to wait on
        }
        throw new AssertionError(promql + ": expected one series = " + expected + ", Prometheus said " + last + "; log:\n"
                + prometheus.logTail());
    }

    @Test
    void prometheusSeesTheLiveServersPeersAndTraffic(@TempDir Path dir) throws Exception {
        PrometheusServer.binary();
        try (JenetProcess server = new JenetProcess("128m", "serve", "--port", "0", "--bind", "127.0.0.1", "--echo",
                "--metrics-port", "0")) {
            int port = Integer.parseInt(server.await(0, l -> l.startsWith("listening on port "), 30_000).substring(18).trim());
            String metricsLine = server.await(0, l -> l.startsWith("metrics on port "), 30_000);
            int metricsPort = Integer.parseInt(metricsLine.substring(16, metricsLine.indexOf(' ', 16)));
            try (PrometheusServer prometheus = new PrometheusServer(dir, "jenet", "127.0.0.1:" + metricsPort)) {
                awaitValue(prometheus, "up{job=\"jenet\"}", "1");

                List<ENetConnection> clients = new ArrayList<>();
                List<JenetSide> sides = new ArrayList<>();
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        ENetConnection c = new ENetConnection();
                        c.createHost(1, 0);
                        c.connectToHost("127.0.0.1", port, 1, 0);
                        clients.add(c);
                        sides.add(new JenetSide(c));
                    }
                    pumpUntil(sides, () -> sides.stream().allMatch(s -> s.count(EVENT_CONNECT) == 1));
                    for (int i = 0; i < CLIENTS; i++) {
                        ENetPacketPeer peer = clients.get(i).getPeers().get(0);
                        for (int p = 0; p < PACKETS; p++) {
                            peer.send(0, Payloads.fill(SIZE, i * 1000 + p), ENetPacketPeer.FLAG_RELIABLE);
                        }
                    }
                    pumpUntil(sides, () -> sides.stream().allMatch(s -> s.count(EVENT_RECEIVE) == PACKETS));
                    for (int i = 0; i < CLIENTS; i++) {
                        List<JenetSide.Seen> echoes = sides.get(i).of(EVENT_RECEIVE);
                        for (int p = 0; p < PACKETS; p++) {
                            assertThat(echoes.get(p).packet()).isEqualTo(Payloads.fill(SIZE, i * 1000 + p));
                        }
                    }
                    // The clients keep servicing (pinging) on a thread of their own while Prometheus scrapes.
                    String connected = withClientsServiced(sides,
                            () -> awaitValue(prometheus, "jenet_peers{job=\"jenet\",state=\"connected\"}", "3"));
                    String slots = prometheus.queryJson("jenet_peer_slots{job=\"jenet\"}");
                    assertThat(prometheus.query("jenet_peer_slots{job=\"jenet\"}")).singleElement()
                            .satisfies(s -> assertThat(Double.parseDouble(s.value())).isEqualTo(32.0));

                    for (ENetConnection c : clients) {
                        c.getPeers().get(0).peerDisconnect(0);
                    }
                    pumpUntil(sides, () -> sides.stream().allMatch(s -> s.count(EVENT_DISCONNECT) == 1));
                    long bytes = 0;
                    long datagrams = 0;
                    for (ENetConnection c : clients) {
                        c.publishMetrics();
                        c.destroy();
                        HostMetrics m = c.getMetrics();  // destroy's final snapshot: everything the client ever sent
                        bytes += m.bytesSent();
                        datagrams += m.datagramsSent();
                    }
                    assertThat(bytes).isGreaterThan((long) CLIENTS * PACKETS * SIZE);
                    String none = awaitValue(prometheus, "jenet_peers{job=\"jenet\",state=\"connected\"}", "0");
                    String received = awaitValue(prometheus, "jenet_received_bytes_total{job=\"jenet\"}", Long.toString(bytes));
                    awaitValue(prometheus, "jenet_received_datagrams_total{job=\"jenet\"}", Long.toString(datagrams));
                    assertThat(prometheus.query("jenet_dropped_datagrams_total{job=\"jenet\"}")).as("one series per reason").hasSize(9);
                    assertThat(prometheus.query("jenet_sent_bytes_total{job=\"jenet\"}")).singleElement()
                            .satisfies(s -> assertThat(Double.parseDouble(s.value())).isGreaterThan(CLIENTS * PACKETS * SIZE));
                    System.out.println("Prometheus " + "jenet_peers{job=\"jenet\",state=\"connected\"} while " + CLIENTS
                            + " clients were connected:\n  " + connected);
                    System.out.println("Prometheus jenet_peer_slots{job=\"jenet\"}:\n  " + slots);
                    System.out.println("Prometheus jenet_peers{job=\"jenet\",state=\"connected\"} after they left:\n  " + none);
                    System.out.println("Prometheus jenet_received_bytes_total{job=\"jenet\"} (the clients sent " + bytes + " bytes in "
                            + datagrams + " datagrams):\n  " + received);
                } finally {
                    clients.forEach(ENetConnection::close);
                }
            }
        }
    }

    private static void pumpUntil(List<JenetSide> sides, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("clients' condition within 10 s").isLessThan(deadline);
            for (JenetSide s : sides) {
                s.pump(1);
            }
        }
    }

    /** Runs {@code body} while another thread services the clients (which are used by that thread alone meanwhile). */
    private static String withClientsServiced(List<JenetSide> sides, java.util.concurrent.Callable<String> body) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread pump = new Thread(() -> {
            while (running.get()) {
                for (JenetSide s : sides) {
                    s.pump(5);
                }
            }
        }, "clients");
        pump.start();
        try {
            return body.call();
        } finally {
            running.set(false);
            pump.join(5000);
        }
    }
}

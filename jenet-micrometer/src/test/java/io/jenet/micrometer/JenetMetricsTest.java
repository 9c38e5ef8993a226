package io.jenet.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetConnection.EventType;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.HostMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The binder through Micrometer's Prometheus registry, as a scrape sees it: the exposition has
 * exactly the snapshot's values under the documented names, and a scrape loop on another thread
 * while the host runs reads counters that never go back.
 */
class JenetMetricsTest {
    private final List<ENetConnection> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(ENetConnection::close);
    }

    private ENetConnection connection(boolean server) throws Exception {
        ENetConnection c = new ENetConnection();
        if (server) {
            c.createHostBound("127.0.0.1", 0, 8, 0);
        } else {
            c.createHost(1, 0);
        }
        open.add(c);
        return c;
    }

    /** Services every connection, reading packets, until the condition holds; fails after 5 s. */
    private static void until(BooleanSupplier condition, ENetConnection... connections) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            for (ENetConnection c : connections) {
                for (ENetEvent e = c.service(1); e.type() != EventType.EVENT_NONE; e = c.checkEvents()) {
                    if (e.type() == EventType.EVENT_RECEIVE) {
                        e.peer().getPacket();
                    }
                }
            }
        }
    }

    /** The samples of a Prometheus text exposition: "name{labels}" to value (comments skipped). */
    static Map<String, Double> samples(String exposition) {
        Map<String, Double> out = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    @Test
    void theExpositionHoldsTheSnapshotUnderTheDocumentedNames() throws Exception {
        ENetConnection server = connection(true);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JenetMetrics(server, Tags.of("shard", "test")).bindTo(registry);
        Map<String, Double> before = samples(registry.scrape());
        assertThat(before.get("jenet_peers{shard=\"test\",state=\"connected\"}")).as("nothing published yet").isZero();
        assertThat(before.get("jenet_metrics_age_seconds{shard=\"test\"}")).isNaN();

        ENetConnection a = connection(false);
        ENetConnection b = connection(false);
        a.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        b.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        until(() -> server.getPeers().size() == 2 && a.getPeers().get(0).getState() == ENetPacketPeer.PeerState.STATE_CONNECTED
                && b.getPeers().get(0).getState() == ENetPacketPeer.PeerState.STATE_CONNECTED, server, a, b);
        a.getPeers().get(0).send(0, new byte[1000], ENetPacketPeer.FLAG_RELIABLE);
        try (DatagramChannel raw = DatagramChannel.open()) {
            raw.send(ByteBuffer.wrap(new byte[1]), new InetSocketAddress("127.0.0.1", server.getLocalPort()));
        }
        until(() -> server.publishMetrics().bytesReceived() > 1000 && server.getMetrics().droppedDatagrams() == 1, server, a, b);
        HostMetrics m = server.publishMetrics();

        Map<String, Double> s = samples(registry.scrape());
        assertThat(s.get("jenet_peers{shard=\"test\",state=\"connected\"}")).isEqualTo(2.0);
        assertThat(s.get("jenet_peers{shard=\"test\",state=\"zombie\"}")).isEqualTo(0.0);
        assertThat(s).doesNotContainKey("jenet_peers{shard=\"test\",state=\"disconnected\"}");
        assertThat(s.get("jenet_peer_slots{shard=\"test\"}")).isEqualTo(8.0);
        assertThat(s.get("jenet_handshakes_pending{shard=\"test\"}")).isEqualTo(0.0);
        assertThat(s.get("jenet_received_bytes_total{shard=\"test\"}")).isEqualTo((double) m.bytesReceived());
        assertThat(s.get("jenet_sent_bytes_total{shard=\"test\"}")).isEqualTo((double) m.bytesSent());
        assertThat(s.get("jenet_received_datagrams_total{shard=\"test\"}")).isEqualTo((double) m.datagramsReceived());
        assertThat(s.get("jenet_sent_datagrams_total{shard=\"test\"}")).isEqualTo((double) m.datagramsSent());
        assertThat(s.get("jenet_dropped_datagrams_total{reason=\"invalid\",shard=\"test\"}")).isEqualTo(1.0);
        assertThat(s.get("jenet_dropped_datagrams_total{reason=\"checksum\",shard=\"test\"}")).isEqualTo(0.0);
        assertThat(s.keySet().stream().filter(k -> k.startsWith("jenet_dropped_datagrams_total{"))).hasSize(9);
        assertThat(s.keySet().stream().filter(k -> k.startsWith("jenet_dropped_packets_total{"))).hasSize(3);
        assertThat(s.get("jenet_retransmissions_total{shard=\"test\"}")).isEqualTo((double) m.retransmissions());
        for (double q : JenetMetrics.QUANTILES) {
            String quantile = JenetMetrics.quantileTag(q);
            assertThat(s.get("jenet_peer_round_trip_time_seconds{quantile=\"" + quantile + "\",shard=\"test\"}"))
                    .isEqualTo(m.roundTripTimeQuantile(q) / 1000.0);
            assertThat(s.get("jenet_peer_packet_loss{quantile=\"" + quantile + "\",shard=\"test\"}")).isEqualTo(m.packetLossQuantile(q));
        }
        assertThat(s.get("jenet_peer_round_trip_time_mean_seconds{shard=\"test\"}")).isEqualTo(m.roundTripTimeMean() / 1000.0);
        assertThat(s.get("jenet_compression_ratio{shard=\"test\"}")).isEqualTo(1.0);
        assertThat(s.get("jenet_dtls_sessions{shard=\"test\"}")).isEqualTo(0.0);
        assertThat(s.get("jenet_draining{shard=\"test\"}")).isEqualTo(0.0);
        assertThat(s.get("jenet_metrics_age_seconds{shard=\"test\"}")).isBetween(0.0, 60.0);
        assertThat(JenetMetrics.quantileTag(0.99)).isEqualTo("0.99");

        server.beginDrain(ENetConnection.DRAIN_DISCONNECT_DATA);
        server.publishMetrics();
        assertThat(samples(registry.scrape()).get("jenet_draining{shard=\"test\"}")).isEqualTo(1.0);
    }

    /** The service thread publishes every millisecond; another thread scrapes the registry as fast as it can. */
    @Test
    void aScrapeLoopOnAnotherThreadReadsCountersThatNeverGoBack() throws Exception {
        ENetConnection server = connection(true);
        server.setMetricsInterval(1);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JenetMetrics(server).bindTo(registry);
        String[] counters = {"jenet_received_bytes_total", "jenet_sent_bytes_total", "jenet_received_datagrams_total",
                "jenet_sent_datagrams_total"};
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger scrapes = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread scraper = new Thread(() -> {
            Map<String, Double> previous = samples(registry.scrape());
            try {
                while (running.get()) {
                    Map<String, Double> now = samples(registry.scrape());
                    scrapes.incrementAndGet();
                    for (String c : counters) {
                        assertThat(now.get(c)).as(c).isGreaterThanOrEqualTo(previous.get(c));
                    }
                    double peers = now.get("jenet_peers{state=\"connected\"}");
                    assertThat(peers).isBetween(0.0, 8.0);
                    previous = now;
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "scraper");
        scraper.start();
        ENetConnection a = connection(false);
        ENetConnection b = connection(false);
        a.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        b.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        long end = System.nanoTime() + 1_000_000_000L;
        int round = 0;
        while (System.nanoTime() < end && failure.get() == null) {
            for (ENetConnection c : new ENetConnection[] {a, b}) {
                if (!c.getPeers().isEmpty() && c.getPeers().get(0).getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                    c.getPeers().get(0).send(0, new byte[300], ENetPacketPeer.FLAG_RELIABLE);
                }
            }
            if (round++ % 50 == 0) {
                server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA);   // must not reset the metrics
            }
            for (ENetConnection c : new ENetConnection[] {server, a, b}) {
                for (ENetEvent e = c.service(0); e.type() != EventType.EVENT_NONE; e = c.checkEvents()) {
                    if (e.type() == EventType.EVENT_RECEIVE) {
                        e.peer().getPacket();
                    }
                }
            }
        }
        running.set(false);
        scraper.join(5000);
        if (failure.get() != null) {
            throw new AssertionError("a scrape went wrong", failure.get());
        }
        assertThat(scrapes.get()).as("scrapes during the run").isGreaterThan(20);
        HostMetrics last = server.publishMetrics();
        assertThat(last.connectedPeers()).isEqualTo(2);
        assertThat(samples(registry.scrape()).get("jenet_received_bytes_total")).isEqualTo((double) last.bytesReceived());
    }
}

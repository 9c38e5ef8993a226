package io.jenet.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jenet.ENetConnection;
import io.jenet.micrometer.JenetMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code jenet serve --metrics-port}: the host's {@link JenetMetrics} and the JVM's usual meters in
 * Prometheus's text format at {@code http://ADDRESS:PORT/metrics}, served by the JDK's own HTTP
 * server on a thread of its own. A scrape reads the snapshot the service loop published (see
 * {@link ENetConnection#getMetrics()}); it never touches the host.
 *
 * <p>Thread-safety: create and close it from one thread; scrapes run on the HTTP server's thread.
 */
final class MetricsEndpoint implements AutoCloseable {
    /** What Prometheus 2.x asks for and reads: its text exposition format 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final HttpServer http;

    /**
     * @param bind the address to listen on, {@code "*"} for all
     * @param port the TCP port, 0 for any free one
     * @param host the host whose metrics to serve
     * @throws IOException if the port cannot be bound
     */
    MetricsEndpoint(String bind, int port, ENetConnection host) throws IOException {
        this(bind, port, java.util.List.of(host));
    }

    /**
     * The metrics of several hosts, the shards of one server: each host's meters carry a
     * {@code shard} tag (its index) when there is more than one; add them up in the query
     * ({@code sum without (shard) (…)}).
     *
     * @param bind the address to listen on, {@code "*"} for all
     * @param port the TCP port, 0 for any free one
     * @param hosts the hosts whose metrics to serve
     * @throws IOException if the port cannot be bound
     */
    MetricsEndpoint(String bind, int port, java.util.List<ENetConnection> hosts) throws IOException {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.size() == 1) {
                new JenetMetrics(hosts.get(i)).bindTo(registry);
            } else {
                new JenetMetrics(hosts.get(i), io.micrometer.core.instrument.Tags.of("shard", Integer.toString(i))).bindTo(registry);
            }
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        InetSocketAddress address = "*".equals(bind) ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(bind), port);
        http = HttpServer.create(address, 16);
        http.createContext("/", this::handle);
        http.start();
    }

    /** @return the TCP port it listens on */
    int port() {
        return http.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/metrics")) {
                byte[] body = "not found: try /metrics\n".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        gc.close();
        registry.close();
    }
}

package io.jenet.interop;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code prometheus} server (2.42) as a process of its own, scraping one target every
 * second, queried through its HTTP API. Outside CI a missing {@code prometheus} skips the tests that
 * need it with one loud warning; with {@code CI=true} it fails them, as the other real peers do.
 */
final class PrometheusServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static boolean warned;

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @return the prometheus binary; skips (or, with CI=true, fails) the test when it is not installed */
    static synchronized Path binary() {
        if (Files.isExecutable(BINARY)) {
            return BINARY;
        }
        String why = BINARY + " not found";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but Prometheus is unavailable: " + why + " (install with: apt-get install -y prometheus)");
        }
        if (!warned) {
            warned = true;
            System.err.println("WARNING: Prometheus interop tests SKIPPED: " + why
                    + " — install prometheus (apt-get install -y prometheus) to run them");
        }
        Assumptions.abort("Prometheus unavailable: " + why);
        return null;
    }

    /**
     * Starts Prometheus with a scrape of {@code target} ("host:port", path /metrics) every second.
     *
     * @param dir a directory for its configuration, data and log
     * @param job the job name of the scrape
     * @param target the address to scrape
     */
    PrometheusServer(Path dir, String job, String target) throws IOException, InterruptedException {
        Path binary = binary();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: " + job,
                "    metrics_path: /metrics",
                "    static_configs:",
                "      - targets: ['" + target + "']",
                ""));
        port = freePort();
        log = dir.resolve("prometheus.log");
        process = new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=1h")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new AssertionError("Prometheus did not become ready (alive " + process.isAlive() + "); log:\n" + logTail());
            }
            Thread.sleep(100); // polling an HTTP endpoint of another process: there is nothing to wait on
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One series of an instant query's answer: its labels as Prometheus printed them, and its value. */
    record Sample(String metric, String value) {}

    /** The raw JSON answer of an instant query ({@code /api/v1/query}). */
    String queryJson(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new AssertionError("query " + promql + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static final Pattern RESULT = Pattern.compile("\\{\"metric\":(\\{[^}]*\\}),\"value\":\\[[0-9.]+,\"([^\"]*)\"\\]\\}");

    /** An instant query's vector result: every series with its value. */
    List<Sample> query(String promql) throws IOException, InterruptedException {
        String json = queryJson(promql);
        if (!json.contains("\"status\":\"success\"") || !json.contains("\"resultType\":\"vector\"")) {
            throw new AssertionError("query " + promql + " did not answer a vector: " + json);
        }
        List<Sample> out = new ArrayList<>();
        Matcher m = RESULT.matcher(json);
        while (m.find()) {
            out.add(new Sample(m.group(1), m.group(2)));
        }
        return out;
    }

    /** The last lines of Prometheus's log. */
    String logTail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        JenetProcess.stop(process, 10);
    }
}

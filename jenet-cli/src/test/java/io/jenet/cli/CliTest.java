package io.jenet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The jenet command as a user runs it: serve --echo with bench against it, demo, bad arguments. */
class CliTest {
    private static ServeCommand.EchoServer server;
    private static Thread serverThread;
    private static int port;
    private static final ByteArrayOutputStream SERVER_OUT = new ByteArrayOutputStream();

    @BeforeAll
    static void startServer() throws Exception {
        server = new ServeCommand.EchoServer("127.0.0.1", 0, 64, 0, ENetConnection.CompressionMode.COMPRESS_NONE, false, true,
                new PrintStream(SERVER_OUT, true, StandardCharsets.UTF_8));
        serverThread = new Thread(server, "test-echo-server");
        serverThread.start();
        port = server.awaitBound(10_000);
        assertThat(port).isPositive();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.stop();
        serverThread.join(5000);
        assertThat(serverThread.isAlive()).isFalse();
    }

    record Run(int status, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = Main.execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "reliable, 64, 2000, 100",
        "unreliable, 64, 2000, 100",
        "unsequenced, 64, 2000, 100",
        "reliable, 100000, 40, 16",
        "unreliable, 100000, 40, 1",
        "unsequenced, 100000, 40, 1",
    })
    void benchAgainstServeEchoEndsOk(String mode, int size, int count, int window) {
        Run r = run("bench", "127.0.0.1:" + port, "--count", "" + count, "--size", "" + size, "--window", "" + window,
                "--mode", mode, "--max-loss", "5");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        String last = r.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertThat(last).matches("ok \\d+ msgs " + size + " bytes [0-9.]+ s \\d+ msg/s p50 \\d+ us p99 \\d+ us max-gap \\d+ ms");
        int echoed = Integer.parseInt(last.split(" ")[1]);
        if (mode.equals("reliable")) {
            assertThat(echoed).isEqualTo(count);
        } else {
            assertThat(echoed).isGreaterThanOrEqualTo(count * 95 / 100);
        }
    }

    @Test
    void countDatagramsPrintsTheTimedDatagramsBeforeTheResultLine() {
        Run r = run("bench", "127.0.0.1:" + port, "--count", "2000", "--window", "100", "--warmup", "500", "--count-datagrams");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        List<String> lines = r.out().strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("ok 2000 msgs 64 bytes");
        String counts = lines.get(lines.size() - 2);
        assertThat(counts).matches("datagrams sent \\d+ received \\d+");
        long sent = Long.parseLong(counts.split(" ")[2]);
        long received = Long.parseLong(counts.split(" ")[4]);
        // 2000 packets each way in datagrams of at most 1392 bytes (ENet packs several per datagram),
        // acknowledgements included: at least 2000 * 70 / 1392 each way, at most one per packet
        // and acknowledgement.
        assertThat(sent).isBetween(100L, 4000L);
        assertThat(received).isBetween(100L, 4000L);
    }

    @Test
    void aStreamIsPacedByTheClockAndEveryMessageComesBack() {
        Run r = run("bench", "127.0.0.1:" + port, "--stream-rate", "100", "--duration", "1");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        String ok = r.out().lines().filter(l -> l.startsWith("ok ")).findFirst().orElseThrow();
        assertThat(ok).matches("ok 100 msgs 64 bytes [0-9.]+ s \\d+ msg/s p50 \\d+ us p99 \\d+ us max-gap \\d+ ms max \\d+ us sent 100");
        // 100 messages 10 ms apart: the last is sent 0.99 s after the first, so the run cannot be shorter.
        assertThat(Double.parseDouble(ok.split(" ")[5])).isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void aBulkTransferEndsWhenTheServerConfirmsTheLastPacket() {
        // 1000 bytes in 64-byte packets: 16 packets, the last one 40 bytes; only the last asks for a
        // reply (every 64th does), and the client fails on anything but a 9-byte reply.
        Run r = run("bench", "127.0.0.1:" + port, "--bulk-bytes", "1000", "--size", "64");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("ok 16 msgs 64 bytes [0-9.]+ s \\d+ msg/s p50 \\d+ us p99 \\d+ us max-gap \\d+ ms MB/s [0-9.]+");
        Run big = run("bench", "127.0.0.1:" + port, "--bulk-bytes", "300000", "--size", "1024");
        assertThat(big.status()).as(big.out() + big.err()).isZero();
        assertThat(big.out()).contains("ok 293 msgs 1024 bytes");
        assertThat(run("bench", "127.0.0.1:" + port, "--bulk-bytes", "1000", "--size", "8").status()).isEqualTo(2);
        assertThat(run("bench", "127.0.0.1:" + port, "--stream-rate", "60", "--clients", "2").status()).isEqualTo(2);
        assertThat(run("bench", "127.0.0.1:" + port, "--stream-rate", "60", "--bulk-bytes", "1000").status()).isEqualTo(2);
    }

    @Test
    void benchWithManyClientsOnOneHostChecksEveryEcho() {
        Run r = run("bench", "127.0.0.1:" + port, "--count", "300", "--window", "8", "--clients", "40", "--one-host", "--warmup", "50");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("ok 12000 msgs 64 bytes");
    }

    @Test
    void benchThroughALossyRelayDeliversEveryReliableEcho() throws Exception {
        try (ImpairmentRelay relay = new ImpairmentRelay(new java.net.InetSocketAddress("127.0.0.1", port), 0.1, 0.05, 1, 3, 11)) {
            Run r = run("bench", "127.0.0.1:" + relay.port(), "--count", "1000", "--window", "50");
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("ok 1000 msgs 64 bytes");
            assertThat(relay.dropped()).isPositive();
            assertThat(relay.forwarded()).isGreaterThan(100);
        }
    }

    @Test
    void aBandwidthCappedRelayHoldsTheEchoToTheCap() throws Exception {
        try (ImpairmentRelay relay = new ImpairmentRelay(new java.net.InetSocketAddress("127.0.0.1", port), 0, 0, 0, 0, 5)) {
            long cap = 128 * 1024;
            relay.bandwidth(cap);
            Run r = run("bench", "127.0.0.1:" + relay.port(), "--count", "200", "--size", "1024", "--window", "16");
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            String ok = r.out().lines().filter(l -> l.startsWith("ok ")).findFirst().orElseThrow();
            double seconds = Double.parseDouble(ok.replaceAll("^ok \\d+ msgs \\d+ bytes ([0-9.]+) s .*", "$1"));
            // 200 KiB of payload each way (plus ENet's headers) cannot cross a 128 KiB/s link faster than the cap.
            assertThat(200 * 1024 / seconds).as("payload bytes per second through the capped link").isLessThan(cap * 1.05);
            assertThat(relay.droppedOverBandwidth()).as("a window of 16 fits the 1 s queue").isZero();
        }
        assertThat(run("relay", "127.0.0.1:7", "--bandwidth", "-1").status()).isEqualTo(2);
    }

    @Test
    void relayRejectsBadArguments() {
        assertThat(run("relay", "127.0.0.1:7", "--loss", "150").status()).isEqualTo(2);
        assertThat(run("relay", "nohostport").status()).isEqualTo(2);
        assertThat(run("relay", "127.0.0.1:70000").status()).isEqualTo(2);
    }

    @Test
    void benchWithSeveralClientsCountsAllOfThem() {
        Run r = run("bench", "127.0.0.1:" + port, "--count", "500", "--clients", "4", "--window", "50");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("ok 2000 msgs 64 bytes");
        assertThat(SERVER_OUT.toString(StandardCharsets.UTF_8)).contains("listening on port " + port).contains("connect 127.0.0.1:");
    }

    @Test
    void benchAgainstNobodyFails() {
        Run r = run("bench", "127.0.0.1:1", "--count", "10", "--timeout-ms", "2000");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).startsWith("FAIL");
    }

    @Test
    void demoSucceeds() {
        Run r = run("demo", "--seconds", "2", "--clients", "2", "--json");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("demo ok").contains("RELIABLE_LARGE").contains("all intact, in order");
        String json = r.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertThat(json).startsWith("{\"ok\":true,\"seconds\":2,\"compression\":\"range-coder\",\"compressionRatio\":0.")
                .contains(",\"clients\":[{\"id\":0,").contains("\"RELIABLE\":{\"sent\":").endsWith("]}");
    }

    @Test
    void demoDrawsADashboardWithProgressChannelsPeersAndCompression() {
        Run r = run("demo", "--seconds", "3", "--clients", "2", "--compress", "zlib");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        // Output is not a terminal here, so frames follow each other: one per second of the run.
        assertThat(r.out().lines().filter(l -> l.matches("\\[[#-]{20}] +[0-9.]+ / 3 s   peers 2   compression 0\\.\\d\\d \\(wire / plain\\)")))
                .hasSizeBetween(2, 4);
        assertThat(r.out()).containsPattern("(?m)^  0   reliable +[0-9.]+ +[0-9.]+$")
                .containsPattern("(?m)^  3   unrel\\. fragments +[0-9.]+ +[0-9.]+$")
                .containsPattern("(?m)^  peer 127\\.0\\.0\\.1:\\d+ +rtt +\\d+\\.\\d ms  resent +\\d+  loss +[0-9.]+ %  in +[0-9.]+ KB/s  out +[0-9.]+ KB/s$");
        double ratio = Double.parseDouble(r.out().replaceAll("(?s).*server compression \\(zlib\\): ([0-9.]+) of the plain size.*", "$1"));
        assertThat(ratio).as("the demo's payloads compress").isBetween(0.2, 0.9);
        Run plain = run("demo", "--seconds", "1", "--clients", "1", "--compress", "none");
        assertThat(plain.status()).isZero();
        assertThat(plain.out()).contains("server compression (none): 1.00 of the plain size");
        assertThat(run("demo", "--compress", "gzip").status()).isEqualTo(2);
    }

    @Test
    void demoThroughALossyLaggyLinkStillDeliversEveryReliablePacket() {
        Run r = run("demo", "--seconds", "2", "--clients", "2", "--loss", "5", "--latency", "20");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("impairment relay").contains("5.0 % loss each way, 20 ms latency").contains("all intact, in order");
        assertThat(r.out()).containsPattern("relay forwarded \\d+ datagrams and dropped [1-9]\\d*");
        assertThat(run("demo", "--loss", "80").status()).isEqualTo(2);
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertThat(run("bench").status()).isEqualTo(2);
        assertThat(run("bench", "127.0.0.1:" + port, "--size", "2").status()).isEqualTo(2);
        assertThat(run("bench", "127.0.0.1:" + port, "--compress", "gzip").status()).isEqualTo(2);
        assertThat(run("nonsense").status()).isEqualTo(2);
        assertThat(run("serve").status()).isEqualTo(2);
    }
}

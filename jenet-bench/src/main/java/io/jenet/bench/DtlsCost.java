package io.jenet.bench;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.TlsOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What DTLS costs: handshakes per second (a fresh client host connects to a DTLS echo server,
 * sequentially: DTLS handshake plus ENet connect, until both CONNECT events), and the 64 B reliable
 * echo throughput over DTLS against plain ENet ({@code jenet bench} against {@code jenet serve},
 * alternating, median of rounds). Needs {@code openssl} to make the server's certificate.
 *
 * <pre>
 * ./mvnw -q -B install -DskipTests
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.DtlsCost [--rounds N] [--handshakes N] [--smoke]
 * </pre>
 */
public final class DtlsCost {
    private DtlsCost() {}

    /**
     * Entry point.
     *
     * @param args {@code --rounds N}, {@code --handshakes N}, {@code --smoke} (seconds, for CI)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int handshakes = 200;
        int count = 500_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--smoke")) {
                rounds = 1;
                handshakes = 5;
                count = 2_000;
            } else if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--handshakes")) {
                handshakes = Integer.parseInt(args[++i]);
            }
        }
        run(rounds, handshakes, count, System.out);
    }

    static void run(int rounds, int handshakes, int count, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("jenet-dtls-cost");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IllegalStateException("openssl failed: " + log);
        }
        String jar = LoopbackHarness.jar();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process dtlsServer = LoopbackHarness.start(List.of(LoopbackHarness.java(), "-jar", jar, "serve", "--port", "0", "--echo",
                "--dtls-cert", cert.toString(), "--dtls-key", key.toString()));
        Process plainServer = LoopbackHarness.start(List.of(LoopbackHarness.java(), "-jar", jar, "serve", "--port", "0", "--echo"));
        try {
            int dtlsPort = LoopbackHarness.awaitPort(dtlsServer, "listening on port ");
            int plainPort = LoopbackHarness.awaitPort(plainServer, "listening on port ");
            double perSecond = handshakesPerSecond(dtlsPort, cert, Math.max(20, handshakes / 10), handshakes);
            out.printf("DTLS handshakes (ENet connect included), one after another: %.0f per second (%d measured)%n%n", perSecond, handshakes);
            out.println("| 64 B reliable echo, window 1000 | plain msg/s | DTLS msg/s | DTLS / plain |");
            out.println("|---|---|---|---|");
            List<Double> plain = new ArrayList<>();
            List<Double> dtls = new ArrayList<>();
            List<String> common = List.of("--count", "" + count, "--size", "64", "--window", "1000", "--warmup", "" + count);
            for (int r = 0; r < rounds; r++) {
                for (boolean secure : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                    List<String> cmd = new ArrayList<>(List.of(LoopbackHarness.java(), "-jar", jar, "bench",
                            "127.0.0.1:" + (secure ? dtlsPort : plainPort)));
                    cmd.addAll(common);
                    if (secure) {
                        cmd.addAll(List.of("--dtls", "--ca", cert.toString(), "--server-name", "localhost"));
                    }
                    (secure ? dtls : plain).add(LoopbackHarness.msgPerSecond(cmd));
                }
            }
            double p = median(plain);
            double d = median(dtls);
            out.printf("| median of %d rounds | %.0f | %.0f | %.2f |%n", rounds, p, d, d / p);
        } finally {
            LoopbackHarness.stop(dtlsServer);
            LoopbackHarness.stop(plainServer);
        }
    }

    private static double handshakesPerSecond(int port, Path cert, int warmup, int count) throws IOException {
        TlsOptions options = TlsOptions.client(TlsOptions.loadCertificates(cert), null);
        long start = 0;
        for (int i = 0; i < warmup + count; i++) {
            if (i == warmup) {
                start = System.nanoTime();
            }
            try (ENetConnection client = new ENetConnection()) {
                client.createHost(1, 0);
                client.dtlsClientSetup("localhost", options);
                ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 1, 0);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (peer.getState() != ENetPacketPeer.PeerState.STATE_CONNECTED) {
                    ENetEvent e = client.service(5);
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT || System.nanoTime() > deadline) {
                        throw new IllegalStateException("DTLS connect failed: " + client.dtlsLastFailure());
                    }
                }
                peer.peerDisconnectNow(0);
            }
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}

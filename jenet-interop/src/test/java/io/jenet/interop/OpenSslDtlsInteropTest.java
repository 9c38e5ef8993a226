package io.jenet.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.TlsOptions;
import io.jenet.internal.transport.DtlsClient;
import io.jenet.internal.transport.DtlsLayer;
import io.jenet.internal.transport.DtlsServer;
import io.jenet.internal.transport.UdpTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jenet's DTLS layer against a DTLS stack we did not write: OpenSSL's {@code s_server -dtls1_2}
 * and {@code s_client -dtls1_2} (Debian's openssl). Each side completes a handshake with jenet and
 * application data goes both ways; the keys are made by OpenSSL in its own PEM formats (PKCS#8,
 * PKCS#1, SEC1), read by {@link TlsOptions#loadPrivateKey}.
 */
class OpenSslDtlsInteropTest {
    @TempDir
    static Path dir;
    private Process openssl;
    private UdpTransport socket;
    /** The sender of the last datagram {@link #pump} read. */
    private InetSocketAddress lastFrom;

    @BeforeAll
    static void opensslPresent() throws Exception {
        boolean present;
        try {
            present = new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but openssl is missing (apt-get install -y openssl)");
            }
            System.err.println("WARNING: OpenSSL DTLS interop tests SKIPPED: openssl not installed");
            Assumptions.abort("openssl missing");
        }
        // A CA, and a server certificate for localhost it signs, in OpenSSL's default formats.
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=jenet interop CA");
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
        // The same kinds of key in the two legacy formats the JDK cannot read alone.
        run("openssl", "genrsa", "-traditional", "-out", "rsa-pkcs1.key", "2048");
        run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-sec1.key");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    @AfterEach
    void stop() throws Exception {
        if (openssl != null) {
            openssl.destroy();
            if (!openssl.waitFor(5, TimeUnit.SECONDS)) {
                openssl.destroyForcibly();
            }
        }
        if (socket != null) {
            socket.close();
        }
    }

    @Test
    void pemKeysInEveryFormatOpenSslWrites() throws Exception {
        PrivateKey pkcs8 = TlsOptions.loadPrivateKey(dir.resolve("server.key"));
        assertThat(Files.readString(dir.resolve("server.key"))).contains("BEGIN PRIVATE KEY");
        assertThat(pkcs8.getAlgorithm()).isEqualTo("EC");
        assertThat(Files.readString(dir.resolve("rsa-pkcs1.key"))).contains("BEGIN RSA PRIVATE KEY");
        assertThat(TlsOptions.loadPrivateKey(dir.resolve("rsa-pkcs1.key")).getAlgorithm()).isEqualTo("RSA");
        assertThat(Files.readString(dir.resolve("ec-sec1.key"))).contains("BEGIN EC PARAMETERS").contains("BEGIN EC PRIVATE KEY");
        assertThat(TlsOptions.loadPrivateKey(dir.resolve("ec-sec1.key")).getAlgorithm()).isEqualTo("EC");
        List<X509Certificate> chain = TlsOptions.loadCertificates(dir.resolve("server.pem"));
        assertThat(chain).hasSize(1);
        assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    }

    /** Services {@code layer} on the socket until {@code condition}; plaintext received goes to {@code received}. */
    private void pump(DtlsLayer layer, BooleanSupplier condition, BlockingQueue<String> received) throws Exception {
        byte[] buf = new byte[65536];
        byte[] out = new byte[65536];
        int[] len = new int[1];
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
            socket.await(10);
            long now = System.nanoTime() / 1_000_000;
            for (InetSocketAddress from = socket.receive(buf, len); from != null; from = socket.receive(buf, len)) {
                lastFrom = from;
                int n = layer.receive(from, buf, len[0], out, now);
                if (n >= 0) {
                    received.add(new String(out, 0, n, StandardCharsets.UTF_8));
                }
            }
            layer.poll(now);
        }
    }

    @Test
    void jenetClientWithOpenSslServer() throws Exception {
        socket = new UdpTransport(new InetSocketAddress("127.0.0.1", 0));
        int port;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        openssl = new ProcessBuilder("openssl", "s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port, "-cert", "server.pem",
                "-key", "server.key", "-naccept", "1").directory(dir.toFile()).redirectErrorStream(true).start();
        BlockingQueue<String> serverLines = lines(openssl);
        TlsOptions options = TlsOptions.client(TlsOptions.loadCertificates(dir.resolve("ca.pem")), null);
        DtlsClient client = new DtlsClient(options.sslContext(), socket::send, "localhost", true, 4352);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        BlockingQueue<String> fromServer = new LinkedBlockingQueue<>();
        byte[] hello = "hello from jenet\n".getBytes(StandardCharsets.UTF_8);
        // The first datagram starts the handshake and goes out when it completes (if s_server is
        // not listening yet, the unanswered ClientHello is sent again by a fresh handshake).
        client.send(server, hello, 0, hello.length, System.nanoTime() / 1_000_000);
        pump(client, () -> client.establishedSessions() == 1, fromServer);
        assertThat(awaitLine(serverLines, "hello from jenet")).isTrue();
        OutputStream toServer = openssl.getOutputStream();
        toServer.write("hello from openssl\n".getBytes(StandardCharsets.UTF_8));
        toServer.flush();
        pump(client, () -> fromServer.stream().anyMatch(s -> s.contains("hello from openssl")), fromServer);
    }

    @Test
    void openSslClientWithJenetServer() throws Exception {
        socket = new UdpTransport(new InetSocketAddress("127.0.0.1", 0));
        TlsOptions options = TlsOptions.server(TlsOptions.loadPrivateKey(dir.resolve("server.key")),
                TlsOptions.loadCertificates(dir.resolve("server.pem")));
        DtlsServer server = new DtlsServer(options.sslContext(), socket::send, 4352, 16);
        openssl = new ProcessBuilder("openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + socket.localPort(),
                "-servername", "localhost", "-CAfile", "ca.pem", "-verify_return_error").directory(dir.toFile())
                .redirectErrorStream(true).start();
        BlockingQueue<String> clientLines = lines(openssl);
        BlockingQueue<String> fromClient = new LinkedBlockingQueue<>();
        pump(server, () -> server.establishedSessions() == 1, fromClient);
        assertThat(server.helloVerifyRequests()).as("cookie exchange happened").isPositive();
        OutputStream toClient = openssl.getOutputStream();
        toClient.write("hello from openssl\n".getBytes(StandardCharsets.UTF_8));
        toClient.flush();
        pump(server, () -> fromClient.stream().anyMatch(s -> s.contains("hello from openssl")), fromClient);
        byte[] reply = "hello from jenet\n".getBytes(StandardCharsets.UTF_8);
        assertThat(server.send(lastFrom, reply, 0, reply.length, System.nanoTime() / 1_000_000)).isEqualTo(reply.length);
        assertThat(awaitLine(clientLines, "hello from jenet")).isTrue();
    }

    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    q.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "openssl-output");
        t.setDaemon(true);
        t.start();
        return q;
    }

    private static boolean awaitLine(BlockingQueue<String> lines, String text) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        java.util.List<String> seen = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.contains(text)) {
                    return true;
                }
            }
        }
        throw new AssertionError("'" + text + "' not seen; output: " + seen);
    }
}

package io.jenet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jenet serve --dtls-cert/--dtls-key} with {@code jenet bench --dtls}: verified, insecure, refused. */
class CliDtlsTest {
    @TempDir
    Path dir;

    /** A self-signed certificate for localhost and its PKCS#8 key (OpenSslDtlsInteropTest covers the other key formats). */
    private void writeIdentity(Path cert, Path key) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair keys = g.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(Instant.now().plus(Duration.ofDays(2))), name, keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        java.security.cert.X509Certificate c = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(c);
        }
        Files.writeString(cert, w.toString());
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(
                keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void benchOverDtlsVerifiedInsecureAndRefused() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        writeIdentity(cert, key);
        ServeCommand.EchoServer server = new ServeCommand.EchoServer("127.0.0.1", 0, 8, 0,
                io.jenet.ENetConnection.CompressionMode.COMPRESS_NONE, false, true, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        server.dtls = Options.serverTls(cert, key);
        Thread t = new Thread(server, "dtls-echo");
        t.start();
        try {
            int port = server.awaitBound(10_000);
            assertThat(port).isPositive();
            CliTest.Run verified = CliTest.run("bench", "127.0.0.1:" + port, "--dtls", "--ca", cert.toString(), "--server-name", "localhost",
                    "--count", "500", "--window", "50");
            assertThat(verified.status()).as(verified.out() + verified.err()).isZero();
            assertThat(verified.out()).contains("ok 500 msgs 64 bytes");
            CliTest.Run insecure = CliTest.run("bench", "127.0.0.1:" + port, "--dtls", "--insecure", "--count", "200", "--size", "3000",
                    "--window", "20");
            assertThat(insecure.status()).as(insecure.out() + insecure.err()).isZero();
            CliTest.Run untrusted = CliTest.run("bench", "127.0.0.1:" + port, "--dtls", "--server-name", "localhost", "--count", "10");
            assertThat(untrusted.status()).isEqualTo(1);
            assertThat(untrusted.out() + untrusted.err()).contains("DTLS:");
            CliTest.Run plain = CliTest.run("bench", "127.0.0.1:" + port, "--count", "10");
            assertThat(plain.status()).isEqualTo(1);
        } finally {
            server.stop();
            t.join(5000);
        }
        assertThat(CliTest.run("bench", "127.0.0.1:1", "--insecure").status()).isEqualTo(2);
        assertThat(CliTest.run("serve", "--port", "0", "--dtls-cert", cert.toString()).status()).isEqualTo(2);
        assertThat(CliTest.run("serve", "--port", "0", "--dtls-cert", cert.toString(), "--dtls-key", dir.resolve("missing.pem").toString())
                .status()).isEqualTo(2);
    }
}

package io.jenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.TlsOptions;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DTLS echo example with a certificate made by the JDK's keytool, and a verifying client. */
class DtlsEchoServerTest {
    @TempDir
    Path dir;

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Test
    void aVerifyingClientGetsItsPacketsBack() throws Exception {
        Path store = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "secret", "-keypass", "secret").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "secret".toCharArray());
        }
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("server").getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", ((PrivateKey) ks.getKey("server", "secret".toCharArray())).getEncoded()));

        DtlsEchoServer server = new DtlsEchoServer(cert, key, 0);
        Thread t = new Thread(server, "dtls-echo");
        t.start();
        try (ENetConnection client = new ENetConnection()) {
            client.createHost(1, 0);
            client.dtlsClientSetup("localhost", TlsOptions.client(TlsOptions.loadCertificates(cert), null));
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.port(), 2, 0);
            long deadline = System.nanoTime() + 15_000_000_000L;
            int sent = 0;
            int echoed = 0;
            int[] next = {0, 1}; // per channel, in order: even packets on channel 0, odd on 1
            while (echoed < 20) {
                assertThat(System.nanoTime()).as("20 echoes within 15 s; DTLS " + client.dtlsLastFailure()).isLessThan(deadline);
                if (peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED && sent < 20) {
                    peer.send(sent % 2, ("packet " + sent).getBytes(), ENetPacketPeer.FLAG_RELIABLE);
                    sent++;
                }
                ENetEvent e = client.service(5);
                if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                    assertThat(new String(e.peer().getPacket())).isEqualTo("packet " + next[e.channel()]);
                    next[e.channel()] += 2;
                    echoed++;
                }
            }
        } finally {
            server.stop();
            t.join(5_000);
        }
    }
}

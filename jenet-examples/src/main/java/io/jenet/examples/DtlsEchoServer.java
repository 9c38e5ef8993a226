package io.jenet.examples;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.TlsOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An ENet echo server behind DTLS (Godot's extension): every packet comes back to its sender on the
 * same channel with the same flags, encrypted. Clients connect with
 * {@code ENetConnection.dtlsClientSetup(hostname, TlsOptions.client(chain, null))}, or with
 * {@code jenet bench HOST:PORT --dtls --ca cert.pem --server-name NAME}.
 *
 * <pre>
 * openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem -out cert.pem \
 *     -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost
 * java -cp "jenet-examples/target/classes:jenet-cli/target/lib/*" io.jenet.examples.DtlsEchoServer cert.pem key.pem 7777
 * </pre>
 *
 * <p>Thread-safety: {@link #run()} on one thread; {@link #stop()} from any.
 */
public final class DtlsEchoServer implements Runnable {
    private final ENetConnection host = new ENetConnection();
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * Binds the server and sets up DTLS.
     *
     * @param certificateChain PEM certificate chain, the server's own first
     * @param privateKey PEM private key (PKCS#8; PKCS#1 and SEC1 with BouncyCastle present)
     * @param port UDP port, 0 for any
     * @throws IOException if the files cannot be read or the port bound
     */
    public DtlsEchoServer(Path certificateChain, Path privateKey, int port) throws IOException {
        TlsOptions options = TlsOptions.server(TlsOptions.loadPrivateKey(privateKey), TlsOptions.loadCertificates(certificateChain));
        host.createHostBound("*", port, 32, 0);
        host.dtlsServerSetup(options);
    }

    /** @return the bound port */
    public int port() {
        return host.getLocalPort();
    }

    /** Makes {@link #run()} return within 50 ms. */
    public void stop() {
        running.set(false);
    }

    @Override
    public void run() {
        try {
            while (running.get()) {
                for (ENetEvent e = host.service(50); e.type() != ENetConnection.EventType.EVENT_NONE; e = host.checkEvents()) {
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        int flags = e.peer().getPacketFlags();
                        e.peer().send(e.channel(), e.peer().getPacket(), flags);
                    }
                }
            }
        } finally {
            host.destroy();
        }
    }

    /**
     * Runs the server until interrupted.
     *
     * @param args certificate PEM, key PEM, port (default 7777)
     * @throws IOException on failure
     */
    public static void main(String[] args) throws IOException {
        DtlsEchoServer s = new DtlsEchoServer(Path.of(args[0]), Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 7777);
        System.out.println("DTLS echo server on port " + s.port());
        s.run();
    }
}

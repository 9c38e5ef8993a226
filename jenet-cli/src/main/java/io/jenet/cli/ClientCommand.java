package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jenet client HOST:PORT}: an interactive client. Lines typed become reliable packets on
 * channel 0; packets received are printed as text, or as hex when they are not UTF-8 text.
 * End of input disconnects (after queued packets are delivered).
 */
@Command(name = "client", mixinStandardHelpOptions = true, description = "Interactive client: lines in, packets out.")
final class ClientCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "Server, e.g. 127.0.0.1:7777.")
    String target;

    @Option(names = "--channels", defaultValue = "1", description = "Channels to ask for (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--hex", description = "Print every packet as hex.")
    boolean hex;

    @Mixin
    SharedOptions.Wire wire;

    @Mixin
    SharedOptions.DtlsClient dtlsOptions;

    @Override
    public void run() {
        Options.HostPort hp = Options.hostPort(target);
        String host = hp.host();
        int port = hp.port();
        io.jenet.TlsOptions tls = dtlsOptions.tls();
        java.util.function.Consumer<ENetConnection> setup = c -> {
            wire.applyTo(c, "none");
            if (tls != null) {
                c.dtlsClientSetup(dtlsOptions.serverName(host), tls);
            }
        };
        if (!session(host, port, channels, hex, System.in, System.out, setup)) {
            throw new Main.CliFailure(1, "could not connect to " + target);
        }
    }

    static String render(byte[] packet, boolean hex) {
        if (!hex) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(packet)).toString();
            } catch (CharacterCodingException e) {
                // fall through to hex
            }
        }
        return "0x" + HexFormat.of().formatHex(packet);
    }

    /**
     * Runs a session: returns false if the connection could not be made.
     *
     * @param host server
     * @param port port
     * @param channels channels
     * @param hex print as hex
     * @param in lines to send
     * @param out where received packets and status lines go
     * @return whether it connected
     */
    static boolean session(String host, int port, int channels, boolean hex, InputStream in, PrintStream out) {
        return session(host, port, channels, hex, in, out, c -> { });
    }

    /**
     * {@link #session(String, int, int, boolean, InputStream, PrintStream)} with {@code setup}
     * run on the connection once its host exists (compression, checksum, DTLS).
     */
    static boolean session(String host, int port, int channels, boolean hex, InputStream in, PrintStream out,
                           java.util.function.Consumer<ENetConnection> setup) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        String eof = new String("\u0000eof");
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // end of input
            }
            lines.add(eof);
        }, "client-stdin");
        reader.setDaemon(true);
        reader.start();
        try (ENetConnection connection = new ENetConnection()) {
            connection.createHost(1, channels);
            setup.accept(connection);
            ENetPacketPeer server = connection.connectToHost(host, port, channels, 0);
            boolean connected = false;
            boolean closing = false;
            while (true) {
                ENetEvent e = connection.service(20);
                switch (e.type()) {
                    case EVENT_CONNECT -> {
                        connected = true;
                        out.println("* connected to " + host + ":" + port);
                    }
                    case EVENT_RECEIVE -> out.println(render(e.peer().getPacket(), hex));
                    case EVENT_DISCONNECT -> {
                        out.println(connected ? "* disconnected" : "* could not connect");
                        out.flush();
                        return connected;
                    }
                    default -> { }
                }
                if (connected && !closing) {
                    for (String line; (line = lines.poll()) != null; ) {
                        if (line == eof) {
                            server.peerDisconnectLater(0);
                            closing = true;
                            break;
                        }
                        server.send(0, line.getBytes(StandardCharsets.UTF_8), ENetPacketPeer.FLAG_RELIABLE);
                    }
                }
            }
        } catch (IOException e) {
            out.println("* " + e.getMessage());
            return false;
        }
    }
}

package io.jenet.examples;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chat server: every line a client sends (reliable, channel 0) goes to every other client,
 * prefixed with the sender's name, and joins and leaves are announced.
 *
 * <pre>java -cp … io.jenet.examples.ChatServer 7777</pre>
 *
 * <p>Thread-safety: {@link #run()} on one thread; {@link #stop()} from any.
 */
public final class ChatServer implements Runnable {
    private final ENetConnection host = new ENetConnection();
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * Binds the server.
     *
     * @param port UDP port, 0 for any
     * @throws IOException if the port cannot be bound
     */
    public ChatServer(int port) throws IOException {
        host.createHostBound("*", port, 64, 1);
    }

    /** @return the bound port */
    public int port() {
        return host.getLocalPort();
    }

    /** Makes {@link #run()} return within 50 ms. */
    public void stop() {
        running.set(false);
    }

    private static String name(ENetPacketPeer p) {
        return "user" + p.getRemotePort();
    }

    private void tellOthers(ENetPacketPeer from, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (ENetPacketPeer p : host.getPeers()) {
            if (p != from && p.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                p.send(0, bytes, ENetPacketPeer.FLAG_RELIABLE);
            }
        }
    }

    @Override
    public void run() {
        try {
            while (running.get()) {
                ENetEvent e = host.service(50);
                switch (e.type()) {
                    case EVENT_CONNECT -> tellOthers(e.peer(), "* " + name(e.peer()) + " joined");
                    case EVENT_RECEIVE -> tellOthers(e.peer(), name(e.peer()) + ": "
                            + new String(e.peer().getPacket(), StandardCharsets.UTF_8));
                    case EVENT_DISCONNECT -> tellOthers(e.peer(), "* " + name(e.peer()) + " left");
                    default -> { }
                }
            }
        } finally {
            host.destroy();
        }
    }

    /**
     * Runs a server until interrupted.
     *
     * @param args the port (default 7777)
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        ChatServer server = new ChatServer(args.length > 0 ? Integer.parseInt(args[0]) : 7777);
        System.out.println("chat server on port " + server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        server.run();
    }
}

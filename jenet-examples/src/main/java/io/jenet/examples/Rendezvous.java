package io.jenet.examples;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * NAT punch-through, part one: a rendezvous server. Two clients connect with the same room number
 * (the CONNECT's data); the server then tells each the other's public address and port, as it sees
 * them, and which of them connects, so that they can reach each other directly ({@link PunchClient}).
 *
 * <pre>java -cp "jenet-examples/target/classes:jenet-cli/target/lib/*" io.jenet.examples.Rendezvous 7000</pre>
 *
 * <p>Thread-safety: {@link #run()} on one thread; {@link #stop()} from any.
 */
public final class Rendezvous implements Runnable {
    private final ENetConnection host = new ENetConnection();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Integer, ENetPacketPeer> waiting = new HashMap<>();

    /**
     * Binds the server.
     *
     * @param port UDP port, 0 for any
     * @throws IOException if the port cannot be bound
     */
    public Rendezvous(int port) throws IOException {
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

    @Override
    public void run() {
        try {
            while (running.get()) {
                ENetEvent e = host.service(50);
                if (e.type() == ENetConnection.EventType.EVENT_CONNECT) {
                    ENetPacketPeer first = waiting.remove(e.data());
                    if (first == null || first.getState() != ENetPacketPeer.PeerState.STATE_CONNECTED) {
                        waiting.put(e.data(), e.peer());
                    } else {
                        // The newcomer connects; the one who waited accepts.
                        introduce(first, e.peer(), "wait");
                        introduce(e.peer(), first, "connect");
                    }
                } else if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                    waiting.values().remove(e.peer());
                }
            }
        } finally {
            host.destroy();
        }
    }

    /** Tells {@code to} where {@code other} is and what to do: "peer ADDRESS PORT connect|wait". */
    private static void introduce(ENetPacketPeer to, ENetPacketPeer other, String role) {
        String text = "peer " + other.getRemoteAddress() + " " + other.getRemotePort() + " " + role;
        to.send(0, text.getBytes(StandardCharsets.UTF_8), ENetPacketPeer.FLAG_RELIABLE);
    }

    /**
     * Runs the server until interrupted.
     *
     * @param args the port (default 7000)
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        Rendezvous r = new Rendezvous(args.length > 0 ? Integer.parseInt(args[0]) : 7000);
        System.out.println("rendezvous on port " + r.port());
        r.run();
    }
}

package io.jenet.examples;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An authoritative game-state server at 60 Hz, the shape most ENet games have: clients send their
 * input unreliably (a late input is useless, the next one supersedes it), the server moves every
 * player and sends each client a snapshot of the whole world every tick, unreliable and sequenced
 * (ENet drops a snapshot older than one already delivered), and game events (joins, leaves) go
 * reliably, in order, on their own channel so a lost snapshot never delays them.
 *
 * <pre>java -cp "jenet-examples/target/classes:jenet-cli/target/lib/*" io.jenet.examples.GameServer 7777</pre>
 *
 * <p>Wire format (big-endian): input = {@code float dx, float dy} (units per second); snapshot =
 * {@code int tick, int players, then per player int id, float x, float y}; event = UTF-8 text:
 * {@code welcome ID} to a newcomer, {@code join ID} and {@code leave ID} to everyone else.
 *
 * <p>Thread-safety: {@link #run()} on one thread; {@link #stop()} from any.
 */
public final class GameServer implements Runnable {
    /** Reliable game events. */
    public static final int CHANNEL_EVENTS = 0;
    /** Unreliable sequenced inputs and snapshots. */
    public static final int CHANNEL_STATE = 1;
    /** Simulation rate. */
    public static final int TICKS_PER_SECOND = 60;

    private final ENetConnection host = new ENetConnection();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<ENetPacketPeer, Player> players = new LinkedHashMap<>();
    private final ByteBuffer snapshot = ByteBuffer.allocate(8 + 12 * 64);
    private int tick;
    private int nextId = 1;

    private static final class Player {
        final int id;
        float x;
        float y;
        float dx;
        float dy;

        Player(int id) {
            this.id = id;
        }
    }

    /**
     * Binds the server.
     *
     * @param port UDP port, 0 for any
     * @throws IOException if the port cannot be bound
     */
    public GameServer(int port) throws IOException {
        host.createHostBound("*", port, 64, 2);
    }

    /** @return the bound port */
    public int port() {
        return host.getLocalPort();
    }

    /** Makes {@link #run()} return within one tick. */
    public void stop() {
        running.set(false);
    }

    @Override
    public void run() {
        long tickNanos = 1_000_000_000L / TICKS_PER_SECOND;
        long nextTick = System.nanoTime();
        try {
            while (running.get()) {
                long waitMs = Math.max(0, (nextTick - System.nanoTime()) / 1_000_000);
                for (ENetEvent e = host.service((int) waitMs); e.type() != ENetConnection.EventType.EVENT_NONE; e = host.checkEvents()) {
                    handle(e);
                }
                if (System.nanoTime() >= nextTick) {
                    step(1f / TICKS_PER_SECOND);
                    broadcastSnapshot();
                    nextTick += tickNanos;
                }
            }
        } finally {
            host.destroy();
        }
    }

    private void handle(ENetEvent e) {
        switch (e.type()) {
            case EVENT_CONNECT -> {
                Player p = new Player(nextId++);
                e.peer().send(CHANNEL_EVENTS, ("welcome " + p.id).getBytes(StandardCharsets.UTF_8), ENetPacketPeer.FLAG_RELIABLE);
                event("join " + p.id);
                players.put(e.peer(), p);
            }
            case EVENT_DISCONNECT -> {
                Player p = players.remove(e.peer());
                if (p != null) {
                    event("leave " + p.id);
                }
            }
            case EVENT_RECEIVE -> {
                byte[] packet = e.peer().getPacket();
                Player p = players.get(e.peer());
                if (p != null && e.channel() == CHANNEL_STATE && packet.length == 8) {
                    ByteBuffer in = ByteBuffer.wrap(packet);
                    // Clamp: the server is the authority, a client cannot teleport.
                    p.dx = Math.max(-10f, Math.min(10f, in.getFloat()));
                    p.dy = Math.max(-10f, Math.min(10f, in.getFloat()));
                }
            }
            default -> { }
        }
    }

    private void step(float seconds) {
        tick++;
        for (Player p : players.values()) {
            p.x += p.dx * seconds;
            p.y += p.dy * seconds;
        }
    }

    private void broadcastSnapshot() {
        snapshot.clear();
        snapshot.putInt(tick).putInt(players.size());
        for (Player p : players.values()) {
            snapshot.putInt(p.id).putFloat(p.x).putFloat(p.y);
        }
        snapshot.flip();
        for (ENetPacketPeer peer : players.keySet()) {
            if (peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                peer.send(CHANNEL_STATE, snapshot.duplicate(), 0);
            }
        }
    }

    private void event(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (ENetPacketPeer peer : players.keySet()) {
            if (peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                peer.send(CHANNEL_EVENTS, bytes, ENetPacketPeer.FLAG_RELIABLE);
            }
        }
    }

    /**
     * Runs a server until interrupted.
     *
     * @param args the port (default 7777)
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        GameServer server = new GameServer(args.length > 0 ? Integer.parseInt(args[0]) : 7777);
        System.out.println("game server on port " + server.port() + " at " + TICKS_PER_SECOND + " Hz");
        server.run();
    }
}

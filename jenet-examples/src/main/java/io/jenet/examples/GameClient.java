package io.jenet.examples;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client of {@link GameServer}: sends its input every tick, keeps the newest snapshot, and logs
 * game events. Snapshots arrive unreliable and sequenced, so each one delivered is newer than the
 * last; the client checks that and counts them.
 *
 * <pre>java -cp "jenet-examples/target/classes:jenet-cli/target/lib/*" io.jenet.examples.GameClient 127.0.0.1 7777 3 0</pre>
 *
 * <p>Thread-safety: {@link #run} on one thread; the getters and {@link #stop()} from any.
 */
public final class GameClient {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile int myId = -1;
    private volatile int lastTick = -1;
    private volatile int snapshots;
    private volatile float myX;
    private volatile float myY;
    private volatile boolean outOfOrder;

    /**
     * Connects and plays until {@link #stop()}: sends input {@code (dx, dy)} every tick.
     *
     * @param address server address
     * @param port server port
     * @param dx horizontal speed, units per second
     * @param dy vertical speed
     * @throws IOException if no socket can be opened
     */
    public void run(String address, int port, float dx, float dy) throws IOException {
        try (ENetConnection host = new ENetConnection()) {
            host.createHost(1, 2);
            ENetPacketPeer server = host.connectToHost(address, port, 2, 0);
            ByteBuffer input = ByteBuffer.allocate(8);
            ByteBuffer packet = ByteBuffer.allocate(2048);
            long tickNanos = 1_000_000_000L / GameServer.TICKS_PER_SECOND;
            long nextInput = System.nanoTime();
            while (running.get()) {
                for (ENetEvent e = host.service(1); e.type() != ENetConnection.EventType.EVENT_NONE; e = host.checkEvents()) {
                    if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                        events.add("disconnected");
                        return;
                    }
                    if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                        packet.clear();
                        e.peer().getPacket(packet);
                        packet.flip();
                        if (e.channel() == GameServer.CHANNEL_EVENTS) {
                            String text = StandardCharsets.UTF_8.decode(packet).toString();
                            if (text.startsWith("welcome ")) {
                                myId = Integer.parseInt(text.substring(8));
                            }
                            events.add(text);
                        } else {
                            readSnapshot(packet);
                        }
                    }
                }
                if (server.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED && System.nanoTime() >= nextInput) {
                    input.clear();
                    input.putFloat(dx).putFloat(dy).flip();
                    server.send(GameServer.CHANNEL_STATE, input, 0);
                    nextInput += tickNanos;
                }
            }
            server.peerDisconnect(0);
            long end = System.nanoTime() + 1_000_000_000L;
            while (server.isActive() && System.nanoTime() < end) {
                host.service(10);
            }
        }
    }

    private void readSnapshot(ByteBuffer b) {
        int tick = b.getInt();
        if (tick <= lastTick) {
            outOfOrder = true; // unreliable sequenced: must never happen
        }
        lastTick = tick;
        snapshots++;
        int n = b.getInt();
        for (int i = 0; i < n; i++) {
            int id = b.getInt();
            float x = b.getFloat();
            float y = b.getFloat();
            if (id == myId) {
                myX = x;
                myY = y;
            }
        }
    }

    /** Makes {@link #run} disconnect and return. */
    public void stop() {
        running.set(false);
    }

    /** @return the id the server gave this client, or -1 before the welcome */
    public int id() {
        return myId;
    }

    /** @return snapshots received */
    public int snapshots() {
        return snapshots;
    }

    /** @return the newest tick seen */
    public int lastTick() {
        return lastTick;
    }

    /** @return true if a snapshot ever arrived older than one before it */
    public boolean sawOutOfOrder() {
        return outOfOrder;
    }

    /** @return this client's position in the newest snapshot */
    public float[] position() {
        return new float[] {myX, myY};
    }

    /** @return the game events received, in order */
    public List<String> events() {
        return events;
    }

    /**
     * Plays for a few seconds and prints what happened.
     *
     * @param args address, port, dx, dy
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        GameClient c = new GameClient();
        Thread t = new Thread(() -> {
            try {
                c.run(args.length > 0 ? args[0] : "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 7777,
                        args.length > 2 ? Float.parseFloat(args[2]) : 1f, args.length > 3 ? Float.parseFloat(args[3]) : 0f);
            } catch (IOException e) {
                System.err.println(e);
            }
        });
        t.start();
        Thread.sleep(3000); // let it play for three seconds: this is the demo's length, not synchronisation
        c.stop();
        t.join();
        System.out.printf("id %d, %d snapshots up to tick %d, position (%.2f, %.2f), events %s%n", c.id(), c.snapshots(), c.lastTick(),
                c.position()[0], c.position()[1], c.events());
    }
}

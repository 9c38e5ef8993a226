package io.jenet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Services several connections from the test thread, recording their events, until a condition holds. */
final class Loop {
    record Seen(ENetConnection connection, ENetEvent event, byte[] packet, int flags) {}

    private final List<ENetConnection> connections;
    private final int timeout;
    final List<Seen> seen = new ArrayList<>();

    Loop(ENetConnection... connections) {
        this(1, connections);
    }

    /**
     * @param timeout the timeout of the first {@code service} call of each connection per round:
     *                0 busy-polls, as a Godot game's {@code service()} every frame does
     */
    Loop(int timeout, ENetConnection... connections) {
        this.timeout = timeout;
        this.connections = List.of(connections);
    }

    /** Services all connections until {@code condition} holds; fails after {@code millis} of wall time. */
    void until(BooleanSupplier condition, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + millis + " ms; events: " + seen.size());
            }
            pumpOnce(timeout);
        }
    }

    /** Services every connection once with the given timeout, draining all ready events. */
    void pumpOnce(int timeout) {
        for (ENetConnection c : connections) {
            ENetEvent e = c.service(timeout);
            while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                record(c, e);
                e = c.service(0);
            }
        }
    }

    private void record(ENetConnection c, ENetEvent e) {
        if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
            int flags = e.peer().getPacketFlags();
            seen.add(new Seen(c, e, e.peer().getPacket(), flags));
        } else {
            seen.add(new Seen(c, e, null, 0));
        }
    }

    List<Seen> of(ENetConnection c, ENetConnection.EventType type) {
        List<Seen> out = new ArrayList<>();
        for (Seen s : seen) {
            if (s.connection() == c && s.event().type() == type) {
                out.add(s);
            }
        }
        return out;
    }

    long count(ENetConnection c, ENetConnection.EventType type) {
        return of(c, type).size();
    }
}

package io.jenet.interop;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Services a jenet connection on the test thread and records its events with packet contents. */
final class JenetSide {
    record Seen(ENetEvent event, byte[] packet, int flags, long nanos) {}

    final ENetConnection connection;
    final List<Seen> seen = new ArrayList<>();

    JenetSide(ENetConnection connection) {
        this.connection = connection;
    }

    void pump(int timeoutMs) {
        ENetEvent e = connection.service(timeoutMs);
        while (e.type() != ENetConnection.EventType.EVENT_NONE) {
            if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                int flags = e.peer().getPacketFlags();
                seen.add(new Seen(e, e.peer().getPacket(), flags, System.nanoTime()));
            } else {
                seen.add(new Seen(e, null, 0, System.nanoTime()));
            }
            e = connection.service(0);
        }
    }

    void until(BooleanSupplier condition, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("jenet side: condition not reached within " + millis + " ms; events " + seen.size());
            }
            pump(1);
        }
    }

    List<Seen> of(ENetConnection.EventType type) {
        List<Seen> out = new ArrayList<>();
        for (Seen s : seen) {
            if (s.event().type() == type) {
                out.add(s);
            }
        }
        return out;
    }

    long count(ENetConnection.EventType type) {
        return of(type).size();
    }
}

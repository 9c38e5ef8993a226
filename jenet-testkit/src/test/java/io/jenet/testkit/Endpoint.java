package io.jenet.testkit;

import io.jenet.ENetConnection;
import io.jenet.ENetConnection.EventType;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection on a simulated network and everything its events said, in order: what a test's
 * "application" sees. {@link #pump()} is one frame: service(0), then every queued event.
 */
final class Endpoint {
    /** A packet as received: when, from which channel, the bytes. */
    record Received(long atMillis, int channel, byte[] data) {}

    final SimulatedNetwork net;
    final ENetConnection connection;
    final String name;
    /** Every event as text with its virtual time: what determinism compares. */
    final List<String> log = new ArrayList<>();
    final List<Received> received = new ArrayList<>();
    int connects;
    int disconnects;
    long connectedAt = -1;
    long disconnectedAt = -1;
    ENetPacketPeer peer;

    Endpoint(SimulatedNetwork net, String name) {
        this.net = net;
        this.connection = net.connection();
        this.name = name;
    }

    Endpoint(SimulatedNetwork net, String name, String address) {
        this.net = net;
        this.connection = net.connection(address);
        this.name = name;
    }

    /** One frame: sends what is queued, takes what has arrived by now, handles every event. */
    void pump() {
        for (ENetEvent e = connection.service(0); e.type() != EventType.EVENT_NONE; e = connection.checkEvents()) {
            handle(e);
        }
    }

    void handle(ENetEvent e) {
        switch (e.type()) {
            case EVENT_CONNECT -> {
                connects++;
                connectedAt = net.now();
                peer = e.peer();
                log.add(net.now() + " " + name + " connect data=" + e.data());
            }
            case EVENT_DISCONNECT -> {
                disconnects++;
                disconnectedAt = net.now();
                log.add(net.now() + " " + name + " disconnect data=" + e.data());
            }
            case EVENT_RECEIVE -> {
                byte[] data = e.peer().getPacket();
                received.add(new Received(net.now(), e.channel(), data));
                log.add(net.now() + " " + name + " receive ch=" + e.channel() + " " + java.util.Arrays.toString(data));
            }
            case EVENT_ERROR -> throw new AssertionError(name + ": service returned EVENT_ERROR");
            default -> { }
        }
    }

    static byte[] number(int n) {
        return new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    static int number(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** The received packets' numbers, in arrival order. */
    List<Integer> numbers() {
        List<Integer> out = new ArrayList<>();
        for (Received r : received) {
            out.add(number(r.data()));
        }
        return out;
    }
}

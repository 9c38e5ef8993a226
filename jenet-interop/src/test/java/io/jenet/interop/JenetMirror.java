package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;

import io.jenet.ENetConnection;
import io.jenet.ENetConnection.EventType;
import io.jenet.ENetConnection.HostStatistic;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.ENetPacketPeer.PeerStatistic;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The modes of {@code godot4_peer.gd} written against jenet, printing the same lines into
 * {@link #lines}, so that a scenario run by Godot 4 and by jenet can be compared line for line.
 * Options are the script's {@code key=value} strings. A server is stepped by the test
 * ({@link #step}); the client modes run to completion, calling {@code meanwhile} between service
 * calls (to step a jenet server on the same thread, for instance).
 */
final class JenetMirror implements AutoCloseable {
    /** Packet kind by channel, modulo 5, as the script's KIND_FLAGS. */
    static final int[] KIND_FLAGS = {ENetPacketPeer.FLAG_RELIABLE, 0, ENetPacketPeer.FLAG_UNSEQUENCED,
        ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT, ENetPacketPeer.FLAG_RELIABLE};

    final List<String> lines = new ArrayList<>();
    final ENetConnection conn = new ENetConnection();
    private final Map<String, String> opt = new HashMap<>();
    private final int waitMs;
    private Runnable meanwhile = () -> { };
    private final Map<String, BooleanSupplier> signals = new HashMap<>();
    private int disconnects;

    JenetMirror(String... options) {
        for (String o : options) {
            String[] kv = o.split("=", 2);
            opt.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        waitMs = num("service", 0);
        conn.compress(ENetConnection.CompressionMode.values()[num("compress", 0)]);
    }

    /** Runs {@code action} between the service calls of the client modes. */
    JenetMirror meanwhile(Runnable action) {
        meanwhile = action;
        return this;
    }

    /** Makes the signal {@code name} (a file for the script) the given condition. */
    JenetMirror signal(String name, BooleanSupplier condition) {
        signals.put(name, condition);
        return this;
    }

    private int num(String key, int defaultValue) {
        return Integer.parseInt(opt.getOrDefault(key, "" + defaultValue));
    }

    private static int[] ints(String csv) {
        String[] f = csv.split(",");
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Integer.parseInt(f[i]);
        }
        return out;
    }

    static String sha(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }


    record Event(ENetEvent event, byte[] packet) {
        EventType type() {
            return event.type();
        }
    }

    /** One service call, as the script's next_event(): prints the event and returns it. */
    Event next() {
        ENetEvent e = conn.service(waitMs);
        byte[] packet = null;
        switch (e.type()) {
            case EVENT_CONNECT -> lines.add("event connect data=" + e.dataUnsigned() + " channels=" + e.peer().getChannels());
            case EVENT_DISCONNECT -> lines.add("event disconnect data=" + e.dataUnsigned());
            case EVENT_RECEIVE -> {
                int flags = e.peer().getPacketFlags();
                packet = e.peer().getPacket();
                lines.add("event receive channel=" + e.channel() + " flags=" + flags + " size=" + packet.length + " sha="
                        + sha(packet));
            }
            case EVENT_ERROR -> lines.add("event error");
            default -> { }
        }
        return new Event(e, packet);
    }

    private Event untilEvent(EventType type, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            Event e = next();
            if (e.type() == type) {
                return e;
            }
            meanwhile.run();
        }
        lines.add("deadline waiting for event " + type.value());
        return null;
    }

    private boolean untilSignal(String name, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (signals.getOrDefault(name, () -> false).getAsBoolean()) {
                return true;
            }
            next();
            meanwhile.run();
        }
        lines.add("deadline waiting for signal " + name);
        return false;
    }

    // ---- server ----

    /** The script's run_server, set up; call {@link #step} to service it. */
    JenetMirror server() throws IOException {
        conn.createHostBound("127.0.0.1", num("port", 0), 4, num("channels", 0));
        if (opt.containsKey("limit")) {
            conn.channelLimit(num("limit", 0));
        }
        if ("1".equals(opt.get("refuse"))) {
            conn.refuseNewConnections(true);
        }
        lines.add("listening port=" + conn.getLocalPort() + " maxchannels=" + conn.getMaxChannels());
        return this;
    }

    /** One service call of the server with its reactions (timeouts, greeting, echo). */
    void step() {
        Event e = next();
        if (e.type() == EVENT_CONNECT) {
            ENetPacketPeer p = e.event().peer();
            if (opt.containsKey("ptimeout")) {
                int[] t = ints(opt.get("ptimeout"));
                p.setTimeout(t[0], t[1], t[2]);
            }
            if (opt.containsKey("ping")) {
                p.pingInterval(num("ping", 0));
            }
            if ("1".equals(opt.get("greet"))) {
                p.send(0, new byte[] {1, 2, 3}, ENetPacketPeer.FLAG_RELIABLE);
            }
        } else if (e.type() == EVENT_RECEIVE && "1".equals(opt.get("echo"))) {
            e.event().peer().send(e.event().channel(), e.packet(), KIND_FLAGS[e.event().channel() % 5]);
        } else if (e.type() == EVENT_DISCONNECT) {
            disconnects++;
        }
    }

    /** @return the DISCONNECT events this server has seen */
    int disconnects() {
        return disconnects;
    }

    // ---- client modes ----

    private void makeClient() throws IOException {
        conn.createHost(1, 0);
    }

    private ENetPacketPeer connectPeer(int channels, int data) {
        ENetPacketPeer peer = conn.connectToHost(opt.getOrDefault("host", "127.0.0.1"), num("port", 0), channels, data);
        if (opt.containsKey("ctimeout")) {
            int[] t = ints(opt.get("ctimeout"));
            peer.setTimeout(t[0], t[1], t[2]);
        }
        return peer;
    }

    /** One packet of a traffic plan: sent in {@code step} on {@code channel}, content fill(size, seed). */
    record Item(int step, int channel, int seed, int size) {
        String planLine() {
            return step + " " + channel + " " + seed + " " + size;
        }
    }

    /**
     * The script's run_traffic up to "sent-all": connects with channels=N (default 5), turns off the
     * throttle's deceleration and sends the plan step by step, waiting after each step for the echo on channel 0. The caller then
     * disconnects.
     *
     * @return the connected peer
     */
    ENetPacketPeer traffic(List<Item> plan) throws IOException {
        makeClient();
        ENetPacketPeer peer = connectPeer(num("channels", 5), 0);
        if (untilEvent(EVENT_CONNECT, 10_000) == null) {
            return peer;
        }
        peer.throttleConfigure(5000, 2, 0);
        int steps = plan.stream().mapToInt(Item::step).max().orElse(-1) + 1;
        for (int step = 0; step < steps; step++) {
            for (Item item : plan) {
                if (item.step() == step) {
                    peer.send(item.channel(), Payloads.fill(item.size(), item.seed()), KIND_FLAGS[item.channel() % 5]);
                }
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            boolean echoed = false;
            while (!echoed && System.nanoTime() < deadline) {
                Event e = next();
                if (e.type() == EVENT_RECEIVE && e.event().channel() == 0) {
                    echoed = true;
                } else if (e.type() == EVENT_DISCONNECT) {
                    return peer;
                }
                meanwhile.run();
            }
            if (!echoed) {
                lines.add("deadline waiting for the echo of a step");
                return peer;
            }
        }
        lines.add("sent-all");
        return peer;
    }

    /** The script's run_connect. */
    void connect() throws IOException {
        for (int c : ints(opt.getOrDefault("channels", "0"))) {
            makeClient();
            ENetPacketPeer peer = connectPeer(c, (int) Long.parseLong(opt.getOrDefault("data", "0")));
            long deadline = System.nanoTime() + 10_000_000_000L;
            Event e = next();
            while (e.type() != EVENT_CONNECT && e.type() != EVENT_DISCONNECT && System.nanoTime() < deadline) {
                meanwhile.run();
                e = next();
            }
            if (e.type() != EVENT_CONNECT) {
                lines.add("connect failed");
                return;
            }
            if (untilEvent(EVENT_RECEIVE, 10_000) == null) {
                return;
            }
            lines.add("peer channels=" + peer.getChannels() + " state=" + peer.getState().value());
            peer.peerDisconnect((int) Long.parseLong(opt.getOrDefault("ddata", "0")));
            untilEvent(EVENT_DISCONNECT, 10_000);
            lines.add("peer active=" + peer.isActive());
            conn.destroy();
        }
    }

    /** The script's run_disconnect_later. */
    void disconnectLater() throws IOException {
        makeClient();
        ENetPacketPeer peer = connectPeer(3, 0);
        if (untilEvent(EVENT_CONNECT, 10_000) == null) {
            return;
        }
        int[] sizes = ints(opt.get("sizes"));
        for (int i = 0; i < sizes.length; i++) {
            peer.send(i % 3, Payloads.fill(sizes[i], i), ENetPacketPeer.FLAG_RELIABLE);
        }
        peer.peerDisconnectLater((int) Long.parseLong(opt.getOrDefault("ddata", "0")));
        lines.add("peer state=" + peer.getState().value());
        untilEvent(EVENT_DISCONNECT, 20_000);
        lines.add("peer active=" + peer.isActive());
    }

    /** The script's run_reset. */
    void reset() throws IOException {
        makeClient();
        ENetPacketPeer peer = connectPeer(1, 0);
        if (untilEvent(EVENT_CONNECT, 10_000) == null || untilEvent(EVENT_RECEIVE, 10_000) == null) {
            return;
        }
        peer.reset();
        lines.add("reset active=" + peer.isActive() + " peers=" + conn.getPeers().size());
        next();
        lines.add("serviced peers=" + conn.getPeers().size());
        untilSignal("stop", 30_000);
    }

    /** The script's run_timeout. */
    void timeout() throws IOException {
        makeClient();
        ENetPacketPeer peer = connectPeer(1, 0);
        if (untilEvent(EVENT_CONNECT, 10_000) == null) {
            return;
        }
        for (int i = 0; i < num("warmup", 40); i++) {
            peer.send(0, new byte[] {(byte) i}, ENetPacketPeer.FLAG_RELIABLE);
            if (untilEvent(EVENT_RECEIVE, 10_000) == null) {
                return;
            }
        }
        peer.setTimeout(num("limit", 0), num("min", 0), num("max", 0));
        peer.pingInterval(60_000);
        lines.add("ready rtt=" + (long) peer.getStatistic(PeerStatistic.PEER_ROUND_TRIP_TIME));
        if (!untilSignal("go", 20_000)) {
            return;
        }
        long start = System.nanoTime();
        peer.send(0, new byte[] {(byte) 255}, ENetPacketPeer.FLAG_RELIABLE);
        if (untilEvent(EVENT_DISCONNECT, 60_000) != null) {
            lines.add("timed-out after=" + (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** The script's run_stats. */
    void stats() throws IOException {
        makeClient();
        ENetPacketPeer peer = connectPeer(3, 0);
        if (untilEvent(EVENT_CONNECT, 10_000) == null) {
            return;
        }
        peer.pingInterval(60_000);
        peer.throttleConfigure(5000, 2, 0);
        if (untilEvent(EVENT_RECEIVE, 10_000) == null) {
            return;
        }
        long settled = System.nanoTime() + num("settle", 1200) * 1_000_000L;
        while (System.nanoTime() < settled) {
            next();
            meanwhile.run();
        }
        long[] popped = popAll();
        lines.add("popped " + popped[0] + " " + popped[1] + " " + popped[2] + " " + popped[3]);
        int count = num("count", 3);
        for (int i = 0; i < count; i++) {
            peer.send(2, Payloads.fill(num("size", 100), i), ENetPacketPeer.FLAG_UNSEQUENCED);
        }
        conn.flush();
        for (int i = 0; i < count; i++) {
            if (untilEvent(EVENT_RECEIVE, 10_000) == null) {
                return;
            }
        }
        long[] s = popAll();
        lines.add("host sent-data=" + s[0] + " sent-packets=" + s[1] + " received-data=" + s[2] + " received-packets=" + s[3]);
        for (PeerStatistic stat : PeerStatistic.values()) {
            lines.add("peer-stat " + stat.value() + " " + (long) peer.getStatistic(stat));
        }
        peer.peerDisconnect(0);
        untilEvent(EVENT_DISCONNECT, 10_000);
    }

    private long[] popAll() {
        return new long[] {
            (long) conn.popStatistic(HostStatistic.HOST_TOTAL_SENT_DATA),
            (long) conn.popStatistic(HostStatistic.HOST_TOTAL_SENT_PACKETS),
            (long) conn.popStatistic(HostStatistic.HOST_TOTAL_RECEIVED_DATA),
            (long) conn.popStatistic(HostStatistic.HOST_TOTAL_RECEIVED_PACKETS),
        };
    }

    /** The script's run_socket_send. */
    void socketSend() throws IOException {
        conn.createHostBound("127.0.0.1", 0, 1, 1);
        lines.add("bound port=" + conn.getLocalPort());
        int[] sizes = ints(opt.get("sizes"));
        for (int i = 0; i < sizes.length; i++) {
            conn.socketSend(opt.getOrDefault("host", "127.0.0.1"), num("port", 0), Payloads.fill(sizes[i], i));
        }
        lines.add("sent");
    }

    /** The script's run_service_timeouts. */
    void serviceTimeouts() throws IOException {
        try (ENetConnection a = new ENetConnection(); ENetConnection b = new ENetConnection()) {
            a.createHostBound("127.0.0.1", 0, 1, 2);
            lines.add("idle0 type=" + a.service(0).type().value());
            int n = num("wait", 50);
            long start = System.nanoTime();
            ENetEvent e = a.service(n);
            lines.add("idleN type=" + e.type().value() + " waited=" + (System.nanoTime() - start) / 1_000_000);
            b.createHost(1, 2);
            ENetPacketPeer peer = b.connectToHost("127.0.0.1", a.getLocalPort(), 2);
            int connected = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (connected < 2 && System.nanoTime() < deadline) {
                connected += a.service(0).type() == EVENT_CONNECT ? 1 : 0;
                connected += b.service(0).type() == EVENT_CONNECT ? 1 : 0;
            }
            peer.send(1, new byte[] {7, 7, 7}, ENetPacketPeer.FLAG_RELIABLE);
            b.flush();
            start = System.nanoTime();
            e = a.service(5000);
            byte[] data = e.type() == EVENT_RECEIVE ? e.peer().getPacket() : new byte[0];
            lines.add("early type=" + e.type().value() + " channel=" + e.channel() + " size=" + data.length + " within="
                    + ((System.nanoTime() - start) / 1_000_000 < 5000));
        }
    }

    /** The script's run_socket_error. */
    void socketError() throws IOException {
        try (ENetConnection c = new ENetConnection()) {
            c.createHostBound("127.0.0.1", 0, 2, 1);
            c.connectToHost("192.0.2.1", 7777, 1);
            List<String> types = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                types.add(String.valueOf(c.service(0).type().value()));
            }
            lines.add("services " + String.join(",", types));
        }
    }

    /** The script's run_limits; jenet throws where Godot returns an error code. */
    void limits() throws IOException {
        conn.createHostBound("127.0.0.1", 0, 4, 3);
        lines.add("max-channels created=" + conn.getMaxChannels());
        for (int limit : new int[] {0, 300, 7}) {
            conn.channelLimit(limit);
            lines.add("max-channels limit(" + limit + ")=" + conn.getMaxChannels());
        }
        conn.destroy();
        try (ENetConnection other = new ENetConnection()) {
            other.createHostBound("127.0.0.1", 0, 4, 300);
            lines.add("create300 error=0");
        } catch (IllegalArgumentException e) {
            lines.add("create300 threw " + e.getClass().getSimpleName());
        }
        try (ENetConnection client = new ENetConnection()) {
            client.createHost(2, 1);
            client.connectToHost("127.0.0.1", 9, 1);
            lines.add("second-connect peer=" + (client.connectToHost("127.0.0.1", 9, 1) != null));
        }
    }

    @Override
    public void close() {
        conn.close();
    }
}

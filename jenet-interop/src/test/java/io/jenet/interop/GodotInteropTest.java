package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetConnection.CompressionMode;
import io.jenet.ENetPacketPeer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Adler32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * jenet against Godot 3.2.3's NetworkedMultiplayerENet (Debian's godot3-server), in every
 * compression mode, both as server and as client. Godot frames each payload with 8 bytes
 * (source id, target id, little-endian) and uses channel 0 for its own messages, 1 for reliable
 * and 2 for unreliable traffic; this test speaks that framing.
 */
class GodotInteropTest {
    private static final int[] SIZES = {1, 100, 1400, 4000, 70_000};
    private static final int SERVER_ID = 1;

    /** Godot script's make(seed, size). */
    static byte[] make(int seed, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ((seed * 31 + i * 7) % 256);
        }
        return b;
    }

    static long adler(byte[] b) {
        Adler32 a = new Adler32();
        a.update(b);
        return a.getValue();
    }

    static byte[] frame(int source, int target, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(source).putInt(target).put(payload);
        return b.array();
    }

    private static int freePort() throws Exception {
        try (java.nio.channels.DatagramChannel ch = java.nio.channels.DatagramChannel.open()) {
            ch.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            return ((java.net.InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    @ParameterizedTest
    @EnumSource(CompressionMode.class)
    void godotClientAgainstJenetServer(CompressionMode mode) throws Exception {
        GodotPeer.requireGodot();
        try (ENetConnection server = new ENetConnection()) {
            server.compress(mode);
            server.createHostBound("127.0.0.1", 0, 8, 3);
            JenetSide side = new JenetSide(server);
            List<String> args = new ArrayList<>(List.of("client", "127.0.0.1", "" + server.getLocalPort(), "" + mode.value()));
            for (int s : SIZES) {
                args.add("" + s);
            }
            try (GodotPeer godot = new GodotPeer(args.toArray(new String[0]))) {
                side.until(() -> side.count(EVENT_CONNECT) == 1, 20_000);
                int clientId = side.of(EVENT_CONNECT).get(0).event().data();
                assertThat(clientId).isGreaterThan(1);
                int expected = SIZES.length * 2;
                side.until(() -> side.count(EVENT_RECEIVE) == expected, 20_000);
                List<String> got = new ArrayList<>();
                for (JenetSide.Seen s : side.of(EVENT_RECEIVE)) {
                    ByteBuffer b = ByteBuffer.wrap(s.packet()).order(ByteOrder.LITTLE_ENDIAN);
                    assertThat(b.getInt()).as("source id").isEqualTo(clientId);
                    assertThat(b.getInt()).as("target id").isEqualTo(SERVER_ID);
                    byte[] payload = Arrays.copyOfRange(s.packet(), 8, s.packet().length);
                    got.add(s.event().channel() + ":" + payload.length + ":" + adler(payload));
                    // Echo in Godot's framing, from the server (id 1) to this client.
                    int flags = s.event().channel() == 1 ? ENetPacketPeer.FLAG_RELIABLE : ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT;
                    s.event().peer().send(s.event().channel(), frame(SERVER_ID, clientId, payload), flags);
                }
                List<String> want = new ArrayList<>();
                int seed = 1;
                for (int size : SIZES) {
                    want.add("1:" + size + ":" + adler(make(seed++, size)));
                    want.add("2:" + size + ":" + adler(make(seed++, size)));
                }
                assertAllAndReliableInOrder(got, want);
                side.until(() -> godot.linesStartingWith("recv ").size() == expected, 20_000);
                List<String> echoed = new ArrayList<>();
                for (String l : godot.linesStartingWith("recv ")) {
                    String[] f = l.split(" ");
                    assertThat(f[1]).as(godot.tail()).isEqualTo("1");
                    echoed.add(f[2] + ":" + f[3] + ":" + f[4]);
                }
                assertAllAndReliableInOrder(echoed, want);
            }
        }
    }

    /**
     * Every packet arrived once, intact ("CHANNEL:LENGTH:ADLER32"), and those on the reliable
     * channel 1 in the order they were sent (ENet orders per channel; channel 2 is unreliable).
     */
    private static void assertAllAndReliableInOrder(List<String> got, List<String> want) {
        assertThat(got).containsExactlyInAnyOrderElementsOf(want);
        assertThat(got.stream().filter(g -> g.startsWith("1:")).toList()).as("reliable channel 1, in order")
                .containsExactlyElementsOf(want.stream().filter(w -> w.startsWith("1:")).toList());
    }

    @ParameterizedTest
    @EnumSource(CompressionMode.class)
    void jenetClientAgainstGodotServer(CompressionMode mode) throws Exception {
        GodotPeer.requireGodot();
        int port = freePort();
        try (GodotPeer godot = new GodotPeer("server", "" + port, "" + mode.value());
             ENetConnection client = new ENetConnection()) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (godot.linesStartingWith("listening").isEmpty()) {
                assertThat(System.nanoTime()).as("godot server start: " + godot.tail()).isLessThan(deadline);
                Thread.onSpinWait();
            }
            client.compress(mode);
            client.createHost(1, 3);
            JenetSide side = new JenetSide(client);
            int myId = 777_777;
            ENetPacketPeer server = client.connectToHost("127.0.0.1", port, 3, myId);
            side.until(() -> side.count(EVENT_CONNECT) == 1, 20_000);
            List<String> want = new ArrayList<>();
            int seed = 1;
            for (int size : SIZES) {
                byte[] r = make(seed++, size);
                server.send(1, frame(myId, SERVER_ID, r), ENetPacketPeer.FLAG_RELIABLE);
                want.add("1:" + size + ":" + adler(r));
                byte[] u = make(seed++, size);
                server.send(2, frame(myId, SERVER_ID, u), ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT);
                want.add("2:" + size + ":" + adler(u));
            }
            int expected = want.size();
            side.until(() -> side.count(EVENT_RECEIVE) == expected, 20_000);
            List<String> echoes = new ArrayList<>();
            for (JenetSide.Seen s : side.of(EVENT_RECEIVE)) {
                ByteBuffer b = ByteBuffer.wrap(s.packet()).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(b.getInt()).as("source id").isEqualTo(SERVER_ID);
                assertThat(b.getInt()).as("target id").isEqualTo(myId);
                byte[] payload = Arrays.copyOfRange(s.packet(), 8, s.packet().length);
                echoes.add(s.event().channel() + ":" + payload.length + ":" + adler(payload));
            }
            assertAllAndReliableInOrder(echoes, want);
            List<String> seenByGodot = new ArrayList<>();
            for (String l : godot.linesStartingWith("recv ")) {
                String[] f = l.split(" ");
                assertThat(f[1]).isEqualTo("" + myId);
                seenByGodot.add(f[2] + ":" + f[3] + ":" + f[4]);
            }
            assertAllAndReliableInOrder(seenByGodot, want);
            assertThat(godot.linesStartingWith("connect ")).containsExactly("connect " + myId);
        }
    }
}

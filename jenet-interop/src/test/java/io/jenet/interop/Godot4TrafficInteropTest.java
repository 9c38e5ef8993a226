package io.jenet.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection.CompressionMode;
import io.jenet.ENetPacketPeer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jenet against Godot 4.6's {@code ENetConnection} (Debian's build, headless), both directions,
 * every packet kind and size, in all five compression modes, with {@code service(0)} busy loops and
 * positive service timeouts on either side.
 *
 * <p>The client sends a plan in steps; each step carries one packet per channel: channel 0 and 4
 * reliable, 1 unreliable sequenced, 2 unsequenced, 3 unreliable fragment (4 runs the sizes in
 * reverse order), and the client waits for the echo of the step's channel-0 packet before the next
 * step. The server echoes every packet on its channel with the channel's kind. Both legs are
 * checked: content byte for byte (SHA-256 of {@link Payloads#fill}), the flags the receiver sees,
 * reliable order per channel, and counts.
 */
class Godot4TrafficInteropTest {
    private static final int[] SIZES = {0, 1, 1363, 1364, 1365, 4096, 65_536, 1_048_576};
    /** Largest payload that fits one ENet command at the default MTU of 1392 (1392 - 4 - 24). */
    private static final int FRAGMENT_LENGTH = 1364;

    static Stream<Arguments> modes() {
        // compression, Godot's service timeout, jenet's service timeout (ms)
        return Stream.of(
                Arguments.of(CompressionMode.COMPRESS_NONE, 0, 0),
                Arguments.of(CompressionMode.COMPRESS_NONE, 10, 10),
                Arguments.of(CompressionMode.COMPRESS_RANGE_CODER, 0, 5),
                Arguments.of(CompressionMode.COMPRESS_FASTLZ, 10, 0),
                Arguments.of(CompressionMode.COMPRESS_ZLIB, 0, 0),
                Arguments.of(CompressionMode.COMPRESS_ZSTD, 5, 10));
    }

    /**
     * The packets to send. With compression the empty packets become 2-byte ones: Debian's Godot
     * 4.6.3 crashes (SIGSEGV or SIGILL after "Index p_index = 60 is out of bounds (size() = 60)")
     * when a compressed datagram it sends ends with an empty packet, even to another Godot, so it
     * can neither send nor echo them ({@link #emptyCompressedPacketsFromJenetReachGodot4} covers
     * the receiving side).
     */
    static List<JenetMirror.Item> plan(CompressionMode mode) {
        List<JenetMirror.Item> plan = new ArrayList<>();
        for (int step = 0; step < SIZES.length; step++) {
            // Channel 0 last: its echo ends the step.
            for (int channel : new int[] {1, 2, 3, 4, 0}) {
                int size = channel == 4 ? SIZES[SIZES.length - 1 - step] : SIZES[step];
                if (size == 0 && mode != CompressionMode.COMPRESS_NONE) {
                    size = 2;
                }
                plan.add(new JenetMirror.Item(step, channel, step * 8 + channel, size));
            }
        }
        return plan;
    }

    /** The flags ENet gives a received packet of a channel's kind: big unreliable ones went reliable. */
    static int receivedFlags(int channel, int size) {
        int sent = JenetMirror.KIND_FLAGS[channel % 5];
        boolean fragmented = size > FRAGMENT_LENGTH;
        return switch (sent) {
            case ENetPacketPeer.FLAG_RELIABLE -> ENetPacketPeer.FLAG_RELIABLE;
            case ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT -> fragmented ? ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT : 0;
            default -> fragmented ? ENetPacketPeer.FLAG_RELIABLE : sent;
        };
    }

    /**
     * Only an unreliable fragment of 1 MiB (769 datagrams in one burst, more than a default socket
     * buffer holds) may be lost on loopback in lockstep with the throttle's deceleration off;
     * everything else must arrive.
     */
    static boolean required(JenetMirror.Item item) {
        return receivedFlags(item.channel(), item.size()) == ENetPacketPeer.FLAG_RELIABLE || item.size() <= 65_536;
    }

    static String line(JenetMirror.Item item) {
        return "event receive channel=" + item.channel() + " flags=" + receivedFlags(item.channel(), item.size()) + " size="
                + item.size() + " sha=" + JenetMirror.sha(Payloads.fill(item.size(), item.seed()));
    }

    /**
     * Checks one leg: every received line is a packet of {@code sent} with the right flags, per
     * channel in the order sent (reliable channels: exactly all), and every required packet came.
     *
     * @return the items that arrived, in plan order
     */
    static List<JenetMirror.Item> checkLeg(String leg, List<JenetMirror.Item> sent, List<String> received) {
        Map<Integer, List<String>> byChannel = new LinkedHashMap<>();
        for (String l : received) {
            byChannel.computeIfAbsent(Integer.parseInt(Godot4Peer.value(l, "channel")), c -> new ArrayList<>()).add(l);
        }
        List<JenetMirror.Item> arrived = new ArrayList<>();
        for (int channel = 0; channel < 5; channel++) {
            List<String> got = byChannel.getOrDefault(channel, List.of());
            List<JenetMirror.Item> onChannel = new ArrayList<>();
            for (JenetMirror.Item item : sent) {
                if (item.channel() == channel) {
                    onChannel.add(item);
                }
            }
            // In order: walk the sent items, matching each received line to the next sent item it equals.
            int next = 0;
            for (String l : got) {
                while (next < onChannel.size() && !line(onChannel.get(next)).equals(l)) {
                    assertThat(required(onChannel.get(next)))
                            .as(leg + ": channel " + channel + " lost or reordered " + onChannel.get(next) + " (" + line(onChannel.get(next))
                                    + ") before '" + l + "'; received: " + got)
                            .isFalse();
                    next++;
                }
                assertThat(next).as(leg + ": unexpected packet on channel " + channel + ": " + l).isLessThan(onChannel.size());
                arrived.add(onChannel.get(next++));
            }
            for (; next < onChannel.size(); next++) {
                assertThat(required(onChannel.get(next))).as(leg + ": required packet missing: " + onChannel.get(next)).isFalse();
            }
        }
        int reliable = (int) sent.stream().filter(i -> receivedFlags(i.channel(), i.size()) == ENetPacketPeer.FLAG_RELIABLE).count();
        assertThat(arrived.stream().filter(i -> receivedFlags(i.channel(), i.size()) == ENetPacketPeer.FLAG_RELIABLE))
                .as(leg + ": reliable packets").hasSize(reliable);
        assertThat(arrived.size()).as(leg + ": packets that arrived").isGreaterThanOrEqualTo((int) sent.stream()
                .filter(Godot4TrafficInteropTest::required).count());
        System.out.printf("Godot 4 traffic, %s: %d of %d packets arrived%n", leg, arrived.size(), sent.size());
        return arrived;
    }

    private static List<String> receives(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("event receive ")).toList();
    }

    @ParameterizedTest(name = "{0}, Godot service({1}), jenet service({2})")
    @MethodSource("modes")
    void godot4ClientToJenetServer(CompressionMode mode, int godotWait, int jenetWait) throws Exception {
        List<JenetMirror.Item> plan = plan(mode);
        try (Godot4Peer godot = new Godot4Peer();
             JenetMirror server = new JenetMirror("echo=1", "compress=" + mode.value(), "service=" + jenetWait)) {
            server.server();
            StringBuilder planText = new StringBuilder();
            for (JenetMirror.Item item : plan) {
                godot.writePayload(item.seed(), item.size());
                planText.append(item.planLine()).append('\n');
            }
            godot.writeFile("plan.txt", planText.toString());
            godot.start("traffic", "port=" + server.conn.getLocalPort(), "compress=" + mode.value(), "service=" + godotWait);
            godot.awaitLine("sent-all", 90_000, server::step);
            List<JenetMirror.Item> atJenet = checkLeg("Godot 4 -> jenet", plan, receives(server.lines));
            server.conn.getPeers().get(0).peerDisconnect(7);
            godot.awaitExit(20_000, server::step);
            assertThat(godot.lines("event disconnect ")).containsExactly("event disconnect data=7");
            checkLeg("jenet echo -> Godot 4", atJenet, receives(godot.lines("event receive ")));
        }
    }

    @ParameterizedTest(name = "{0}, Godot service({1}), jenet service({2})")
    @MethodSource("modes")
    void jenetClientToGodot4Server(CompressionMode mode, int godotWait, int jenetWait) throws Exception {
        List<JenetMirror.Item> plan = plan(mode);
        try (Godot4Peer godot = new Godot4Peer()) {
            godot.start("server", "echo=1", "compress=" + mode.value(), "service=" + godotWait);
            int port = godot.awaitListeningPort();
            try (JenetMirror client = new JenetMirror("port=" + port, "compress=" + mode.value(), "service=" + jenetWait)) {
                ENetPacketPeer peer = client.traffic(plan);
                assertThat(client.lines).as(godot.tail()).contains("sent-all");
                // Godot printed each packet before echoing it: wait until its output is read that far.
                godot.until(() -> godot.lines("event receive channel=0 ").size() == SIZES.length, 10_000, client::next);
                List<JenetMirror.Item> atGodot = checkLeg("jenet -> Godot 4", plan, receives(godot.lines("event receive ")));
                checkLeg("Godot 4 echo -> jenet", atGodot, receives(client.lines));
                peer.peerDisconnect((int) 4_000_000_000L);
                godot.awaitExit(20_000, client::next);
                assertThat(godot.lines("event connect ")).containsExactly("event connect data=0 channels=5");
                assertThat(godot.lines("event disconnect ")).containsExactly("event disconnect data=4000000000");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = CompressionMode.class, names = "COMPRESS_NONE", mode = EnumSource.Mode.EXCLUDE)
    void emptyCompressedPacketsFromJenetReachGodot4(CompressionMode mode) throws Exception {
        try (Godot4Peer godot = new Godot4Peer()) {
            godot.start("server", "compress=" + mode.value());
            int port = godot.awaitListeningPort();
            try (JenetMirror client = new JenetMirror("port=" + port, "compress=" + mode.value())) {
                client.conn.createHost(1, 0);
                ENetPacketPeer peer = client.conn.connectToHost("127.0.0.1", port, 5, 0);
                godot.until(() -> peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED, 10_000, client::next);
                List<String> want = new ArrayList<>();
                for (int channel = 0; channel < 5; channel++) {
                    // 40 bytes first, so that the datagram ends with the empty packet.
                    peer.send(channel, Payloads.fill(40, channel), JenetMirror.KIND_FLAGS[channel]);
                    peer.send(channel, new byte[0], JenetMirror.KIND_FLAGS[channel]);
                    want.add(line(new JenetMirror.Item(0, channel, channel, 40)));
                    want.add(line(new JenetMirror.Item(0, channel, 0, 0)));
                }
                client.conn.flush();
                godot.until(() -> godot.lines("event receive ").size() == want.size(), 10_000, client::next);
                assertThat(godot.lines("event receive ")).containsExactlyInAnyOrderElementsOf(want);
                peer.peerDisconnect();
                godot.awaitExit(10_000, client::next);
            }
        }
    }
}

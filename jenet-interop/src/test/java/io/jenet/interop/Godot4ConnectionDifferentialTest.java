package io.jenet.interop;

import static io.jenet.interop.Godot4Runs.Side.GODOT;
import static io.jenet.interop.Godot4Runs.Side.JENET;
import static io.jenet.interop.Godot4Runs.starting;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.interop.Godot4Runs.Run;
import io.jenet.interop.Godot4Runs.Side;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Differential tests of {@code ENetConnection}: the same scenario written in GDScript (run by
 * Godot 4.6) and in Java (jenet) must print the same events and values. Where they differ, each
 * side's behaviour is asserted and the difference is one listed in the guide's "Where jenet
 * differs from Godot".
 */
class Godot4ConnectionDifferentialTest {
    /** The server's greeting as the client prints it (server option greet=1). */
    static final String GREETING = "event receive channel=0 flags=1 size=3 sha=" + JenetMirror.sha(new byte[] {1, 2, 3});

    /**
     * channel_limit(0) and (300) clamp to 255; a host with 300 channels is an error in both; a
     * second connect_to_host on one host gives no peer in Godot and a second peer in jenet (guide:
     * "connect_to_host refuses a second call").
     */
    @Test
    void channelLimitClampsAndMaxChannels() throws Exception {
        List<String> godot;
        boolean refusedSecond;
        try (Godot4Peer g = new Godot4Peer()) {
            g.start("limits");
            g.awaitExit(20_000, () -> { });
            godot = Godot4Runs.withoutExit(g.scriptLines());
            refusedSecond = g.printed("The ENetConnection is already connected to a peer.");
        }
        List<String> jenet;
        try (JenetMirror j = new JenetMirror()) {
            j.limits();
            jenet = j.lines;
        }
        List<String> same = List.of("max-channels created=3", "max-channels limit(0)=255", "max-channels limit(300)=255",
                "max-channels limit(7)=7");
        assertThat(godot.subList(0, 4)).isEqualTo(same);
        assertThat(jenet.subList(0, 4)).isEqualTo(same);
        // Guide, "Errors are exceptions": Godot returns ERR_INVALID_PARAMETER (31), jenet throws.
        assertThat(godot.subList(4, godot.size())).containsExactly("create300 error=31", "second-connect peer=false");
        assertThat(jenet.subList(4, jenet.size())).containsExactly("create300 threw IllegalArgumentException",
                "second-connect peer=true");
        assertThat(refusedSecond).as("Godot's error for the second connect_to_host").isTrue();
    }

    /**
     * connect_to_host with 0, 300 and 7 channels and data 4294967295, then peer_disconnect with
     * 4294967295, against a server whose channel_limit(300) clamped to 255: the server sees 255,
     * 255 and 7 channels and both data values unsigned; the client's peer agrees on the count.
     */
    @ParameterizedTest(name = "observer {0}")
    @EnumSource(Side.class)
    void connectClampsChannelCountsAndCarriesUnsignedData(Side observer) throws Exception {
        List<String> server = List.of("limit=300", "greet=1");
        List<String> client = List.of("channels=0,300,7", "data=4294967295", "ddata=4294967295");
        Run godot = Godot4Runs.run(GODOT, observer, "connect", server, client, 3);
        Run jenet = Godot4Runs.run(JENET, observer, "connect", server, client, 3);
        List<String> actor = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (int channels : new int[] {255, 255, 7}) {
            actor.addAll(List.of("event connect data=0 channels=" + channels, GREETING, "peer channels=" + channels + " state=5",
                    "event disconnect data=0", "peer active=false"));
            seen.addAll(List.of("event connect data=4294967295 channels=" + channels, "event disconnect data=4294967295"));
        }
        assertThat(godot.actor()).isEqualTo(actor);
        assertThat(jenet.actor()).isEqualTo(actor);
        assertThat(starting(godot.observer(), "event ")).isEqualTo(seen);
        assertThat(starting(jenet.observer(), "event ")).isEqualTo(seen);
        assertThat(starting(godot.observer(), "listening ")).singleElement().asString().endsWith(" maxchannels=255");
        assertThat(starting(jenet.observer(), "listening ")).singleElement().asString().endsWith(" maxchannels=255");
    }

    /**
     * refuse_new_connections(true) on a plain (non-DTLS) host. Debian's Godot 4.6 (system ENet)
     * prints "ENet DTLS support not available in this build" and accepts the connection; jenet
     * drops the CONNECT, so the client's attempt fails (guide: "refuseNewConnections works on plain
     * hosts too").
     */
    @Test
    void refuseNewConnectionsOnAPlainHost() throws Exception {
        List<String> server = List.of("refuse=1", "greet=1");
        List<String> client = List.of("channels=1", "data=5", "ddata=6", "ctimeout=4,100,1000");
        List<String> accepted = List.of("event connect data=0 channels=1", GREETING, "peer channels=1 state=5",
                "event disconnect data=0", "peer active=false");
        List<String> refused = List.of("event disconnect data=0", "connect failed");
        for (Side actor : Side.values()) {
            Run godotServer = Godot4Runs.run(actor, GODOT, "connect", server, client, 1);
            assertThat(godotServer.actor()).as("%s client, Godot server", actor).isEqualTo(accepted);
            assertThat(starting(godotServer.observer(), "event ")).containsExactly("event connect data=5 channels=1",
                    "event disconnect data=6");
            assertThat(godotServer.observerOutput()).anyMatch(l -> l.contains("ENet DTLS support not available in this build"));
            Run jenetServer = Godot4Runs.run(actor, JENET, "connect", server, client, 0);
            assertThat(jenetServer.actor()).as("%s client, jenet server", actor).isEqualTo(refused);
            assertThat(starting(jenetServer.observer(), "event ")).isEmpty();
        }
    }

    /** socket_send: each datagram arrives at a plain UDP socket as sent, from the host's port. */
    @Test
    void socketSendDeliversExactDatagramsFromTheHostPort() throws Exception {
        int[] sizes = {0, 1, 5, 1400};
        String sizeList = Arrays.stream(sizes).mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow();
        for (Side sender : Side.values()) {
            try (DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                 Selector selector = Selector.open()) {
                receiver.configureBlocking(false);
                receiver.register(selector, SelectionKey.OP_READ);
                int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
                String[] opts = {"port=" + port, "sizes=" + sizeList};
                List<String> lines;
                if (sender == GODOT) {
                    try (Godot4Peer g = new Godot4Peer()) {
                        for (int i = 0; i < sizes.length; i++) {
                            g.writePayload(i, sizes[i]);
                        }
                        g.start("socket-send", opts);
                        g.awaitExit(20_000, () -> { });
                        lines = Godot4Runs.withoutExit(g.scriptLines());
                    }
                } else {
                    try (JenetMirror j = new JenetMirror(opts)) {
                        j.socketSend();
                        lines = j.lines;
                    }
                }
                assertThat(lines).hasSize(2).last().isEqualTo("sent");
                int hostPort = Integer.parseInt(Godot4Peer.value(lines.get(0), "port"));
                ByteBuffer buffer = ByteBuffer.allocate(65_536);
                long deadline = System.nanoTime() + 5_000_000_000L;
                for (int i = 0; i < sizes.length; i++) {
                    buffer.clear();
                    InetSocketAddress from;
                    while ((from = (InetSocketAddress) receiver.receive(buffer)) == null) {
                        assertThat(System.nanoTime()).as("%s: datagram %d of %d", sender, i, sizes.length).isLessThan(deadline);
                        selector.select(50);
                        selector.selectedKeys().clear();
                    }
                    buffer.flip();
                    byte[] got = new byte[buffer.remaining()];
                    buffer.get(got);
                    assertThat(from.getPort()).as("%s: source port", sender).isEqualTo(hostPort);
                    assertThat(got).as("%s: datagram %d", sender, i).isEqualTo(Payloads.fill(sizes[i], i));
                }
            }
        }
    }

    /**
     * A socket that cannot send (bound to 127.0.0.1, sending to a non-loopback address: the kernel
     * refuses) makes service return EVENT_ERROR (-1), once per failed send: the CONNECT at the
     * first call, nothing more until its retransmission is due.
     */
    @Test
    void aSocketThatCannotSendGivesEventError() throws Exception {
        List<String> godot;
        try (Godot4Peer g = new Godot4Peer()) {
            g.start("socket-error");
            g.awaitExit(20_000, () -> { });
            godot = Godot4Runs.withoutExit(g.scriptLines());
        }
        List<String> jenet;
        try (JenetMirror j = new JenetMirror()) {
            j.socketError();
            jenet = j.lines;
        }
        assertThat(godot).containsExactly("services -1,0,0,0,0");
        assertThat(jenet).isEqualTo(godot);
    }

    /**
     * service(0) on an idle host returns NONE; service(N) waits (at least N ms, within the
     * millisecond clock's rounding); service(5000) returns a packet as soon as it arrives.
     */
    @Test
    void serviceTimeoutsZeroAndN() throws Exception {
        List<String> godot;
        try (Godot4Peer g = new Godot4Peer()) {
            g.start("service-timeouts", "wait=50");
            g.awaitExit(20_000, () -> { });
            godot = Godot4Runs.withoutExit(g.scriptLines());
        }
        List<String> jenet;
        try (JenetMirror j = new JenetMirror("wait=50")) {
            j.serviceTimeouts();
            jenet = j.lines;
        }
        for (List<String> lines : List.of(godot, jenet)) {
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).isEqualTo("idle0 type=0");
            assertThat(lines.get(1)).startsWith("idleN type=0 waited=");
            assertThat(Integer.parseInt(Godot4Peer.value(lines.get(1), "waited"))).isGreaterThanOrEqualTo(49);
            assertThat(lines.get(2)).isEqualTo("early type=3 channel=1 size=3 within=true");
        }
    }
}

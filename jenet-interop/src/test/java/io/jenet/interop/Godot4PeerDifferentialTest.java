package io.jenet.interop;

import static io.jenet.interop.Godot4Runs.Side.GODOT;
import static io.jenet.interop.Godot4Runs.Side.JENET;
import static io.jenet.interop.Godot4Runs.starting;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetPacketPeer;
import io.jenet.interop.Godot4Runs.Run;
import io.jenet.interop.Godot4Runs.Side;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential tests of {@code ENetPacketPeer} and host statistics: the same scenario written in
 * GDScript (Godot 4.6) and in Java (jenet) must give the same events and values, or a difference
 * the guide lists.
 */
class Godot4PeerDifferentialTest {
    /** The probe of the timeout scenario: header with sent time (4) + SEND_RELIABLE (6) + 1 byte. */
    private static final int PROBE_DATAGRAM = 11;

    /** Send attempts before a timeout under upstream ENet's rule, {@code 1 << (attempts - 1) >= limit} (0 means 32). */
    static int upstreamAttempts(int limit) {
        int l = limit == 0 ? 32 : limit;
        int attempts = 1;
        while ((1 << (attempts - 1)) < l) {
            attempts++;
        }
        return attempts;
    }

    /** Send attempts before a timeout under Godot's patched rule, {@code attempts - 1 >= limit} (0 means 5). */
    static int godotAttempts(int limit) {
        return (limit == 0 ? 5 : limit) + 1;
    }

    /**
     * set_timeout(limit, min, max) with a small minimum, then the remote goes silent with one
     * reliable packet outstanding: the relay counts how often the client sends it before
     * EVENT_DISCONNECT. Debian's Godot links the system ENet 1.3.18 and so follows upstream's rule;
     * Godot's own builds, and jenet, count attempts ({@code attempts - 1 >= limit}). The default
     * (0) gives 6 attempts under both rules.
     */
    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {0, 2, 4})
    void setTimeoutLimitCountsSendAttempts(int limit) throws Exception {
        String[] options = {"limit=" + limit, "min=" + Math.max(limit, 1), "max=30000", "warmup=40"};
        List<Integer> attempts = new ArrayList<>();
        for (Side client : Side.values()) {
            try (JenetMirror server = new JenetMirror("echo=1", "ping=60000").server();
                 SilenceRelay relay = new SilenceRelay(server.conn.getLocalPort())) {
                List<String> opts = new ArrayList<>(List.of(options));
                opts.add("port=" + relay.port());
                List<String> lines;
                if (client == GODOT) {
                    try (Godot4Peer godot = new Godot4Peer()) {
                        godot.start("timeout", opts.toArray(new String[0]));
                        godot.awaitLine("ready ", 30_000, server::step);
                        relay.silence();
                        godot.signal("go");
                        godot.awaitExit(60_000, server::step);
                        lines = Godot4Runs.withoutExit(godot.scriptLines());
                    }
                } else {
                    try (JenetMirror jenet = new JenetMirror(opts.toArray(new String[0]))) {
                        jenet.meanwhile(server::step).signal("go", () -> {
                            relay.silence();
                            return true;
                        }).timeout();
                        lines = jenet.lines;
                    }
                }
                assertThat(starting(lines, "timed-out ")).as("%s: %s", client, lines).hasSize(1);
                assertThat(starting(lines, "event disconnect ")).containsExactly("event disconnect data=0");
                List<Integer> dropped = relay.droppedFromClient();
                attempts.add((int) dropped.stream().filter(size -> size == PROBE_DATAGRAM).count());
                System.out.printf("Godot 4 set_timeout(%d): %s client %s, %s, datagrams after silence %s%n", limit, client,
                        starting(lines, "ready "), starting(lines, "timed-out "), dropped);
            }
        }
        assertThat(attempts.get(0)).as("Debian's Godot 4 (system ENet, upstream rule)").isEqualTo(upstreamAttempts(limit));
        assertThat(attempts.get(1)).as("jenet (Godot's rule)").isEqualTo(godotAttempts(limit));
    }

    /**
     * peer_disconnect_later(4294967295) after eight reliable packets on three channels: the remote
     * receives them all, in order per channel, and then EVENT_DISCONNECT with that data.
     */
    @ParameterizedTest(name = "observer {0}")
    @EnumSource(Side.class)
    void peerDisconnectLaterDeliversQueuedPacketsFirst(Side observer) throws Exception {
        int[] sizes = {0, 1, 1364, 1365, 4096, 100, 5000, 20_000};
        int[][] payloads = new int[sizes.length][];
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            payloads[i] = new int[] {i, sizes[i]};
            sent.add("event receive channel=" + (i % 3) + " flags=1 size=" + sizes[i] + " sha="
                    + JenetMirror.sha(Payloads.fill(sizes[i], i)));
        }
        String sizeList = String.join(",", java.util.Arrays.stream(sizes).mapToObj(Integer::toString).toList());
        List<String> client = List.of("sizes=" + sizeList, "ddata=4294967295");
        for (Side actor : Side.values()) {
            Run run = Godot4Runs.run(actor, observer, "disconnect-later", List.of(), client, 1, payloads);
            assertThat(run.actor()).as("%s client", actor).containsExactly("event connect data=0 channels=3",
                    "peer state=" + ENetPacketPeer.PeerState.STATE_DISCONNECT_LATER.value(), "event disconnect data=0",
                    "peer active=false");
            List<String> events = starting(run.observer(), "event ");
            assertThat(events.get(0)).isEqualTo("event connect data=0 channels=3");
            assertThat(events.get(events.size() - 1)).isEqualTo("event disconnect data=4294967295");
            for (int channel = 0; channel < 3; channel++) {
                String prefix = "event receive channel=" + channel + " ";
                assertThat(starting(events, prefix)).as("%s client, channel %d", actor, channel).isEqualTo(starting(sent, prefix));
            }
            assertThat(events).hasSize(sizes.length + 2);
        }
    }

    /**
     * reset() once the server has greeted: no event on the resetting side, which goes on
     * servicing; the remote, whose peer has set_timeout(4, 100, 1000) and pings every 100 ms, times
     * out with EVENT_DISCONNECT data 0.
     */
    @ParameterizedTest(name = "observer {0}")
    @EnumSource(Side.class)
    void resetRaisesNoEventAndTheRemoteTimesOut(Side observer) throws Exception {
        for (Side actor : Side.values()) {
            Run run = Godot4Runs.run(actor, observer, "reset", List.of("ptimeout=4,100,1000", "ping=100", "greet=1"), List.of(), 1);
            assertThat(starting(run.actor(), "event ")).as("%s client", actor).containsExactly("event connect data=0 channels=1",
                    Godot4ConnectionDifferentialTest.GREETING);
            assertThat(run.actor()).as("%s client", actor).contains("serviced peers=0");
            assertThat(starting(run.actor(), "deadline")).isEmpty();
            assertThat(starting(run.observer(), "event ")).containsExactly("event connect data=0 channels=1",
                    "event disconnect data=0");
            // Right after reset(), before the next service, Godot still lists the peer; jenet does not.
            assertThat(starting(run.actor(), "reset ")).containsExactly(actor == GODOT
                    ? "reset active=false peers=1" : "reset active=false peers=0");
        }
    }

    /**
     * pop_statistic and get_statistic after a known exchange: three unsequenced 100-byte packets in
     * one flush, echoed by a jenet server, once the connection has settled (pings off, the
     * bandwidth throttle's BANDWIDTH_LIMIT after the connect gone by). Unsequenced, so that no
     * acknowledgement or retransmission (the retransmission timeout on loopback is a few ms) can
     * blur the counts. The four host counters are exact and equal; so are the peer statistics the
     * exchange fixes (loss, throttle and its settings, the throttle counter after three unreliable
     * sends); round-trip times are within bounds; the epochs are clock readings (Godot's ENet clock
     * is wall-clock milliseconds, jenet's starts at the host's creation) and are not compared.
     */
    @Test
    void hostAndPeerStatisticsAfterAKnownExchange() throws Exception {
        List<String> server = List.of("echo=1", "greet=1", "ping=60000");
        List<String> client = List.of("count=3", "size=100");
        int[][] payloads = {{0, 100}, {1, 100}, {2, 100}};
        Run godot = Godot4Runs.run(GODOT, JENET, "stats", server, client, 1, payloads);
        Run jenet = Godot4Runs.run(JENET, JENET, "stats", server, client, 1, payloads);
        // One datagram each way: header without sent time (2) + 3 x (SEND_UNSEQUENCED 8 + 100).
        String host = "host sent-data=326 sent-packets=1 received-data=326 received-packets=1";
        assertThat(starting(godot.actor(), "host ")).as("Godot client; jenet client: %s", jenet.actor()).containsExactly(host);
        assertThat(starting(jenet.actor(), "host ")).as("jenet client; Godot client: %s", godot.actor()).containsExactly(host);
        for (Run run : List.of(godot, jenet)) {
            List<String> stats = starting(run.actor(), "peer-stat ");
            assertThat(stats).hasSize(14);
            // loss, loss variance, throttle, throttle limit, counter (3 x 7), acceleration, deceleration, interval
            assertThat(stats).contains("peer-stat 0 0", "peer-stat 1 0", "peer-stat 7 32", "peer-stat 8 32",
                    "peer-stat 9 21", "peer-stat 11 2", "peer-stat 12 0", "peer-stat 13 5000");
            for (int rtt : new int[] {3, 5}) {
                assertThat(Long.parseLong(stats.get(rtt).split(" ")[2])).as(stats.get(rtt)).isBetween(1L, 500L);
            }
        }
    }
}

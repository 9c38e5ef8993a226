package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Attackers that complete real ENet handshakes against {@code jenet serve --echo} in a JVM of its
 * own with a small heap, while honest C ENet and jenet clients echo: the server must live, stay
 * within its memory budget, and serve the honest clients; the counters show what was dropped.
 * Each scenario prints one {@code memory-attack} line with heap and RSS before, during and after
 * (docs/BENCHMARKS.md quotes them).
 */
class MemoryAttackInteropTest {
    /** A {@code stats} line of {@code jenet serve --stats}. */
    record Stats(long peers, long incomplete, long limit, long outgoing, long budgetDisconnects, long budgetDrops, long heapUsed) {
        static Stats parse(String line) {
            String[] w = line.split(" ");
            return new Stats(value(w, "peers"), value(w, "incomplete"), value(w, "limit"), value(w, "outgoing"),
                    value(w, "budget-disconnects"), value(w, "budget-drops"), value(w, "heap-used"));
        }

        private static long value(String[] words, String key) {
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals(key)) {
                    return Long.parseLong(words[i + 1]);
                }
            }
            throw new AssertionError("no " + key + " in " + String.join(" ", words));
        }
    }

    private static int listen(JenetProcess server) throws InterruptedException {
        String line = server.await(0, l -> l.startsWith("listening on port "), 30_000);
        return Integer.parseInt(line.substring("listening on port ".length()).trim());
    }

    /** The next stats line after now. */
    private static Stats nextStats(JenetProcess server) throws InterruptedException {
        return Stats.parse(server.await(server.lineCount(), l -> l.startsWith("stats "), 10_000));
    }

    /** Completes the attackers' handshakes, acknowledging as it goes. */
    private static void connectAll(EnetAttacker attacker, int n, int channels) throws Exception {
        attacker.connect(n, channels);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (attacker.connectedCount() < n) {
            assertThat(System.nanoTime()).as("attackers connected: %d of %d", attacker.connectedCount(), n).isLessThan(deadline);
            attacker.pump();
            Thread.onSpinWait();
        }
    }

    /**
     * Honest traffic during the attack: a jenet client echoes 200 reliable packets (checked in
     * order, byte for byte) and C ENet's load check runs 4 clients x 100 echoes, while the attackers
     * keep acknowledging (so the server never times them out).
     */
    private static void honestClientsEcho(int port, EnetAttacker attacker, JenetProcess server) throws Exception {
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            c.cmd("load 4 127.0.0.1 " + port + " 1 100 600");
            client.createHost(1, 1);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 1, 0);
            JenetSide side = new JenetSide(client);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (side.count(EVENT_CONNECT) == 0) {
                assertThat(System.nanoTime()).as("honest jenet client connected; server: %s", server.tail()).isLessThan(deadline);
                side.pump(1);
                attacker.pump();
            }
            for (int i = 0; i < 200; i++) {
                peer.send(0, Payloads.fill(500, i), ENetPacketPeer.FLAG_RELIABLE);
            }
            while (side.count(EVENT_RECEIVE) < 200 || c.linesStartingWith("load ").isEmpty()) {
                assertThat(System.nanoTime()).as("honest echoes; server: %s; C: %s", server.tail(), c.tail()).isLessThan(deadline);
                side.pump(1);
                attacker.pump();
            }
            List<JenetSide.Seen> got = side.of(EVENT_RECEIVE);
            for (int i = 0; i < 200; i++) {
                assertThat(got.get(i).packet()).isEqualTo(Payloads.fill(500, i));
            }
            assertThat(c.linesStartingWith("load ").get(0)).isEqualTo("load ok 4");
        }
    }

    /**
     * Paces a flood (a millisecond per burst) so that the kernel's socket buffer, not the server,
     * does not drop most of it: an attacker who wants its data held sends it at a rate that gets
     * through. Not a synchronisation: nothing waits on it.
     */
    private static void pace() {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    @ParameterizedTest(name = "{0} heap, {1} fragments")
    @CsvSource({"256m, reliable", "256m, unreliable", "1g, reliable"})
    void twoHundredPeersAnnounceHugePacketsAndSendOnlyTheFirstFragment(String heap, String kind) throws Exception {
        boolean reliable = kind.equals("reliable");
        // --drain-timeout 0: the test tears the server down after its attackers are gone; a drain would wait for them.
        try (JenetProcess server = new JenetProcess(heap, "serve", "--port", "0", "--bind", "127.0.0.1", "--echo", "--peers", "256",
                "--stats", "1", "--drain-timeout", "0")) {
            int port = listen(server);
            Stats before = nextStats(server);
            long rssBefore = JenetProcess.rss(server.pid());
            try (EnetAttacker attacker = new EnetAttacker(new InetSocketAddress("127.0.0.1", port))) {
                connectAll(attacker, 200, 2);
                for (EnetAttacker.Connection c : attacker.connections) {
                    // 32 MiB announced on each of two channels, 1 kB sent: C ENet would reserve 32 MiB
                    // (lazily, in malloc); jenet holds what arrived.
                    attacker.fragment(c, 0, reliable, 1, 32 << 20, 0, 1024);
                    attacker.fragment(c, 1, reliable, 1, 32 << 20, 0, 1024);
                    attacker.pump();
                }
                Stats during = nextStats(server);
                long rssDuring = JenetProcess.rss(server.pid());
                honestClientsEcho(port, attacker, server);
                Stats after = nextStats(server);
                assertThat(server.isAlive()).isTrue();
                assertThat(during.peers()).isGreaterThanOrEqualTo(200);
                assertThat(during.incomplete()).isPositive().isLessThanOrEqualTo(during.limit());
                // What 200 peers hold: at most two first fragments each, in one chunk each.
                assertThat(during.incomplete()).isLessThan(200L * 2 * 64 * 1024);
                System.out.printf(Locale.ROOT, "memory-attack jenet heap=%s kind=%s peers=%d incomplete=%sMiB limit=%sMiB "
                                + "heap-used-MiB before=%s during=%s after=%s rss-MiB before=%s during=%s after=%s budget-disconnects=%d%n",
                        heap, kind, during.peers(), mib(during.incomplete()), mib(during.limit()), mib(before.heapUsed()),
                        mib(during.heapUsed()), mib(after.heapUsed()), mib(rssBefore), mib(rssDuring),
                        mib(JenetProcess.rss(server.pid())), after.budgetDisconnects());
            }
        }
    }

    @Test
    void manyChannelsAndDripFeedingHitTheBudgetAndTheStallersGo() throws Exception {
        try (JenetProcess server = new JenetProcess("256m", "serve", "--port", "0", "--bind", "127.0.0.1", "--echo", "--peers", "256",
                "--stats", "1", "--drain-timeout", "0")) {
            int port = listen(server);
            try (EnetAttacker attacker = new EnetAttacker(new InetSocketAddress("127.0.0.1", port))) {
                connectAll(attacker, 200, 64);
                // Every channel of every attacker starts a 100 KiB packet: 200 x 64 x one 16 KiB chunk
                // is about 200 MiB, six times the budget of a 256 MiB heap (32 MiB).
                for (int ch = 0; ch < 64; ch++) {
                    for (EnetAttacker.Connection c : attacker.connections) {
                        attacker.fragment(c, ch, true, 1, 100 << 10, 0, 1024);
                        if (c.sent % 20 == 0) {
                            pace();
                        }
                    }
                    attacker.pump();
                }
                // Then the survivors drip one more fragment into a new chunk of channel 0, slowly.
                for (int drip = 1; drip < 6; drip++) {
                    for (EnetAttacker.Connection c : attacker.connections) {
                        attacker.fragment(c, 0, true, 1, 100 << 10, drip * 16 * 1024, 1024);
                    }
                    attacker.pump();
                    pace();
                }
                honestClientsEcho(port, attacker, server);
                Stats after = nextStats(server);
                assertThat(server.isAlive()).isTrue();
                assertThat(after.budgetDisconnects()).as("stalling attackers disconnected").isPositive();
                assertThat(after.incomplete()).isLessThanOrEqualTo(after.limit());
                assertThat(server.lines()).anyMatch(l -> l.startsWith("disconnect 127.0.0.1:"));
                System.out.printf(Locale.ROOT, "memory-attack jenet heap=256m kind=64-channels+drip budget-disconnects=%d incomplete=%sMiB "
                        + "limit=%sMiB heap-used=%sMiB rss=%sMiB%n", after.budgetDisconnects(), mib(after.incomplete()),
                        mib(after.limit()), mib(after.heapUsed()), mib(JenetProcess.rss(server.pid())));
            }
        }
    }

    @Test
    void aPeerThatNeverAcknowledgesIsDroppedWhileOthersEcho() throws Exception {
        try (JenetProcess server = new JenetProcess("256m", "serve", "--port", "0", "--bind", "127.0.0.1", "--echo", "--peers", "16",
                "--stats", "1", "--drain-timeout", "0", "--peer-outgoing-limit", String.valueOf(1 << 20))) {
            int port = listen(server);
            try (EnetAttacker attacker = new EnetAttacker(new InetSocketAddress("127.0.0.1", port))) {
                connectAll(attacker, 1, 1);
                attacker.acknowledge = false;
                EnetAttacker.Connection deaf = attacker.connections.get(0);
                // 3 MB of reliable data the server must echo into a peer that never acknowledges (at
                // 2 MB/s, so that no datagram is lost on the way: a gap would leave the rest held as
                // out-of-order data, the incoming budget's business, not this test's).
                for (int i = 1; i <= 3000; i++) {
                    attacker.reliable(deaf, 0, i, 1000);
                    if (i % 2 == 0) {
                        attacker.pump();
                        pace();
                    }
                }
                int port0 = deaf.socket.socket().getLocalPort();
                server.await(0, l -> l.startsWith("disconnect 127.0.0.1:" + port0 + " "), 30_000);
                honestClientsEcho(port, attacker, server);
                Stats after = nextStats(server);
                assertThat(after.budgetDisconnects()).isEqualTo(1);
                assertThat(after.outgoing()).isLessThan(1 << 20);
                assertThat(server.isAlive()).isTrue();
            }
        }
    }

    @Test
    void cEnetUnderTheSameFirstFragmentAttack() throws Exception {
        try (CPeer server = new CPeer()) {
            int port = server.host(0, 256, 2, 0, 0);
            server.cmd("echo 1");
            long rssBefore = JenetProcess.rss(server.pid());
            try (EnetAttacker attacker = new EnetAttacker(new InetSocketAddress("127.0.0.1", port))) {
                connectAll(attacker, 200, 2);
                for (EnetAttacker.Connection c : attacker.connections) {
                    attacker.fragment(c, 0, true, 1, 32 << 20, 0, 1024);
                    attacker.fragment(c, 1, true, 1, 32 << 20, 0, 1024);
                    attacker.pump();
                }
                long settle = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < settle) {
                    attacker.pump();
                    Thread.onSpinWait();
                }
                long rssDuring = JenetProcess.rss(server.pid());
                System.out.printf(Locale.ROOT, "memory-attack c-enet-1.3.17 kind=reliable rss-MiB before=%s during=%s%n",
                        mib(rssBefore), mib(rssDuring));
                assertThat(rssDuring).isPositive();
            }
        }
    }
}

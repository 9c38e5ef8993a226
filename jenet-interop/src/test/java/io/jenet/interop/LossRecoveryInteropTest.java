package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import io.jenet.cli.ImpairmentRelay;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * jenet's sender (early resends, copies of small reliable packets, bounded back-off, a window that
 * grows past ENet's) against C ENet 1.3.17 receivers through a lossy, delaying, duplicating relay:
 * C ENet takes every reliable packet once and in order, the copies it receives are the duplicates
 * ENet already discards, and nobody disconnects. Each case also runs with
 * {@link ENetConnection#setExactEnetTiming ENet's exact timing}, where jenet must copy nothing and
 * resend nothing early.
 */
class LossRecoveryInteropTest {
    private static final int LATENCY_MS = 20;
    private static final int JITTER_MS = 10;

    private record Link(CPeer c, ENetConnection client, JenetSide j, ENetPacketPeer peer, int id, ImpairmentRelay relay) {}

    private static Link connect(CPeer c, ENetConnection client, boolean exact, long seed) throws Exception {
        int port = c.host(0, 4, 2, 0, 0);
        client.createHost(1, 2);
        client.setExactEnetTiming(exact);
        JenetSide j = new JenetSide(client);
        ImpairmentRelay relay = new ImpairmentRelay(new InetSocketAddress("127.0.0.1", port), 0, 0, LATENCY_MS, JITTER_MS, seed);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", relay.port(), 2, 0);
        peer.setTimeout(32_768, 60_000, 120_000);
        j.until(() -> j.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 60_000);
        int id = Integer.parseInt(c.linesStartingWith("connect ").get(0).split(" ")[1]);
        c.cmd("timeout " + id + " 1048576 60000 120000");
        return new Link(c, client, j, peer, id, relay);
    }

    /** Every reliable packet on channel 0 arrived at C ENet once, in order, intact. */
    private static void assertReliableInOrder(Link l, int count, int size) {
        List<String> got = l.c.linesStartingWith("receive " + l.id + " 0 ");
        assertThat(got).hasSize(count);
        for (int i = 0; i < count; i++) {
            String[] f = got.get(i).split(" ");
            assertThat(Integer.parseInt(f[4])).as("length of %d", i).isEqualTo(size);
            assertThat(Long.parseLong(f[5])).as("reliable %d in order", i).isEqualTo(Payloads.crc(Payloads.fill(size, i)));
        }
    }

    /**
     * A game-like stream of 64 B reliable messages, 100 a second, at 0/5/20/40 % loss each way
     * (and 5 % duplication by the relay itself).
     */
    @ParameterizedTest(name = "{0} % loss, exact ENet timing {1}")
    @CsvSource({"0, false", "5, false", "20, false", "40, false", "20, true"})
    void smallReliableMessagesReachCEnetOnceAndInOrder(int lossPercent, boolean exact) throws Exception {
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            Link l = connect(c, client, exact, 300 + lossPercent);
            try (ImpairmentRelay relay = l.relay) {
                relay.impair(lossPercent / 100.0, 0.05);
                int count = lossPercent >= 40 ? 150 : 300;
                for (int i = 0; i < count; i++) {
                    l.peer.send(0, Payloads.fill(64, i), ENetPacketPeer.FLAG_RELIABLE);
                    long until = System.nanoTime() + 10_000_000L;
                    do {
                        l.j.pump(1);
                    } while (System.nanoTime() < until);
                }
                l.j.until(() -> c.linesStartingWith("receive " + l.id + " 0 ").size() >= count, 120_000);
                // Late duplicates would show up as extra lines: give them a moment to arrive.
                long settle = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < settle) {
                    l.j.pump(1);
                }
                assertReliableInOrder(l, count, 64);
                assertThat(l.j.count(EVENT_DISCONNECT)).isZero();
                assertThat(c.linesStartingWith("disconnect ")).isEmpty();
                long copies = l.peer.getRedundantCopies();
                long early = l.peer.getEarlyRetransmissions();
                System.out.printf("[recovery] %d %% loss exact=%b: %d resends (%d early), %d copies, rtt %.1f ms%n",
                        lossPercent, exact, l.peer.getRetransmissions(), early, copies, l.peer.getRoundTripTimeMillis());
                if (exact) {
                    assertThat(copies).isZero();
                    assertThat(early).isZero();
                } else if (lossPercent >= 5) {
                    assertThat(copies).as("copies at %d %% loss", lossPercent).isPositive();
                }
                if (lossPercent > 0) {
                    assertThat(relay.dropped()).isPositive();
                }
            }
        }
    }

    /**
     * 2 MB in 1 kB reliable packets at 5 % loss and a 40+ ms round trip: jenet's window grows past
     * ENet's 64 KiB, and C ENet takes it all in order.
     */
    @Test
    void aBulkTransferWithAGrownWindowReachesCEnetInOrder() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            Link l = connect(c, client, false, 400);
            try (ImpairmentRelay relay = l.relay) {
                relay.impair(0.05, 0.0);
                int count = 2000;
                for (int i = 0; i < count; i++) {
                    l.peer.send(0, Payloads.fill(1000, i), ENetPacketPeer.FLAG_RELIABLE);
                }
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (c.linesStartingWith("receive " + l.id + " 0 ").size() < count) {
                    assertThat(System.nanoTime()).as("all delivered").isLessThan(deadline);
                    l.j.pump(1);
                }
                assertReliableInOrder(l, count, 1000);
                assertThat(l.j.count(EVENT_DISCONNECT)).isZero();
                assertThat(l.peer.getRetransmissions()).isPositive();
                System.out.printf("[recovery] bulk: %d resends (%d early), rtt %.1f ms%n",
                        l.peer.getRetransmissions(), l.peer.getEarlyRetransmissions(), l.peer.getRoundTripTimeMillis());
            }
        }
    }
}

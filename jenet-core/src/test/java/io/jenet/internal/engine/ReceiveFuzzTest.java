package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jenet.internal.compress.FastLz;
import io.jenet.internal.compress.RangeCoder;
import io.jenet.internal.compress.Zlib;
import io.jenet.internal.compress.Zstd;
import io.jenet.internal.protocol.DatagramDecoder;

/**
 * Coverage-guided fuzz targets for everything that takes bytes from the network. Without
 * {@code -Pfuzz} they replay their seed corpus (src/test/resources/.../*Inputs) as ordinary tests.
 * Invariants checked, not only "no crash": nothing escapes (and the engine's own catch-all never
 * fires), memory stays bounded, codecs stay within their limits and round-trip, and an honest
 * session on the attacked host keeps delivering, once each and in order. The target that fuzzes
 * what the engine really runs on received datagrams is
 * {@link #aConnectedHostSurvivesArbitraryDatagramsFromItsPeersAddress}.
 */
class ReceiveFuzzTest {
    /** {@link DatagramDecoder} (tools and tests; the engine parses datagrams itself, see below). */
    @FuzzTest(maxDuration = "60s")
    void decoderNeverThrows(byte[] data) {
        assertThat(DatagramDecoder.decode(data, 0, data.length, data.length % 2 == 0).trailingBytes()).isBetween(0, data.length);
    }

    private static io.jenet.internal.compress.Compressor[] codecs() {
        return new io.jenet.internal.compress.Compressor[] {new RangeCoder(), new FastLz(), new Zlib(), new Zstd()};
    }

    /**
     * Any bytes, decompressed by every codec: an answer in [0, limit], nothing written past the
     * limit, the same answer twice (no state leaks from one datagram to the next), and what came
     * out compresses and decompresses back to itself. The codecs have no catch-all (zstd's
     * decoder catches only zstd's own error report), so "never throws" is tested, not assumed.
     */
    @FuzzTest(maxDuration = "60s")
    void decompressorsNeverThrowNorOverrun(byte[] data) {
        byte[] out = new byte[4097];
        byte[] again = new byte[4096];
        byte[] packed = new byte[8192];
        for (io.jenet.internal.compress.Compressor c : codecs()) {
            out[4096] = 0x5A;
            int n = c.decompress(data, 0, data.length, out, 0, 4096);
            assertThat(n).as(c.getClass().getSimpleName()).isBetween(0, 4096);
            assertThat(out[4096]).isEqualTo((byte) 0x5A);
            assertThat(c.decompress(data, 0, data.length, again, 0, 4096)).as("%s twice", c.getClass().getSimpleName()).isEqualTo(n);
            assertThat(java.util.Arrays.equals(out, 0, n, again, 0, n)).isTrue();
            if (n > 0) {
                int m = c.compress(out, 0, n, packed, 0, packed.length);
                assertThat(m).isPositive();
                assertRoundTrip(c, out, n, packed, m);
            }
        }
    }

    /**
     * {@code packed[0, m)} decompresses to exactly {@code plain[0, n)}; FastLz, as Godot's, pads
     * inputs under 16 bytes with zeros to 16, so those come back padded.
     */
    private static void assertRoundTrip(io.jenet.internal.compress.Compressor c, byte[] plain, int n, byte[] packed, int m) {
        int expected = c instanceof FastLz && n < 16 ? 16 : n;
        byte[] back = new byte[expected];
        byte[] want = java.util.Arrays.copyOf(plain, expected);
        java.util.Arrays.fill(want, n, expected, (byte) 0);
        assertThat(c.decompress(packed, 0, m, back, 0, expected)).as("%s round trip length", c.getClass().getSimpleName()).isEqualTo(expected);
        assertThat(back).as("%s round trip", c.getClass().getSimpleName()).isEqualTo(want);
    }

    /**
     * Any bytes as a datagram's command area, compressed by every codec: the output fits the limit
     * given (or is refused with 0), and decompresses to exactly the input.
     */
    @FuzzTest(maxDuration = "60s")
    void everyCodecRoundTrips(byte[] data) {
        byte[] packed = new byte[data.length + 1];
        for (io.jenet.internal.compress.Compressor c : codecs()) {
            packed[data.length] = 0x5A;
            int m = c.compress(data, 0, data.length, packed, 0, data.length);
            assertThat(m).as(c.getClass().getSimpleName()).isBetween(0, data.length);
            assertThat(packed[data.length]).isEqualTo((byte) 0x5A);
            if (m > 0) {
                assertRoundTrip(c, data, data.length, packed, m);
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void aConnectedHostSurvivesArbitraryDatagramsFromItsPeersAddress(FuzzedDataProvider in) {
        Pair p = new Pair(7, new SimulatedNetwork.Link().latency(2)).connect(2, 0);
        int datagrams = in.consumeInt(1, 8);
        for (int i = 0; i < datagrams && in.remainingBytes() > 0; i++) {
            byte[] body = in.consumeBytes(in.consumeInt(0, 1500));
            // Give most datagrams the right peer id and session so they reach the command handlers.
            byte[] d = new byte[body.length + 4];
            int word = in.consumeBoolean() ? p.clientPeer.outgoingPeerID | (p.clientPeer.outgoingSessionID << 12) | 0x8000
                    : in.consumeInt(0, 0xFFFF);
            io.jenet.internal.protocol.Wire.put16(d, 0, word);
            io.jenet.internal.protocol.Wire.put16(d, 2, in.consumeInt(0, 0xFFFF));
            System.arraycopy(body, 0, d, 4, body.length);
            p.server.receive(d, 0, d.length, in.consumeBoolean() ? p.clientAddress : SimulatedNetwork.address(9, 9), p.net.now());
            p.net.runFor(10);
        }
        assertThat(p.serverPeer.totalWaitingData()).isLessThanOrEqualTo(Host.DEFAULT_MAXIMUM_WAITING_DATA + 4096L);
        // Forged data may have ended or confused this session (it used the peer's own address and
        // session, which ENet cannot tell apart), and forged CONNECTs may hold every free slot
        // half-open until their handshake times out (~30 s); after that a fresh honest client must
        // be served.
        Host fresh = p.net.addHost(SimulatedNetwork.address(3, 3), 1, 0, 0, 0);
        Peer peer = fresh.connect(p.serverAddress, 1, 0);
        peer.timeout(0, 0, 120_000);
        assertThat(p.net.runUntil(() -> peer.state() == Peer.STATE_CONNECTED, 120_000)).isTrue();
        // Slots are reused, so the fresh client's server-side peer may be the attacked one's object:
        // count its packets by content, from here on.
        int from = p.net.events(p.server).size();
        for (int i = 0; i < 20; i++) {
            byte[] b = Traffic.payload(0, i, 300);
            peer.send(0, new Packet(b, b.length, Packet.FLAG_RELIABLE));
        }
        assertThat(p.net.runUntil(() -> p.net.events(p.server).subList(from, p.net.events(p.server).size()).stream()
                .filter(s -> s.type() == Event.TYPE_RECEIVE && s.packet().length == 300 && Traffic.intact(s.packet())).count() >= 20,
                60_000)).isTrue();
        p.net.runFor(200);
        // Exactly the 20 sent, once each, in order, on channel 0.
        assertThat(p.net.events(p.server).subList(from, p.net.events(p.server).size()).stream()
                .filter(s -> s.type() == Event.TYPE_RECEIVE && s.packet() != null && s.packet().length == 300 && Traffic.intact(s.packet()))
                .map(s -> s.channelID() + ":" + Traffic.seq(s.packet())).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "0:" + i).toList());
        // The handler's catch-all (defence in depth) never fired: nothing threw inside the engine.
        assertThat(p.server.internalErrors()).as("datagrams whose handling threw: %s", p.server.lastInternalError()).isZero();
    }
}

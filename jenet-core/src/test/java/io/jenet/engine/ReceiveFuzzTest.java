package io.jenet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jenet.compress.FastLz;
import io.jenet.compress.RangeCoder;
import io.jenet.compress.Zlib;
import io.jenet.compress.Zstd;
import io.jenet.protocol.DatagramDecoder;

/**
 * Coverage-guided fuzz targets for everything that takes bytes from the network. Without
 * {@code -Pfuzz} they replay their seed corpus (src/test/resources/.../*Inputs) as ordinary tests.
 * Invariants checked, not only "no crash": nothing escapes, memory stays bounded, and an honest
 * session on the attacked host keeps delivering in order.
 */
class ReceiveFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void decoderNeverThrows(byte[] data) {
        assertThat(DatagramDecoder.decode(data, 0, data.length, data.length % 2 == 0).trailingBytes()).isBetween(0, data.length);
    }

    @FuzzTest(maxDuration = "60s")
    void decompressorsNeverThrowNorOverrun(byte[] data) {
        byte[] out = new byte[4097];
        for (io.jenet.compress.Compressor c : new io.jenet.compress.Compressor[] {new RangeCoder(), new FastLz(), new Zlib(), new Zstd()}) {
            out[4096] = 0x5A;
            int n = c.decompress(data, 0, data.length, out, 0, 4096);
            assertThat(n).isBetween(0, 4096);
            assertThat(out[4096]).isEqualTo((byte) 0x5A);
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
            io.jenet.protocol.Wire.put16(d, 0, word);
            io.jenet.protocol.Wire.put16(d, 2, in.consumeInt(0, 0xFFFF));
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
                .filter(s -> s.type() == Event.TYPE_RECEIVE && s.packet().length == 300 && Traffic.intact(s.packet())).count() == 20,
                60_000)).isTrue();
    }
}

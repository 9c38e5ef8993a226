package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.DatagramDecoder;
import io.jenet.internal.protocol.DecodedCommand;
import io.jenet.internal.protocol.DecodedDatagram;
import io.jenet.internal.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile datagrams fed straight into a server host that also serves an honest client: each is
 * dropped (and counted) or ignored, memory stays bounded, and the honest client keeps delivering
 * in order afterwards.
 */
class HostileInputTest {
    private Pair p;
    private final InetSocketAddress attacker = SimulatedNetwork.address(66, 6666);

    @BeforeEach
    void connect() {
        p = new Pair(99, new SimulatedNetwork.Link().latency(5)).connect(2, 0);
    }

    /** Builds a datagram: header for the server-side peer of the honest client, then commands. */
    private byte[] datagram(int peerID, int session, boolean sentTime, Consumer<ByteArrayOutputStream> commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int word = peerID | (session << HEADER_SESSION_SHIFT) | (sentTime ? HEADER_FLAG_SENT_TIME : 0);
        out.write(word >>> 8);
        out.write(word);
        if (sentTime) {
            out.write(0x12);
            out.write(0x34);
        }
        commands.accept(out);
        return out.toByteArray();
    }

    private static void command(ByteArrayOutputStream out, byte[] b, int length) {
        out.write(b, 0, length);
    }

    /** A datagram the honest client itself could have sent (right peer id and session). */
    private byte[] asClient(Consumer<ByteArrayOutputStream> commands) {
        return datagram(p.clientPeer.outgoingPeerID, p.clientPeer.outgoingSessionID, true, commands);
    }

    private void inject(InetSocketAddress from, byte[] d) {
        p.server.receive(d, 0, d.length, from, p.net.now());
        p.server.service(p.net.now());
    }

    /** 50 reliable packets on channels 0 and 1 arrive intact, once each, in order per channel. */
    private void honestClientStillDelivers() {
        int before = p.events(p.server, Event.TYPE_RECEIVE).size();
        for (int i = 0; i < 50; i++) {
            p.send(p.client, p.clientPeer, i % 2, Traffic.payload(i % 2, 1000 + i, 700), Packet.FLAG_RELIABLE);
        }
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) >= before + 50, 60_000)).isTrue();
        p.net.runFor(200);
        List<SimulatedNetwork.Seen> got = p.events(p.server, Event.TYPE_RECEIVE);
        assertThat(got).hasSize(before + 50);
        for (int channel = 0; channel < 2; channel++) {
            List<Integer> want = new ArrayList<>();
            List<Integer> arrived = new ArrayList<>();
            for (int i = channel; i < 50; i += 2) {
                want.add(1000 + i);
            }
            for (SimulatedNetwork.Seen s : got.subList(before, got.size())) {
                if (s.channelID() == channel) {
                    assertThat(s.packet()).as("packet on channel %d", channel).hasSize(700).matches(Traffic::intact);
                    assertThat(Traffic.channel(s.packet())).isEqualTo(channel);
                    arrived.add(Traffic.seq(s.packet()));
                }
            }
            assertThat(arrived).as("channel %d: every packet, in order", channel).containsExactlyElementsOf(want);
        }
        assertThat(p.serverPeer.state()).isEqualTo(Peer.STATE_CONNECTED);
        assertThat(p.count(p.server, Event.TYPE_DISCONNECT)).isZero();
    }

    @Test
    void forgedPeerIdsAndSessionsAreDropped() {
        long dropped = p.server.droppedDatagrams();
        byte[] ping = new byte[4];
        CommandWriter.ping(ping, 0);
        inject(attacker, datagram(4000, 0, true, o -> command(o, ping, 4)));               // beyond peer count
        inject(attacker, datagram(p.clientPeer.outgoingPeerID, p.clientPeer.outgoingSessionID, true, o -> command(o, ping, 4))); // wrong address
        inject(p.clientAddress, datagram(p.clientPeer.outgoingPeerID, (p.clientPeer.outgoingSessionID + 1) & 3, true,
                o -> command(o, ping, 4)));                                                   // wrong session
        inject(p.clientAddress, datagram(3, 0, true, o -> command(o, ping, 4)));             // a free slot
        assertThat(p.server.droppedDatagrams()).isEqualTo(dropped + 4);
        honestClientStillDelivers();
    }

    @Test
    void connectsWithOutOfRangeParametersAreClampedOrRefused() {
        for (long[] params : new long[][] {{0, 0, 1}, {100_000, 1L << 31, 255}, {1392, 65536, 0}, {1392, 65536, 256}, {-1, -1, -1}}) {
            byte[] c = new byte[CONNECT_SIZE];
            CommandWriter.connect(c, 0, 0, 0xFF, 0xFF, (int) params[0], (int) params[1], (int) params[2], 0, 0, 5000, 2, 2,
                    new Random().nextInt(), 0);
            inject(SimulatedNetwork.address(70, (int) (params[2] & 0x7FFF) + 1000), datagram(MAXIMUM_PEER_ID, 0, true,
                    o -> command(o, c, CONNECT_SIZE)));
        }
        int accepted = 0;
        for (int i = 0; i < p.server.peerCount(); i++) {
            Peer peer = p.server.peer(i);
            if (peer != p.serverPeer && peer.state() != Peer.STATE_DISCONNECTED) {
                accepted++;
                assertThat(peer.mtu()).isBetween(MINIMUM_MTU, MAXIMUM_MTU);
                assertThat(peer.channelCount()).isBetween(1, 255);
            }
        }
        // Channel counts 0, 256 and 0xFFFFFFFF are refused; the others are clamped.
        assertThat(accepted).isEqualTo(2);
        honestClientStillDelivers();
    }

    @Test
    void impossibleFragmentsAreDropped() {
        long dropped = p.server.droppedDatagrams();
        long[][] cases = {
            {MAXIMUM_FRAGMENT_COUNT + 1L, 0, 2_000_000, 0},   // too many fragments
            {0, 0, 100, 0},                                      // zero fragments
            {2, 0, Host.DEFAULT_MAXIMUM_PACKET_SIZE + 1L, 0},    // total above the maximum packet size
            {2, 1, 100, 100},                                    // offset at the end
            {2, 1, 100, 4_000_000_000L},                         // offset far past the end
            {2, 2, 100, 0},                                      // fragment number not below the count
        };
        int seq = 1;
        for (long[] c : cases) {
            byte[] f = new byte[SEND_FRAGMENT_SIZE];
            int rsn = seq++;
            CommandWriter.sendFragment(f, 0, COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE, 0, rsn, 10, (int) c[0], (int) c[1],
                    (int) c[2], (int) c[3]);
            CommandWriter.reliableSequenceNumber(f, 0, rsn);
            inject(p.clientAddress, asClient(o -> {
                command(o, f, SEND_FRAGMENT_SIZE);
                o.write(new byte[10], 0, 10);
            }));
        }
        assertThat(p.server.droppedDatagrams()).isEqualTo(dropped + cases.length);
        assertThat(p.serverPeer.totalWaitingData()).isZero();
        honestClientStillDelivers();
    }

    @Test
    void overlappingFragmentsWithDifferentBytesKeepTheFirstCopyAndStayBounded() {
        // Two fragments of a 2-fragment packet claim overlapping ranges; ENet copies each fragment
        // number once and never writes outside the packet.
        int rsn = p.serverPeer.channel(0).incomingReliableSequenceNumber + 1;
        byte[] f0 = new byte[SEND_FRAGMENT_SIZE];
        CommandWriter.sendFragment(f0, 0, COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE, 0, rsn, 60, 2, 0, 100, 0);
        CommandWriter.reliableSequenceNumber(f0, 0, rsn);
        byte[] f1 = new byte[SEND_FRAGMENT_SIZE];
        CommandWriter.sendFragment(f1, 0, COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE, 0, rsn, 60, 2, 1, 100, 40);
        CommandWriter.reliableSequenceNumber(f1, 0, rsn + 1);
        byte[] ones = new byte[60];
        java.util.Arrays.fill(ones, (byte) 1);
        byte[] twos = new byte[60];
        java.util.Arrays.fill(twos, (byte) 2);
        inject(p.clientAddress, asClient(o -> {
            command(o, f0, SEND_FRAGMENT_SIZE);
            o.write(ones, 0, 60);
        }));
        // The second fragment of the same number again, with other bytes: ignored.
        inject(p.clientAddress, asClient(o -> {
            command(o, f0, SEND_FRAGMENT_SIZE);
            o.write(twos, 0, 60);
        }));
        inject(p.clientAddress, asClient(o -> {
            command(o, f1, SEND_FRAGMENT_SIZE);
            o.write(twos, 0, 60);
        }));
        p.net.drain(p.server);
        SimulatedNetwork.Seen got = p.events(p.server, Event.TYPE_RECEIVE).get(0);
        assertThat(got.packet()).hasSize(100);
        for (int i = 0; i < 40; i++) {
            assertThat(got.packet()[i]).isEqualTo((byte) 1);
        }
        for (int i = 40; i < 100; i++) {
            assertThat(got.packet()[i]).isEqualTo((byte) 2);
        }
        // The forged packet used the honest client's sequence numbers, so the client's own next
        // packets collide; that is what a forger with the right session and address can do in ENet.
    }

    @Test
    void reliableSequenceNumbersFarOutsideTheWindowAreDiscarded() {
        long waiting = p.serverPeer.totalWaitingData();
        for (int rsn : new int[] {0x8000, 0xFFFF, 0x7000, 0x9001}) {
            byte[] r = new byte[SEND_RELIABLE_SIZE];
            CommandWriter.sendReliable(r, 0, 0, 4);
            CommandWriter.reliableSequenceNumber(r, 0, rsn);
            inject(p.clientAddress, asClient(o -> {
                command(o, r, SEND_RELIABLE_SIZE);
                o.write(new byte[4], 0, 4);
            }));
        }
        assertThat(p.serverPeer.totalWaitingData()).isEqualTo(waiting);
        p.net.drain(p.server);
        assertThat(p.count(p.server, Event.TYPE_RECEIVE)).isZero();
        honestClientStillDelivers();
    }

    @Test
    void acknowledgementsForDataNeverSentAreIgnored() {
        for (int rsn = 0; rsn < 300; rsn += 7) {
            byte[] a = new byte[ACKNOWLEDGE_SIZE];
            CommandWriter.acknowledge(a, 0, rsn % 3 == 0 ? 0xFF : 0, rsn, (int) (p.net.now() - 3) & 0xFFFF);
            inject(p.clientAddress, asClient(o -> command(o, a, ACKNOWLEDGE_SIZE)));
        }
        assertThat(p.serverPeer.state()).isEqualTo(Peer.STATE_CONNECTED);
        honestClientStillDelivers();
    }

    @Test
    void truncatedCommandsAndJunkDatagramsAreDroppedWithoutHarm() {
        long dropped = p.server.droppedDatagrams();
        byte[] r = new byte[SEND_RELIABLE_SIZE];
        CommandWriter.sendReliable(r, 0, 0, 100);
        inject(p.clientAddress, asClient(o -> command(o, r, 5)));                       // cut mid-field
        inject(p.clientAddress, asClient(o -> {                                           // payload shorter than declared
            command(o, r, SEND_RELIABLE_SIZE);
            o.write(new byte[10], 0, 10);
        }));
        inject(p.clientAddress, new byte[0]);                                             // zero length
        inject(p.clientAddress, new byte[1]);
        byte[] huge = new byte[65_000];
        new Random(1).nextBytes(huge);
        inject(p.clientAddress, huge);                                                    // 64 kB of noise
        Random random = new Random(2);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(200)];
            random.nextBytes(junk);
            inject(i % 2 == 0 ? p.clientAddress : attacker, junk);
        }
        assertThat(p.server.droppedDatagrams()).isGreaterThan(dropped + 1000);
        honestClientStillDelivers();
    }

    @Test
    void thirtyTwoAndMoreCommandsInOneDatagramAreHandled() {
        int count = 100;
        p.net.sent = new ArrayList<>();
        inject(p.clientAddress, asClient(o -> {
            for (int i = 0; i < count; i++) {
                byte[] ping = new byte[PING_SIZE];
                CommandWriter.ping(ping, 0);
                CommandWriter.reliableSequenceNumber(ping, 0, 5000 + i);
                command(o, ping, PING_SIZE);
            }
        }));
        p.net.runFor(100);
        // Every one of the 100 pings is acknowledged, once, in order, echoing the datagram's sent
        // time, over datagrams of at most 32 commands (ENet's ENET_PROTOCOL_MAXIMUM_PACKET_COMMANDS).
        List<Long> acknowledged = new ArrayList<>();
        int datagrams = 0;
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (!d.from().equals(p.serverAddress)) {
                continue;
            }
            DecodedDatagram dg = DatagramDecoder.decode(d.data(), 0, d.data().length, false);
            assertThat(dg.commands()).hasSizeLessThanOrEqualTo(32);
            boolean any = false;
            for (DecodedCommand c : dg.commands()) {
                if (c.number() == COMMAND_ACKNOWLEDGE && c.field("receivedReliableSequenceNumber") >= 5000) {
                    assertThat(c.field("receivedSentTime")).isEqualTo(0x1234);
                    acknowledged.add(c.field("receivedReliableSequenceNumber"));
                    any = true;
                }
            }
            datagrams += any ? 1 : 0;
        }
        assertThat(acknowledged).containsExactlyElementsOf(LongStream.range(5000, 5000 + count).boxed().toList());
        assertThat(datagrams).isGreaterThanOrEqualTo(4);
        assertThat(p.serverPeer.acknowledgements.size()).isEqualTo(0);
        p.net.sent = null;
        honestClientStillDelivers();
    }

    @Test
    void compressedDatagramsAreDroppedWhenTheHostHasNoCompressorOrTheyAreCorrupt() {
        long dropped = p.server.droppedDatagrams();
        byte[] bomb = asClient(o -> o.write(new byte[] {(byte) 0xFF, 0x7F, 1, 2, 3}, 0, 5));
        Wire.put16(bomb, 0, Wire.u16(bomb, 0) | HEADER_FLAG_COMPRESSED);
        inject(p.clientAddress, bomb);
        p.server.setCompressor(new io.jenet.internal.compress.Zlib());
        inject(p.clientAddress, bomb);
        assertThat(p.server.droppedDatagrams()).isEqualTo(dropped + 2);
        p.server.setCompressor(null);
        honestClientStillDelivers();
    }

    @Test
    void aDecompressionBombIsDroppedWithinTheReceiveBuffer() {
        // 1 MiB of zeros deflates to about a kilobyte: a datagram that claims to expand past any MTU.
        byte[] zeros = new byte[1 << 20];
        byte[] deflated = new byte[65_536];
        io.jenet.internal.compress.Zlib zlib = new io.jenet.internal.compress.Zlib();
        int n = zlib.compress(zeros, 0, zeros.length, deflated, 0, deflated.length);
        assertThat(n).isBetween(1, 4096);
        byte[] bomb = asClient(o -> o.write(deflated, 0, n));
        Wire.put16(bomb, 0, Wire.u16(bomb, 0) | HEADER_FLAG_COMPRESSED);
        p.server.setCompressor(zlib);
        long dropped = p.server.droppedDatagrams();
        inject(p.clientAddress, bomb);
        assertThat(p.server.droppedDatagrams()).isEqualTo(dropped + 1);
        p.server.setCompressor(null);
        honestClientStillDelivers();
    }

    @Test
    void aPeerThatNeverAcknowledgesIsTimedOutAndItsQueuesFreed() {
        p.net.blackholed.add(p.clientAddress);
        for (int i = 0; i < 2000; i++) {
            p.send(p.server, p.serverPeer, 0, Traffic.payload(0, i, 1000), Packet.FLAG_RELIABLE);
        }
        // While it waits, what it has in flight stays within the window (ENet's rule: no new
        // reliable data past max(window, mtu)), and something is in flight.
        long window = Math.max(p.serverPeer.windowSize, p.serverPeer.mtu());
        long[] peak = new long[1];
        assertThat(p.net.runUntil(() -> {
            peak[0] = Math.max(peak[0], p.serverPeer.reliableDataInTransit);
            return p.count(p.server, Event.TYPE_DISCONNECT) == 1;
        }, 120_000)).isTrue();
        assertThat(peak[0]).as("reliable data in transit, peak").isBetween(1L, window);
        assertThat(p.serverPeer.state()).isEqualTo(Peer.STATE_DISCONNECTED);
        assertThat(p.serverPeer.outgoingSendReliableCommands.isEmpty()).isTrue();
        assertThat(p.serverPeer.sentReliableCommands.isEmpty()).isTrue();
    }
}

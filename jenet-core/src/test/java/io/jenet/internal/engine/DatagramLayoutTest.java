package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.DatagramDecoder;
import io.jenet.internal.protocol.DecodedCommand;
import io.jenet.internal.protocol.DecodedDatagram;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What one service call puts on the wire, byte for byte where it matters: the header (peer id,
 * session, SENT_TIME and the time), commands in queue order with their sequence numbers,
 * datagrams filled up to the MTU and no further, the checksum, and the COMPRESSED flag.
 */
class DatagramLayoutTest {
    private static List<DecodedDatagram> sentBy(Pair p, java.net.InetSocketAddress from, boolean checksum) {
        List<DecodedDatagram> out = new ArrayList<>();
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (d.from().equals(from)) {
                out.add(DatagramDecoder.decode(d.data(), 0, d.data().length, checksum));
            }
        }
        return out;
    }

    @Test
    void threeSmallPacketsGoInOneDatagramInOrder() {
        Pair p = new Pair(81, new SimulatedNetwork.Link().latency(6)).connect(2, 0);
        p.net.runFor(300);
        p.net.sent = new ArrayList<>();
        int rsn = p.clientPeer.channel(1).outgoingReliableSequenceNumber;
        for (int i = 0; i < 3; i++) {
            p.send(p.client, p.clientPeer, 1, Traffic.payload(1, i, 20 + i), Packet.FLAG_RELIABLE);
        }
        long now = p.net.now();
        p.client.service(now);
        List<DecodedDatagram> sent = sentBy(p, p.clientAddress, false);
        assertThat(sent).hasSize(1);
        DecodedDatagram d = sent.get(0);
        assertThat(d.peerID()).isEqualTo(p.serverPeer.incomingPeerID());
        assertThat(d.sessionID()).isEqualTo(p.clientPeer.outgoingSessionID);
        assertThat(d.hasSentTime()).isTrue();
        assertThat(d.sentTime()).isEqualTo((int) now & 0xFFFF);
        assertThat(d.compressed()).isFalse();
        assertThat(d.trailingBytes()).isZero();
        assertThat(d.commands()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            DecodedCommand c = d.commands().get(i);
            assertThat(c.command()).isEqualTo(COMMAND_SEND_RELIABLE | COMMAND_FLAG_ACKNOWLEDGE);
            assertThat(c.channelID()).isEqualTo(1);
            assertThat(c.reliableSequenceNumber()).isEqualTo(rsn + 1 + i);
            assertThat(c.payload()).isEqualTo(Traffic.payload(1, i, 20 + i));
        }
        assertThat(p.clientPeer.reliableDataInTransit).isEqualTo(20 + 21 + 22);
        assertThat(p.clientPeer.sentReliableCommands.size()).isEqualTo(3);
    }

    @Test
    void datagramsAreFilledUpToTheMtuAndNoFurther() {
        Pair p = new Pair(82, new SimulatedNetwork.Link().latency(6)).connect(1, 0);
        p.net.runFor(300);
        p.net.sent = new ArrayList<>();
        // A SEND_RELIABLE of 400 bytes takes 406: three fit in 1392 - 4, four do not.
        for (int i = 0; i < 40; i++) {
            p.send(p.client, p.clientPeer, 0, Traffic.payload(0, i, 400), Packet.FLAG_RELIABLE);
        }
        p.client.service(p.net.now());
        List<DecodedDatagram> sent = sentBy(p, p.clientAddress, false);
        assertThat(sent).hasSize(14);
        List<Integer> seqs = new ArrayList<>();
        for (SimulatedNetwork.Sent raw : p.net.sent) {
            assertThat(raw.data().length).isLessThanOrEqualTo(p.clientPeer.mtu());
        }
        for (int k = 0; k < sent.size(); k++) {
            assertThat(sent.get(k).commands()).hasSize(k < 13 ? 3 : 1);
            for (DecodedCommand c : sent.get(k).commands()) {
                seqs.add(Traffic.seq(c.payload()));
            }
        }
        assertThat(seqs).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 40).boxed().toList());
    }

    @Test
    void checksummedDatagramsCarryTheCrcOfTheConnection() {
        SimulatedNetwork net = new SimulatedNetwork(83, new SimulatedNetwork.Link().latency(6));
        net.sent = new ArrayList<>();
        java.net.InetSocketAddress sa = SimulatedNetwork.address(1, 7777);
        java.net.InetSocketAddress ca = SimulatedNetwork.address(2, 5000);
        Host server = net.addHost(sa, 2, 0, 0, 0);
        Host client = net.addHost(ca, 1, 0, 0, 0);
        server.setChecksum(true);
        client.setChecksum(true);
        Peer peer = client.connect(sa, 1, 0);
        assertThat(net.runUntil(() -> peer.state() == Peer.STATE_CONNECTED && server.connectedPeers() == 1, 5000)).isTrue();
        peer.send(0, client.createPacket(new byte[] {1, 2, 3}, 0, 3, Packet.FLAG_RELIABLE));
        net.runFor(200);
        assertThat(net.sent).hasSizeGreaterThan(4);
        for (SimulatedNetwork.Sent d : net.sent) {
            boolean unconnected = (io.jenet.internal.protocol.Wire.u16(d.data(), 0) & MAXIMUM_PEER_ID) == MAXIMUM_PEER_ID;
            int key = unconnected ? 0 : peer.connectID;
            assertThat(DatagramDecoder.verifyChecksum(d.data(), 0, d.data().length, key)).as("%d bytes from %s", d.data().length, d.from())
                    .isTrue();
        }
        assertThat(server.droppedDatagrams()).isZero();
        assertThat(client.droppedDatagrams()).isZero();
    }

    @Test
    void compressedDatagramsAreFlaggedAndCountedAndArrive() {
        Pair p = new Pair(84, new SimulatedNetwork.Link().latency(6)).connect(1, 0);
        p.client.setCompressor(new io.jenet.internal.compress.Zlib());
        p.server.setCompressor(new io.jenet.internal.compress.Zlib());
        p.net.runFor(300);
        p.net.sent = new ArrayList<>();
        long in = p.client.compressionInput();
        long out = p.client.compressionOutput();
        byte[] zeros = new byte[1000];
        p.send(p.client, p.clientPeer, 0, zeros, Packet.FLAG_RELIABLE);
        p.client.service(p.net.now());
        List<DecodedDatagram> sent = sentBy(p, p.clientAddress, false);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).compressed()).isTrue();
        int wireLength = p.net.sent.get(0).data().length;
        assertThat(p.client.compressionInput() - in).isEqualTo(SEND_RELIABLE_SIZE + 1000);
        assertThat(p.client.compressionOutput() - out).isEqualTo(wireLength - 4);
        assertThat(wireLength).isLessThan(100);
        int before = p.events(p.server, Event.TYPE_RECEIVE).size();
        assertThat(p.net.runUntil(() -> p.events(p.server, Event.TYPE_RECEIVE).size() == before + 1, 1000)).isTrue();
        assertThat(p.events(p.server, Event.TYPE_RECEIVE).get(before).packet()).isEqualTo(zeros);
        // Incompressible commands go out plain and count 1:1.
        p.net.sent = new ArrayList<>();
        byte[] noise = new byte[200];
        new java.util.Random(5).nextBytes(noise);
        long in2 = p.client.compressionInput();
        long out2 = p.client.compressionOutput();
        p.send(p.client, p.clientPeer, 0, noise, Packet.FLAG_RELIABLE);
        p.client.service(p.net.now());
        DecodedDatagram plain = sentBy(p, p.clientAddress, false).get(0);
        assertThat(plain.compressed()).isFalse();
        assertThat(p.client.compressionOutput() - out2).isEqualTo(p.client.compressionInput() - in2);
    }
}

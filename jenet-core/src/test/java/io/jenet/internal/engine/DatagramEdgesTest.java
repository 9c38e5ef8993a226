package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.Wire;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Every way a received datagram is refused before or while its commands are read, one at a time:
 * each counts exactly one dropped datagram; and the edge cases that are not malformed (a bare
 * header, commands that end exactly at the end) count none.
 */
class DatagramEdgesTest {
    private final Pair p = new Pair(101, new SimulatedNetwork.Link().latency(4)).connect(1, 0);

    private int header(boolean sentTime) {
        return p.clientPeer.outgoingPeerID | (p.clientPeer.outgoingSessionID << HEADER_SESSION_SHIFT) | (sentTime ? HEADER_FLAG_SENT_TIME : 0);
    }

    private long drops(byte[] d, InetSocketAddress from) {
        long before = p.server.droppedDatagrams();
        p.server.receive(d, 0, d.length, from, p.net.now());
        return p.server.droppedDatagrams() - before;
    }

    private long drops(byte[] d) {
        return drops(d, p.clientAddress);
    }

    private byte[] withHeader(int word, int extra) {
        byte[] d = new byte[2 + extra];
        Wire.put16(d, 0, word);
        return d;
    }

    @Test
    void notMalformed() {
        assertThat(drops(withHeader(header(false), 0))).as("a bare 2-byte header").isZero();
        assertThat(drops(withHeader(header(true), 2))).as("a bare header with its sent time").isZero();
        // Acknowledged commands need the sent time their acknowledgement echoes.
        byte[] ping = withHeader(header(true), 2 + PING_SIZE);
        CommandWriter.ping(ping, 4);
        assertThat(drops(ping)).as("one PING ending exactly at the end").isZero();
        byte[] r = withHeader(header(true), 2 + SEND_RELIABLE_SIZE + 3);
        CommandWriter.sendReliable(r, 4, 0, 3);
        CommandWriter.reliableSequenceNumber(r, 4, 1);
        assertThat(drops(r)).as("a SEND_RELIABLE whose payload ends exactly at the end").isZero();
        assertThat(p.server.internalErrors()).isZero();
    }

    @Test
    void refusedBeforeTheCommands() {
        assertThat(drops(new byte[1])).as("shorter than a header").isEqualTo(1);
        assertThat(drops(withHeader(header(true), 1))).as("sent time cut off").isEqualTo(1);
        assertThat(drops(withHeader(100, 0))).as("peer id beyond the host's peers").isEqualTo(1);
        assertThat(drops(withHeader(p.server.peerCount(), 0))).as("peer id one past the last").isEqualTo(1);
        assertThat(drops(withHeader(5, 0))).as("a free slot").isEqualTo(1);
        assertThat(drops(withHeader(header(false), 0), SimulatedNetwork.address(9, 9))).as("another address").isEqualTo(1);
        int wrongSession = p.clientPeer.outgoingPeerID | (((p.clientPeer.outgoingSessionID + 1) & 3) << HEADER_SESSION_SHIFT);
        assertThat(drops(withHeader(wrongSession, 0))).as("another session").isEqualTo(1);
        // None of the above is a reason the host counts apart (the metrics call them "invalid").
        assertThat(p.server.decompressionFailures() + p.server.checksumFailures() + p.server.refusedNewConnections()
                + p.server.refusedConnects()).isZero();
        assertThat(drops(withHeader(header(false) | HEADER_FLAG_COMPRESSED, 8))).as("compressed, no compressor").isEqualTo(1);
        assertThat(p.server.decompressionFailures()).isEqualTo(1);
        p.server.setCompressor(new io.jenet.internal.compress.Zlib());
        assertThat(drops(withHeader(header(false) | HEADER_FLAG_COMPRESSED, 8))).as("compressed garbage").isEqualTo(1);
        assertThat(p.server.decompressionFailures()).isEqualTo(2);
        p.server.setCompressor(null);
        p.server.setRefuseNewConnections(true);
        byte[] connect = withHeader(MAXIMUM_PEER_ID, CONNECT_SIZE);
        CommandWriter.connect(connect, 2, 0, 0xFF, 0xFF, 1392, 65536, 1, 0, 0, 5000, 2, 2, 5, 0);
        assertThat(drops(connect, SimulatedNetwork.address(9, 9))).as("CONNECT while refusing").isEqualTo(1);
        assertThat(p.server.refusedNewConnections()).isEqualTo(1);
        assertThat(p.server.pendingHandshakes()).isZero();
        assertThat(p.server.checksumFailures() + p.server.refusedConnects()).isZero();
    }

    @Test
    void refusedWhileReadingTheCommands() {
        assertThat(drops(withHeader(header(false), 3))).as("a command header cut off").isEqualTo(1);
        byte[] unknown = withHeader(header(false), 4);
        unknown[2] = 13;
        assertThat(drops(unknown)).as("command number 13").isEqualTo(1);
        byte[] cut = withHeader(header(false), SEND_RELIABLE_SIZE - 1);
        CommandWriter.sendReliable(new byte[SEND_RELIABLE_SIZE], 0, 0, 0);
        cut[2] = (byte) (COMMAND_SEND_RELIABLE | COMMAND_FLAG_ACKNOWLEDGE);
        assertThat(drops(cut)).as("a command cut off").isEqualTo(1);
        byte[] connect = withHeader(header(false), CONNECT_SIZE);
        CommandWriter.connect(connect, 2, 0, 0xFF, 0xFF, 1392, 65536, 1, 0, 0, 5000, 2, 2, 5, 0);
        assertThat(drops(connect)).as("CONNECT from a connected peer").isEqualTo(1);
        byte[] ping = withHeader(MAXIMUM_PEER_ID, PING_SIZE);
        CommandWriter.ping(ping, 2);
        assertThat(drops(ping, SimulatedNetwork.address(9, 9))).as("PING from nobody").isEqualTo(1);
        assertThat(p.server.internalErrors()).isZero();
        assertThat(p.serverPeer.state()).isEqualTo(Peer.STATE_CONNECTED);
    }

    @Test
    void aChecksummingHostDropsShortAndWrongSums() {
        SimulatedNetwork net = new SimulatedNetwork(102, new SimulatedNetwork.Link().latency(4));
        InetSocketAddress sa = SimulatedNetwork.address(1, 7777);
        InetSocketAddress ca = SimulatedNetwork.address(2, 5000);
        Host server = net.addHost(sa, 2, 0, 0, 0);
        Host client = net.addHost(ca, 1, 0, 0, 0);
        server.setChecksum(true);
        client.setChecksum(true);
        Peer peer = client.connect(sa, 1, 0);
        assertThat(net.runUntil(() -> peer.state() == Peer.STATE_CONNECTED && server.connectedPeers() == 1, 5000)).isTrue();
        int word = peer.outgoingPeerID | (peer.outgoingSessionID << HEADER_SESSION_SHIFT);
        long before = server.droppedDatagrams();
        byte[] shortOne = new byte[5];
        Wire.put16(shortOne, 0, word);
        server.receive(shortOne, 0, shortOne.length, ca, net.now());
        assertThat(server.droppedDatagrams()).as("too short for the checksum").isEqualTo(before + 1);
        assertThat(server.checksumFailures()).as("too short is not a wrong sum").isZero();
        byte[] ok = new byte[8 + PING_SIZE];
        Wire.put16(ok, 0, word | HEADER_FLAG_SENT_TIME);
        CommandWriter.ping(ok, 8);
        Wire.put32(ok, 4, peer.connectID);
        Wire.put32(ok, 4, Wire.crc32(ok, 0, ok.length));
        server.receive(ok, 0, ok.length, ca, net.now());
        assertThat(server.droppedDatagrams()).as("a right sum").isEqualTo(before + 1);
        ok[ok.length - 1] ^= 1;
        server.receive(ok, 0, ok.length, ca, net.now());
        assertThat(server.droppedDatagrams()).as("a wrong sum").isEqualTo(before + 2);
        assertThat(server.checksumFailures()).as("the wrong sum only").isEqualTo(1);
    }
}

package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * The engine host's settings and counters as the public API reads them: totals that match the
 * bytes and datagrams on the (simulated) wire exactly, pop-and-zero statistics, pending
 * handshakes, broadcast to connected peers only, packet creation and recycling.
 */
class HostCountersTest {
    @Test
    void totalsMatchTheWireAndPopZeroesThem() {
        Pair p = new Pair(91, new SimulatedNetwork.Link().latency(5)).connect(1, 0);
        p.net.runFor(100);
        for (Host h : new Host[] {p.client, p.server}) {
            for (int s = 0; s < 4; s++) {
                h.popStatistic(s);
            }
        }
        p.net.sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            p.send(p.client, p.clientPeer, 0, Traffic.payload(0, i, 300), Packet.FLAG_RELIABLE);
        }
        p.net.runFor(300);
        long bytes = 0;
        long datagrams = 0;
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (d.from().equals(p.clientAddress)) {
                bytes += d.data().length;
                datagrams++;
            }
        }
        assertThat(datagrams).isPositive();
        assertThat(p.client.totalSentData()).isEqualTo(bytes);
        assertThat(p.client.totalSentPackets()).isEqualTo(datagrams);
        assertThat(p.server.totalReceivedData()).isEqualTo(bytes);
        assertThat(p.server.totalReceivedPackets()).isEqualTo(datagrams);
        assertThat(p.client.popStatistic(0)).isEqualTo(bytes);
        assertThat(p.client.popStatistic(1)).isEqualTo(datagrams);
        assertThat(p.server.popStatistic(2)).isEqualTo(bytes);
        assertThat(p.server.popStatistic(3)).isEqualTo(datagrams);
        assertThat(p.client.totalSentData()).isZero();
        assertThat(p.client.totalSentPackets()).isZero();
        assertThat(p.server.totalReceivedData()).isZero();
        assertThat(p.server.totalReceivedPackets()).isZero();
        assertThat(p.client.popStatistic(0)).isZero();
        assertThatThrownBy(() -> p.client.popStatistic(4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(p.server.internalErrors()).isZero();
        assertThat(p.server.lastInternalError()).isNull();
    }

    @Test
    void retransmissionsCountEveryResentReliableCommand() {
        Pair p = new Pair(95, new SimulatedNetwork.Link().latency(5)).exactEnetTiming().connect(1, 0);
        p.net.runFor(100);
        assertThat(p.client.retransmissions()).isZero();
        p.net.sent = new ArrayList<>();
        // The server hears nothing for 2 s: the reliable packets (and pings) are resent on their doubling timers.
        p.net.blackholed.add(p.serverAddress);
        for (int i = 0; i < 3; i++) {
            p.send(p.client, p.clientPeer, 0, Traffic.payload(0, i, 100), Packet.FLAG_RELIABLE);
        }
        p.net.runFor(2000);
        p.net.blackholed.clear();
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) == 3, 20_000)).isTrue();
        p.net.runFor(100);
        // The server's pings went unanswered too: each host counts exactly the resends it put on the wire.
        long clientResent = resent(p, p.clientAddress);
        assertThat(clientResent).as("the client's resends seen on the wire").isGreaterThanOrEqualTo(9);
        assertThat(p.client.retransmissions()).isEqualTo(clientResent);
        assertThat(p.server.retransmissions()).isEqualTo(resent(p, p.serverAddress));
        assertThat(p.count(p.server, Event.TYPE_RECEIVE)).isEqualTo(3);
    }

    /** Reliable commands a host sent more than once (channel and sequence number seen again), from the wire. */
    private static long resent(Pair p, java.net.InetSocketAddress from) {
        java.util.Map<String, Integer> sends = new java.util.HashMap<>();
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (d.from().equals(from)) {
                for (io.jenet.internal.protocol.DecodedCommand c
                        : io.jenet.internal.protocol.DatagramDecoder.decode(d.data(), 0, d.data().length, false).commands()) {
                    if (c.acknowledge()) {
                        sends.merge(c.channelID() + "/" + c.reliableSequenceNumber(), 1, Integer::sum);
                    }
                }
            }
        }
        return sends.values().stream().mapToLong(n -> n - 1).sum();
    }

    @Test
    void settingsReadBack() {
        Pair p = new Pair(92, new SimulatedNetwork.Link().latency(5));
        Host h = p.server;
        assertThat(h.mtu()).isEqualTo(1392);
        h.setMtu(100);
        assertThat(h.mtu()).isEqualTo(io.jenet.internal.protocol.Protocol.MINIMUM_MTU);
        h.setMtu(100_000);
        assertThat(h.mtu()).isEqualTo(io.jenet.internal.protocol.Protocol.MAXIMUM_MTU);
        h.setMaximumPacketSize(1234);
        assertThat(h.maximumPacketSize()).isEqualTo(1234);
        assertThat(h.checksum()).isFalse();
        h.setChecksum(true);
        assertThat(h.checksum()).isTrue();
        h.setChannelLimit(7);
        assertThat(h.channelLimit()).isEqualTo(7);
        h.setChannelLimit(0);
        assertThat(h.channelLimit()).isEqualTo(255);
        h.setChannelLimit(256);
        assertThat(h.channelLimit()).isEqualTo(255);
        h.setChannelLimit(255);
        assertThat(h.channelLimit()).isEqualTo(255);
        h.setChannelLimit(1);
        assertThat(h.channelLimit()).isEqualTo(1);
    }

    @Test
    void pendingHandshakesRefusalsAndBroadcast() {
        Pair p = new Pair(93, new SimulatedNetwork.Link().latency(5), 3, 0).connect(1, 0);
        Host server = p.server;
        assertThat(server.pendingHandshakes()).isZero();
        // A CONNECT that is never completed: one pending handshake.
        byte[] c = new byte[4 + io.jenet.internal.protocol.Protocol.CONNECT_SIZE];
        io.jenet.internal.protocol.Wire.put16(c, 0, io.jenet.internal.protocol.Protocol.MAXIMUM_PEER_ID | io.jenet.internal.protocol.Protocol.HEADER_FLAG_SENT_TIME);
        io.jenet.internal.protocol.CommandWriter.connect(c, 4, 0, 0xFF, 0xFF, 1392, 65536, 1, 0, 0, 5000, 2, 2, 99, 0);
        io.jenet.internal.protocol.CommandWriter.reliableSequenceNumber(c, 4, 1);
        server.receive(c, 0, c.length, SimulatedNetwork.address(77, 1), p.net.now());
        assertThat(server.pendingHandshakes()).isEqualTo(1);
        assertThat(server.connectedPeers()).isEqualTo(1);
        // The same CONNECT again (same address, port, connect id): ignored, not a second slot.
        server.receive(c, 0, c.length, SimulatedNetwork.address(77, 1), p.net.now());
        assertThat(server.pendingHandshakes()).isEqualTo(1);
        // Refusing new connections drops the CONNECT and counts it.
        long refused = server.refusedConnects();
        long dropped = server.droppedDatagrams();
        server.setRefuseNewConnections(true);
        server.receive(c, 0, c.length, SimulatedNetwork.address(78, 1), p.net.now());
        assertThat(server.pendingHandshakes()).isEqualTo(1);
        assertThat(server.droppedDatagrams() + server.refusedConnects()).isEqualTo(dropped + refused + 1);
        assertThat(server.evictedHalfOpen()).isZero();
        // Broadcast reaches the connected peer only.
        p.net.sent = new ArrayList<>();
        server.broadcast(0, server.createPacket(new byte[] {9, 8, 7}, 0, 3, Packet.FLAG_RELIABLE));
        assertThat(p.net.runUntil(() -> p.count(p.client, Event.TYPE_RECEIVE) == 1, 1000)).isTrue();
        assertThat(p.events(p.client, Event.TYPE_RECEIVE).get(0).packet()).containsExactly(9, 8, 7);
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (d.to().equals(SimulatedNetwork.address(77, 1))) {
                assertThat(io.jenet.internal.protocol.DatagramDecoder.decode(d.data(), 0, d.data().length, false).commands())
                        .as("the pending peer gets no data").noneMatch(cmd -> cmd.number() == io.jenet.internal.protocol.Protocol.COMMAND_SEND_RELIABLE);
            }
        }
        // A full client host cannot connect again.
        assertThat(p.client.connect(p.serverAddress, 1, 0)).isNull();
    }

    @Test
    void packetsAreCreatedAsCopiesAndRecycledOnlyWhenUnreferenced() {
        Pair p = new Pair(94, new SimulatedNetwork.Link().latency(5));
        Host h = p.client;
        byte[] src = {1, 2, 3, 4, 5};
        Packet a = h.createPacket(src, 1, 3, Packet.FLAG_UNSEQUENCED);
        src[2] = 99;
        assertThat(java.util.Arrays.copyOf(a.data(), a.length())).containsExactly(2, 3, 4);
        assertThat(a.flags()).isEqualTo(Packet.FLAG_UNSEQUENCED);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(new byte[] {7, 7, 6, 5});
        buf.position(1);
        Packet b = h.createPacket(buf, 0);
        assertThat(java.util.Arrays.copyOf(b.data(), b.length())).containsExactly(7, 6, 5);
        assertThat(buf.remaining()).isZero();
        b.referenceCount = 1;
        h.recycle(b);
        assertThat(h.createPacket(new byte[3], 0, 3, 0)).isNotSameAs(b);
        b.referenceCount = 0;
        h.recycle(b);
        assertThat(h.createPacket(new byte[3], 0, 3, 0)).isSameAs(b);
    }
}

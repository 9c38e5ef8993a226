package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.DatagramDecoder;
import io.jenet.internal.protocol.DecodedCommand;
import io.jenet.internal.protocol.DecodedDatagram;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The handshake and the control commands field by field, against ENet 1.3's rules written out
 * here (protocol.c): what CONNECT and VERIFY_CONNECT carry, the window sizes and MTUs both peers
 * settle on, the session ids of a first and a second connection, and what BANDWIDTH_LIMIT,
 * THROTTLE_CONFIGURE and DISCONNECT do to the receiving peer. Exact values, no ranges.
 */
class HandshakeWireTest {
    private static final InetSocketAddress SERVER = SimulatedNetwork.address(1, 7777);
    private static final InetSocketAddress CLIENT = SimulatedNetwork.address(2, 5000);

    /**
     * ENet's window for a bandwidth: unlimited (0) gives the maximum, else (bw / 64 KiB) * 4096,
     * clamped. A connecting host offers the window of its outgoing bandwidth; the server answers
     * with the smaller of that and its incoming bandwidth's.
     */
    private static long window(long bandwidth) {
        return bandwidth == 0 ? MAXIMUM_WINDOW_SIZE : clamp((bandwidth / 65536) * MINIMUM_WINDOW_SIZE);
    }

    private static long clamp(long w) {
        return Math.max(MINIMUM_WINDOW_SIZE, Math.min(MAXIMUM_WINDOW_SIZE, w));
    }

    /** The server's window towards a peer: from its own outgoing and the peer's incoming bandwidth. */
    private static long peerWindow(long ownOutgoing, long theirIncoming) {
        if (ownOutgoing == 0 && theirIncoming == 0) {
            return MAXIMUM_WINDOW_SIZE;
        }
        long bw = ownOutgoing == 0 || theirIncoming == 0 ? Math.max(ownOutgoing, theirIncoming) : Math.min(ownOutgoing, theirIncoming);
        return clamp((bw / 65536) * MINIMUM_WINDOW_SIZE);
    }

    private static DecodedCommand first(List<SimulatedNetwork.Sent> sent, InetSocketAddress from, int number) {
        for (SimulatedNetwork.Sent d : sent) {
            if (d.from().equals(from)) {
                for (DecodedCommand c : DatagramDecoder.decode(d.data(), 0, d.data().length, false).commands()) {
                    if (c.number() == number) {
                        return c;
                    }
                }
            }
        }
        throw new AssertionError("no command " + number + " from " + from);
    }

    @ParameterizedTest(name = "client in {0} out {1} mtu {4}, server in {2} out {3} mtu {5}, channels {6} limit {7}")
    @CsvSource({
        "0, 0, 0, 0, 1392, 1392, 2, 0",
        "1000000, 500000, 2000000, 300000, 1392, 1392, 3, 0",
        "200000, 0, 0, 0, 1200, 1392, 255, 4",
        "0, 0, 0, 250000, 4000, 1392, 1, 0",
        "10000, 70000, 10000, 5000000, 576, 4096, 7, 7",
        "5000000, 5000000, 5000000, 5000000, 4096, 4096, 8, 2",
    })
    void connectAndVerifyConnectCarryWhatEnetComputes(long clientIn, long clientOut, long serverIn, long serverOut, int clientMtu,
                                                      int serverMtu, int channels, int serverChannelLimit) {
        SimulatedNetwork net = new SimulatedNetwork(21, new SimulatedNetwork.Link().latency(7));
        net.sent = new ArrayList<>();
        Host server = net.addHost(SERVER, 4, serverChannelLimit, serverIn, serverOut);
        server.setMtu(serverMtu);
        Host client = net.addHost(CLIENT, 1, 0, clientIn, clientOut);
        client.setMtu(clientMtu);
        Peer peer = client.connect(SERVER, channels, 0x1234_5678);
        assertThat(net.runUntil(() -> peer.state() == Peer.STATE_CONNECTED && server.connectedPeers() == 1, 5000)).isTrue();
        net.runFor(50);
        Peer atServer = net.events(server).get(0).peer();
        assertThat(net.events(server).get(0).data()).isEqualTo(0x1234_5678);

        int limit = serverChannelLimit == 0 ? MAXIMUM_CHANNEL_COUNT : serverChannelLimit;
        int agreedChannels = Math.min(channels, limit);
        int agreedMtu = Math.min(clientMtu, serverMtu);

        DecodedCommand connect = first(net.sent, CLIENT, COMMAND_CONNECT);
        assertThat(connect.command()).isEqualTo(COMMAND_CONNECT | COMMAND_FLAG_ACKNOWLEDGE);
        assertThat(connect.channelID()).isEqualTo(0xFF);
        assertThat(connect.reliableSequenceNumber()).isEqualTo(1);
        assertThat(connect.field("outgoingPeerID")).isEqualTo(peer.incomingPeerID());
        assertThat(connect.field("incomingSessionID")).isEqualTo(0xFF);
        assertThat(connect.field("outgoingSessionID")).isEqualTo(0xFF);
        assertThat(connect.field("mtu")).isEqualTo(clientMtu);
        assertThat(connect.field("windowSize")).isEqualTo(window(clientOut));
        assertThat(connect.field("channelCount")).isEqualTo(channels);
        assertThat(connect.field("incomingBandwidth")).isEqualTo(clientIn);
        assertThat(connect.field("outgoingBandwidth")).isEqualTo(clientOut);
        assertThat(connect.field("packetThrottleInterval")).isEqualTo(Peer.PACKET_THROTTLE_INTERVAL);
        assertThat(connect.field("packetThrottleAcceleration")).isEqualTo(Peer.PACKET_THROTTLE_ACCELERATION);
        assertThat(connect.field("packetThrottleDeceleration")).isEqualTo(Peer.PACKET_THROTTLE_DECELERATION);
        assertThat(connect.field("data")).isEqualTo(0x1234_5678L);
        long connectID = connect.field("connectID");

        DecodedCommand verify = first(net.sent, SERVER, COMMAND_VERIFY_CONNECT);
        assertThat(verify.command()).isEqualTo(COMMAND_VERIFY_CONNECT | COMMAND_FLAG_ACKNOWLEDGE);
        assertThat(verify.channelID()).isEqualTo(0xFF);
        assertThat(verify.field("outgoingPeerID")).isEqualTo(atServer.incomingPeerID());
        assertThat(verify.field("incomingSessionID")).isZero();
        assertThat(verify.field("outgoingSessionID")).isZero();
        assertThat(verify.field("mtu")).isEqualTo(agreedMtu);
        assertThat(verify.field("windowSize")).isEqualTo(Math.min(window(serverIn), window(clientOut)));
        assertThat(verify.field("channelCount")).isEqualTo(agreedChannels);
        assertThat(verify.field("incomingBandwidth")).isEqualTo(serverIn);
        assertThat(verify.field("outgoingBandwidth")).isEqualTo(serverOut);
        assertThat(verify.field("packetThrottleInterval")).isEqualTo(Peer.PACKET_THROTTLE_INTERVAL);
        assertThat(verify.field("packetThrottleAcceleration")).isEqualTo(Peer.PACKET_THROTTLE_ACCELERATION);
        assertThat(verify.field("packetThrottleDeceleration")).isEqualTo(Peer.PACKET_THROTTLE_DECELERATION);
        assertThat(verify.field("connectID")).isEqualTo(connectID);

        // What each side settled on.
        assertThat(atServer.mtu()).isEqualTo(agreedMtu);
        assertThat(peer.mtu()).isEqualTo(agreedMtu);
        assertThat(atServer.channelCount()).isEqualTo(agreedChannels);
        assertThat(peer.channelCount()).isEqualTo(agreedChannels);
        assertThat(atServer.windowSize).isEqualTo(peerWindow(serverOut, clientIn));
        assertThat(peer.windowSize).isEqualTo(Math.min(window(clientOut), window(serverIn)));
        assertThat(atServer.incomingBandwidth).isEqualTo(clientIn);
        assertThat(atServer.outgoingBandwidth).isEqualTo(clientOut);
        assertThat(peer.incomingBandwidth).isEqualTo(serverIn);
        assertThat(peer.outgoingBandwidth).isEqualTo(serverOut);
        assertThat(atServer.connectID).isEqualTo((int) connectID);
        assertThat(peer.connectID).isEqualTo((int) connectID);
        assertThat(atServer.address()).isEqualTo(CLIENT);
        // Every datagram after the handshake carries the session and the peer id it was given.
        DecodedDatagram last = null;
        for (SimulatedNetwork.Sent d : net.sent) {
            if (d.from().equals(CLIENT)) {
                last = DatagramDecoder.decode(d.data(), 0, d.data().length, false);
            }
        }
        assertThat(last.peerID()).isEqualTo(atServer.incomingPeerID());
        assertThat(last.sessionID()).isZero();
    }

    @Test
    void aSecondConnectionOnTheSameSlotsMovesTheSessionIdsOn() {
        SimulatedNetwork net = new SimulatedNetwork(22, new SimulatedNetwork.Link().latency(3));
        Host server = net.addHost(SERVER, 1, 0, 0, 0);
        Host client = net.addHost(CLIENT, 1, 0, 0, 0);
        int[] expectedSession = {0, 1, 2, 3, 0};
        for (int round = 0; round < expectedSession.length; round++) {
            net.sent = new ArrayList<>();
            Peer peer = client.connect(SERVER, 1, round);
            assertThat(net.runUntil(() -> peer.state() == Peer.STATE_CONNECTED && server.connectedPeers() == 1, 5000)).isTrue();
            DecodedCommand verify = first(net.sent, SERVER, COMMAND_VERIFY_CONNECT);
            assertThat(verify.field("incomingSessionID")).as("round %d", round).isEqualTo(expectedSession[round]);
            assertThat(verify.field("outgoingSessionID")).as("round %d", round).isEqualTo(expectedSession[round]);
            DecodedCommand connect = first(net.sent, CLIENT, COMMAND_CONNECT);
            int before = round == 0 ? 0xFF : expectedSession[round - 1];
            assertThat(connect.field("incomingSessionID")).as("round %d", round).isEqualTo(before);
            assertThat(connect.field("outgoingSessionID")).as("round %d", round).isEqualTo(before);
            peer.disconnect(round);
            assertThat(net.runUntil(() -> peer.state() == Peer.STATE_DISCONNECTED && server.connectedPeers() == 0, 5000)).isTrue();
            net.runFor(100);
        }
    }

    /** A connected pair, and a way to inject one control command as the client would send it. */
    private static final class Rig {
        final Pair p = new Pair(23, new SimulatedNetwork.Link().latency(4)).connect(1, 0);

        void inject(byte[] command, int size) {
            byte[] d = new byte[4 + size];
            io.jenet.internal.protocol.Wire.put16(d, 0, p.clientPeer.outgoingPeerID | (p.clientPeer.outgoingSessionID << HEADER_SESSION_SHIFT)
                    | HEADER_FLAG_SENT_TIME);
            io.jenet.internal.protocol.Wire.put16(d, 2, (int) p.net.now() & 0xFFFF);
            System.arraycopy(command, 0, d, 4, size);
            p.server.receive(d, 0, d.length, p.clientAddress, p.net.now());
            p.server.service(p.net.now());
        }
    }

    @ParameterizedTest(name = "server out {0}, peer announces in {1} out {2}")
    @CsvSource({"0, 0, 0", "0, 300000, 100", "1000000, 0, 5", "1000000, 300000, 7", "100000, 5000000, 0", "2000, 3000, 4000"})
    void bandwidthLimitSetsThePeersBandwidthAndWindow(long serverOut, long in, long out) {
        Rig r = new Rig();
        r.p.server.bandwidthLimit(0, serverOut);
        long limitedBefore = r.p.server.bandwidthLimitedPeers;
        byte[] c = new byte[BANDWIDTH_LIMIT_SIZE];
        CommandWriter.bandwidthLimit(c, 0, (int) in, (int) out);
        r.inject(c, BANDWIDTH_LIMIT_SIZE);
        assertThat(r.p.serverPeer.incomingBandwidth).isEqualTo(in);
        assertThat(r.p.serverPeer.outgoingBandwidth).isEqualTo(out);
        assertThat(r.p.serverPeer.windowSize).isEqualTo(peerWindow(serverOut, in));
        assertThat(r.p.server.bandwidthLimitedPeers).isEqualTo(limitedBefore + (in != 0 ? 1 : 0));
        // Announcing unlimited again takes the peer off the count.
        CommandWriter.bandwidthLimit(c, 0, 0, 0);
        r.inject(c, BANDWIDTH_LIMIT_SIZE);
        assertThat(r.p.server.bandwidthLimitedPeers).isEqualTo(limitedBefore);
        assertThat(r.p.serverPeer.windowSize).isEqualTo(peerWindow(serverOut, 0));
        assertThat(r.p.server.droppedDatagrams()).isZero();
    }

    @Test
    void throttleConfigureSetsTheThreeParameters() {
        Rig r = new Rig();
        byte[] c = new byte[THROTTLE_CONFIGURE_SIZE];
        CommandWriter.throttleConfigure(c, 0, 1234, 5, 6);
        r.inject(c, THROTTLE_CONFIGURE_SIZE);
        assertThat(r.p.serverPeer.packetThrottleInterval).isEqualTo(1234);
        assertThat(r.p.serverPeer.packetThrottleAcceleration).isEqualTo(5);
        assertThat(r.p.serverPeer.packetThrottleDeceleration).isEqualTo(6);
        CommandWriter.throttleConfigure(c, 0, 0xFFFF_FFFF, 0, 32);
        r.inject(c, THROTTLE_CONFIGURE_SIZE);
        assertThat(r.p.serverPeer.packetThrottleInterval).isEqualTo(0xFFFF_FFFFL);
        assertThat(r.p.serverPeer.packetThrottleAcceleration).isZero();
        assertThat(r.p.serverPeer.packetThrottleDeceleration).isEqualTo(32);
        assertThat(r.p.server.droppedDatagrams()).isZero();
    }

    @Test
    void controlCommandsFromAPeerThatIsNotConnectedAreRefused() {
        SimulatedNetwork net = new SimulatedNetwork(24, new SimulatedNetwork.Link().latency(4));
        Host server = net.addHost(SERVER, 2, 0, 0, 0);
        // A CONNECT, then at once (before the handshake completes) a THROTTLE_CONFIGURE and a
        // BANDWIDTH_LIMIT in the next datagram for the half-open peer: both refused, datagram dropped.
        byte[] connect = new byte[4 + CONNECT_SIZE];
        io.jenet.internal.protocol.Wire.put16(connect, 0, MAXIMUM_PEER_ID | HEADER_FLAG_SENT_TIME);
        CommandWriter.connect(connect, 4, 0, 0xFF, 0xFF, 1392, 65536, 1, 0, 0, 5000, 2, 2, 77, 0);
        CommandWriter.reliableSequenceNumber(connect, 4, 1);
        server.receive(connect, 0, connect.length, CLIENT, net.now());
        server.service(net.now());
        Peer half = server.peer(0);
        assertThat(half.state()).isEqualTo(Peer.STATE_ACKNOWLEDGING_CONNECT);
        for (int kind = 0; kind < 2; kind++) {
            long dropped = server.droppedDatagrams();
            int size = kind == 0 ? THROTTLE_CONFIGURE_SIZE : BANDWIDTH_LIMIT_SIZE;
            byte[] d = new byte[4 + size];
            io.jenet.internal.protocol.Wire.put16(d, 0, half.incomingPeerID() | (half.outgoingSessionID << HEADER_SESSION_SHIFT) | HEADER_FLAG_SENT_TIME);
            if (kind == 0) {
                CommandWriter.throttleConfigure(d, 4, 999, 9, 9);
            } else {
                CommandWriter.bandwidthLimit(d, 4, 999, 999);
            }
            server.receive(d, 0, d.length, CLIENT, net.now());
            assertThat(server.droppedDatagrams()).as("kind %d", kind).isEqualTo(dropped + 1);
        }
        assertThat(half.packetThrottleInterval).isEqualTo(5000);
        assertThat(half.incomingBandwidth).isZero();
    }

    @Test
    void aDisconnectFromAConnectedPeerIsAcknowledgedAndEndsItWithItsData() {
        Pair p = new Pair(25, new SimulatedNetwork.Link().latency(4)).connect(1, 0);
        p.net.sent = new ArrayList<>();
        p.clientPeer.disconnect(0xCAFE);
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_DISCONNECT) == 1 && p.count(p.client, Event.TYPE_DISCONNECT) == 1, 5000))
                .isTrue();
        assertThat(p.events(p.server, Event.TYPE_DISCONNECT).get(0).data()).isEqualTo(0xCAFE);
        assertThat(p.events(p.client, Event.TYPE_DISCONNECT).get(0).data()).isZero();
        DecodedCommand disconnect = first(p.net.sent, p.clientAddress, COMMAND_DISCONNECT);
        assertThat(disconnect.acknowledge()).isTrue();
        assertThat(disconnect.field("data")).isEqualTo(0xCAFEL);
        DecodedCommand ack = null;
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (d.from().equals(p.serverAddress)) {
                for (DecodedCommand c : DatagramDecoder.decode(d.data(), 0, d.data().length, false).commands()) {
                    if (c.number() == COMMAND_ACKNOWLEDGE) {
                        ack = c;
                    }
                }
            }
        }
        assertThat(ack).isNotNull();
        assertThat(ack.field("receivedReliableSequenceNumber")).isEqualTo(disconnect.reliableSequenceNumber());
        assertThat(p.serverPeer.state()).isEqualTo(Peer.STATE_DISCONNECTED);
        assertThat(p.clientPeer.state()).isEqualTo(Peer.STATE_DISCONNECTED);
        assertThat(p.server.connectedPeers()).isZero();
    }
}

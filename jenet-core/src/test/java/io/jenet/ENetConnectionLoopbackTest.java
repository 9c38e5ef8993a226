package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Java to Java over real loopback UDP through the public API. */
class ENetConnectionLoopbackTest {
    private final List<ENetConnection> open = new ArrayList<>();

    private ENetConnection server(int peers, int channels) throws Exception {
        ENetConnection s = new ENetConnection();
        s.createHostBound("127.0.0.1", 0, peers, channels);
        open.add(s);
        return s;
    }

    private ENetConnection client() throws Exception {
        ENetConnection c = new ENetConnection();
        c.createHost(1, 0);
        open.add(c);
        return c;
    }

    @AfterEach
    void closeAll() {
        open.forEach(ENetConnection::close);
    }

    private static byte[] payload(int seq, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seq * 31 + i * 7);
        }
        return b;
    }

    @Test
    void connectExchangeAndDisconnectWithData() throws Exception {
        ENetConnection server = server(8, 4);
        ENetConnection client = client();
        Loop loop = new Loop(server, client);
        ENetPacketPeer toServer = client.connectToHost("127.0.0.1", server.getLocalPort(), 3, 1234);
        assertThat(toServer.getState()).isEqualTo(ENetPacketPeer.PeerState.STATE_CONNECTING);
        assertThat(client.getPeers()).containsExactly(toServer);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1 && loop.count(server, EVENT_CONNECT) == 1, 5000);
        ENetEvent serverConnect = loop.of(server, EVENT_CONNECT).get(0).event();
        assertThat(serverConnect.data()).isEqualTo(1234);
        ENetPacketPeer toClient = serverConnect.peer();
        assertThat(server.getPeers()).containsExactly(toClient);
        assertThat(toClient.getChannels()).isEqualTo(3);
        assertThat(toServer.getChannels()).isEqualTo(3);
        assertThat(toClient.getRemoteAddress()).isEqualTo("127.0.0.1");
        assertThat(toServer.getRemotePort()).isEqualTo(server.getLocalPort());

        int[] sizes = {0, 1, 1363, 1364, 1365, 4096, 100_000};
        int[] flags = {ENetPacketPeer.FLAG_RELIABLE, 0, ENetPacketPeer.FLAG_UNSEQUENCED, ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT};
        int expected = 0;
        for (int f : flags) {
            for (int i = 0; i < sizes.length; i++) {
                toServer.send(i % 3, payload(i, sizes[i]), f);
                expected++;
            }
        }
        int total = expected;
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == total, 10000);
        List<Loop.Seen> got = loop.of(server, EVENT_RECEIVE);
        // Every packet arrives once on its channel with its content (loopback loses nothing at this rate).
        List<String> want = new ArrayList<>();
        for (int f : flags) {
            for (int i = 0; i < sizes.length; i++) {
                want.add((i % 3) + ":" + java.util.Arrays.hashCode(payload(i, sizes[i])) + ":" + sizes[i]);
            }
        }
        assertThat(got).extracting(s -> s.event().channel() + ":" + java.util.Arrays.hashCode(s.packet()) + ":" + s.packet().length)
                .containsExactlyInAnyOrderElementsOf(want);
        // Flags as ENet delivers them: reliable stays reliable; unsequenced small packets arrive unsequenced;
        // unreliable packets above one fragment without FLAG_UNRELIABLE_FRAGMENT are sent reliably.
        assertThat(got).filteredOn(s -> s.flags() == ENetPacketPeer.FLAG_RELIABLE).hasSize(7 + 3 + 3);
        assertThat(got).filteredOn(s -> s.flags() == ENetPacketPeer.FLAG_UNSEQUENCED).hasSize(4);
        assertThat(got).filteredOn(s -> s.flags() == ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT).hasSize(3);
        assertThat(got).filteredOn(s -> s.flags() == 0).hasSize(4 + 4);
        assertThat(server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA)).isGreaterThan(400_000);
        assertThat(server.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA)).isZero();
        assertThat(client.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_SENT_PACKETS)).isGreaterThan(70);

        toServer.peerDisconnect(99);
        loop.until(() -> loop.count(server, EVENT_DISCONNECT) == 1 && loop.count(client, EVENT_DISCONNECT) == 1, 5000);
        assertThat(loop.of(server, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(99);
        assertThat(loop.of(server, EVENT_DISCONNECT).get(0).event().peer()).isSameAs(toClient);
        assertThat(toClient.isActive()).isFalse();
        assertThat(toServer.isActive()).isFalse();
        assertThat(server.getPeers()).isEmpty();
        assertThat(client.getPeers()).isEmpty();
    }

    @Test
    void checkEventsDrainsReceivedEventsWithoutTouchingTheSocket() throws Exception {
        ENetConnection server = server(4, 0);
        ENetConnection client = client();
        Loop loop = new Loop(server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1 && loop.count(server, EVENT_CONNECT) == 1, 5000);
        assertThat(server.checkEvents().type()).isEqualTo(ENetConnection.EventType.EVENT_NONE);
        for (int i = 0; i < 3; i++) {
            peer.send(0, new byte[] {(byte) i}, ENetPacketPeer.FLAG_RELIABLE);
        }
        client.flush();
        // Loopback UDP delivers inside the sender's send call: the datagram is now in the
        // server's socket, but checkEvents does not read it ...
        for (int i = 0; i < 100; i++) {
            assertThat(server.checkEvents().type()).isEqualTo(ENetConnection.EventType.EVENT_NONE);
        }
        // ... service does, returns the first packet, and checkEvents the other two, in order.
        ENetEvent first = server.service(1000);
        while (first.type() != EVENT_RECEIVE) {
            first = server.service(1000);
        }
        List<Integer> got = new ArrayList<>();
        got.add((int) first.peer().getPacket()[0]);
        for (ENetEvent e = server.checkEvents(); e.type() != ENetConnection.EventType.EVENT_NONE; e = server.checkEvents()) {
            assertThat(e.type()).isEqualTo(EVENT_RECEIVE);
            got.add((int) e.peer().getPacket()[0]);
        }
        assertThat(got).containsExactly(0, 1, 2);
    }

    @Test
    void reliablePacketsArriveInOrderPerChannel() throws Exception {
        ENetConnection server = server(4, 0);
        ENetConnection client = client();
        Loop loop = new Loop(server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 4, 0);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1, 5000);
        int n = 2000;
        for (int i = 0; i < n; i++) {
            byte[] b = ByteBuffer.allocate(8).putInt(i % 4).putInt(i).array();
            peer.send(i % 4, b, ENetPacketPeer.FLAG_RELIABLE);
        }
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == n, 10000);
        int[] next = new int[4];
        for (Loop.Seen s : loop.of(server, EVENT_RECEIVE)) {
            ByteBuffer b = ByteBuffer.wrap(s.packet());
            int channel = b.getInt();
            int seq = b.getInt();
            assertThat(s.event().channel()).isEqualTo(channel);
            assertThat(seq).isEqualTo(next[channel] * 4 + channel);
            next[channel]++;
        }
        assertThat(next).containsExactly(500, 500, 500, 500);
    }

    @Test
    void sixtyFourClientsOnOneServer() throws Exception {
        ENetConnection server = server(64, 2);
        List<ENetConnection> clients = new ArrayList<>();
        List<ENetPacketPeer> peers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            ENetConnection c = client();
            clients.add(c);
            peers.add(c.connectToHost("127.0.0.1", server.getLocalPort(), 2, i));
        }
        List<ENetConnection> all = new ArrayList<>(clients);
        all.add(server);
        Loop loop = new Loop(all.toArray(new ENetConnection[0]));
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 64, 20000);
        assertThat(loop.of(server, EVENT_CONNECT)).extracting(s -> s.event().data())
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 64).boxed().toList());
        loop.until(() -> clients.stream().allMatch(c -> loop.count(c, EVENT_CONNECT) == 1), 20000);
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 20; j++) {
                peers.get(i).send(j % 2, ByteBuffer.allocate(8).putInt(i).putInt(j).array(), ENetPacketPeer.FLAG_RELIABLE);
            }
        }
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 64 * 20, 20000);
        int[][] next = new int[64][2];
        for (Loop.Seen s : loop.of(server, EVENT_RECEIVE)) {
            ByteBuffer b = ByteBuffer.wrap(s.packet());
            int client = b.getInt();
            int j = b.getInt();
            int ch = s.event().channel();
            assertThat(s.event().peer().getRemotePort()).isEqualTo(clients.get(client).getLocalPort());
            assertThat(j).isEqualTo(next[client][ch] * 2 + ch);
            next[client][ch]++;
        }
        server.broadcast(1, new byte[] {42}, ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> clients.stream().allMatch(c -> loop.count(c, EVENT_RECEIVE) == 1), 20000);
        for (ENetConnection c : clients) {
            Loop.Seen s = loop.of(c, EVENT_RECEIVE).get(0);
            assertThat(s.packet()).containsExactly(42);
            assertThat(s.event().channel()).isEqualTo(1);
        }
    }

    @Test
    void disconnectNowRaisesNoLocalEventAndTheRemoteSeesIt() throws Exception {
        ENetConnection server = server(4, 0);
        ENetConnection client = client();
        Loop loop = new Loop(server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1 && loop.count(client, EVENT_CONNECT) == 1, 5000);
        peer.peerDisconnectNow(5);
        assertThat(peer.isActive()).isFalse();
        assertThat(client.getPeers()).isEmpty();
        loop.until(() -> loop.count(server, EVENT_DISCONNECT) == 1, 5000);
        assertThat(loop.of(server, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(5);
        assertThat(loop.count(client, EVENT_DISCONNECT)).isZero();
    }

    @Test
    void disconnectLaterDeliversQueuedReliableDataFirst() throws Exception {
        ENetConnection server = server(4, 0);
        ENetConnection client = client();
        Loop loop = new Loop(server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1 && loop.count(client, EVENT_CONNECT) == 1, 5000);
        for (int i = 0; i < 50; i++) {
            peer.send(0, payload(i, 3000), ENetPacketPeer.FLAG_RELIABLE);
        }
        peer.peerDisconnectLater(77);
        loop.until(() -> loop.count(server, EVENT_DISCONNECT) == 1, 10000);
        List<Loop.Seen> received = loop.of(server, EVENT_RECEIVE);
        assertThat(received).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(received.get(i).packet()).isEqualTo(payload(i, 3000));
        }
        assertThat(loop.of(server, EVENT_DISCONNECT).get(0).event().data()).isEqualTo(77);
        int lastReceive = loop.seen.indexOf(received.get(49));
        int disconnect = loop.seen.indexOf(loop.of(server, EVENT_DISCONNECT).get(0));
        assertThat(disconnect).isGreaterThan(lastReceive);
    }

    @Test
    void byteBufferPathsRoundTrip() throws Exception {
        ENetConnection server = server(4, 0);
        ENetConnection client = client();
        Loop loop = new Loop(server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1 && loop.count(client, EVENT_CONNECT) == 1, 5000);
        ByteBuffer out = ByteBuffer.allocateDirect(16);
        out.putLong(0x1122334455667788L).putLong(-1L).flip();
        peer.send(0, out, ENetPacketPeer.FLAG_RELIABLE);
        assertThat(out.remaining()).isZero();
        ENetPacketPeer[] remote = new ENetPacketPeer[1];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (remote[0] == null || remote[0].getAvailablePacketCount() == 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            client.service(1);
            ENetEvent e = server.service(1);
            if (e.type() == EVENT_RECEIVE) {
                remote[0] = e.peer();
            }
        }
        ByteBuffer small = ByteBuffer.allocate(8);
        assertThatThrownBy(() -> remote[0].getPacket(small)).isInstanceOf(java.nio.BufferOverflowException.class);
        assertThat(remote[0].getAvailablePacketCount()).isEqualTo(1);
        ByteBuffer in = ByteBuffer.allocate(32);
        assertThat(remote[0].getPacketFlags()).isEqualTo(ENetPacketPeer.FLAG_RELIABLE);
        assertThat(remote[0].getPacket(in)).isEqualTo(16);
        in.flip();
        assertThat(in.getLong()).isEqualTo(0x1122334455667788L);
        assertThat(remote[0].getPacket(in)).isEqualTo(-1);
        assertThat(remote[0].getPacket()).isNull();
    }

    @Test
    void connectingToNobodyEndsInDisconnect() throws Exception {
        ENetConnection client = client();
        DatagramChannel silent = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        try {
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", ((InetSocketAddress) silent.getLocalAddress()).getPort(), 1, 0);
            peer.setTimeout(2, 200, 400);
            Loop loop = new Loop(client);
            loop.until(() -> loop.count(client, EVENT_DISCONNECT) == 1, 10000);
            assertThat(loop.of(client, EVENT_DISCONNECT).get(0).event().peer()).isSameAs(peer);
            assertThat(peer.isActive()).isFalse();
        } finally {
            silent.close();
        }
    }

    @Test
    void socketSendSendsARawDatagramFromTheHostPort() throws Exception {
        ENetConnection host = server(1, 0);
        try (DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            host.socketSend("127.0.0.1", port, new byte[] {1, 2, 3});
            ByteBuffer buf = ByteBuffer.allocate(16);
            receiver.configureBlocking(true);
            InetSocketAddress from = (InetSocketAddress) receiver.receive(buf);
            assertThat(from.getPort()).isEqualTo(host.getLocalPort());
            buf.flip();
            assertThat(buf.remaining()).isEqualTo(3);
        }
    }

    @Test
    void wildcardBindingServesIpv4() throws Exception {
        ENetConnection server = new ENetConnection();
        open.add(server);
        server.createHostBound("*", 0, 4, 0);
        ENetConnection client = client();
        Loop loop = new Loop(server, client);
        ENetPacketPeer p4 = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 4);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1, 5000);
        assertThat(p4.getRemoteAddress()).isEqualTo("127.0.0.1");
    }

    /**
     * A wildcard-bound server serves an IPv6 client on ::1, both ways. Where ::1 cannot be bound the
     * test is skipped with a warning on stderr; with CI=true (set by .ci/run, whose machines have
     * IPv6 loopback) that fails instead, so CI cannot pass without running it.
     */
    @Test
    void wildcardBindingServesIpv6Loopback() throws Exception {
        String unavailable = null;
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress("::1", 0))) {
            if (!probe.isOpen()) {
                unavailable = "the probe socket closed";
            }
        } catch (Exception e) {
            unavailable = e.toString();
        }
        if (unavailable != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but IPv6 loopback ::1 cannot be bound: " + unavailable);
            }
            System.err.println("WARNING: IPv6 loopback test SKIPPED: ::1 cannot be bound (" + unavailable + ")");
            Assumptions.abort("::1 unavailable: " + unavailable);
        }
        ENetConnection server = new ENetConnection();
        open.add(server);
        server.createHostBound("*", 0, 4, 0);
        ENetConnection client6 = client();
        Loop loop = new Loop(server, client6);
        ENetPacketPeer p6 = client6.connectToHost("::1", server.getLocalPort(), 1, 6);
        loop.until(() -> loop.count(client6, EVENT_CONNECT) == 1 && loop.count(server, EVENT_CONNECT) == 1, 5000);
        assertThat(p6.getRemoteAddress()).isIn("0:0:0:0:0:0:0:1", "::1");
        ENetPacketPeer atServer = loop.of(server, EVENT_CONNECT).get(0).event().peer();
        assertThat(atServer.getRemoteAddress()).isIn("0:0:0:0:0:0:0:1", "::1");
        assertThat(loop.of(server, EVENT_CONNECT).get(0).event().data()).isEqualTo(6);
        p6.send(0, new byte[] {6, 6, 6}, ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 1, 5000);
        assertThat(loop.of(server, EVENT_RECEIVE).get(0).packet()).containsExactly(6, 6, 6);
    }

    @Test
    void misuseGetsClearExceptions() throws Exception {
        ENetConnection none = new ENetConnection();
        assertThatThrownBy(() -> none.connectToHost("127.0.0.1", 1000)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("host not created");
        assertThatThrownBy(none::destroy).isInstanceOf(IllegalStateException.class);
        none.close();
        ENetConnection server = server(2, 2);
        assertThatThrownBy(() -> server.createHost()).isInstanceOf(IllegalStateException.class).hasMessageContaining("already created");
        assertThatThrownBy(() -> new ENetConnection().createHostBound("*", 70000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> new ENetConnection().createHost(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPeers");
        assertThatThrownBy(() -> new ENetConnection().createHost(4, 256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256");
        assertThatThrownBy(() -> server.connectToHost("127.0.0.1", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
        ENetConnection client = client();
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 2, 0);
        assertThatThrownBy(() -> peer.send(0, new byte[1], ENetPacketPeer.FLAG_RELIABLE)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not connected");
        Loop loop = new Loop(server, client);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1, 5000);
        assertThatThrownBy(() -> peer.send(2, new byte[1], 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid channel 2");
        assertThatThrownBy(() -> peer.send(0, new byte[1], 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flags 4");
        client.setMaximumPacketSize(1000);
        assertThatThrownBy(() -> peer.send(0, new byte[1001], 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1001");
        assertThatThrownBy(() -> client.connectToHost("127.0.0.1", server.getLocalPort())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no free peer slot");
        assertThatThrownBy(() -> peer.setTimeout(10, 5, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.broadcast(2, new byte[1], 0)).isInstanceOf(IllegalArgumentException.class);
        peer.reset();
        assertThatThrownBy(peer::ping).isInstanceOf(IllegalStateException.class).hasMessageContaining("not active");
        client.destroy();
        assertThatThrownBy(client::flush).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void enumValuesMatchGodot() {
        assertThat(ENetConnection.EventType.EVENT_ERROR.value()).isEqualTo(-1);
        assertThat(ENetConnection.EventType.EVENT_RECEIVE.value()).isEqualTo(3);
        assertThat(ENetConnection.CompressionMode.COMPRESS_ZSTD.value()).isEqualTo(4);
        assertThat(ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_PACKETS.value()).isEqualTo(3);
        assertThat(ENetPacketPeer.PeerState.STATE_ZOMBIE.value()).isEqualTo(9);
        assertThat(ENetPacketPeer.PeerStatistic.PEER_PACKET_THROTTLE_INTERVAL.value()).isEqualTo(13);
        assertThat(ENetPacketPeer.PACKET_LOSS_SCALE).isEqualTo(65536);
        assertThat(ENetPacketPeer.PACKET_THROTTLE_SCALE).isEqualTo(32);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = ENetConnection.CompressionMode.class,
            names = {"COMPRESS_RANGE_CODER", "COMPRESS_FASTLZ", "COMPRESS_ZLIB", "COMPRESS_ZSTD"})
    void compressedSessionDeliversIntactAndCompresses(ENetConnection.CompressionMode mode) throws Exception {
        ENetConnection server = server(4, 0);
        ENetConnection client = client();
        server.compress(mode);
        client.compress(mode);
        Loop loop = new Loop(server, client);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 2, 0);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1 && loop.count(client, EVENT_CONNECT) == 1, 5000);
        client.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_SENT_DATA);
        byte[] text = "state: x=10 y=20 hp=100; state: x=11 y=20 hp=100; state: x=12 y=21 hp=99; ".repeat(40).getBytes();
        for (int i = 0; i < 50; i++) {
            peer.send(i % 2, text, ENetPacketPeer.FLAG_RELIABLE);
        }
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 50, 10000);
        assertThat(loop.of(server, EVENT_RECEIVE)).allSatisfy(s -> assertThat(s.packet()).isEqualTo(text));
        double sent = client.popStatistic(ENetConnection.HostStatistic.HOST_TOTAL_SENT_DATA);
        assertThat(sent).isLessThan(50.0 * text.length / 2);
    }
}

package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_ERROR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where Godot 4's {@code ENetConnection} behaves differently from plain ENet or from jenet's
 * earlier choices, over real loopback UDP: clamped arguments, unsigned values, {@code EVENT_ERROR}
 * from a socket that cannot send, and the DTLS behaviours that do not need a lossy link.
 */
class GodotBehaviourTest {
    private final List<ENetConnection> open = new ArrayList<>();
    private final List<DatagramChannel> sockets = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        open.forEach(ENetConnection::close);
        for (DatagramChannel c : sockets) {
            c.close();
        }
    }

    private ENetConnection host(String bind, int peers, int channels) throws Exception {
        ENetConnection c = new ENetConnection();
        open.add(c);
        c.createHostBound(bind, 0, peers, channels);
        return c;
    }

    private DatagramChannel rawSocket() throws Exception {
        DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        c.configureBlocking(false);
        sockets.add(c);
        return c;
    }

    @ParameterizedTest(name = "channel_limit({0}) -> {1}")
    @CsvSource({"0, 255", "-1, 255", "256, 255", "1000, 255", "1, 1", "7, 7", "255, 255"})
    void channelLimitClampsAsGodot(int limit, int expected) throws Exception {
        ENetConnection server = host("127.0.0.1", 4, 3);
        assertThat(server.getMaxChannels()).isEqualTo(3);
        server.channelLimit(limit);
        assertThat(server.getMaxChannels()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "connect_to_host(channels={0}) -> {1}")
    @CsvSource({"0, 255", "-5, 255", "300, 255", "1, 1", "9, 9"})
    void connectChannelCountsClampAsGodot(int channels, int expected) throws Exception {
        ENetConnection server = host("127.0.0.1", 4, 0);
        ENetConnection client = host("127.0.0.1", 1, 0);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), channels, -1);
        Loop loop = new Loop(0, server, client);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1 && loop.count(client, EVENT_CONNECT) == 1, 10_000);
        ENetEvent connect = loop.of(server, EVENT_CONNECT).get(0).event();
        assertThat(connect.peer().getChannels()).isEqualTo(expected);
        assertThat(peer.getChannels()).isEqualTo(expected);
        // ENet's connect data is unsigned 32-bit: -1 is 4294967295 as Godot shows it.
        assertThat(connect.data()).isEqualTo(-1);
        assertThat(connect.dataUnsigned()).isEqualTo(4_294_967_295L);
        peer.peerDisconnect(0x8000_0001);
        loop.until(() -> loop.count(server, EVENT_DISCONNECT) == 1, 10_000);
        assertThat(loop.of(server, EVENT_DISCONNECT).get(0).event().dataUnsigned()).isEqualTo(2_147_483_649L);
    }

    @Test
    void setTimeoutReportsWhatGodotReportsAndTakesTheRestAsUnsigned() throws Exception {
        ENetConnection server = host("127.0.0.1", 4, 1);
        ENetConnection client = host("127.0.0.1", 1, 1);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        Loop loop = new Loop(0, server, client);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1, 10_000);
        assertThatThrownBy(() -> peer.setTimeout(6, 5, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout limit (6) must be <= minimum timeout (5)");
        assertThatThrownBy(() -> peer.setTimeout(1, 10, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minimum timeout (10), which must be <= maximum timeout (5)");
        // Godot checks only the order (as ints) and hands the values to ENet's unsigned fields.
        assertThatCode(() -> peer.setTimeout(-3, -2, -1)).doesNotThrowAnyException();
        assertThatCode(() -> peer.setTimeout(0, 0, 0)).doesNotThrowAnyException();
        assertThatCode(() -> peer.pingInterval(-1)).doesNotThrowAnyException();
        assertThatCode(() -> peer.throttleConfigure(-1, -1, -1)).doesNotThrowAnyException();
        assertThatCode(() -> client.bandwidthLimit(-1, -1)).doesNotThrowAnyException();
        // Still a working connection afterwards.
        peer.send(0, new byte[] {42}, ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> loop.count(server, ENetConnection.EventType.EVENT_RECEIVE) == 1, 10_000);
        assertThat(loop.of(server, ENetConnection.EventType.EVENT_RECEIVE).get(0).packet()).containsExactly(42);
    }

    /**
     * A socket bound to 127.0.0.1 cannot send to a non-loopback address (the kernel refuses with
     * EINVAL): a real failing send. As C ENet and Godot, {@code service} returns EVENT_ERROR for it
     * rather than throwing or pretending the datagram left; the connection attempt then ends as
     * any unanswered one does.
     */
    @ParameterizedTest(name = "service({0})")
    @ValueSource(ints = {0, 10})
    void aSocketThatCannotSendGivesEventError(int timeout) throws Exception {
        ENetConnection client = host("127.0.0.1", 2, 1);
        ENetPacketPeer peer = client.connectToHost("192.0.2.1", 7777, 1, 0);
        ENetEvent first = client.service(timeout);
        assertThat(first.type()).isEqualTo(EVENT_ERROR);
        assertThat(first.peer()).isNull();
        // A maximum far above the first retransmission (due after about 500 ms): with a maximum of
        // 600 ms, a loaded machine that stalled the loop past 600 ms made ENet give up without
        // retransmitting, and there was no failed send to report.
        peer.setTimeout(1, 200, 5000);
        Loop loop = new Loop(timeout, client);
        loop.until(() -> loop.count(client, EVENT_DISCONNECT) == 1, 15_000);
        assertThat(loop.count(client, EVENT_CONNECT)).isZero();
        assertThat(loop.count(client, EVENT_ERROR)).as("each failed retransmission").isPositive();
        assertThat(loop.seen.get(loop.seen.size() - 1).event().type()).isEqualTo(EVENT_DISCONNECT);
        // The host itself still works: a loopback peer connects and gets its data across.
        ENetConnection server = host("127.0.0.1", 2, 1);
        ENetPacketPeer good = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        Loop both = new Loop(timeout, server, client);
        both.until(() -> both.count(client, EVENT_CONNECT) == 1, 10_000);
        good.send(0, new byte[] {7}, ENetPacketPeer.FLAG_RELIABLE);
        both.until(() -> both.count(server, ENetConnection.EventType.EVENT_RECEIVE) == 1, 10_000);
    }

    /** How many datagrams wait on {@code socket}, read within {@code millis} until {@code enough} arrived. */
    private static List<byte[]> read(DatagramChannel socket, int enough, long millis, Runnable drive) throws Exception {
        List<byte[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        ByteBuffer b = ByteBuffer.allocate(65536);
        while (got.size() < enough && System.nanoTime() < deadline) {
            drive.run();
            b.clear();
            if (socket.receive(b) != null) {
                b.flip();
                byte[] d = new byte[b.remaining()];
                b.get(d);
                got.add(d);
            }
        }
        return got;
    }

    private static boolean isClientHello(byte[] d) {
        return d.length > 13 && d[0] == 22 && d[13] == 1;
    }

    /**
     * The bug Godot games hit: a DTLS client serviced with 0 (or only flushed) whose first
     * ClientHello is lost must send another. Here nobody answers, so every ClientHello is "lost".
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"service(0)", "flush()"})
    void aDtlsClientDrivenWithoutWaitingRetransmitsItsHandshake(String drive) throws Exception {
        DatagramChannel silent = rawSocket();
        ENetConnection client = host("127.0.0.1", 1, 1);
        client.dtlsClientSetup("localhost", TlsOptions.clientUnsafe(null));
        client.connectToHost("127.0.0.1", ((InetSocketAddress) silent.getLocalAddress()).getPort(), 1, 0);
        Runnable step = drive.equals("flush()") ? client::flush : () -> client.service(0);
        List<byte[]> got = read(silent, 2, 5_000, step);
        assertThat(got).hasSize(2).allMatch(GodotBehaviourTest::isClientHello);
    }

    @Test
    void aDtlsClientHostConnectsToOneServerAtATime() throws Exception {
        TestCertificates.Issued localhost = new TestCertificates("one-session CA").server("localhost");
        ENetConnection server = host("127.0.0.1", 4, 1);
        server.dtlsServerSetup(localhost.serverOptions());
        ENetConnection client = host("127.0.0.1", 2, 1);
        client.dtlsClientSetup("localhost", TlsOptions.clientUnsafe(null));
        ENetPacketPeer first = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 1);
        assertThatThrownBy(() -> client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("one DTLS session per host");
        Loop loop = new Loop(0, server, client);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1, 10_000);
        assertThat(client.getDtlsSessions()).isEqualTo(1);
        assertThat(server.getDtlsSessions()).isEqualTo(1);
        // The session ends with the peer on both sides (at the next service pass, after whatever
        // the peer's end sends); the next connection makes a new one.
        first.peerDisconnect(5);
        loop.until(() -> loop.count(server, EVENT_DISCONNECT) == 1 && loop.count(client, EVENT_DISCONNECT) == 1, 10_000);
        loop.pumpOnce(0);
        assertThat(client.getDtlsSessions()).isZero();
        assertThat(server.getDtlsSessions()).isZero();
        client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 3);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 2, 10_000);
        assertThat(loop.of(server, EVENT_CONNECT).get(1).event().data()).isEqualTo(3);
        assertThat(server.getDtlsSessions()).isEqualTo(1);
        // A reset on the server side ends its session at the next service pass; destroy ends the rest.
        loop.of(server, EVENT_CONNECT).get(1).event().peer().reset();
        server.service(0);
        assertThat(server.getDtlsSessions()).isZero();
    }

    @Test
    void socketSendOnDtlsHostsGoesInsideTheSessionOrNowhere() throws Exception {
        TestCertificates.Issued localhost = new TestCertificates("socket-send CA").server("localhost");
        ENetConnection server = host("127.0.0.1", 4, 1);
        server.dtlsServerSetup(localhost.serverOptions());
        ENetConnection client = host("127.0.0.1", 1, 1);
        client.dtlsClientSetup("localhost", TlsOptions.clientUnsafe(null));
        client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
        Loop loop = new Loop(0, server, client);
        loop.until(() -> loop.count(server, EVENT_CONNECT) == 1 && loop.count(client, EVENT_CONNECT) == 1, 10_000);
        ENetPacketPeer atServer = loop.of(server, EVENT_CONNECT).get(0).event().peer();

        // Server -> an address with a session: decrypted by the client and handed to its ENet,
        // which drops a 1-byte "datagram" as malformed (counted). Raw, it would not decrypt.
        long clientDropped = client.getDroppedDatagrams();
        server.socketSend("127.0.0.1", atServer.getRemotePort(), new byte[] {0x42});
        loop.until(() -> client.getDroppedDatagrams() == clientDropped + 1, 5_000);
        // Client -> inside its one session, whatever the destination says.
        long serverDropped = server.getDroppedDatagrams();
        client.socketSend("127.0.0.1", 9, new byte[] {0x43});
        loop.until(() -> server.getDroppedDatagrams() == serverDropped + 1, 5_000);

        // Server -> an address without a session: nothing leaves the socket. A marker sent after
        // it by a plain host arrives alone (loopback delivers in send order).
        DatagramChannel bystander = rawSocket();
        int port = ((InetSocketAddress) bystander.getLocalAddress()).getPort();
        server.socketSend("127.0.0.1", port, "secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ENetConnection plain = host("127.0.0.1", 1, 1);
        plain.socketSend("127.0.0.1", port, "marker".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        List<byte[]> got = read(bystander, 1, 5_000, () -> { });
        assertThat(got).hasSize(1);
        assertThat(new String(got.get(0), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("marker");
        ByteBuffer extra = ByteBuffer.allocate(100);
        assertThat(bystander.receive(extra)).isNull();
    }
}

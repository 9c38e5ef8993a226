package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_ERROR;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client host with one peer slot connects its UDP socket to its server (both datagram paths),
 * observed where the kernel shows it: {@code /proc/net/udp6}'s remote address column. Traffic
 * flows as before; raw sends elsewhere open the socket to every address again; an ICMP "port
 * unreachable" (which only a connected socket reports) is no error, as in ENet.
 */
class ConnectedClientSocketTest {
    private final List<ENetConnection> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(ENetConnection::destroy);
    }

    private ENetConnection host(int peers) throws IOException {
        ENetConnection c = new ENetConnection();
        open.add(c);
        c.createHost(peers, 2);
        return c;
    }

    private ENetConnection server() throws IOException {
        ENetConnection c = new ENetConnection();
        open.add(c);
        c.createHostBound("127.0.0.1", 0, 8, 2);
        return c;
    }

    /** @return the remote port the kernel has for the UDP socket on {@code localPort}: 0 when unconnected */
    private static int remotePortOf(int localPort) throws IOException {
        for (String file : List.of("/proc/net/udp6", "/proc/net/udp")) {
            Path p = Path.of(file);
            if (!Files.isReadable(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && f[1].contains(":") && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == localPort) {
                    return Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                }
            }
        }
        throw new AssertionError("no UDP socket on port " + localPort + " in /proc/net/udp*");
    }

    private static void assumeProcNet() {
        assumeTrue(Files.isReadable(Path.of("/proc/net/udp6")) || Files.isReadable(Path.of("/proc/net/udp")), "Linux /proc/net/udp*");
    }

    @Test
    void aOneSlotClientIsConnectedToItsServerAndTalksAsBefore() throws IOException {
        assumeProcNet();
        ENetConnection server = server();
        ENetConnection client = host(1);
        assertThat(remotePortOf(client.getLocalPort())).isZero();
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 2, 0);
        assertThat(remotePortOf(client.getLocalPort())).isEqualTo(server.getLocalPort());
        Loop loop = new Loop(server, client);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1 && loop.count(server, EVENT_CONNECT) == 1, 10_000);
        for (int i = 0; i < 50; i++) {
            peer.send(0, new byte[] {(byte) i, 1, 2}, ENetPacketPeer.FLAG_RELIABLE);
        }
        ENetPacketPeer atServer = loop.of(server, EVENT_CONNECT).get(0).event().peer();
        atServer.send(1, new byte[] {42}, ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 50 && loop.count(client, EVENT_RECEIVE) == 1, 10_000);
        List<Loop.Seen> got = loop.of(server, EVENT_RECEIVE);
        for (int i = 0; i < 50; i++) {
            assertThat(got.get(i).packet()).containsExactly(i, 1, 2);
        }
        assertThat(loop.of(client, EVENT_RECEIVE).get(0).packet()).containsExactly(42);
    }

    @Test
    void hostsWithMoreSlotsStayOpenToEveryAddress() throws IOException {
        assumeProcNet();
        ENetConnection server = server();
        ENetConnection client = host(2);
        client.connectToHost("127.0.0.1", server.getLocalPort(), 2, 0);
        assertThat(remotePortOf(client.getLocalPort())).isZero();
    }

    @Test
    void aRawSendElsewhereOpensTheSocketAgainForGoodAndTheServerStaysReachable() throws IOException {
        assumeProcNet();
        ENetConnection server = server();
        ENetConnection client = host(1);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 2, 0);
        Loop loop = new Loop(server, client);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1, 10_000);
        try (DatagramChannel other = DatagramChannel.open()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            other.configureBlocking(true);
            int otherPort = ((InetSocketAddress) other.getLocalAddress()).getPort();
            client.socketSend("127.0.0.1", otherPort, new byte[] {7, 7});
            assertThat(remotePortOf(client.getLocalPort())).isZero();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
            other.receive(b);
            assertThat(b.flip().remaining()).isEqualTo(2);
        }
        peer.send(0, new byte[] {3}, ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> loop.count(server, EVENT_RECEIVE) == 1, 10_000);
        peer.peerDisconnectNow(0);
        client.connectToHost("127.0.0.1", server.getLocalPort(), 2, 0);
        assertThat(remotePortOf(client.getLocalPort())).as("not connected again after the application addressed others").isZero();
    }

    @Test
    void aNewServerAfterADisconnectIsTheOneTheSocketIsConnectedTo() throws IOException {
        assumeProcNet();
        ENetConnection first = server();
        ENetConnection second = server();
        ENetConnection client = host(1);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", first.getLocalPort(), 2, 0);
        Loop loop = new Loop(first, second, client);
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 1, 10_000);
        peer.peerDisconnectNow(0);
        ENetPacketPeer again = client.connectToHost("127.0.0.1", second.getLocalPort(), 2, 0);
        assertThat(remotePortOf(client.getLocalPort())).isEqualTo(second.getLocalPort());
        loop.until(() -> loop.count(client, EVENT_CONNECT) == 2 && loop.count(second, EVENT_CONNECT) == 1, 10_000);
        again.send(0, new byte[] {9}, ENetPacketPeer.FLAG_RELIABLE);
        loop.until(() -> loop.count(second, EVENT_RECEIVE) == 1, 10_000);
        assertThat(loop.count(first, EVENT_RECEIVE)).isZero();
    }

    @Test
    void aServerThatIsNotThereTimesOutWithoutSocketErrors() throws IOException {
        int nobody;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            nobody = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        ENetConnection client = host(1);
        ENetPacketPeer peer = client.connectToHost("127.0.0.1", nobody, 2, 0);
        peer.setTimeout(1, 200, 400);
        Loop loop = new Loop(client);
        loop.until(() -> loop.count(client, EVENT_DISCONNECT) == 1, 20_000);
        assertThat(loop.count(client, EVENT_ERROR)).as("ICMP port unreachable is not an ENet error").isZero();
    }
}

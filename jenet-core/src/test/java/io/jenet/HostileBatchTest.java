package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Honest peers and garbage in the same batches: while 16 clients send numbered reliable packets to
 * a server over real loopback UDP, four raw sockets send bursts of datagrams that are not ENet
 * (random bytes, empty, truncated ENet headers, 5 000 and 60 000 bytes) between every service
 * call, so each read of the server's socket (one {@code recvmmsg} on the batched path, which the
 * build runs this class on with {@code -Djenet.datagrams=batched}) mixes many peers and garbage.
 * Every honest packet arrives exactly once, in order, whole; the oversized ones are counted.
 */
class HostileBatchTest {
    private static final int CLIENTS = 16;
    private static final int PACKETS = 40;

    private static byte[] packet(int client, int n) {
        byte[] p = new byte[8 + (client * 131 + n * 71) % 3000];
        new SplittableRandom(client * 1000L + n).nextBytes(p);
        ByteBuffer.wrap(p).putInt(client).putInt(n);
        return p;
    }

    @Test
    void honestPeersLoseNothingToGarbageInTheirBatches() throws Exception {
        try (ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, CLIENTS + 4, 2);
            InetSocketAddress serverAddress = new InetSocketAddress("127.0.0.1", server.getLocalPort());
            List<ENetConnection> clients = new ArrayList<>();
            List<ENetPacketPeer> toServer = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                ENetConnection c = new ENetConnection();
                c.createHost(1, 2);
                clients.add(c);
                toServer.add(c.connectToHost("127.0.0.1", serverAddress.getPort(), 2, i));
            }
            List<DatagramChannel> attackers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                DatagramChannel a = DatagramChannel.open();
                a.bind(new InetSocketAddress("127.0.0.1", 0));
                attackers.add(a);
            }
            List<ENetConnection> all = new ArrayList<>(clients);
            all.add(server);
            Loop loop = new Loop(0, all.toArray(new ENetConnection[0]));
            GarbageDatagrams garbage = new GarbageDatagrams(attackers, serverAddress, 42);
            loop.until(() -> {
                garbage.burst();
                return loop.count(server, EVENT_CONNECT) == CLIENTS;
            }, 20_000);
            for (int n = 0; n < PACKETS; n++) {
                for (int i = 0; i < CLIENTS; i++) {
                    toServer.get(i).send(n % 2, packet(i, n), ENetPacketPeer.FLAG_RELIABLE);
                }
            }
            loop.until(() -> {
                garbage.burst();
                return loop.count(server, EVENT_RECEIVE) >= CLIENTS * PACKETS;
            }, 30_000);
            // Exactly once, whole, and in order per client and channel.
            List<Loop.Seen> received = loop.of(server, EVENT_RECEIVE);
            assertThat(received).hasSize(CLIENTS * PACKETS);
            int[][] next = new int[CLIENTS][];
            for (int i = 0; i < CLIENTS; i++) {
                next[i] = new int[] {0, 1};
            }
            for (Loop.Seen s : received) {
                ByteBuffer b = ByteBuffer.wrap(s.packet());
                int client = b.getInt();
                int n = b.getInt();
                assertThat(s.packet()).as("client %d packet %d", client, n).isEqualTo(packet(client, n));
                assertThat(n).as("client %d channel %d order", client, n % 2).isEqualTo(next[client][n % 2]);
                next[client][n % 2] = n + 2;
            }
            for (int[] c : next) {
                assertThat(c).containsExactly(PACKETS, PACKETS + 1);
            }
            assertThat(garbage.oversized()).isPositive();
            assertThat(server.getDroppedDatagrams()).as("oversized datagrams are dropped and counted")
                    .isGreaterThanOrEqualTo(garbage.oversized());
            for (DatagramChannel a : attackers) {
                a.close();
            }
            for (ENetConnection c : clients) {
                c.destroy();
            }
        }
    }
}

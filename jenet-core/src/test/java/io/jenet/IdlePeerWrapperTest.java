package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The public peer of an idle connection holds no receive queue and no RECEIVE events (an empty
 * queue and a one-slot event array were 136 B of every connected peer); both are made when the
 * first packet arrives, and reading works as before.
 */
class IdlePeerWrapperTest {
    private static Object field(ENetPacketPeer peer, String name) throws ReflectiveOperationException {
        Field f = ENetPacketPeer.class.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(peer);
    }

    @Test
    void anIdlePeerHoldsNoQueueUntilAPacketArrives() throws Exception {
        try (ENetConnection server = new ENetConnection(); ENetConnection client = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            client.createHost(1, 0);
            Loop loop = new Loop(server, client);
            ENetPacketPeer toServer = client.connectToHost("127.0.0.1", server.getLocalPort(), 255, 0);
            loop.until(() -> loop.count(client, EVENT_CONNECT) == 1 && loop.count(server, EVENT_CONNECT) == 1, 5000);
            ENetPacketPeer toClient = loop.of(server, EVENT_CONNECT).get(0).event().peer();

            assertThat(field(toClient, "packets")).isNull();
            assertThat((ENetEvent[]) field(toClient, "receiveEvents")).isEmpty();
            assertThat(toClient.getAvailablePacketCount()).isZero();
            assertThat(toClient.getPacket()).isNull();
            assertThat(toClient.getPacket(java.nio.ByteBuffer.allocate(16))).isEqualTo(-1);
            assertThat(toClient.getPacketFlags()).isZero();

            // Packets on channel 200 are read in order; the held queue, bypassing the loop's reads.
            for (int i = 0; i < 3; i++) {
                toServer.send(200, new byte[] {(byte) i, 42}, ENetPacketPeer.FLAG_RELIABLE);
            }
            client.flush();
            long deadline = System.nanoTime() + 5_000_000_000L;
            List<ENetEvent> receives = new java.util.ArrayList<>();
            while (receives.size() < 3 && System.nanoTime() < deadline) {
                ENetEvent e = server.service(1);
                if (e.type() == EVENT_RECEIVE) {
                    receives.add(e);
                }
            }
            assertThat(receives).hasSize(3).allMatch(e -> e.channel() == 200 && e.peer() == toClient);
            assertThat(toClient.getAvailablePacketCount()).isEqualTo(3);
            assertThat(toClient.getPacketFlags()).isEqualTo(ENetPacketPeer.FLAG_RELIABLE);
            for (int i = 0; i < 3; i++) {
                assertThat(toClient.getPacket()).containsExactly(i, 42);
            }
            assertThat(toClient.getAvailablePacketCount()).isZero();
            assertThat((ENetEvent[]) field(toClient, "receiveEvents")).hasSize(201);
        }
    }
}

package io.jenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetConnection.EventType;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.testkit.Link;
import io.jenet.testkit.SimulatedNetwork;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a game developer tests netcode against a bad network with jenet's testkit: the game's
 * server and client take their {@link ENetConnection} from outside and advance by frames, so the
 * same code runs over UDP in production and on a {@link SimulatedNetwork} here. The game is
 * {@link GameServer}'s (same channels, same wire format): inputs and snapshots unreliable and
 * sequenced, join/leave events reliable. Ten seconds of play over 20 % loss and 100 ms latency
 * take well under a second, and give the same result on every run.
 */
class NetcodeOverBadNetworkTest {
    /** The server's frame logic of {@link GameServer}, over a connection it is given. */
    static final class Server {
        final ENetConnection host;
        final Map<ENetPacketPeer, float[]> players = new LinkedHashMap<>(); // id, x, y, dx, dy
        int tick;
        int nextId = 1;

        Server(ENetConnection host) {
            this.host = host;
        }

        /** One 60 Hz frame: events, then the world moves, then a snapshot to everyone. */
        void frame() {
            for (ENetEvent e = host.service(0); e.type() != EventType.EVENT_NONE; e = host.checkEvents()) {
                switch (e.type()) {
                    case EVENT_CONNECT -> {
                        float[] p = {nextId++, 0, 0, 0, 0};
                        e.peer().send(GameServer.CHANNEL_EVENTS, text("welcome " + (int) p[0]), ENetPacketPeer.FLAG_RELIABLE);
                        broadcastEvent("join " + (int) p[0]);
                        players.put(e.peer(), p);
                    }
                    case EVENT_DISCONNECT -> {
                        float[] p = players.remove(e.peer());
                        if (p != null) {
                            broadcastEvent("leave " + (int) p[0]);
                        }
                    }
                    case EVENT_RECEIVE -> {
                        ByteBuffer in = ByteBuffer.wrap(e.peer().getPacket());
                        float[] p = players.get(e.peer());
                        if (p != null && e.channel() == GameServer.CHANNEL_STATE && in.remaining() == 8) {
                            p[3] = in.getFloat();
                            p[4] = in.getFloat();
                        }
                    }
                    default -> { }
                }
            }
            tick++;
            ByteBuffer snapshot = ByteBuffer.allocate(8 + 12 * players.size()).putInt(tick).putInt(players.size());
            for (float[] p : players.values()) {
                p[1] += p[3] / GameServer.TICKS_PER_SECOND;
                p[2] += p[4] / GameServer.TICKS_PER_SECOND;
                snapshot.putInt((int) p[0]).putFloat(p[1]).putFloat(p[2]);
            }
            for (ENetPacketPeer peer : players.keySet()) {
                peer.send(GameServer.CHANNEL_STATE, snapshot.array(), 0);
            }
        }

        private void broadcastEvent(String event) {
            for (ENetPacketPeer peer : players.keySet()) {
                peer.send(GameServer.CHANNEL_EVENTS, text(event), ENetPacketPeer.FLAG_RELIABLE);
            }
        }
    }

    /** The client's frame logic of {@link GameClient}, over a connection it is given. */
    static final class Client {
        final ENetConnection host;
        final ENetPacketPeer server;
        final List<String> events = new ArrayList<>();
        float dx;
        float dy;
        int id = -1;
        int lastTick = -1;
        int snapshots;
        boolean outOfOrder;
        float x;
        float y;

        Client(ENetConnection host, String address, int port) throws Exception {
            this.host = host;
            host.createHost(1, 2, 0, 0);
            server = host.connectToHost(address, port, 2, 0);
        }

        void frame() {
            for (ENetEvent e = host.service(0); e.type() != EventType.EVENT_NONE; e = host.checkEvents()) {
                if (e.type() == EventType.EVENT_DISCONNECT) {
                    events.add("disconnected");
                } else if (e.type() == EventType.EVENT_RECEIVE) {
                    ByteBuffer in = ByteBuffer.wrap(e.peer().getPacket());
                    if (e.channel() == GameServer.CHANNEL_EVENTS) {
                        String event = StandardCharsets.UTF_8.decode(in).toString();
                        if (event.startsWith("welcome ")) {
                            id = Integer.parseInt(event.substring(8));
                        }
                        events.add(event);
                    } else {
                        readSnapshot(in);
                    }
                }
            }
            if (server.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                server.send(GameServer.CHANNEL_STATE, ByteBuffer.allocate(8).putFloat(dx).putFloat(dy).array(), 0);
            }
        }

        private void readSnapshot(ByteBuffer in) {
            int t = in.getInt();
            outOfOrder |= t <= lastTick; // unreliable sequenced: ENet never hands out an older one
            lastTick = t;
            snapshots++;
            for (int n = in.getInt(); n > 0; n--) {
                int who = in.getInt();
                float px = in.getFloat();
                float py = in.getFloat();
                if (who == id) {
                    x = px;
                    y = py;
                }
            }
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs every frame at 60 Hz (a frame each 16 or 17 ms of virtual time) until the condition holds. */
    private static boolean play(SimulatedNetwork net, Server server, List<Client> clients, java.util.function.BooleanSupplier until,
                                long maxMillis) {
        long[] nextFrame = {net.now()};
        return net.runUntil(() -> {
            if (net.now() >= nextFrame[0]) {
                server.frame();
                clients.forEach(Client::frame);
                nextFrame[0] += 1000 / GameServer.TICKS_PER_SECOND;
            }
            return until.getAsBoolean();
        }, maxMillis);
    }

    @Test
    void twoPlayersPlayTenSecondsOverTwentyPercentLossAndAHundredMillisecondsOfLatency() throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(60, Link.perfect().withLoss(0.2).withLatency(100).withJitter(10));
        ENetConnection serverHost = net.connection();
        serverHost.createHostBound("10.0.0.1", 7777, 64, 2, 0, 0);
        Server server = new Server(serverHost);
        Client alice = new Client(net.connection(), "10.0.0.1", 7777);
        alice.dx = 1f; // one unit per second to the right
        List<Client> clients = new ArrayList<>(List.of(alice));

        assertThat(play(net, server, clients, () -> alice.id > 0, 10_000)).as("alice welcomed").isTrue();
        Client bob = new Client(net.connection(), "10.0.0.1", 7777);
        bob.dy = -2f;
        clients.add(bob);
        assertThat(play(net, server, clients, () -> bob.id > 0, 10_000)).as("bob welcomed").isTrue();

        long start = net.now();
        play(net, server, clients, () -> false, 10_000);
        assertThat(net.now() - start).isEqualTo(10_000);

        // Reliable events got through the loss complete and in order (a newcomer is welcomed; the
        // others hear that it joined).
        assertThat(alice.events).containsExactly("welcome 1", "join 2");
        assertThat(bob.events).containsExactly("welcome 2");
        // Snapshots: never out of order; most of the 600 survive 20 % loss (unreliable: some do not).
        for (Client c : clients) {
            assertThat(c.outOfOrder).isFalse();
            assertThat(c.snapshots).isBetween(350, 600);
        }
        // The server is the authority: positions integrate the inputs it received. Lost inputs
        // do not matter (the last one stays in force), so both moved about 10 s worth.
        float[] a = server.players.values().stream().filter(p -> p[0] == 1).findFirst().orElseThrow();
        float[] b = server.players.values().stream().filter(p -> p[0] == 2).findFirst().orElseThrow();
        assertThat(a[1]).isBetween(10f, 12f);
        assertThat(a[2]).isZero();
        assertThat(b[2]).isBetween(-22f, -20f);
        // What each client shows lags the server by about a one-way trip and a frame or two.
        assertThat(alice.x).isBetween(a[1] - 0.3f, a[1]);
        assertThat(bob.y).isBetween(b[2], b[2] + 0.6f);

        // Bob leaves; Alice hears about it although one datagram in five is lost.
        bob.server.peerDisconnect(0);
        assertThat(play(net, server, clients, () -> alice.events.contains("leave 2"), 10_000)).isTrue();
        // Bob's side ends when the server's acknowledgement of his DISCONNECT arrives; if that one
        // datagram is lost, the server has already let him go, and ENet's timeout (at most 30 s)
        // ends it instead.
        assertThat(play(net, server, clients, () -> bob.events.contains("disconnected"), 35_000)).isTrue();
        assertThat(bob.events).containsExactly("welcome 2", "disconnected");
        assertThat(alice.events).containsExactly("welcome 1", "join 2", "leave 2");
        assertThat(server.players).hasSize(1);
    }
}

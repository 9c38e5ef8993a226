package io.jenet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/** A server and a client host on a simulated network, connected by {@link #connect}. */
final class Pair {
    final SimulatedNetwork net;
    final InetSocketAddress serverAddress = SimulatedNetwork.address(1, 7777);
    final InetSocketAddress clientAddress = SimulatedNetwork.address(2, 50000);
    final Host server;
    final Host client;
    Peer clientPeer;
    Peer serverPeer;

    Pair(long seed, SimulatedNetwork.Link link) {
        this(seed, link, 8, 0);
    }

    Pair(long seed, SimulatedNetwork.Link link, int serverPeers, int serverChannels) {
        net = new SimulatedNetwork(seed, link);
        server = net.addHost(serverAddress, serverPeers, serverChannels, 0, 0);
        client = net.addHost(clientAddress, 1, 0, 0, 0);
    }

    Pair connect(int channels, int data) {
        clientPeer = client.connect(serverAddress, channels, data);
        assertThat(net.runUntil(() -> count(client, Event.TYPE_CONNECT) == 1 && count(server, Event.TYPE_CONNECT) == 1, 60_000))
                .as("connected").isTrue();
        serverPeer = events(server, Event.TYPE_CONNECT).get(0).peer();
        return this;
    }

    /**
     * Timeouts loose enough that sustained heavy loss (30 % each way) does not end the connection:
     * these tests check delivery, not ENet's give-up policy, which has tests of its own.
     */
    Pair patient() {
        clientPeer.timeout(1 << 20, 120_000, 600_000);
        serverPeer.timeout(1 << 20, 120_000, 600_000);
        return this;
    }

    List<SimulatedNetwork.Seen> events(Host h, int type) {
        return net.events(h).stream().filter(s -> s.type() == type).collect(Collectors.toList());
    }

    long count(Host h, int type) {
        return net.events(h).stream().filter(s -> s.type() == type).count();
    }

    boolean send(Host from, Peer peer, int channel, byte[] data, int flags) {
        return peer.send(channel, from.createPacket(data, 0, data.length, flags));
    }
}

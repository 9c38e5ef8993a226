package io.jenet.internal.engine;

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

    final SimulatedNetwork.Link link;

    Pair(long seed, SimulatedNetwork.Link link, int serverPeers, int serverChannels) {
        this.link = link;
        net = new SimulatedNetwork(seed, link);
        server = net.addHost(serverAddress, serverPeers, serverChannels, 0, 0);
        client = net.addHost(clientAddress, 1, 0, 0, 0);
    }

    /**
     * Connects over a clean link, then restores the impairments: the tests that use this check
     * delivery; under 30 % loss ENet's own handshake can fail (its VERIFY_CONNECT retries give
     * up after ~30 s), which {@code EngineSimulationTest} covers separately.
     */
    Pair connect(int channels, int data) {
        double loss = link.loss;
        double duplicate = link.duplicate;
        link.loss = 0;
        link.duplicate = 0;
        clientPeer = client.connect(serverAddress, channels, data);
        assertThat(net.runUntil(() -> count(client, Event.TYPE_CONNECT) == 1 && count(server, Event.TYPE_CONNECT) == 1, 60_000))
                .as("connected").isTrue();
        serverPeer = events(server, Event.TYPE_CONNECT).get(0).peer();
        link.loss = loss;
        link.duplicate = duplicate;
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

    /** Both hosts time retransmissions, the round trip and the window exactly as ENet 1.3 (tests of ENet's rules). */
    Pair exactEnetTiming() {
        HostSettings settings = new HostSettings();
        settings.exactEnetTiming = true;
        server.configure(settings);
        client.configure(settings);
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

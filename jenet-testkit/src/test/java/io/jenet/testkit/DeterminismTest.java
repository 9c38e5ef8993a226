package io.jenet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetPacketPeer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One seed, one run: the same events at the same virtual times and the same bytes on the wire. */
class DeterminismTest {
    /** A lossy, jittery, duplicating session both ways; returns every event and every datagram sent. */
    private static List<String> session(long seed) throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(seed,
                Link.perfect().withLoss(0.2).withDuplicate(0.05).withLatency(30).withJitter(20));
        List<String> wire = new ArrayList<>();
        net.setWireTap((t, from, to, data) -> wire.add(t + " " + from + ">" + to + " " + Arrays.hashCode(data) + "/" + data.length));
        Endpoint[] pair = Pairs.connect(net, 2);
        Endpoint server = pair[0];
        Endpoint client = pair[1];
        int[] n = {0};
        Pairs.run(net, server, client, () -> {
            if (n[0] < 300) {
                int flags = n[0] % 3 == 0 ? ENetPacketPeer.FLAG_RELIABLE : 0;
                client.peer.send(n[0] % 2, Endpoint.number(n[0]), flags);
                server.peer.send(n[0] % 2, Endpoint.number(-n[0]), flags);
                n[0]++;
            }
            return false;
        }, 3_000);
        client.peer.peerDisconnect(5);
        Pairs.run(net, server, client, () -> server.disconnects == 1 && client.disconnects == 1, 10_000);
        List<String> all = new ArrayList<>(server.log);
        all.addAll(client.log);
        all.addAll(wire);
        all.add(net.stats().toString());
        return all;
    }

    @Test
    void theSameSeedGivesTheSameEventsAndBytes() throws Exception {
        List<String> first = session(2024);
        List<String> second = session(2024);
        assertThat(first).hasSizeGreaterThan(1_000);
        assertThat(second).containsExactlyElementsOf(first);
    }

    @Test
    void theHostsRandomnessFollowsTheSeedToo() throws Exception {
        // Over a perfect link only the hosts' own randomness (ENet's connect IDs) can vary the bytes.
        List<String> first = handshakeBytes(7);
        assertThat(handshakeBytes(7)).containsExactlyElementsOf(first);
        assertThat(handshakeBytes(8)).isNotEqualTo(first);
    }

    private static List<String> handshakeBytes(long seed) throws Exception {
        SimulatedNetwork net = SimulatedNetwork.create(seed);
        List<String> wire = new ArrayList<>();
        net.setWireTap((t, from, to, data) -> wire.add(Arrays.toString(data)));
        Pairs.connect(net, 1);
        return wire;
    }

    @Test
    void anotherSeedGivesAnotherRun() throws Exception {
        List<String> a = session(2024);
        List<String> b = session(2025);
        assertThat(b).isNotEqualTo(a);
        // The network's fate for datagrams differs, not only their bytes.
        assertThat(b.get(b.size() - 1)).isNotEqualTo(a.get(a.size() - 1));
    }
}

package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineSmokeTest {
    @Test
    void connectSendReceiveDisconnect() {
        SimulatedNetwork net = new SimulatedNetwork(1, new SimulatedNetwork.Link().latency(20));
        InetSocketAddress sa = SimulatedNetwork.address(1, 7777);
        InetSocketAddress ca = SimulatedNetwork.address(2, 5000);
        Host server = net.addHost(sa, 8, 0, 0, 0);
        Host client = net.addHost(ca, 1, 0, 0, 0);
        Peer peer = client.connect(sa, 2, 42);
        assertThat(net.runUntil(() -> !net.events(client).isEmpty(), 5000)).isTrue();
        assertThat(net.events(client).get(0).type()).isEqualTo(Event.TYPE_CONNECT);
        net.runUntil(() -> !net.events(server).isEmpty(), 5000);
        assertThat(net.events(server).get(0).type()).isEqualTo(Event.TYPE_CONNECT);
        assertThat(net.events(server).get(0).data()).isEqualTo(42);
        for (int i = 0; i < 100; i++) {
            byte[] payload = new byte[i * 97];
            for (int j = 0; j < payload.length; j++) payload[j] = (byte) (i + j);
            assertThat(peer.send(i % 2, client.createPacket(payload, 0, payload.length, Packet.FLAG_RELIABLE))).isTrue();
        }
        assertThat(net.runUntil(() -> net.events(server).size() == 101, 20000)).isTrue();
        List<SimulatedNetwork.Seen> ev = net.events(server);
        for (int i = 0; i < 100; i++) {
            SimulatedNetwork.Seen s = ev.get(i + 1);
            assertThat(s.type()).isEqualTo(Event.TYPE_RECEIVE);
            assertThat(s.packet()).hasSize(i * 97);
        }
        peer.disconnect(7);
        assertThat(net.runUntil(() -> net.events(server).size() == 102, 5000)).isTrue();
        assertThat(ev.get(101).type()).isEqualTo(Event.TYPE_DISCONNECT);
        assertThat(ev.get(101).data()).isEqualTo(7);
        assertThat(net.runUntil(() -> net.events(client).size() == 2, 5000)).isTrue();
        assertThat(net.events(client).get(1).type()).isEqualTo(Event.TYPE_DISCONNECT);
    }
}

package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What an idle connected peer holds: no channel state, whatever the number of channels it
 * negotiated (255 made up front were 55 KiB per peer, one was 216 B), and no window of unsequenced
 * groups until unsequenced data arrives; a channel's state is made
 * when the channel is first used, in either direction, and then numbers its packets as ENet's
 * does; a slot that connects again starts its channels afresh.
 */
class IdlePeerStateTest {
    private static long usedChannels(Peer peer) {
        return Arrays.stream(peer.channels).filter(Objects::nonNull).count();
    }

    private static List<Integer> used(Peer peer) {
        return IntStream.range(0, peer.channels.length).filter(i -> peer.channels[i] != null).boxed().collect(Collectors.toList());
    }

    @Test
    void anIdlePeerHoldsNoChannelState() {
        Pair p = new Pair(5, new SimulatedNetwork.Link().latency(5), 8, 0).connect(255, 0);
        // Long enough for pings both ways and their acknowledgements.
        p.net.runFor(5_000);
        assertThat(p.serverPeer.state()).isEqualTo(Peer.STATE_CONNECTED);
        assertThat(p.serverPeer.channelCount()).isEqualTo(255);
        assertThat(p.clientPeer.channelCount()).isEqualTo(255);
        assertThat(usedChannels(p.serverPeer)).isZero();
        assertThat(usedChannels(p.clientPeer)).isZero();
        assertThat(p.serverPeer.channels.length).isZero();
        // Nor a window of unsequenced groups (144 B), until the first unsequenced packet.
        assertThat(p.serverPeer.unsequencedWindow).isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(p.send(p.client, p.clientPeer, 9, Traffic.payload(9, i, 20), Packet.FLAG_UNSEQUENCED)).isTrue();
        }
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) == 3, 10_000)).isTrue();
        assertThat(p.events(p.server, Event.TYPE_RECEIVE)).extracting(s -> Traffic.seq(s.packet())).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(p.serverPeer.unsequencedWindow).isNotNull();
        assertThat(used(p.serverPeer)).containsExactly(9);
    }

    @Test
    void aChannelIsMadeOnFirstUseAndNumbersItsPacketsAsBefore() {
        Pair p = new Pair(6, new SimulatedNetwork.Link().latency(5), 8, 0).connect(255, 0);
        for (int i = 0; i < 5; i++) {
            assertThat(p.send(p.client, p.clientPeer, 200, Traffic.payload(200, i, 30), Packet.FLAG_RELIABLE)).isTrue();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(p.send(p.server, p.serverPeer, 7, Traffic.payload(7, i, 30), 0)).isTrue();
        }
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) == 5 && p.count(p.client, Event.TYPE_RECEIVE) == 3, 10_000))
                .isTrue();
        List<SimulatedNetwork.Seen> atServer = p.events(p.server, Event.TYPE_RECEIVE);
        assertThat(atServer).extracting(SimulatedNetwork.Seen::channelID).containsOnly(200);
        assertThat(atServer).extracting(s -> Traffic.seq(s.packet())).containsExactly(0, 1, 2, 3, 4);
        assertThat(atServer).allMatch(s -> Traffic.intact(s.packet()));
        List<SimulatedNetwork.Seen> atClient = p.events(p.client, Event.TYPE_RECEIVE);
        assertThat(atClient).extracting(SimulatedNetwork.Seen::channelID).containsOnly(7);
        assertThat(atClient).extracting(s -> Traffic.seq(s.packet())).containsExactly(0, 1, 2);
        // Only the channels that carried something have state, on each side.
        assertThat(used(p.clientPeer)).containsExactly(7, 200);
        assertThat(used(p.serverPeer)).containsExactly(7, 200);
        assertThat(p.clientPeer.channel(200).outgoingReliableSequenceNumber).isEqualTo(5);
        assertThat(p.serverPeer.channel(200).incomingReliableSequenceNumber).isEqualTo(5);
        assertThat(p.serverPeer.channel(7).outgoingUnreliableSequenceNumber).isEqualTo(3);
        assertThat(p.clientPeer.channel(7).incomingUnreliableSequenceNumber).isEqualTo(3);
    }

    @Test
    void aSlotThatConnectsAgainStartsItsChannelsAfresh() {
        Pair p = new Pair(7, new SimulatedNetwork.Link().latency(5), 1, 0).connect(4, 0);
        for (int i = 0; i < 3; i++) {
            p.send(p.client, p.clientPeer, 3, Traffic.payload(3, i, 20), Packet.FLAG_RELIABLE);
        }
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) == 3, 10_000)).isTrue();
        Peer slot = p.serverPeer;
        p.clientPeer.disconnect(0);
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_DISCONNECT) == 1 && p.count(p.client, Event.TYPE_DISCONNECT) == 1,
                10_000)).isTrue();

        // The same server slot (it has one) takes the next connection, whose channel 3 starts at
        // sequence number 1 again: left as the first connection ended it, the server would take
        // the new packets for old ones and drop them.
        Peer again = p.client.connect(p.serverAddress, 4, 0);
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_CONNECT) == 2 && again.state() == Peer.STATE_CONNECTED, 10_000))
                .as("reconnected: server slot %s, client %s", slot, again).isTrue();
        assertThat(p.events(p.server, Event.TYPE_CONNECT).get(1).peer()).isSameAs(slot);
        assertThat(used(slot)).containsExactly(3);
        assertThat(slot.channel(3).incomingReliableSequenceNumber).isZero();
        for (int i = 0; i < 2; i++) {
            p.send(p.client, again, 3, Traffic.payload(3, 10 + i, 20), Packet.FLAG_RELIABLE);
        }
        assertThat(p.net.runUntil(() -> p.count(p.server, Event.TYPE_RECEIVE) == 5, 10_000)).isTrue();
        List<SimulatedNetwork.Seen> second = p.events(p.server, Event.TYPE_RECEIVE).subList(3, 5);
        assertThat(second).extracting(SimulatedNetwork.Seen::channelID).containsOnly(3);
        assertThat(second).extracting(s -> Traffic.seq(s.packet())).containsExactly(10, 11);
        assertThat(slot.channel(3).incomingReliableSequenceNumber).isEqualTo(2);
    }
}

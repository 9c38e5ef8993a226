package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.CommandWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What remote peers can make a host hold: fragmented packets cost what arrived, not what was
 * announced; incomplete data stays within the host budget (unreliable dropped first, then the
 * peer stalling longest disconnected); queued outgoing data stays within the peer and host caps.
 * Attackers are real connected peers whose server-side slots receive crafted datagrams.
 */
class MemoryBudgetTest {
    private static final InetSocketAddress SERVER = SimulatedNetwork.address(1, 7777);

    private final SimulatedNetwork net = new SimulatedNetwork(7, new SimulatedNetwork.Link().latency(5));
    private final Host server = net.addHost(SERVER, 16, 4, 0, 0);
    private final List<Host> clients = new ArrayList<>();
    private final List<Peer> clientPeers = new ArrayList<>();

    /** Connects a client; returns its index. */
    private int connect() {
        int i = clients.size();
        Host c = net.addHost(SimulatedNetwork.address(10 + i, 5000), 1, 0, 0, 0);
        clients.add(c);
        Peer p = c.connect(SERVER, 4, i);
        clientPeers.add(p);
        assertThat(net.runUntil(() -> p.state() == Peer.STATE_CONNECTED && serverPeer(i) != null, 10_000)).isTrue();
        return i;
    }

    /** The server's peer for client {@code i}. */
    private Peer serverPeer(int i) {
        for (int k = 0; k < server.peerCount(); k++) {
            Peer p = server.peer(k);
            if (p.state() == Peer.STATE_CONNECTED && p.address().equals(net.addressOf(clients.get(i)))) {
                return p;
            }
        }
        return null;
    }

    /** Feeds the server one datagram as client {@code i} would send it, carrying one fragment. */
    private void fragment(int i, boolean reliable, int channel, int startSequence, int totalLength, int offset, int length) {
        Peer cp = clientPeers.get(i);
        int fragmentCount = (totalLength + 1363) / 1364;
        byte[] d = new byte[4 + 24 + length];
        int word = cp.outgoingPeerID | (cp.outgoingSessionID << HEADER_SESSION_SHIFT) | HEADER_FLAG_SENT_TIME;
        d[0] = (byte) (word >>> 8);
        d[1] = (byte) word;
        int command = reliable ? COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE : COMMAND_SEND_UNRELIABLE_FRAGMENT;
        CommandWriter.sendFragment(d, 4, command, channel, startSequence, length, fragmentCount, offset / 1364, totalLength, offset);
        // A reliable fragment has its own sequence number (start + number); an unreliable one
        // carries the channel's reliable sequence number (0 here: nothing reliable sent yet).
        CommandWriter.reliableSequenceNumber(d, 4, reliable ? (startSequence + offset / 1364) & 0xFFFF : 0);
        Arrays.fill(d, 28, d.length, (byte) (offset * 31 + i));
        server.receive(d, 0, d.length, net.addressOf(clients.get(i)), net.now());
    }

    private long serverDisconnects() {
        return net.events(server).stream().filter(s -> s.type() == Event.TYPE_DISCONNECT).count();
    }

    @Test
    void announcingThirtyTwoMebibytesCostsWhatArrived() {
        int a = connect();
        // The first 1 364-byte fragment of a 16 MiB reliable packet on each of two channels (ENet's
        // waiting-data limit, 32 MiB, counts what is announced, as in C ENet).
        fragment(a, true, 0, 1, 16 << 20, 0, 1364);
        fragment(a, true, 1, 1, 16 << 20, 0, 1364);
        // Per packet: one 16 KiB chunk, the chunk table (1 024 refs) and the fragment bitmap.
        long perPacket = MemoryBudget.CHUNK + 8L * ((16 << 20) / MemoryBudget.CHUNK) + 4L * ((12_301 + 31) / 32);
        assertThat(server.incompleteData()).isEqualTo(2 * perPacket);
        assertThat(server.incompleteData()).isLessThan(128 << 10);
        // A fragment far into the packet takes one more chunk, no more.
        fragment(a, true, 0, 1, 16 << 20, 1364 * 10_000, 1364);
        assertThat(server.incompleteData()).isEqualTo(2 * perPacket + MemoryBudget.CHUNK);
        assertThat(serverPeer(a).heldIncomingData()).isEqualTo(server.incompleteData());
        // The honest path still works on the same connection's other channels, and the held data
        // goes when the peer does.
        serverPeer(a).reset();
        assertThat(server.incompleteData()).isZero();
    }

    @Test
    void aLargeReliablePacketReassembledFromChunksIsIntactThroughLossAndReordering() {
        SimulatedNetwork lossy = new SimulatedNetwork(8, new SimulatedNetwork.Link().loss(0.05).latency(20).jitter(30));
        Host s = lossy.addHost(SERVER, 2, 1, 0, 0);
        Host c = lossy.addHost(SimulatedNetwork.address(2, 5000), 1, 0, 0, 0);
        Peer p = c.connect(SERVER, 1, 0);
        assertThat(lossy.runUntil(() -> p.state() == Peer.STATE_CONNECTED, 30_000)).isTrue();
        p.timeout(1 << 20, 120_000, 600_000);
        byte[] big = Traffic.payload(0, 1, 3 * (1 << 20) + 12_345);
        assertThat(p.send(0, c.createPacket(big, 0, big.length, Packet.FLAG_RELIABLE))).isTrue();
        assertThat(lossy.runUntil(() -> lossy.events(s).stream().anyMatch(e -> e.type() == Event.TYPE_RECEIVE), 600_000)).isTrue();
        byte[] got = lossy.events(s).stream().filter(e -> e.type() == Event.TYPE_RECEIVE).findFirst().orElseThrow().packet();
        assertThat(got).isEqualTo(big);
        assertThat(s.incompleteData()).isZero();
    }

    @Test
    void pastTheBudgetThePeerStallingLongestIsDisconnectedAndHonestTransfersComplete() {
        server.setIncompleteDataLimit(1 << 20);
        int honest = connect();
        int first = connect();
        int second = connect();
        Peer firstAtServer = serverPeer(first);
        // The first attacker starts early and drips one fragment per 16 KiB chunk.
        int off = 0;
        for (; off < 20 * MemoryBudget.CHUNK; off += MemoryBudget.CHUNK) {
            fragment(first, true, 0, 1, 8 << 20, off, 1364);
        }
        net.runFor(1_000);
        // The second starts later and keeps going until the budget is reached.
        for (int k = 0; k < 200 && server.budgetDisconnects() == 0; k++) {
            fragment(second, true, 1, 1, 8 << 20, k * MemoryBudget.CHUNK, 1364);
            assertThat(server.incompleteData()).isLessThanOrEqualTo(server.incompleteDataLimit());
        }
        net.runFor(100);
        assertThat(server.budgetDisconnects()).isEqualTo(1);
        assertThat(serverPeer(first)).as("the peer stalling longest went").isNull();
        assertThat(serverPeer(second)).isNotNull();
        assertThat(serverPeer(honest)).isNotNull();
        assertThat(net.events(server).stream().filter(e -> e.type() == Event.TYPE_DISCONNECT).findFirst().orElseThrow().peer())
                .isSameAs(firstAtServer);
        // The client was told (an unsequenced DISCONNECT), not left to time out.
        assertThat(net.runUntil(() -> clientPeers.get(first).state() == Peer.STATE_DISCONNECTED, 5_000)).isTrue();
        // An honest 600 KiB transfer completes meanwhile.
        byte[] big = Traffic.payload(2, 5, 600 << 10);
        clientPeers.get(honest).send(2, clients.get(honest).createPacket(big, 0, big.length, Packet.FLAG_RELIABLE));
        assertThat(net.runUntil(() -> net.events(server).stream().anyMatch(e -> e.type() == Event.TYPE_RECEIVE), 60_000)).isTrue();
        assertThat(net.events(server).stream().filter(e -> e.type() == Event.TYPE_RECEIVE).findFirst().orElseThrow().packet())
                .isEqualTo(big);
        assertThat(server.incompleteData()).isLessThanOrEqualTo(server.incompleteDataLimit());
    }

    @Test
    void incompleteUnreliableDataIsDroppedBeforeAnyPeerIsDisconnected() {
        server.setIncompleteDataLimit(512 << 10);
        int loose = connect();
        int strict = connect();
        for (int off = 0; off < 16 * MemoryBudget.CHUNK; off += MemoryBudget.CHUNK) {
            fragment(loose, false, 0, 1, 4 << 20, off, 1364);
        }
        long held = server.incompleteData();
        assertThat(held).isGreaterThan(256 << 10);
        net.runFor(500);
        for (int off = 0; off < 24 * MemoryBudget.CHUNK; off += MemoryBudget.CHUNK) {
            fragment(strict, true, 0, 1, 4 << 20, off, 1364);
            assertThat(server.incompleteData()).isLessThanOrEqualTo(server.incompleteDataLimit());
        }
        assertThat(server.budgetDroppedIncoming()).isEqualTo(1);
        assertThat(serverPeer(loose).budgetDroppedPackets()).isEqualTo(1);
        assertThat(serverPeer(loose).heldIncomingData()).isZero();
        assertThat(server.budgetDisconnects()).isZero();
        assertThat(serverPeer(strict).heldIncomingData()).isEqualTo(server.incompleteData());
    }

    @Test
    void aPeerThatNeverAcknowledgesIsCutOffAtItsOutgoingCap() {
        server.setOutgoingDataLimits(1 << 20, 64 << 20);
        int deaf = connect();
        int other = connect();
        Peer toDeaf = serverPeer(deaf);
        Peer toOther = serverPeer(other);
        toDeaf.timeout(1 << 20, 600_000, 600_000);
        net.blackholed.add(net.addressOf(clients.get(deaf)));
        // Unreliable packets past the cap are dropped and counted; the peer stays.
        for (int k = 0; k < 200; k++) {
            assertThat(toDeaf.send(1, server.createPacket(new byte[10_000], 0, 10_000, 0))).isTrue();
            assertThat(toDeaf.queuedOutgoingData()).isLessThanOrEqualTo(1 << 20);
        }
        long dropped = server.budgetDroppedOutgoing();
        net.runFor(200);
        assertThat(toDeaf.state()).isEqualTo(Peer.STATE_CONNECTED);
        // Reliable ones pile up unacknowledged until one would pass the cap: the peer goes.
        for (int k = 0; k < 200 && toDeaf.state() == Peer.STATE_CONNECTED; k++) {
            toDeaf.send(0, server.createPacket(new byte[10_000], 0, 10_000, Packet.FLAG_RELIABLE));
            toOther.send(0, server.createPacket(new byte[100], 0, 100, Packet.FLAG_RELIABLE));
            net.runFor(20);
        }
        assertThat(dropped).isPositive();
        assertThat(server.budgetDisconnects()).isEqualTo(1);
        assertThat(net.runUntil(() -> serverDisconnects() == 1, 1_000)).isTrue();
        assertThat(toDeaf.queuedOutgoingData()).isZero();
        // The other peer got everything sent to it.
        assertThat(net.runUntil(() -> net.events(clients.get(other)).stream().filter(e -> e.type() == Event.TYPE_RECEIVE).count() >= 1
                && toOther.queuedOutgoingData() == 0, 10_000)).isTrue();
        assertThat(toOther.state()).isEqualTo(Peer.STATE_CONNECTED);
        assertThat(server.outgoingData()).isZero();
    }

    @Test
    void pastTheHostOutgoingTotalThePeerWithTheLargestBacklogGoes() {
        server.setOutgoingDataLimits(1 << 20, 2 << 20);
        List<Integer> deaf = List.of(connect(), connect(), connect());
        for (int i : deaf) {
            serverPeer(i).timeout(1 << 20, 600_000, 600_000);
            net.blackholed.add(net.addressOf(clients.get(i)));
        }
        // 800 KiB to the first, 700 KiB to the second, then the third pushes the total past 2 MiB.
        int[] kib = {800, 700, 600};
        List<Peer> peers = new ArrayList<>();
        for (int i : deaf) {
            peers.add(serverPeer(i));
        }
        for (int k = 0; k < 3; k++) {
            for (int s = 0; s < kib[k] / 100; s++) {
                peers.get(k).send(0, server.createPacket(new byte[100 << 10], 0, 100 << 10, Packet.FLAG_RELIABLE));
            }
        }
        assertThat(server.budgetDisconnects()).isEqualTo(1);
        assertThat(net.runUntil(() -> serverDisconnects() == 1, 1_000)).isTrue();
        assertThat(net.events(server).stream().filter(e -> e.type() == Event.TYPE_DISCONNECT).findFirst().orElseThrow().peer())
                .as("the largest backlog").isSameAs(peers.get(0));
        assertThat(server.outgoingData()).isLessThanOrEqualTo(2 << 20);
    }
}

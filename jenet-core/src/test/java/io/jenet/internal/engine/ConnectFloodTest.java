package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.CommandWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A spoofed CONNECT flood (thousands per second from many addresses, never completing) while 50
 * honest clients connect: with ENet's policy the flood fills every slot and honest clients are
 * refused; with jenet's eviction of the oldest pending handshake they get in.
 */
class ConnectFloodTest {
    private static final int SLOTS = 256;
    private static final int HONEST = 50;

    private static byte[] spoofedConnect(Random r) {
        byte[] d = new byte[4 + CONNECT_SIZE];
        io.jenet.internal.protocol.Wire.put16(d, 0, MAXIMUM_PEER_ID | HEADER_FLAG_SENT_TIME);
        io.jenet.internal.protocol.Wire.put16(d, 2, r.nextInt(0x10000));
        CommandWriter.connect(d, 4, r.nextInt(4095), 0xFF, 0xFF, 1392, 65536, 2, 0, 0, 5000, 2, 2, r.nextInt(), 0);
        CommandWriter.reliableSequenceNumber(d, 4, 1);
        return d;
    }

    /** Runs the flood at {@code perSecond} CONNECTs/s for the whole test; returns honest clients connected within 5 s. */
    private static int honestConnected(boolean evict, int perSecond, long[] halfOpenPeak) {
        SimulatedNetwork net = new SimulatedNetwork(5, new SimulatedNetwork.Link().latency(10).jitter(5));
        Host server = net.addHost(SimulatedNetwork.address(1, 1), SLOTS, 0, 0, 0);
        if (!evict) {
            server.admission.evictPendingHandshakes = false; // ENet's policy: a full host refuses newcomers
        }
        Random r = new Random(9);
        List<Peer> honest = new ArrayList<>();
        long start = net.now();
        long sent = 0;
        while (net.now() - start < 5000) {
            long due = (net.now() - start) * perSecond / 1000;
            for (; sent < due; sent++) {
                byte[] d = spoofedConnect(r);
                server.receive(d, 0, d.length, SimulatedNetwork.address(100 + r.nextInt(100), 1024 + r.nextInt(60000)), net.now());
            }
            if (honest.size() < HONEST && net.now() - start >= 500) {
                Host c = net.addHost(SimulatedNetwork.address(2, 2000 + honest.size()), 1, 0, 0, 0);
                honest.add(c.connect(SimulatedNetwork.address(1, 1), 1, honest.size()));
            }
            int halfOpen = 0;
            for (int i = 0; i < SLOTS; i++) {
                if (server.peer(i).state() == Peer.STATE_ACKNOWLEDGING_CONNECT) {
                    halfOpen++;
                }
            }
            halfOpenPeak[0] = Math.max(halfOpenPeak[0], halfOpen);
            net.step(5);
        }
        return (int) honest.stream().filter(p -> p.state() == Peer.STATE_CONNECTED).count();
    }

    @Test
    void honestClientsConnectDuringASpoofedConnectFlood() {
        long[] peak = new long[1];
        int connected = honestConnected(true, 5000, peak);
        System.out.println("flood 5000 CONNECT/s, " + SLOTS + " slots: jenet policy, honest connected " + connected + "/" + HONEST);
        assertThat(connected).as("honest clients connected within 5 s").isGreaterThanOrEqualTo(HONEST * 99 / 100);
        assertThat(peak[0]).isLessThanOrEqualTo(SLOTS);
    }

    @Test
    void withEnetsPolicyTheSameFloodLocksHonestClientsOut() {
        long[] peak = new long[1];
        int connected = honestConnected(false, 5000, peak);
        System.out.println("flood 5000 CONNECT/s, " + SLOTS + " slots: ENet policy, honest connected " + connected + "/" + HONEST);
        // The flood fills every slot in 51 ms and ENet's pending handshakes hold them for ~30 s.
        assertThat(connected).as("ENet's policy under the same flood").isZero();
    }
}

package io.jenet;

import io.jenet.internal.engine.Host;
import io.jenet.internal.engine.Peer;
import io.jenet.internal.transport.HostDriver;

/**
 * Reads a {@link HostMetrics} snapshot off a host on its service thread: where each figure of
 * the snapshot comes from in the engine and the driver, kept out of the facade.
 *
 * <p>Thread-safety: call from the thread that services the host.
 */
final class HostMetricsReader {
    private HostMetricsReader() {}

    /**
     * @param driver the host's driver
     * @param popped what {@code popStatistic} has taken so far, per {@link ENetConnection.HostStatistic}
     * @param sequence the snapshot's sequence number
     * @param draining whether the host is draining
     * @return the snapshot
     */
    static HostMetrics read(HostDriver driver, long[] popped, long sequence, boolean draining) {
        Host host = driver.host();
        HostMetrics.Builder b = new HostMetrics.Builder();
        b.sequence = sequence;
        b.peerSlots = host.peerCount();
        int connected = 0;
        for (int i = 0; i < b.peerSlots; i++) {
            int state = host.peer(i).state();
            b.peersByState[state]++;
            if (state == Peer.STATE_CONNECTED) {
                connected++;
            }
        }
        int[] rtt = new int[connected];
        int[] loss = new int[connected];
        for (int i = 0, n = 0; i < b.peerSlots && n < connected; i++) {
            Peer p = host.peer(i);
            if (p.state() == Peer.STATE_CONNECTED) {
                rtt[n] = (int) Math.min(Integer.MAX_VALUE, p.roundTripTime());
                loss[n] = (int) Math.min(Integer.MAX_VALUE, p.statistic(ENetPacketPeer.PeerStatistic.PEER_PACKET_LOSS.ordinal()));
                n++;
            }
        }
        java.util.Arrays.sort(rtt);
        java.util.Arrays.sort(loss);
        b.roundTripTimes = rtt;
        b.packetLosses = loss;
        b.bytesSent = popped[ENetConnection.HostStatistic.HOST_TOTAL_SENT_DATA.ordinal()] + host.totalSentData();
        b.datagramsSent = popped[ENetConnection.HostStatistic.HOST_TOTAL_SENT_PACKETS.ordinal()] + host.totalSentPackets();
        b.bytesReceived = popped[ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_DATA.ordinal()] + host.totalReceivedData();
        b.datagramsReceived = popped[ENetConnection.HostStatistic.HOST_TOTAL_RECEIVED_PACKETS.ordinal()] + host.totalReceivedPackets();
        long[] drops = b.droppedDatagrams;
        drops[HostMetrics.DatagramDrop.CHECKSUM.ordinal()] = host.checksumFailures();
        drops[HostMetrics.DatagramDrop.DECOMPRESSION.ordinal()] = host.decompressionFailures();
        drops[HostMetrics.DatagramDrop.REFUSED.ordinal()] = host.refusedNewConnections();
        drops[HostMetrics.DatagramDrop.CONNECT_LIMIT.ordinal()] = host.refusedConnects();
        drops[HostMetrics.DatagramDrop.THROTTLED.ordinal()] = host.throttledDatagrams();
        drops[HostMetrics.DatagramDrop.OVERSIZED.ordinal()] = driver.oversizedDatagrams();
        drops[HostMetrics.DatagramDrop.INTERNAL_ERROR.ordinal()] = host.internalErrors();
        drops[HostMetrics.DatagramDrop.DTLS.ordinal()] = driver.dtls() == null ? 0 : driver.dtls().droppedDatagrams();
        // The engine counts every datagram it drops once; the reasons above that it counts are parts of it.
        drops[HostMetrics.DatagramDrop.INVALID.ordinal()] = Math.max(0, host.droppedDatagrams() - host.checksumFailures()
                - host.decompressionFailures() - host.refusedNewConnections() - host.refusedConnects() - host.internalErrors());
        b.droppedPackets[HostMetrics.PacketDrop.INCOMPLETE_DATA_BUDGET.ordinal()] = host.budgetDroppedIncoming();
        b.droppedPackets[HostMetrics.PacketDrop.OUTGOING_DATA_BUDGET.ordinal()] = host.budgetDroppedOutgoing();
        b.droppedPackets[HostMetrics.PacketDrop.WAITING_DATA_FULL.ordinal()] = host.droppedCommands();
        b.evictedHandshakes = host.evictedHalfOpen();
        b.budgetDisconnects = host.budgetDisconnects();
        b.retransmissions = host.retransmissions();
        b.compressionInput = host.compressionInput();
        b.compressionOutput = host.compressionOutput();
        b.dtlsSessions = driver.dtls() == null ? 0 : driver.dtls().sessions();
        b.incompleteData = host.incompleteData();
        b.outgoingData = host.outgoingData();
        b.draining = draining;
        b.publishedAtNanos = System.nanoTime();
        return b.build();
    }
}

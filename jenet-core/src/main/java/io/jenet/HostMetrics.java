package io.jenet;

import java.util.Arrays;
import java.util.Objects;

/**
 * jenet extension: one consistent, immutable picture of a host's counters and peers, for monitoring
 * from another thread (a Prometheus scrape, a Micrometer binder, a health check).
 *
 * <p>A host is single-threaded, so its counters cannot be read from another thread while it
 * runs. Instead the thread that services the host takes a snapshot (every
 * {@link ENetConnection#setMetricsInterval interval} at the end of
 * {@link ENetConnection#service(int) service}, or on demand with
 * {@link ENetConnection#publishMetrics()}) and publishes it through a volatile field;
 * {@link ENetConnection#getMetrics()} returns the latest from any thread. Every value in one
 * snapshot was read at the same moment on the service thread: no value is torn and the values agree
 * with each other (the peers by state add up to the slots, the connected peers are as many as the
 * round-trip times, the drops by reason add up to the drops). Counters count from the creation of
 * the host and never go down, also when the application pops Godot's statistics with
 * {@link ENetConnection#popStatistic}.
 *
 * <p>Thread-safety: immutable; safe to share between threads.
 */
public final class HostMetrics {
    /** Why a received datagram was dropped before or while the engine read it. */
    public enum DatagramDrop {
        /** ENet's CRC-32 checksum did not match ({@link ENetConnection#setChecksumEnabled}). */
        CHECKSUM,
        /** Marked compressed, but could not be decompressed (or no compression is set). */
        DECOMPRESSION,
        /** From a new peer while new connections are refused ({@link ENetConnection#refuseNewConnections}, a drain). */
        REFUSED,
        /** A CONNECT refused by the flood limits: no free slot, or too many from one address ({@link ENetConnection#setHalfOpenLimits}). */
        CONNECT_LIMIT,
        /** Over the sending peer's token bucket ({@link ENetConnection#setPeerIncomingLimit}). */
        THROTTLED,
        /** Larger than ENet's receive buffer (dropped before the engine saw it). */
        OVERSIZED,
        /** Made the engine fail (a bug in jenet; {@link ENetConnection#getInternalErrors}). */
        INTERNAL_ERROR,
        /** Dropped by the DTLS layer (not a record of a known session, a failed handshake, a refused address). */
        DTLS,
        /** Anything else: malformed, truncated, for an unknown or stale peer, from the wrong address, a repeated CONNECT. */
        INVALID;

        /** @return the name in lower case, as a metric tag ("checksum", "connect_limit", …) */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Why a packet (not a whole datagram) was dropped. */
    public enum PacketDrop {
        /** Incoming unreliable data given up to stay within the incomplete-data budget ({@link ENetConnection#setIncompleteDataLimit}). */
        INCOMPLETE_DATA_BUDGET,
        /** Outgoing unreliable packets past a peer's outgoing cap ({@link ENetConnection#setOutgoingDataLimits}). */
        OUTGOING_DATA_BUDGET,
        /** Incoming data commands refused because the peer's waiting data was full (the sender resends reliable ones). */
        WAITING_DATA_FULL;

        /** @return the name in lower case, as a metric tag */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final int STATES = ENetPacketPeer.PeerState.values().length;
    private static final int[] NONE = new int[0];

    /** The snapshot {@link ENetConnection#getMetrics()} returns before the first publication. */
    static final HostMetrics EMPTY = new HostMetrics(new Builder());

    private final long sequence;
    private final long publishedAtNanos;
    private final int peerSlots;
    private final int[] peersByState;
    private final long datagramsSent;
    private final long bytesSent;
    private final long datagramsReceived;
    private final long bytesReceived;
    private final long[] droppedDatagrams;
    private final long[] droppedPackets;
    private final long evictedHandshakes;
    private final long budgetDisconnects;
    private final long retransmissions;
    private final long compressionInput;
    private final long compressionOutput;
    private final int dtlsSessions;
    private final long incompleteData;
    private final long outgoingData;
    private final int[] roundTripTimes;
    private final int[] packetLosses;
    private final boolean draining;

    private HostMetrics(Builder b) {
        sequence = b.sequence;
        publishedAtNanos = b.publishedAtNanos;
        peerSlots = b.peerSlots;
        peersByState = b.peersByState.clone();
        datagramsSent = b.datagramsSent;
        bytesSent = b.bytesSent;
        datagramsReceived = b.datagramsReceived;
        bytesReceived = b.bytesReceived;
        droppedDatagrams = b.droppedDatagrams.clone();
        droppedPackets = b.droppedPackets.clone();
        evictedHandshakes = b.evictedHandshakes;
        budgetDisconnects = b.budgetDisconnects;
        retransmissions = b.retransmissions;
        compressionInput = b.compressionInput;
        compressionOutput = b.compressionOutput;
        dtlsSessions = b.dtlsSessions;
        incompleteData = b.incompleteData;
        outgoingData = b.outgoingData;
        roundTripTimes = b.roundTripTimes;
        packetLosses = b.packetLosses;
        draining = b.draining;
    }

    /** What the service thread fills in; only {@link ENetConnection} builds snapshots. */
    static final class Builder {
        long sequence;
        long publishedAtNanos = System.nanoTime();
        int peerSlots;
        final int[] peersByState = new int[STATES];
        long datagramsSent;
        long bytesSent;
        long datagramsReceived;
        long bytesReceived;
        final long[] droppedDatagrams = new long[DatagramDrop.values().length];
        final long[] droppedPackets = new long[PacketDrop.values().length];
        long evictedHandshakes;
        long budgetDisconnects;
        long retransmissions;
        long compressionInput;
        long compressionOutput;
        int dtlsSessions;
        long incompleteData;
        long outgoingData;
        /** Sorted ascending; owned by the snapshot once built. */
        int[] roundTripTimes = NONE;
        /** Sorted ascending; owned by the snapshot once built. */
        int[] packetLosses = NONE;
        boolean draining;

        HostMetrics build() {
            return new HostMetrics(this);
        }
    }

    /** @return how many snapshots this connection had published when it took this one (1 for the first; 0 for none yet) */
    public long sequence() {
        return sequence;
    }

    /** @return {@link System#nanoTime()} when the snapshot was taken */
    public long publishedAtNanos() {
        return publishedAtNanos;
    }

    /**
     * How old this snapshot is. A snapshot that keeps getting older than the publication interval
     * means the service loop has stopped calling {@code service}.
     *
     * @return milliseconds since it was taken
     */
    public long ageMillis() {
        return (System.nanoTime() - publishedAtNanos) / 1_000_000L;
    }

    /** @return the host's peer slots ({@code maxPeers} of {@code createHost*}); 0 without a host */
    public int peerSlots() {
        return peerSlots;
    }

    /**
     * Peer slots in a state. {@code STATE_DISCONNECTED} counts the free slots; the states add up to
     * {@link #peerSlots()}. {@code STATE_ACKNOWLEDGING_CONNECT} counts the pending handshakes.
     *
     * @param state the state
     * @return how many slots were in it
     */
    public int peers(ENetPacketPeer.PeerState state) {
        return peersByState[Objects.requireNonNull(state, "state").ordinal()];
    }

    /** @return peers that were connected ({@code STATE_CONNECTED}) */
    public int connectedPeers() {
        return peers(ENetPacketPeer.PeerState.STATE_CONNECTED);
    }

    /** @return peers that sent CONNECT and had not yet acknowledged our VERIFY_CONNECT */
    public int pendingHandshakes() {
        return peers(ENetPacketPeer.PeerState.STATE_ACKNOWLEDGING_CONNECT);
    }

    /** @return UDP datagrams sent since the host was created */
    public long datagramsSent() {
        return datagramsSent;
    }

    /** @return bytes sent, counted as whole ENet datagrams (before DTLS), since the host was created */
    public long bytesSent() {
        return bytesSent;
    }

    /** @return datagrams the engine received (those dropped as oversized or by DTLS excluded), since creation */
    public long datagramsReceived() {
        return datagramsReceived;
    }

    /** @return bytes of the datagrams the engine received, since creation */
    public long bytesReceived() {
        return bytesReceived;
    }

    /**
     * Received datagrams dropped for one reason. The reasons do not overlap.
     *
     * @param reason the reason
     * @return the count since the host was created
     */
    public long droppedDatagrams(DatagramDrop reason) {
        return droppedDatagrams[Objects.requireNonNull(reason, "reason").ordinal()];
    }

    /** @return received datagrams dropped for any reason ({@link #droppedDatagrams(DatagramDrop)} summed) */
    public long droppedDatagrams() {
        long sum = 0;
        for (long v : droppedDatagrams) {
            sum += v;
        }
        return sum;
    }

    /**
     * Packets dropped for one reason.
     *
     * @param reason the reason
     * @return the count since the host was created
     */
    public long droppedPackets(PacketDrop reason) {
        return droppedPackets[Objects.requireNonNull(reason, "reason").ordinal()];
    }

    /** @return pending handshakes given up to make room for newer ones ({@link ENetConnection#setHalfOpenLimits}) */
    public long evictedHandshakes() {
        return evictedHandshakes;
    }

    /** @return peers disconnected by the memory budget ({@link ENetConnection#getBudgetDisconnects}) */
    public long budgetDisconnects() {
        return budgetDisconnects;
    }

    /** @return reliable commands resent because their acknowledgement did not come in time, all peers */
    public long retransmissions() {
        return retransmissions;
    }

    /** @return command bytes of outgoing datagrams offered to the compressor (0 without compression) */
    public long compressionInput() {
        return compressionInput;
    }

    /** @return bytes sent for them: compressed where that was smaller, as they were otherwise */
    public long compressionOutput() {
        return compressionOutput;
    }

    /** @return {@link #compressionOutput()} / {@link #compressionInput()}, 1.0 when nothing was compressed */
    public double compressionRatio() {
        return compressionInput == 0 ? 1.0 : (double) compressionOutput / compressionInput;
    }

    /** @return DTLS sessions the host kept (0 without DTLS) */
    public int dtlsSessions() {
        return dtlsSessions;
    }

    /** @return bytes of incomplete incoming data held ({@link ENetConnection#getIncompleteData}) */
    public long incompleteData() {
        return incompleteData;
    }

    /** @return bytes queued for sending, all peers ({@link ENetConnection#getOutgoingData}) */
    public long outgoingData() {
        return outgoingData;
    }

    /**
     * The mean round-trip times of the connected peers, in ms, sorted ascending (one per
     * connected peer).
     *
     * @return a copy
     */
    public int[] roundTripTimes() {
        return roundTripTimes.clone();
    }

    /**
     * The round-trip time below which a fraction {@code q} of the connected peers lie (nearest
     * rank: 0 gives the smallest, 1 the largest, 0.5 the median).
     *
     * @param q 0 … 1
     * @return ms, or 0 with no connected peer
     */
    public int roundTripTimeQuantile(double q) {
        return quantile(roundTripTimes, q);
    }

    /** @return the mean of the connected peers' round-trip times in ms, 0 with none */
    public double roundTripTimeMean() {
        return mean(roundTripTimes);
    }

    /**
     * The packet loss of the connected peers, as ENet measures it (reliable packets resent per
     * packet sent, over its last ten-second interval), as fractions 0 … 1, sorted ascending.
     *
     * @return a new array
     */
    public double[] packetLosses() {
        double[] out = new double[packetLosses.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (double) packetLosses[i] / ENetPacketPeer.PACKET_LOSS_SCALE;
        }
        return out;
    }

    /**
     * The packet loss below which a fraction {@code q} of the connected peers lie (nearest rank).
     *
     * @param q 0 … 1
     * @return 0 … 1, or 0 with no connected peer
     */
    public double packetLossQuantile(double q) {
        return (double) quantile(packetLosses, q) / ENetPacketPeer.PACKET_LOSS_SCALE;
    }

    /** @return the mean packet loss of the connected peers, 0 … 1 */
    public double packetLossMean() {
        return mean(packetLosses) / ENetPacketPeer.PACKET_LOSS_SCALE;
    }

    /** @return whether the host was draining ({@link ENetConnection#beginDrain}) */
    public boolean draining() {
        return draining;
    }

    private static int quantile(int[] sorted, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be 0..1, got " + q);
        }
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double mean(int[] values) {
        if (values.length == 0) {
            return 0;
        }
        long sum = 0;
        for (int v : values) {
            sum += v;
        }
        return (double) sum / values.length;
    }

    @Override
    public String toString() {
        return "HostMetrics[#" + sequence + " peers " + Arrays.toString(peersByState) + " of " + peerSlots + ", sent "
                + datagramsSent + " datagrams/" + bytesSent + " B, received " + datagramsReceived + " datagrams/"
                + bytesReceived + " B, dropped " + Arrays.toString(droppedDatagrams) + ", retransmissions "
                + retransmissions + (draining ? ", draining" : "") + "]";
    }
}

package io.jenet.internal.engine;

/**
 * jenet's own sender decisions for one peer, taken where ENet 1.3's are fixed: how the round trip
 * is estimated, when a reliable command counts as lost, how fast a lost one is resent, and how
 * much reliable data may be in flight. Everything here is local to the sender; the wire carries
 * the same commands, acknowledgements and sequence numbers as ENet's (a resent or copied reliable
 * command is one ENet's receiver already handles as a duplicate). Under
 * {@link HostSettings#exactEnetTiming} none of it runs and the host times like ENet 1.3.17.
 *
 * <p>What changes, and why:
 * <ul>
 *   <li><b>Round trip without truncation.</b> ENet adds an eighth of each difference in whole
 *       milliseconds, so its estimate never falls within 8 ms of a faster path (loopback reads
 *       8 ms). Here the same smoothing runs in microseconds; ENet's integer fields (read by the
 *       throttle and the statistics) are rounded from it.</li>
 *   <li><b>Early retransmission.</b> An acknowledgement carries the send time of the datagram it
 *       acknowledges. Once a datagram sent later than an unacknowledged command has arrived, and
 *       a round trip plus a reorder allowance has passed since that command was sent, it is resent
 *       without waiting for its timer (the idea of TCP's RACK).</li>
 *   <li><b>Redundant copies.</b> A datagram that goes to the peer anyway carries, in room it has
 *       left, copies of recent unacknowledged packet commands (up to {@link #MAXIMUM_COPIES} each,
 *       spaced by {@link #copySpacing}) while the path is losing data and is not a LAN's
 *       ({@link #LONG_PATH_MS}), so a small reliable message lost once costs a few
 *       milliseconds instead of a round trip or a timeout.</li>
 *   <li><b>Bounded back-off while the peer is alive.</b> ENet doubles a command's timer on every
 *       timeout. When the peer has acknowledged something since the command was last sent, it is
 *       alive and the loss was the link's: the timer doubles at most to twice the current
 *       retransmission timeout. A silent peer still backs off as ENet does, so a peer that is
 *       really gone is declared gone by ENet's own rule (timeout limit, minimum and maximum).</li>
 *   <li><b>A window that follows the path.</b> ENet keeps at most the negotiated window
 *       (64 KiB by default, less as its throttle falls) in flight, which caps a transfer at
 *       64 KiB per round trip. Where the path's round trip is at least {@link #LONG_PATH_MS},
 *       the window is twice the measured bandwidth-delay product (the most acknowledged per
 *       round trip times the lowest round trip), never below ENet's, at most {@link #MAXIMUM_WINDOW}.</li>
 * </ul>
 *
 * <p>Thread-safety: none; part of one peer.
 */
final class LossRecovery {
    /** Copies are made for this long after the last sign of loss on the path, ms. */
    static final int LOSS_MEMORY_MS = 10_000;
    /** Copies of one transmission of a packet command a datagram may carry, at most. */
    static final int MAXIMUM_COPIES = 3;
    /** Packet commands larger than this (header and payload) are not copied: they are bulk, not chatter. */
    static final int MAXIMUM_COPY_SIZE = 512;
    /** Added to the round trip before a timer fires, at least: ms of scheduling noise on both sides. */
    static final int MINIMUM_TIMEOUT_MARGIN_MS = 10;
    /**
     * Shortest round trip, ms, on which copies are made and the window grows past ENet's. On faster
     * paths an early resend costs little more than a copy would save, and a 64 KiB window already
     * fills them; a loopback or LAN server then sends exactly what ENet would.
     */
    static final int LONG_PATH_MS = 10;
    /** The most reliable data in flight to one peer. */
    static final long MAXIMUM_WINDOW = 1 << 20;
    /** How long the lowest round trip is remembered before it is measured afresh. */
    static final int MINIMUM_RTT_LIFETIME_MS = 10_000;

    /** Smoothed round trip and its mean deviation, microseconds; 0 until the first sample. */
    long smoothedRoundTripMicros;
    long roundTripVarianceMicros;
    /** Latest send time (host clock) of a datagram the peer has acknowledged, if {@link #delivered}. */
    int deliveredSentTime;
    boolean delivered;
    /**
     * Send time echoed by the latest acknowledgement. Commands carrying packets (the only ones
     * copied) leave the sent list only through an acknowledgement, so it is the one that removes them.
     */
    int acknowledgedSentTime;
    /** When the path last lost something we sent (a resend, or a copy acknowledged instead of its original). */
    int lossSeenAt;
    boolean lossSeen;
    /** Reliable commands resent: all of them, and those resent early (before their timer). */
    long retransmissions;
    long earlyRetransmissions;
    /** Copies of unacknowledged commands carried by datagrams sent anyway. */
    long redundantCopies;
    /** Lowest round-trip sample (ms) since {@link #minimumSince}. */
    long minimumRoundTrip;
    int minimumSince;
    /** Bytes acknowledged since {@link #deliveryEpoch}, and the best rate seen, bytes per ms. */
    long ackedBytes;
    int deliveryEpoch;
    double deliveryRate;

    void reset() {
        smoothedRoundTripMicros = 0;
        roundTripVarianceMicros = 0;
        deliveredSentTime = 0;
        delivered = false;
        lossSeen = false;
        lossSeenAt = 0;
        retransmissions = 0;
        earlyRetransmissions = 0;
        redundantCopies = 0;
        minimumRoundTrip = 0;
        minimumSince = 0;
        ackedBytes = 0;
        deliveryEpoch = 0;
        deliveryRate = 0;
    }

    /**
     * One round-trip sample, ENet's smoothing (1/8 of the difference, variance 1/4) without its
     * truncation; ENet's integer fields follow, rounded.
     */
    void sampleRoundTrip(Peer peer, long sampleMs, int now) {
        long sample = sampleMs * 1000;
        if (smoothedRoundTripMicros == 0) {
            smoothedRoundTripMicros = sample;
            roundTripVarianceMicros = (sample + 1000) / 2;
        } else {
            long diff = Math.abs(sample - smoothedRoundTripMicros);
            roundTripVarianceMicros += (diff - roundTripVarianceMicros) / 4;
            smoothedRoundTripMicros += (sample - smoothedRoundTripMicros) / 8;
        }
        peer.roundTripTime = Math.max(1, (smoothedRoundTripMicros + 500) / 1000);
        peer.roundTripTimeVariance = (roundTripVarianceMicros + 500) / 1000;
        if (minimumRoundTrip == 0 || sampleMs < minimumRoundTrip || Time.difference(now, minimumSince) >= MINIMUM_RTT_LIFETIME_MS) {
            minimumRoundTrip = sampleMs;
            minimumSince = now;
        }
    }

    /** A datagram the peer acknowledged was sent at {@code sentTime}. */
    void acknowledged(int sentTime) {
        acknowledgedSentTime = sentTime;
        if (!delivered || Time.less(deliveredSentTime, sentTime)) {
            deliveredSentTime = sentTime;
            delivered = true;
        }
    }

    /** The path lost something just now. */
    void lossSeen(int now) {
        lossSeen = true;
        lossSeenAt = now;
    }

    /**
     * @return whether datagrams should carry copies: the path lost something in the last
     *     {@link #LOSS_MEMORY_MS}, and its round trip is at least {@link #LONG_PATH_MS}
     */
    boolean copying(int now) {
        return lossSeen && Time.difference(now, lossSeenAt) < LOSS_MEMORY_MS
                && smoothedRoundTripMicros >= LONG_PATH_MS * 1000L;
    }

    /**
     * A command was acknowledged: if the acknowledgement answers a copy rather than the transmission
     * it copied, that transmission (or its acknowledgement) was lost, a loss the copies hid.
     */
    void acknowledgedCommand(OutgoingCommand c, int now) {
        if (c.copies > 0 && acknowledgedSentTime != c.sentTime) {
            lossSeen(now);
        }
    }

    /** @return ms after its send before a command sent earlier than a delivered one counts as lost */
    int reorderThreshold() {
        long srtt = smoothedRoundTripMicros;
        // A quarter of the round trip (TCP's RACK), or two deviations where jitter reorders more.
        return (int) ((srtt + Math.max(Math.max(srtt / 4, 2 * roundTripVarianceMicros), 2000) + 999) / 1000);
    }

    /** @return whether {@code c}, unacknowledged, was sent before a datagram the peer has acknowledged */
    boolean overtaken(OutgoingCommand c) {
        return delivered && Time.less(c.sentTime, deliveredSentTime);
    }

    /** @return a first retransmission timer, ms: ENet's round trip plus four deviations, with a floor on the margin */
    int retransmissionTimeout(Peer peer) {
        if (smoothedRoundTripMicros == 0) {
            return (int) (peer.roundTripTime + 4 * peer.roundTripTimeVariance);
        }
        long margin = Math.max(4 * roundTripVarianceMicros, MINIMUM_TIMEOUT_MARGIN_MS * 1000L);
        return (int) ((smoothedRoundTripMicros + margin + 999) / 1000);
    }

    /** @return the timer after a timeout: doubled, but while the peer is alive at most twice the current timeout */
    int backOff(Peer peer, OutgoingCommand c) {
        long doubled = 2L * c.roundTripTimeout;
        boolean alive = peer.lastReceiveTime != 0 && Time.less(c.sentTime, peer.lastReceiveTime);
        if (alive) {
            doubled = Math.min(doubled, 2L * retransmissionTimeout(peer));
        }
        return (int) Math.min(doubled, Integer.MAX_VALUE / 4);
    }

    /** @return ms between two transmissions of one command by copy */
    int copySpacing() {
        long srtt = smoothedRoundTripMicros / 1000;
        return (int) Math.max(1, Math.min(20, srtt / 8));
    }

    /** Counts reliable bytes acknowledged, and every round trip turns them into a delivery rate. */
    void acknowledgedBytes(int bytes, int now) {
        ackedBytes += bytes;
        int interval = (int) Math.max(20, smoothedRoundTripMicros / 1000);
        int elapsed = (int) Time.difference(now, deliveryEpoch);
        if (deliveryEpoch == 0) {
            deliveryEpoch = now;
            ackedBytes = 0;
        } else if (elapsed >= interval) {
            double rate = (double) ackedBytes / elapsed;
            // The best recent rate, forgotten slowly: one bad round trip does not shrink the window.
            deliveryRate = Math.max(rate, deliveryRate * 0.875);
            ackedBytes = 0;
            deliveryEpoch = now;
        }
    }

    /** @return ENet's reliable window: the negotiated window scaled by the packet throttle */
    static long enetWindow(Peer peer) {
        return (peer.packetThrottle * peer.windowSize) / Peer.PACKET_THROTTLE_SCALE;
    }

    /** @return the most reliable data that may be in flight: ENet's throttled window, or the path's */
    long reliableWindow(Peer peer) {
        long enet = enetWindow(peer);
        if (minimumRoundTrip < LONG_PATH_MS) {
            return enet;
        }
        long path = (long) (2 * deliveryRate * minimumRoundTrip);
        return Math.max(Math.max(enet, peer.windowSize), Math.min(path, MAXIMUM_WINDOW));
    }
}

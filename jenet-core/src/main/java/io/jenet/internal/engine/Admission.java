package io.jenet.internal.engine;

import java.net.InetSocketAddress;

/**
 * Who gets in: the slot a CONNECT takes, and whether a connected peer's datagram is read at all.
 * ENet's own rules (a free slot, at most {@link Host#duplicatePeers} per IP address, a repeated
 * CONNECT ignored) and what jenet adds against floods without changing the wire live here, apart
 * from the faithful port of {@code protocol.c} in {@link Incoming}: a bound on pending handshakes
 * per address and in total, the oldest pending handshake giving way to a newcomer, and a per-peer
 * token bucket on incoming bytes.
 *
 * <p>Thread-safety: none; part of its host.
 */
final class Admission {
    private final Host host;
    /** Most pending handshakes (CONNECT received, not yet acknowledged) from one IP address. */
    int maximumHalfOpenPerAddress = Host.DEFAULT_MAXIMUM_HALF_OPEN_PER_ADDRESS;
    /** Most pending handshakes in total before the oldest gives way to a new one. */
    int maximumHalfOpen;
    /**
     * Whether a full host evicts its oldest pending handshake for a new CONNECT (ENet refuses it).
     * Always true in use; only a test in this package clears it, to run ENet's policy beside ours.
     */
    boolean evictPendingHandshakes = true;
    /** Bytes per second one connected peer may send us; 0 = no limit (ENet's behaviour). */
    long peerIncomingLimit;
    /** CONNECTs refused (no slot, too many from one address, duplicates). */
    long refusedConnects;
    /** Pending handshakes evicted to make room for newer ones. */
    long evictedHalfOpen;
    /** Datagrams dropped because their peer exceeded {@link #peerIncomingLimit}. */
    long throttledDatagrams;

    Admission(Host host, int peerCount) {
        this.host = host;
        this.maximumHalfOpen = peerCount;
    }

    /**
     * ENet's search for a CONNECT's slot, with jenet's bounds on pending handshakes.
     *
     * @return the slot (reset, if a pending handshake gave way), or null: a repeated CONNECT
     *         (ignored, as ENet) or a refused one (counted)
     */
    Peer slotForConnect(InetSocketAddress from, int connectID) {
        Peer peer = null;
        int duplicatePeers = 0;
        int halfOpenHere = 0;
        int halfOpen = 0;
        Peer oldestHalfOpen = null;
        for (Peer current : host.peers) {
            if (current.state == Peer.STATE_DISCONNECTED) {
                if (peer == null) {
                    peer = current;
                }
                continue;
            }
            if (current.state == Peer.STATE_ACKNOWLEDGING_CONNECT) {
                halfOpen++;
                if (oldestHalfOpen == null || Time.less(current.halfOpenSince, oldestHalfOpen.halfOpenSince)) {
                    oldestHalfOpen = current;
                }
            }
            if (current.state != Peer.STATE_CONNECTING && current.address != null
                    && current.address.getAddress().equals(from.getAddress())) {
                if (current.address.getPort() == from.getPort() && current.connectID == connectID) {
                    return null;
                }
                ++duplicatePeers;
                if (current.state == Peer.STATE_ACKNOWLEDGING_CONNECT) {
                    halfOpenHere++;
                }
            }
        }
        if (duplicatePeers >= host.duplicatePeers || halfOpenHere >= maximumHalfOpenPerAddress) {
            refusedConnects++;
            return null;
        }
        // A handshake that never completes must not hold a slot an honest client needs. When
        // slots run out, or too many handshakes are pending, the oldest pending one gives way; its
        // client, if real, simply retries its CONNECT.
        if ((peer == null || halfOpen >= maximumHalfOpen) && oldestHalfOpen != null && evictPendingHandshakes) {
            oldestHalfOpen.reset();
            evictedHalfOpen++;
            peer = oldestHalfOpen;
        }
        if (peer == null) {
            refusedConnects++;
        }
        return peer;
    }

    /**
     * Token bucket over a connected peer's incoming bytes: refilled at {@link #peerIncomingLimit},
     * holding at most a quarter second's worth (at least 64 KiB) so bursts pass and a sustained
     * flood does not. Off (everything admitted) when the limit is 0.
     *
     * @return whether a datagram of {@code length} bytes from {@code peer} is read
     */
    boolean admitDatagram(Peer peer, int length, int now) {
        long bytesPerSecond = peerIncomingLimit;
        if (bytesPerSecond <= 0) {
            return true;
        }
        long capacity = Math.max(65_536, bytesPerSecond / 4);
        if (!peer.incomingAllowanceStarted) {
            peer.incomingAllowanceStarted = true;
            peer.incomingAllowance = capacity;
        } else if (!Time.less(now, peer.incomingAllowanceTime)) {
            long elapsed = Math.min(1000, Time.difference(now, peer.incomingAllowanceTime));
            peer.incomingAllowance = Math.min(capacity, peer.incomingAllowance + elapsed * bytesPerSecond / 1000);
        }
        peer.incomingAllowanceTime = now;
        if (peer.incomingAllowance < length) {
            peer.throttledDatagrams++;
            throttledDatagrams++;
            return false;
        }
        peer.incomingAllowance -= length;
        return true;
    }
}

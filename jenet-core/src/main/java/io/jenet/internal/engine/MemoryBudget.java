package io.jenet.internal.engine;

/**
 * What a remote peer can make a host hold, and what happens past it. ENet bounds each peer (its
 * maximum packet size and maximum waiting data) but not the host, and C ENet gets away with a
 * 32 MiB reassembly buffer per announced fragmented packet because {@code malloc} does not touch
 * the pages until data arrives; a Java array is zeroed and committed at once. So jenet:
 *
 * <ul>
 *   <li>holds a fragmented packet's bytes as they arrive: up to {@link #CONTIGUOUS_LIMIT} in one
 *       array, larger ones in {@link #CHUNK}-byte chunks allocated when a fragment lands in them
 *       and joined when the packet is complete;
 *   <li>counts everything a peer has sent that the application cannot have yet ("incomplete":
 *       fragments of unfinished packets, reliable commands waiting for an earlier one, unreliable
 *       ones waiting for their reliable predecessor) against one host-wide budget; past it, the
 *       unreliable data of the peer that has held some longest is dropped first, then the peer that
 *       has held incomplete reliable data longest is disconnected (ENet cannot skip a reliable
 *       sequence number, so its stream could never complete). Stalled senders hold the oldest
 *       data; honest transfers complete and let go;
 *   <li>caps each peer's queued outgoing data (sent and unacknowledged, or not yet sent) and the
 *       host's total: past the peer cap its unreliable packets are dropped and a reliable one
 *       disconnects it; past the host total the peer with the largest backlog is disconnected.
 * </ul>
 *
 * <p>Every such drop and disconnection is counted per host and per peer, and recorded as a JFR
 * {@code io.jenet.MemoryBudget} event.
 *
 * <p>Thread-safety: none; part of one engine host.
 */
final class MemoryBudget {
    /** Fragmented packets up to this size are reassembled in one array from the first fragment. */
    static final int CONTIGUOUS_LIMIT = 64 * 1024;
    /** Larger ones grow in chunks of this size, as fragments arrive. */
    static final int CHUNK = 16 * 1024;
    /** Chunks kept for reuse (4 MiB). */
    private static final int CHUNKS_POOLED = 256;

    private final Host host;
    private final java.util.ArrayDeque<byte[]> chunks = new java.util.ArrayDeque<>();
    /** Bytes held for incomplete incoming data, host-wide. */
    long incompleteBytes;
    long incompleteLimit = defaultIncompleteLimit();
    /** Bytes queued for sending (unacknowledged or unsent), host-wide. */
    long outgoingBytes;
    long outgoingLimit = defaultOutgoingLimit();
    long peerOutgoingLimit = DEFAULT_PEER_OUTGOING_LIMIT;
    long droppedIncomingPackets;
    long refusedIncomingCommands;
    long droppedOutgoingPackets;
    long disconnectedPeers;

    /** Default per-peer outgoing cap: room for two packets of ENet's maximum size. */
    static final long DEFAULT_PEER_OUTGOING_LIMIT = 64L << 20;

    MemoryBudget(Host host) {
        this.host = host;
    }

    /** An eighth of the heap, between 16 MiB and 1 GiB: 128 MiB for a 1 GiB heap. */
    static long defaultIncompleteLimit() {
        return Math.max(16L << 20, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8));
    }

    /** A quarter of the heap, at least 64 MiB: 256 MiB for a 1 GiB heap. */
    static long defaultOutgoingLimit() {
        return Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    // ---- incoming ----

    /**
     * Holds {@code bytes} more for {@code ic} (queued by {@code peer}), making room if needed.
     *
     * @return false if there is no room: the data is not to be kept (the caller drops the command,
     *         and ENet's sender retransmits it if it is reliable); also false if {@code peer} itself
     *         was disconnected to make room
     */
    boolean hold(Peer peer, IncomingCommand ic, long bytes) {
        boolean reliable = ic.isReliable();
        while (incompleteBytes + bytes > incompleteLimit) {
            Peer victim = oldestHolder(false, peer, ic);
            if (victim != null) {
                droppedIncomingPackets += victim.dropHeldUnreliable(ic);
                continue;
            }
            if (!reliable) {
                droppedIncomingPackets++;
                peer.budgetDroppedPackets++;
                JenetEvents.memoryBudget(peer, "unreliable packet dropped", bytes);
                return false;
            }
            victim = oldestHolder(true, peer, ic);
            if (victim == null || victim == peer) {
                // Nothing older to give up, or this peer is the one stalling: it goes.
                refusedIncomingCommands++;
                disconnect(peer, "incomplete reliable data over the host budget", bytes);
                return false;
            }
            disconnect(victim, "incomplete reliable data over the host budget", victim.heldReliable);
        }
        add(peer, ic, bytes);
        return true;
    }

    /** Holds bytes that cannot be refused (a completed packet joined from its chunks). */
    void force(Peer peer, IncomingCommand ic, long bytes) {
        add(peer, ic, bytes);
    }

    private void add(Peer peer, IncomingCommand ic, long bytes) {
        if (bytes == 0) {
            return;
        }
        incompleteBytes += bytes;
        ic.held += bytes;
        if (ic.isReliable()) {
            if (peer.heldReliable == 0) {
                peer.heldReliableSince = host.serviceTime;
            }
            peer.heldReliable += bytes;
        } else {
            if (peer.heldUnreliable == 0) {
                peer.heldUnreliableSince = host.serviceTime;
            }
            peer.heldUnreliable += bytes;
        }
    }

    /** Lets go of what {@code ic} held: it was dispatched to the application or discarded. */
    void release(Peer peer, IncomingCommand ic) {
        if (ic.held == 0) {
            return;
        }
        incompleteBytes -= ic.held;
        if (ic.isReliable()) {
            peer.heldReliable -= ic.held;
        } else {
            peer.heldUnreliable -= ic.held;
        }
        ic.held = 0;
        if (ic.chunks != null) {
            for (byte[] c : ic.chunks) {
                if (c != null && chunks.size() < CHUNKS_POOLED) {
                    chunks.push(c);
                }
            }
            ic.chunks = null;
        }
    }

    /**
     * @return the peer that has held data of the kind longest; for unreliable data never
     *         {@code owner}, whose channel lists are being worked on by the caller
     */
    private Peer oldestHolder(boolean reliable, Peer owner, IncomingCommand building) {
        Peer oldest = null;
        int since = 0;
        for (Peer p : host.peers) {
            long held = reliable ? p.heldReliable : p.heldUnreliable;
            if (held <= 0 || (!reliable && p == owner)) {
                continue;
            }
            int s = reliable ? p.heldReliableSince : p.heldUnreliableSince;
            if (oldest == null || Time.less(s, since)) {
                oldest = p;
                since = s;
            }
        }
        return oldest;
    }

    /** A zeroed chunk, reused when one is free. */
    byte[] chunk() {
        byte[] c = chunks.poll();
        if (c == null) {
            return new byte[CHUNK];
        }
        java.util.Arrays.fill(c, (byte) 0);
        return c;
    }

    // ---- outgoing ----

    /**
     * Whether {@code peer} may queue {@code length} more bytes; if not, applies the policy (an
     * unreliable packet is dropped, a reliable one disconnects the peer) and returns false.
     */
    boolean admitOutgoing(Peer peer, int length, boolean reliable) {
        if (peer.queuedOutgoingData + length <= peerOutgoingLimit) {
            return true;
        }
        if (!reliable) {
            droppedOutgoingPackets++;
            peer.budgetDroppedPackets++;
            JenetEvents.memoryBudget(peer, "outgoing unreliable packet dropped", length);
            return false;
        }
        disconnect(peer, "queued outgoing data over the peer cap", peer.queuedOutgoingData + length);
        return false;
    }

    void queued(Peer peer, long bytes) {
        peer.queuedOutgoingData += bytes;
        outgoingBytes += bytes;
    }

    /** After a send call: past the host total, the peer with the largest backlog goes. */
    void checkOutgoingTotal() {
        while (outgoingBytes > outgoingLimit) {
            Peer largest = null;
            for (Peer p : host.peers) {
                if (p.queuedOutgoingData > 0 && (largest == null || p.queuedOutgoingData > largest.queuedOutgoingData)) {
                    largest = p;
                }
            }
            if (largest == null) {
                return;
            }
            disconnect(largest, "queued outgoing data over the host budget", largest.queuedOutgoingData);
        }
    }

    private void disconnect(Peer peer, String why, long bytes) {
        disconnectedPeers++;
        JenetEvents.memoryBudget(peer, why, bytes);
        peer.disconnectAbruptly();
    }
}

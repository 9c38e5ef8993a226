package io.jenet.internal.engine;

import io.jenet.internal.compress.Compressor;

/**
 * The settings an application may change on a host at any time (ENet's host fields, jenet's
 * limits), as one value: the facade keeps one, changes a field, and hands the whole value to
 * {@link Host#configure}, whether the host exists yet or not. A 0 in a limit means "the default".
 *
 * <p>Thread-safety: none; owned by the thread that owns the host.
 */
public final class HostSettings {
    /** Datagram compressor, or null for none. */
    public Compressor compressor;
    /** ENet's CRC-32 datagram checksum. */
    public boolean checksum;
    /** MTU offered to new connections. */
    public int mtu = Host.DEFAULT_MTU;
    /** Largest packet sent or accepted. */
    public int maximumPacketSize = Host.DEFAULT_MAXIMUM_PACKET_SIZE;
    /** Drop CONNECTs from new peers. */
    public boolean refuseNewConnections;
    /** Pending handshakes per IP address. */
    public int halfOpenPerAddress = Host.DEFAULT_MAXIMUM_HALF_OPEN_PER_ADDRESS;
    /** Pending handshakes in all; 0 = every slot. */
    public int halfOpenTotal;
    /** Bytes per second one peer may send the host; 0 = no cap. */
    public long peerIncomingLimit;
    /** Budget for incomplete incoming data; 0 = an eighth of the heap (16 MiB … 1 GiB). */
    public long incompleteDataLimit;
    /** Cap on data queued to one peer; 0 = 64 MiB. */
    public long peerOutgoingLimit;
    /** Cap on data queued to all peers; 0 = a quarter of the heap (at least 64 MiB). */
    public long outgoingDataLimit;
    /** Time retransmissions, the round trip and the reliable window exactly as ENet 1.3 does (see {@link LossRecovery}). */
    public boolean exactEnetTiming;
}

package io.jenet.internal.transport;

import java.net.InetSocketAddress;

/**
 * Godot's DTLS extension for ENet: sits between the UDP socket and the ENet engine, so that each
 * ENet datagram travels as one DTLS application-data record. {@link DtlsServer} and
 * {@link DtlsClient} are the two ends.
 *
 * <p>Godot polls its DTLS layer inside every datagram send and receive, so a host serviced with
 * a timeout of 0 still drives handshakes; the connection that owns a layer calls {@link #poll}
 * on every pass of its service loop and on flush for the same reason.
 *
 * <p>Sessions live as long as the ENet peer at their address: the connection reports peers with
 * {@link #peerAttached} and {@link #peerReleased}; a session no peer adopts within
 * {@link #UNBOUND_SESSION_MS} is dropped.
 *
 * <p>Thread-safety: none; driven by the thread of the connection that owns it.
 */
public interface DtlsLayer {
    /** A session that no ENet peer has adopted after this long is dropped, as Godot does. */
    long UNBOUND_SESSION_MS = 8_000;

    /**
     * Takes one datagram from the socket.
     *
     * @param from its sender
     * @param data the datagram
     * @param length its length
     * @param out where a decrypted ENet datagram goes
     * @param now clock in ms
     * @return the ENet datagram's length in {@code out}, or -1 if there is none (handshake traffic,
     *         or dropped)
     */
    int receive(InetSocketAddress from, byte[] data, int length, byte[] out, long now);

    /**
     * Encrypts and sends one datagram. Without an established session it is held until the
     * handshake completes (a server drops datagrams to addresses without a session); a client
     * starts its one session with the first datagram it sends.
     *
     * @return {@code length} if sent, 0 if held or dropped, -1 if the socket refused it
     */
    int send(InetSocketAddress to, byte[] data, int offset, int length, long now);

    /** Retransmits handshake flights and forgets failed and unadopted sessions; cheap when nothing is due. */
    void poll(long now);

    /** @return when {@link #poll} next has work, in ms of the same clock, or {@code Long.MAX_VALUE} */
    long dueAt();

    /**
     * An ENet peer now exists at {@code address}: the session there lives as long as it does.
     *
     * @param address the peer's address
     */
    void peerAttached(InetSocketAddress address);

    /**
     * The ENet peer at {@code address} is gone (disconnected, reset or timed out): once no peer is
     * left there, its session is dropped.
     *
     * @param address the peer's address
     */
    void peerReleased(InetSocketAddress address);

    /**
     * Whether a session of ours failed since the last call (a client's handshake was refused or
     * broke); the connection reports it as {@code EVENT_ERROR}, as Godot's DTLS client does.
     *
     * @return true once per failure
     */
    boolean takeFailure();

    /** @return datagrams dropped: from unknown or refused addresses, malformed, or on failed sessions */
    long droppedDatagrams();

    /** @return established sessions */
    int establishedSessions();

    /** @return sessions kept, established or handshaking */
    int sessions();

    /** @return the reason the last session failed (e.g. certificate verification), or null */
    String lastFailure();
}

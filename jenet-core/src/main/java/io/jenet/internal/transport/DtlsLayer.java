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
 * {@link #peerAttached} and {@link #peerReleased}; a session no peer adopts is dropped once its
 * remote has been silent for {@link #UNADOPTED_IDLE_MS}.
 *
 * <p>Thread-safety: none; driven by the thread of the connection that owns it.
 */
public interface DtlsLayer {
    /**
     * A session no ENet peer has adopted is dropped once nothing has come from its remote for this
     * long. ENet's CONNECT retransmissions through heavy loss can leave gaps of 16 s (500 ms
     * doubling) and ENet gives up a connect after 30 s by default, so anything shorter would cut
     * off a Godot or C client whose CONNECT is still on its way: those clients never start a
     * session over and would send into nothing until ENet gives up.
     */
    long UNADOPTED_IDLE_MS = 32_000;

    /** A client whose handshake has not finished this long after it began starts it over. */
    long HANDSHAKE_RESTART_MS = 8_000;

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

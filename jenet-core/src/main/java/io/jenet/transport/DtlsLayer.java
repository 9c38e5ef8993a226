package io.jenet.transport;

import java.net.InetSocketAddress;

/**
 * Godot's DTLS extension for ENet: sits between the UDP socket and the ENet engine, so that each
 * ENet datagram travels as one DTLS application-data record. {@link DtlsServer} and
 * {@link DtlsClient} are the two ends.
 *
 * <p>Thread-safety: none; driven by the thread of the connection that owns it.
 */
public interface DtlsLayer {
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
     * Encrypts and sends one ENet datagram; without an established session it is dropped (ENet
     * retransmits), and a client starts the handshake with the first one to a server.
     *
     * @return {@code length} if sent, 0 if dropped
     */
    int send(InetSocketAddress to, byte[] data, int offset, int length, long now);

    /** Retransmits handshake flights and forgets idle or failed sessions. */
    void poll(long now);

    /** @return when {@link #poll} next has work, in ms of the same clock, or {@code Long.MAX_VALUE} */
    long dueAt();

    /** @return datagrams dropped: from unknown or refused addresses, malformed, or on failed sessions */
    long droppedDatagrams();

    /** @return established sessions */
    int establishedSessions();

    /** @return the reason the last session failed (e.g. certificate verification), or null */
    String lastFailure();
}

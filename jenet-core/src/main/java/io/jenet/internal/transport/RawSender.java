package io.jenet.internal.transport;

import java.net.InetSocketAddress;

/** Where a DTLS layer puts its datagrams: the UDP socket ({@link UdpTransport#send}). */
@FunctionalInterface
public interface RawSender {
    /**
     * Sends one datagram.
     *
     * @param to destination
     * @param data bytes
     * @param offset start
     * @param length length
     * @return bytes sent, 0 if dropped locally
     */
    int send(InetSocketAddress to, byte[] data, int offset, int length);
}

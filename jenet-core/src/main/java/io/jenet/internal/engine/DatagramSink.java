package io.jenet.internal.engine;

import java.net.InetSocketAddress;

/**
 * Where the engine puts the datagrams it wants sent: the UDP transport in production, the
 * simulated network in tests.
 */
@FunctionalInterface
public interface DatagramSink {
    /**
     * Sends one datagram. The bytes are only valid during the call.
     *
     * @param to destination
     * @param data buffer
     * @param offset start of the datagram
     * @param length datagram length
     * @return bytes sent (0 if the datagram was dropped locally), or -1 on a socket error
     */
    int send(InetSocketAddress to, byte[] data, int offset, int length);
}

package io.jenet.internal.engine;

import java.net.InetSocketAddress;

/**
 * Where a host pushes its datagrams as each send pass makes them: the simulated networks of the
 * tests and benchmarks. The transport pulls them instead ({@link Host#pollTransmit}), so that it
 * owns the buffer and can send several at once.
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

package io.jenet.testkit;

import java.net.InetSocketAddress;

/**
 * Sees every datagram a connection on a {@link SimulatedNetwork} sends, as it was sent (before the
 * link drops, delays or duplicates it): for tests that check the bytes on the wire, or that two
 * runs with one seed sent the same bytes. Set with {@link SimulatedNetwork#setWireTap}.
 *
 * <p>Thread-safety: called on the thread that drives the network, during the connection's
 * {@code service}, {@code flush} or other call that sent the datagram.
 */
@FunctionalInterface
public interface WireTap {
    /**
     * @param virtualNanos the network's clock when it was sent ({@link SimulatedNetwork#nowNanos()})
     * @param from the sending socket's address
     * @param to the destination
     * @param datagram the bytes, a copy the tap may keep (do not change it: it is what will be delivered)
     */
    void sent(long virtualNanos, InetSocketAddress from, InetSocketAddress to, byte[] datagram);
}

package io.jenet.testkit;

/**
 * What a {@link SimulatedNetwork} did with the datagrams handed to it, since it was created. Every
 * datagram sent ends in exactly one of {@code lost}, {@code queueDropped}, or (with its duplicate,
 * if it got one) {@code delivered}, {@code undeliverable}, {@code receiveOverflows}, or is still in
 * flight.
 *
 * <p>Thread-safety: immutable, safe from any thread.
 *
 * @param sent datagrams the connections sent
 * @param lost dropped by a link's loss
 * @param duplicated extra copies a link's duplication made
 * @param queueDropped dropped because a capped link's queue was full (drop-tail)
 * @param delivered copies put into the receiving socket's queue
 * @param undeliverable copies that arrived where no socket was bound (ICMP "port unreachable" on a
 *                      real network, which ENet ignores too)
 * @param receiveOverflows copies dropped because the receiving socket's queue was full (a host
 *                         not serviced for long)
 * @param bytesDelivered bytes of the delivered copies
 */
public record NetworkStats(long sent, long lost, long duplicated, long queueDropped, long delivered, long undeliverable,
                           long receiveOverflows, long bytesDelivered) {
}

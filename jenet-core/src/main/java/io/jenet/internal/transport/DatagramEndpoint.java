package io.jenet.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A bound datagram socket and the clock its waits are measured on: what a {@link HostDriver}
 * needs from the world. {@link UdpTransport} (a real UDP socket and {@link System#nanoTime()}) is
 * the implementation jenet runs on; a simulated network (module {@code io.jenet.testkit}) supplies
 * another, whose clock is virtual and whose {@link #await} moves that clock instead of sleeping.
 * The clock lives here rather than in a separate object because the two must agree: a wait of
 * {@code n} ms must end {@code n} ms later on this clock.
 *
 * <p>In a JVM that only ever loads {@code UdpTransport}, every call through this interface has one
 * receiver class, so the JIT inlines it as it would a direct call.
 *
 * <p>Thread-safety: none required, except {@link #wakeup()}; a driver uses its endpoint from one
 * thread at a time.
 */
public interface DatagramEndpoint extends AutoCloseable {
    /**
     * Sends one datagram; a full send buffer drops it, as UDP would.
     *
     * @param to destination
     * @param data bytes
     * @param offset start
     * @param length length
     * @return bytes sent (or queued, on an endpoint that batches: see {@link #flush()}), 0 if dropped
     *         locally, -1 on a socket error ({@link #lastSendError()})
     */
    int send(InetSocketAddress to, byte[] data, int offset, int length);

    /**
     * Receives one datagram if one is waiting.
     *
     * @param into destination array (at least 65536 bytes to never truncate)
     * @param lengthOut element 0 receives the datagram length
     * @return the sender, or null if nothing was waiting
     * @throws IOException on a socket error
     */
    InetSocketAddress receive(byte[] into, int[] lengthOut) throws IOException;

    /**
     * Waits until a datagram may be read or the timeout passes on {@link #nanoTime()}'s clock.
     *
     * @param millis time to wait; 0 returns at once
     * @throws IOException on a failure of the wait
     */
    void await(long millis) throws IOException;

    /**
     * Sends what {@link #send} queued. An endpoint that batches its sends (one system call for
     * many datagrams) may hold them until this call; one that sends at once has nothing to do. A
     * {@link HostDriver} calls it before it waits, returns or hands control back.
     *
     * @return false if a queued datagram failed at the socket ({@link #lastSendError()}); the
     *         others were still sent
     */
    default boolean flush() {
        return true;
    }

    /**
     * Connects the socket to one remote address (a connected UDP socket: the kernel looks the
     * route up once rather than per datagram, and datagrams from anyone else are no longer
     * delivered), or dissolves the connection ({@code null}). A {@link #send} to any other
     * address dissolves it first. Endpoints without such a thing ignore it.
     *
     * @param remote the one address to talk to, or null for any
     * @throws IOException if the socket refuses (it is then left unconnected)
     */
    default void connect(InetSocketAddress remote) throws IOException {
    }

    /** Makes a blocked {@link #await} return early; safe from any thread. Endpoints that never block need not. */
    default void wakeup() {
    }

    /** @return the bound local port */
    int localPort();

    /** @return the exception of the last failed send, or null */
    Exception lastSendError();

    /** @return this endpoint's clock, in ns, with {@link System#nanoTime()}'s meaning (only differences count) */
    long nanoTime();

    /** Closes the endpoint; it cannot be used afterwards. */
    @Override
    void close();
}

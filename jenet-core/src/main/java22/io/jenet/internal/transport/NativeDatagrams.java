package io.jenet.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Java 22+ (this class is in the jar's {@code META-INF/versions/22}): batched datagrams through
 * the FFM API on Linux ({@link BatchedUdpEndpoint}).
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class NativeDatagrams {
    private NativeDatagrams() {
    }

    /** @return why batched datagrams cannot be used in this JVM, or null if they can */
    static String unavailable() {
        try {
            return LinuxSockets.UNAVAILABLE;
        } catch (LinkageError e) {
            return "the FFM API cannot be used here: " + e;
        }
    }

    /**
     * Opens a batched endpoint.
     *
     * @return the endpoint, or null if this machine cannot give one (no IPv6 sockets)
     * @throws IOException if the socket cannot be bound
     */
    static DatagramEndpoint open(InetSocketAddress bind, boolean sharePort) throws IOException {
        try {
            return new BatchedUdpEndpoint(bind, sharePort);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }
}

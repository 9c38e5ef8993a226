package io.jenet.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Batched datagrams ({@code recvmmsg}/{@code sendmmsg}) need the FFM API of Java 22; this is the
 * Java 17 class, which has none. On Java 22+ the jar's {@code META-INF/versions/22} holds the one
 * that binds them (jenet is a multi-release jar).
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class NativeDatagrams {
    private NativeDatagrams() {
    }

    /** @return why batched datagrams cannot be used in this JVM */
    static String unavailable() {
        return "batched datagrams need Java 22 or later and jenet's multi-release jar (this is Java "
                + Runtime.version().feature() + ", running jenet's Java 17 classes)";
    }

    /**
     * @return null: never available on this path
     * @throws IOException never here; the Java 22 class throws it when the socket cannot be bound
     */
    static DatagramEndpoint open(InetSocketAddress bind, boolean sharePort) throws IOException {
        return null;
    }
}

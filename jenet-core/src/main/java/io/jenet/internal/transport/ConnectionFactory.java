package io.jenet.internal.transport;

import io.jenet.ENetConnection;
import java.util.Objects;
import java.util.function.Function;

/**
 * Creates {@link ENetConnection}s whose hosts run on a given {@link DatagramNetwork}, for the
 * simulated network of module {@code io.jenet.testkit} (to which jenet exports this package, and
 * only to it). The public API has just the no-argument constructor, which runs on
 * {@link DatagramNetwork#UDP}; the constructor that takes a network is package-private in
 * {@code io.jenet}, and {@code ENetConnection} hands it over here when its class initializes (the
 * JDK's "shared secrets" pattern), so no public hook exists.
 *
 * <p>Thread-safety: safe from any thread.
 */
public final class ConnectionFactory {
    private static volatile Function<DatagramNetwork, ENetConnection> factory;

    private ConnectionFactory() {}

    /**
     * Called once by {@code ENetConnection}'s static initializer; later calls are ignored, so
     * nothing else can replace the constructor.
     *
     * @param constructor {@code ENetConnection}'s network constructor
     */
    public static synchronized void register(Function<DatagramNetwork, ENetConnection> constructor) {
        if (factory == null) {
            factory = Objects.requireNonNull(constructor, "constructor");
        }
    }

    /**
     * Creates a connection object on a network; call {@code createHost*} on it next, as usual.
     *
     * @param network where its host binds and gets its seed
     * @return the connection
     */
    public static ENetConnection create(DatagramNetwork network) {
        Objects.requireNonNull(network, "network");
        Function<DatagramNetwork, ENetConnection> f = factory;
        if (f == null) {
            try {
                // Initializing the class runs its registration.
                Class.forName(ENetConnection.class.getName(), true, ENetConnection.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            f = factory;
        }
        return f.apply(network);
    }
}

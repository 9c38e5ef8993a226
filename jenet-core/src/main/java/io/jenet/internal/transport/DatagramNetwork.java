package io.jenet.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;

/**
 * Where a {@link HostDriver} binds its endpoint and gets the seed of its host's randomness
 * (ENet's connect IDs and the like): the real network ({@link #UDP}), or a simulated one whose
 * seeds come from one master seed so that a whole run is reproducible.
 *
 * <p>Thread-safety: {@link #UDP} is safe from any thread; other implementations state their own.
 */
public interface DatagramNetwork {
    /**
     * Real UDP sockets ({@link UdpEndpoints} chooses batched or {@code DatagramChannel}) and a
     * {@link SecureRandom} seed per host.
     */
    DatagramNetwork UDP = new DatagramNetwork() {
        @Override
        public DatagramEndpoint bind(InetSocketAddress address) throws IOException {
            return UdpEndpoints.open(address, false);
        }

        @Override
        public DatagramEndpoint bindShared(InetSocketAddress address) throws IOException {
            return UdpEndpoints.open(address, true);
        }

        @Override
        public long newRandomSeed() {
            return new SecureRandom().nextLong();
        }
    };

    /**
     * Binds an endpoint.
     *
     * @param address local address, or a wildcard address with the port (port 0 = any free port)
     * @return the bound endpoint
     * @throws IOException if it cannot be bound (a {@link java.net.BindException} if the address is in use)
     */
    DatagramEndpoint bind(InetSocketAddress address) throws IOException;

    /**
     * Binds an endpoint that shares its address and port with the others bound this way
     * ({@code SO_REUSEPORT}): the kernel hands all datagrams of one remote address to one of them,
     * so several hosts, each on its own thread, serve one port.
     *
     * @param address local address and port (port 0: any free port, which the others then name)
     * @return the bound endpoint
     * @throws IOException if it cannot be bound, or this network cannot share a port
     */
    default DatagramEndpoint bindShared(InetSocketAddress address) throws IOException {
        throw new IOException("this network cannot share a port between hosts");
    }

    /** @return the seed for a new host's random generator */
    long newRandomSeed();
}

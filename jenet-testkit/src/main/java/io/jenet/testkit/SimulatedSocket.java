package io.jenet.testkit;

import io.jenet.internal.transport.DatagramEndpoint;
import io.jenet.internal.transport.UdpTransport;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One bound address on a {@link SimulatedNetwork}: the endpoint an {@code ENetConnection}'s driver
 * runs on. Like a real socket it has a receive queue, bounded as jenet's real sockets are
 * ({@link UdpTransport#SOCKET_BUFFER_SIZE}): datagrams are put there when they arrive, in virtual
 * time, and wait until the owner services its connection.
 *
 * <p>Thread-safety: none; the network's thread only.
 */
final class SimulatedSocket implements DatagramEndpoint {
    private record Arrived(InetSocketAddress from, byte[] data) {}

    private final SimulatedNetwork network;
    private final InetSocketAddress address;
    private final ArrayDeque<Arrived> queue = new ArrayDeque<>();
    private int queuedBytes;
    private boolean closed;
    private Exception lastSendError;

    SimulatedSocket(SimulatedNetwork network, InetSocketAddress address) {
        this.network = network;
        this.address = address;
    }

    InetSocketAddress address() {
        return address;
    }

    boolean hasDatagram() {
        return !queue.isEmpty();
    }

    /** @return whether it was queued; false if the receive queue is full */
    boolean offer(InetSocketAddress from, byte[] data) {
        if (queuedBytes + data.length > UdpTransport.SOCKET_BUFFER_SIZE) {
            return false;
        }
        queue.add(new Arrived(from, data));
        queuedBytes += data.length;
        return true;
    }

    @Override
    public int send(InetSocketAddress to, byte[] data, int offset, int length) {
        if (closed) {
            lastSendError = new ClosedChannelException();
            return -1;
        }
        network.transmit(address, to, data, offset, length);
        return length;
    }

    @Override
    public InetSocketAddress receive(byte[] into, int[] lengthOut) {
        network.checkThread();
        Arrived a = queue.poll();
        if (a == null) {
            return null;
        }
        queuedBytes -= a.data.length;
        int n = Math.min(a.data.length, into.length);
        System.arraycopy(a.data, 0, into, 0, n);
        lengthOut[0] = n;
        return a.from;
    }

    /** Moves the network's clock, as a blocking wait on this socket would let time pass. */
    @Override
    public void await(long millis) {
        network.awaitDatagram(this, millis);
    }

    @Override
    public int localPort() {
        return address.getPort();
    }

    @Override
    public Exception lastSendError() {
        return lastSendError;
    }

    @Override
    public long nanoTime() {
        return network.nowNanos();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            queue.clear();
            queuedBytes = 0;
            network.unbind(this);
        }
    }

    @Override
    public String toString() {
        return "SimulatedSocket[" + address + (closed ? ", closed]" : "]");
    }
}

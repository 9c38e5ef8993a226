package io.jenet.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * A non-blocking UDP socket with a selector to wait on, the only place where jenet touches the
 * network. Opened dual-stack where the platform allows, so one host talks to IPv4 and IPv6 peers.
 *
 * <p>Thread-safety: none, except {@link #wakeup()}, which any thread may call.
 */
public final class UdpTransport implements DatagramEndpoint {
    /** Socket buffer sizes, as ENet's ENET_HOST_RECEIVE_BUFFER_SIZE / SEND_BUFFER_SIZE. */
    public static final int SOCKET_BUFFER_SIZE = 256 * 1024;

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(65536);
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(65536);
    private long sendErrors;
    private Exception lastSendError;
    /** The address the channel is connected to, or null. */
    private InetSocketAddress connected;

    /**
     * Binds a socket.
     *
     * @param bind local address, or a wildcard address with the port (port 0 = any free port)
     * @throws IOException if the socket cannot be opened or bound
     */
    public UdpTransport(InetSocketAddress bind) throws IOException {
        this(bind, false);
    }

    /**
     * Binds a socket, optionally sharing its port ({@link DatagramNetwork#bindShared}).
     *
     * @param bind local address, or a wildcard address with the port (port 0 = any free port)
     * @param sharePort whether to set {@code SO_REUSEPORT} before binding
     * @throws IOException if the socket cannot be opened or bound, or the platform cannot share ports
     */
    public UdpTransport(InetSocketAddress bind, boolean sharePort) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.configureBlocking(false);
            if (sharePort) {
                if (!ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new IOException("this platform cannot share a UDP port between sockets (no SO_REUSEPORT)");
                }
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_SIZE);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_SIZE);
            ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
            ch.bind(bind);
            this.selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        this.channel = ch;
    }

    /** @return the bound local port */
    @Override
    public int localPort() {
        try {
            SocketAddress a = channel.getLocalAddress();
            return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getPort() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return the bound local address */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Sends one datagram; a full socket buffer drops it, as UDP would (C ENet's
     * {@code EWOULDBLOCK}). Any other failure (no route, address family not supported by the
     * socket, socket closed) is an error, as in C ENet and Godot, where it ends the service call
     * with an error event.
     *
     * @return bytes sent, 0 if dropped locally, -1 on a socket error
     */
    @Override
    public int send(InetSocketAddress to, byte[] data, int offset, int length) {
        if (connected != null && to != connected && !to.equals(connected)) {
            try {
                connect(null);
            } catch (IOException e) {
                sendErrors++;
                lastSendError = e;
                return -1;
            }
        }
        sendBuffer.clear();
        sendBuffer.put(data, offset, length);
        sendBuffer.flip();
        try {
            return connected != null ? channel.write(sendBuffer) : channel.send(sendBuffer, to);
        } catch (PortUnreachableException e) {
            // An ICMP error for an earlier datagram, reported on a connected socket only: ENet never
            // sees those (its peer times out), so neither do we.
            return length;
        } catch (IOException | UnsupportedAddressTypeException | UnresolvedAddressException e) {
            sendErrors++;
            lastSendError = e;
            return -1;
        }
    }

    /** @return the exception of the last failed send, or null */
    @Override
    public Exception lastSendError() {
        return lastSendError;
    }

    /**
     * Receives one datagram if one is waiting.
     *
     * @param into destination array (at least 65536 bytes to never truncate)
     * @param lengthOut element 0 receives the datagram length
     * @return the sender, or null if nothing was waiting
     * @throws IOException on a socket error
     */
    @Override
    public InetSocketAddress receive(byte[] into, int[] lengthOut) throws IOException {
        receiveBuffer.clear();
        SocketAddress from;
        try {
            from = channel.receive(receiveBuffer);
        } catch (PortUnreachableException e) {
            // See send: an ICMP error on a connected socket; the next read finds the next datagram.
            return null;
        }
        if (from == null) {
            return null;
        }
        receiveBuffer.flip();
        int n = Math.min(receiveBuffer.remaining(), into.length);
        receiveBuffer.get(into, 0, n);
        lengthOut[0] = n;
        return (InetSocketAddress) from;
    }

    /**
     * Waits until a datagram may be read, the timeout passes, or {@link #wakeup()} is called.
     *
     * @param millis time to wait; 0 returns at once
     * @throws IOException on a selector failure
     */
    @Override
    public void await(long millis) throws IOException {
        if (millis <= 0) {
            selector.selectNow();
        } else {
            selector.select(millis);
        }
        selector.selectedKeys().clear();
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        if (connected != null) {
            connected = null;
            channel.disconnect();
        }
        if (remote != null) {
            channel.connect(remote);
            connected = remote;
        }
    }

    /** Makes a blocked {@link #await} return; safe from any thread. */
    @Override
    public void wakeup() {
        selector.wakeup();
    }

    /** @return datagrams whose send failed at the socket */
    public long sendErrors() {
        return sendErrors;
    }

    /** @return whether the socket is open */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** @return {@link System#nanoTime()}: a real socket waits in real time */
    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

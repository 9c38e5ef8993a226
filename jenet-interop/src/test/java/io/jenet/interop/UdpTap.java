package io.jenet.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback UDP forwarder for one client that keeps a copy of every datagram it passes, so a
 * test can read what a peer put on the wire: clients send to {@link #port()}, the tap forwards
 * to the server and back. Runs on its own thread until closed.
 */
final class UdpTap implements AutoCloseable {
    /** A datagram that went through: {@code toServer} tells the direction. */
    record Passed(boolean toServer, byte[] data) {}

    private final DatagramChannel front;
    private final DatagramChannel back;
    private final Selector selector;
    private final InetSocketAddress server;
    private final List<Passed> passed = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private SocketAddress client;

    UdpTap(InetSocketAddress server) throws IOException {
        this.server = server;
        selector = Selector.open();
        front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        front.configureBlocking(false).register(selector, SelectionKey.OP_READ);
        back.configureBlocking(false).register(selector, SelectionKey.OP_READ);
        thread = new Thread(this::loop, "udp-tap");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return ((InetSocketAddress) front.socket().getLocalSocketAddress()).getPort();
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        try {
            while (running) {
                selector.select(10);
                selector.selectedKeys().clear();
                for (SocketAddress from; (from = receive(front, buffer)) != null; ) {
                    client = from;
                    pass(true, buffer);
                    back.send(buffer, server);
                }
                while (receive(back, buffer) != null) {
                    pass(false, buffer);
                    if (client != null) {
                        front.send(buffer, client);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    private static SocketAddress receive(DatagramChannel channel, ByteBuffer buffer) throws IOException {
        buffer.clear();
        SocketAddress from = channel.receive(buffer);
        buffer.flip();
        return from;
    }

    private void pass(boolean toServer, ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        synchronized (passed) {
            passed.add(new Passed(toServer, copy));
        }
    }

    /** @return a copy of what went through so far, in order */
    List<Passed> passed() {
        synchronized (passed) {
            return List.copyOf(passed);
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join(5000);
        selector.close();
        front.close();
        back.close();
        if (failure != null) {
            throw new AssertionError("the tap failed", failure);
        }
    }
}

package io.jenet.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A UDP relay between one client and a server, on its own thread, that can be silenced: from then
 * on it forwards nothing in either direction and records the sizes of the client's datagrams.
 * With one reliable packet outstanding, the datagrams carrying it count the times the client sent
 * it before it gave up — ENet's send attempts.
 */
final class SilenceRelay implements AutoCloseable {
    private final DatagramChannel front;
    private final DatagramChannel back;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean silent;
    private volatile boolean closed;
    private final List<Integer> droppedFromClient = new CopyOnWriteArrayList<>();
    private SocketAddress client;

    /** Relays between the port {@link #port()} and the server at 127.0.0.1:{@code serverPort}. */
    SilenceRelay(int serverPort) throws IOException {
        front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        back.connect(new InetSocketAddress("127.0.0.1", serverPort));
        front.configureBlocking(false);
        back.configureBlocking(false);
        selector = Selector.open();
        front.register(selector, SelectionKey.OP_READ);
        back.register(selector, SelectionKey.OP_READ);
        thread = new Thread(this::run, "silence-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the port clients connect to */
    int port() throws IOException {
        return ((InetSocketAddress) front.getLocalAddress()).getPort();
    }

    /** Stops forwarding, for good. */
    void silence() {
        silent = true;
    }

    /** @return the sizes of the client's datagrams dropped since {@link #silence()}, in order */
    List<Integer> droppedFromClient() {
        return List.copyOf(droppedFromClient);
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        try {
            while (!closed) {
                selector.select(50);
                selector.selectedKeys().clear();
                SocketAddress from;
                while ((from = receive(front, buffer)) != null) {
                    client = from;
                    if (silent) {
                        droppedFromClient.add(buffer.remaining());
                    } else {
                        back.write(buffer);
                    }
                }
                while (receive(back, buffer) != null) {
                    if (!silent && client != null) {
                        front.send(buffer, client);
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                throw new IllegalStateException("relay failed", e);
            }
        }
    }

    private static SocketAddress receive(DatagramChannel channel, ByteBuffer buffer) throws IOException {
        buffer.clear();
        SocketAddress from = channel.receive(buffer);
        buffer.flip();
        return from;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        selector.close();
        front.close();
        back.close();
    }
}

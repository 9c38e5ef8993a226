package io.jenet.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A seeded UDP impairment relay on loopback, for tests between real processes: clients send to
 * {@link #port()}, the relay forwards to the server through one socket per client and back, losing,
 * duplicating and delaying (hence reordering) datagrams in each direction. Runs on its own thread
 * until closed. {@code jenet relay} runs one from the command line; tests and the benchmark
 * harness use it between real processes.
 *
 * <p>Thread-safety: {@link #impair}, {@link #port}, the counters and {@link #close} may be called
 * from any thread.
 */
public final class ImpairmentRelay implements AutoCloseable {
    private record Pending(long due, long seq, DatagramChannel via, InetSocketAddress to, byte[] data) {}

    private final InetSocketAddress server;
    private volatile double loss;
    private volatile double duplicate;
    private final int delayMs;
    private final int jitterMs;
    private final Random random;
    private final Selector selector;
    private final DatagramChannel front;
    private final Map<InetSocketAddress, DatagramChannel> backs = new HashMap<>();
    private final Map<DatagramChannel, InetSocketAddress> clients = new HashMap<>();
    private final PriorityQueue<Pending> queue = new PriorityQueue<>(
            (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private final Thread thread;
    private volatile boolean running = true;
    private long seq;
    private volatile long forwarded;
    private volatile long dropped;
    private volatile long bandwidth;
    /** When each direction's link is free again (nanoTime): [0] towards the server, [1] back. */
    private final long[] linkFreeAt = new long[2];
    private volatile long droppedOverBandwidth;

    /**
     * Starts a relay on an ephemeral loopback port.
     *
     * @param server where datagrams from clients go
     * @param loss probability (0..1) that a datagram is dropped, each direction
     * @param duplicate probability (0..1) that a datagram is sent twice
     * @param delayMs fixed one-way delay
     * @param jitterMs extra random delay, 0..jitterMs (reorders datagrams)
     * @param seed seed of the random choices
     * @throws IOException if the sockets cannot be opened
     */
    public ImpairmentRelay(InetSocketAddress server, double loss, double duplicate, int delayMs, int jitterMs, long seed) throws IOException {
        this.server = server;
        this.loss = loss;
        this.duplicate = duplicate;
        this.delayMs = delayMs;
        this.jitterMs = jitterMs;
        this.random = new Random(seed);
        this.selector = Selector.open();
        this.front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        front.configureBlocking(false);
        front.register(selector, SelectionKey.OP_READ);
        thread = new Thread(this::loop, "impairment-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Changes the impairment while running (e.g. a clean handshake, then loss).
     *
     * @param newLoss loss probability
     * @param newDuplicate duplication probability
     */
    public void impair(double newLoss, double newDuplicate) {
        loss = newLoss;
        duplicate = newDuplicate;
    }

    /**
     * Caps each direction at {@code bytesPerSecond}: datagrams queue behind each other as on a slow
     * link, and a datagram that would wait more than a second is dropped (a full router queue).
     *
     * @param bytesPerSecond the cap, or 0 for none
     */
    public void bandwidth(long bytesPerSecond) {
        bandwidth = Math.max(0, bytesPerSecond);
    }

    /** @return the datagrams dropped because the bandwidth cap's queue was full (counted in {@link #dropped} too) */
    public long droppedOverBandwidth() {
        return droppedOverBandwidth;
    }

    /** @return the datagrams forwarded so far */
    public long forwarded() {
        return forwarded;
    }

    /** @return the datagrams dropped so far */
    public long dropped() {
        return dropped;
    }

    /** @return the loopback port clients send to */
    public int port() {
        return ((InetSocketAddress) front.socket().getLocalSocketAddress()).getPort();
    }

    private void schedule(DatagramChannel via, InetSocketAddress to, byte[] data) {
        if (random.nextDouble() < loss) {
            dropped = dropped + 1;
            return;
        }
        int copies = random.nextDouble() < duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long now = System.nanoTime();
            long due = now + (delayMs + (jitterMs > 0 ? random.nextInt(jitterMs + 1) : 0)) * 1_000_000L;
            long cap = bandwidth;
            if (cap > 0) {
                int direction = via == front ? 1 : 0;
                long start = Math.max(now, linkFreeAt[direction]);
                if (start - now > 1_000_000_000L) {
                    dropped = dropped + 1;
                    droppedOverBandwidth = droppedOverBandwidth + 1;
                    continue;
                }
                linkFreeAt[direction] = start + data.length * 1_000_000_000L / cap;
                due += linkFreeAt[direction] - now;
            }
            queue.add(new Pending(due, seq++, via, to, data));
        }
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try {
            while (running) {
                long wait = queue.isEmpty() ? 50 : Math.max(1, (queue.peek().due - System.nanoTime()) / 1_000_000L);
                selector.select(wait);
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    while (true) {
                        buf.clear();
                        InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
                        if (from == null) {
                            break;
                        }
                        buf.flip();
                        byte[] data = new byte[buf.remaining()];
                        buf.get(data);
                        if (ch == front) {
                            DatagramChannel back = backs.get(from);
                            if (back == null) {
                                back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                                back.configureBlocking(false);
                                back.register(selector, SelectionKey.OP_READ);
                                backs.put(from, back);
                                clients.put(back, from);
                            }
                            schedule(back, server, data);
                        } else {
                            schedule(front, clients.get(ch), data);
                        }
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                while (!queue.isEmpty() && queue.peek().due <= now) {
                    Pending p = queue.poll();
                    p.via.send(ByteBuffer.wrap(p.data), p.to);
                    forwarded = forwarded + 1;
                }
            }
        } catch (IOException e) {
            if (running) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel c : backs.values()) {
            c.close();
        }
        front.close();
        selector.close();
    }
}

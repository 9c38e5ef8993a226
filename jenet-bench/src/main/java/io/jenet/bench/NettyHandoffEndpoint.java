package io.jenet.bench;

import io.jenet.internal.transport.DatagramEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What jenet would have to build to use Netty's epoll channel while keeping {@code service(timeout)}
 * on the application's thread: the channel lives on its own event loop thread; datagrams it reads
 * cross to the application's thread through a single-producer single-consumer ring, and datagrams
 * to send cross back through another, handed to the event loop by one task per {@link #flush()}
 * (which writes them all and flushes once: sendmmsg). {@link #await} parks the application's
 * thread; the event loop unparks it after a read when it is parked.
 *
 * <p>Thread-safety: one application thread calls everything except {@link #wakeup()}.
 */
final class NettyHandoffEndpoint implements DatagramEndpoint {
    private static final int RING = 8192;
    private static final int MASK = RING - 1;

    private final EventLoopGroup group;
    private final Channel channel;
    private final Thread owner = Thread.currentThread();

    // Event loop → application: received packets (their content not yet released).
    private final DatagramPacket[] in = new DatagramPacket[RING];
    private long inWrite; // event loop only
    private final AtomicLong inPublished = new AtomicLong();
    private long inRead; // application only
    private final AtomicLong inConsumed = new AtomicLong();
    private volatile boolean parked;

    // Application → event loop: datagrams to send.
    private final byte[][] out = new byte[RING][DatagramEchoServer.MAX_DATAGRAM];
    private final int[] outLength = new int[RING];
    private final InetSocketAddress[] outTo = new InetSocketAddress[RING];
    private long outWrite; // application only
    private final AtomicLong outPublished = new AtomicLong();
    private final AtomicLong outConsumed = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    private long dropped;

    NettyHandoffEndpoint(InetSocketAddress bind) throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            channel = DatagramEchoServer.configure(new Bootstrap().group(group)).handler(new Reader()).bind(bind).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException(e);
        }
    }

    /** Runs on the event loop: queues each datagram read, wakes the application after the read. */
    private final class Reader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            if (inWrite - inConsumed.get() >= RING) {
                p.release(); // the application is behind: drop, as a full socket buffer would
                dropped++;
                return;
            }
            in[(int) (inWrite & MASK)] = p;
            inWrite++;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inPublished.set(inWrite);
            if (parked) {
                LockSupport.unpark(owner);
            }
        }
    }

    @Override
    public InetSocketAddress receive(byte[] into, int[] lengthOut) {
        if (inRead == inPublished.get()) {
            return null;
        }
        int slot = (int) (inRead & MASK);
        DatagramPacket p = in[slot];
        in[slot] = null;
        inRead++;
        inConsumed.lazySet(inRead);
        ByteBuf content = p.content();
        int n = Math.min(content.readableBytes(), into.length);
        content.getBytes(content.readerIndex(), into, 0, n);
        InetSocketAddress from = p.sender();
        p.release();
        lengthOut[0] = n;
        return from;
    }

    @Override
    public int send(InetSocketAddress to, byte[] data, int offset, int length) {
        if (outWrite - outConsumed.get() >= RING || length > DatagramEchoServer.MAX_DATAGRAM) {
            return 0;
        }
        int slot = (int) (outWrite & MASK);
        System.arraycopy(data, offset, out[slot], 0, length);
        outLength[slot] = length;
        outTo[slot] = to;
        outWrite++;
        return length;
    }

    @Override
    public boolean flush() {
        if (outWrite != outPublished.get()) {
            outPublished.set(outWrite);
            if (drainScheduled.compareAndSet(false, true)) {
                channel.eventLoop().execute(drain);
            }
        }
        return true;
    }

    /** Runs on the event loop: writes every published datagram, then flushes once. */
    private void drain() {
        drainScheduled.set(false);
        long from = outConsumed.get();
        long to = outPublished.get();
        for (long i = from; i < to; i++) {
            int slot = (int) (i & MASK);
            int n = outLength[slot];
            ByteBuf buf = channel.alloc().directBuffer(n);
            buf.writeBytes(out[slot], 0, n);
            InetSocketAddress recipient = outTo[slot];
            outTo[slot] = null;
            channel.write(new DatagramPacket(buf, recipient), channel.voidPromise());
        }
        outConsumed.lazySet(to);
        channel.flush();
    }

    @Override
    public void await(long millis) {
        if (millis <= 0 || inRead != inPublished.get()) {
            return;
        }
        parked = true;
        if (inRead == inPublished.get()) {
            LockSupport.parkNanos(this, millis * 1_000_000L);
        }
        parked = false;
    }

    @Override
    public void wakeup() {
        LockSupport.unpark(owner);
    }

    @Override
    public int localPort() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public Exception lastSendError() {
        return null;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    /** @return datagrams dropped because the application fell a whole ring behind */
    long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}

package io.jenet.bench;

import io.jenet.internal.transport.DatagramEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Netty's epoll channel without a thread of Netty's own: Netty 4.2's {@link ManualIoEventLoop} is
 * owned by the thread that calls this endpoint (jenet's {@code service} thread), which runs it:
 * {@link #await} is {@code run(wait)} (epoll_wait, then the reads: recvmmsg), {@link #receive}
 * takes what the reads queued (running the loop once without blocking when nothing is queued),
 * {@link #send} writes to the channel and {@link #flush()} flushes it (sendmmsg).
 *
 * <p>Thread-safety: only the thread that created it, except {@link #wakeup()}.
 */
final class NettyManualEndpoint implements DatagramEndpoint {
    private final ManualIoEventLoop loop;
    private final Channel channel;
    private final ArrayDeque<DatagramPacket> received = new ArrayDeque<>();
    private boolean pending;

    NettyManualEndpoint(InetSocketAddress bind) throws IOException {
        loop = new ManualIoEventLoop(Thread.currentThread(), EpollIoHandler.newFactory());
        ChannelFuture bound = DatagramEchoServer.configure(new Bootstrap().group(loop)).handler(new Reader()).bind(bind);
        while (!bound.isDone()) {
            loop.runNow();
        }
        if (!bound.isSuccess()) {
            throw new IOException("bind failed", bound.cause());
        }
        channel = bound.channel();
    }

    /** Runs inside {@code run}/{@code runNow} on the owner's thread: queues each datagram read. */
    private final class Reader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.add((DatagramPacket) msg);
        }
    }

    @Override
    public InetSocketAddress receive(byte[] into, int[] lengthOut) {
        DatagramPacket p = received.poll();
        if (p == null) {
            loop.runNow();
            p = received.poll();
            if (p == null) {
                return null;
            }
        }
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
        ByteBuf buf = channel.alloc().directBuffer(length);
        buf.writeBytes(data, offset, length);
        channel.write(new DatagramPacket(buf, to), channel.voidPromise());
        pending = true;
        return length;
    }

    @Override
    public boolean flush() {
        if (pending) {
            pending = false;
            channel.flush();
        }
        return true;
    }

    @Override
    public void await(long millis) {
        if (!received.isEmpty()) {
            return;
        }
        // run(0) would block without limit; -1 does not block.
        loop.run(millis <= 0 ? -1 : millis * 1_000_000L);
    }

    @Override
    public void wakeup() {
        loop.wakeup();
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

    @Override
    public void close() {
        channel.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        while (!loop.isTerminated()) {
            loop.runNow();
        }
    }
}

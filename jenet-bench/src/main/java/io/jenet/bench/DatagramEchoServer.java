package io.jenet.bench;

import io.jenet.internal.transport.DatagramEndpoint;
import io.jenet.internal.transport.DatagramNetwork;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The Java echo servers of {@link DatagramEchoHarness}, one per process:
 * {@code java -cp ... io.jenet.bench.DatagramEchoServer KIND PORT} prints "listening on port N" and
 * echoes every datagram back to its sender until killed. Each line read on standard input is
 * answered with {@code stats alloc BYTES echoed N} (bytes allocated by all live threads so far,
 * datagrams echoed so far). It exits when its standard input closes, so that a harness that dies
 * takes its servers along; by hand: {@code sleep infinity | java -cp ... DatagramEchoServer netty 0}.
 *
 * <p>Kinds:
 * <ul>
 * <li>{@code endpoint}: jenet's own {@link DatagramNetwork#UDP} endpoint driven as {@code service}
 * drives it ({@link #serviceLoop}): today one {@code DatagramChannel} call per datagram and a
 * selector wait; whatever endpoint {@code DatagramNetwork.UDP} binds once there is a batched one
 * ({@code -Djenet.datagrams=channel} then forces the channel);
 * <li>{@code netty}: Netty's {@link EpollDatagramChannel} with recvmmsg (datagram size 4096,
 * batches of 64) and sendmmsg (every echo of one read written, then one flush), the echo done in
 * the event loop;
 * <li>{@code netty-handoff}: the same channel on its own event loop thread, the echo done by
 * {@link #serviceLoop} on the application's thread over {@link NettyHandoffEndpoint};
 * <li>{@code netty-manual}: the same channel on a {@code ManualIoEventLoop} that the service
 * thread drives itself ({@link NettyManualEndpoint}): no second thread.
 * </ul>
 * Every Java server copies each datagram into a {@code byte[]} and the echo out of it, as jenet's
 * engine reads and writes datagrams.
 */
public final class DatagramEchoServer {
    /** ENet's largest datagram (ENET_PROTOCOL_MAXIMUM_MTU): the size of each recvmmsg slot. */
    static final int MAX_DATAGRAM = 4096;
    /** Datagrams per recvmmsg, as the C server. */
    static final int BATCH = 64;
    /** Datagrams read per service pass at most, as jenet's HostDriver. */
    static final int PER_PASS = 256;
    /** Socket buffers, as jenet's UdpTransport. */
    static final int SOCKET_BUFFER = 256 * 1024;

    private static volatile long echoed;

    private DatagramEchoServer() {}

    /**
     * Entry point.
     *
     * @param args kind ({@code endpoint}, {@code netty}, {@code netty-handoff}, {@code netty-manual}) and port (0: any)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        InetSocketAddress bind = new InetSocketAddress(port);
        if (kind.startsWith("netty") && !Epoll.isAvailable()) {
            throw new IllegalStateException("Netty's epoll transport is not available here", Epoll.unavailabilityCause());
        }
        switch (kind) {
            case "endpoint" -> {
                DatagramEndpoint ep = DatagramNetwork.UDP.bind(bind);
                ready(ep.localPort(), ep.getClass().getSimpleName());
                serviceLoop(ep);
            }
            case "netty" -> inEventLoop(bind);
            case "netty-handoff" -> {
                DatagramEndpoint ep = new NettyHandoffEndpoint(bind);
                ready(ep.localPort(), "NettyHandoffEndpoint");
                serviceLoop(ep);
            }
            case "netty-manual" -> {
                DatagramEndpoint ep = new NettyManualEndpoint(bind);
                ready(ep.localPort(), "NettyManualEndpoint");
                serviceLoop(ep);
            }
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    /**
     * The echo as jenet's {@code service} would do it: take what has arrived (at most
     * {@link #PER_PASS}), answer each, flush, then wait on the endpoint.
     */
    static void serviceLoop(DatagramEndpoint ep) throws Exception {
        byte[] buffer = new byte[65536];
        int[] length = new int[1];
        long count = 0;
        for (;;) {
            int n = 0;
            InetSocketAddress from;
            while (n < PER_PASS && (from = ep.receive(buffer, length)) != null) {
                ep.send(from, buffer, 0, length[0]);
                n++;
            }
            ep.flush();
            if (n > 0) {
                count += n;
                echoed = count;
            }
            ep.await(n == PER_PASS ? 0 : 100);
        }
    }

    /** Applies the options every Netty variant uses: recvmmsg slots and batch, socket buffers. */
    static Bootstrap configure(Bootstrap b) {
        FixedRecvByteBufAllocator batch = new FixedRecvByteBufAllocator(MAX_DATAGRAM * BATCH);
        batch.maxMessagesPerRead(PER_PASS);
        return b.channel(EpollDatagramChannel.class)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                .option(ChannelOption.RECVBUF_ALLOCATOR, batch)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
    }

    private static void inEventLoop(InetSocketAddress bind) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel ch = configure(new Bootstrap().group(group)).handler(new EchoHandler()).bind(bind).sync().channel();
        ready(((InetSocketAddress) ch.localAddress()).getPort(), "EpollDatagramChannel");
        ch.closeFuture().sync();
    }

    /** Netty's echo in the event loop: copy in, copy out, write; one flush per read (sendmmsg). */
    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        private final byte[] buffer = new byte[65536];
        private long count;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            ByteBuf in = p.content();
            int n = in.readableBytes();
            in.getBytes(in.readerIndex(), buffer, 0, n);
            InetSocketAddress to = p.sender();
            p.release();
            ByteBuf out = ctx.alloc().directBuffer(n);
            out.writeBytes(buffer, 0, n);
            ctx.write(new DatagramPacket(out, to), ctx.voidPromise());
            count++;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            echoed = count;
        }
    }

    private static void ready(int port, String what) {
        System.out.println("listening on port " + port + " (" + what + ", Java " + Runtime.version().feature() + ")");
        System.out.flush();
        Thread stats = new Thread(DatagramEchoServer::answerStats, "stats");
        stats.setDaemon(true);
        stats.start();
    }

    private static void answerStats() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                long alloc = 0;
                for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                    alloc += Math.max(0, a);
                }
                System.out.println("stats alloc " + alloc + " echoed " + echoed);
                System.out.flush();
            }
        } catch (Exception e) {
            // the harness went away
        }
        // Standard input closed: the harness is gone, so go too.
        Runtime.getRuntime().halt(0);
    }
}

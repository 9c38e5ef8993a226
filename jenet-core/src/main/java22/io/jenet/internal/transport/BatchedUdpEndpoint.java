package io.jenet.internal.transport;

import static io.jenet.internal.transport.LinuxSockets.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;

/**
 * A UDP socket that moves datagrams in batches: {@code recvmmsg} fills up to {@link #BATCH}
 * datagrams per system call and {@link #receive} hands them out one by one; {@link #send} queues
 * into native memory and {@code sendmmsg} sends the queue in one call at {@link #flush()} (or when
 * it is full). A service pass of an ENet host that echoes 16 datagrams makes two system calls
 * instead of 32. Bound through the FFM API (Java 22+) to libc; see {@link NativeDatagrams}.
 *
 * <p>The socket is IPv6 with {@code IPV6_V6ONLY} off, as the JDK's {@code DatagramChannel}, so one
 * host talks to IPv4 and IPv6 peers; IPv4 addresses come back as {@link java.net.Inet4Address}, so
 * the engine's peers compare equal whichever path received them. Senders' addresses are cached
 * (an {@link InetSocketAddress} is made once per remote, not per datagram), so the steady state
 * allocates nothing.
 *
 * <p>A datagram longer than a slot ({@link #SLOT} bytes: more than any ENet or DTLS datagram jenet
 * takes) is reported with a length of {@code SLOT + 1} and its first {@code SLOT} bytes, so the
 * driver drops and counts it as oversized, as it does on the other path.
 *
 * <p>Thread-safety: none, except {@link #wakeup()}; one thread at a time, as its driver.
 */
final class BatchedUdpEndpoint implements DatagramEndpoint {
    /** Most datagrams per system call, each way. */
    static final int BATCH = 32;
    /**
     * Datagrams per system call at first: a batch direction grows to {@link #BATCH} the first time
     * it fills, so a quiet client host holds 8 slots each way (74 KB), a busy server 32 (295 KB).
     */
    static final int FIRST_BATCH = 8;
    /** Bytes per datagram slot: the largest DTLS datagram jenet takes, rounded up. */
    static final int SLOT = 4608;
    private static final int NAME_STRIDE = 32;
    /** Remote addresses cached each way; a power of two. */
    private static final int ADDRESSES = 1024;
    private static final int LARGEST_DATAGRAM = 65536;
    /** The kernel's limit on segments per {@code UDP_SEGMENT} send (UDP_MAX_SEGMENTS). */
    private static final int MAXIMUM_SEGMENTS = 64;
    /** Payload bytes of one segmented send: under UDP's 65 507 with room to spare. */
    private static final int MAXIMUM_SEGMENTED_BYTES = 60_000;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment capture;
    private final MemorySegment wakeCapture;
    private final int fd;
    private final int wakeFd;
    private final int localPort;
    /** The bound address with its port, to bind again after a disconnect (see {@link #dissolve()}). */
    private final MemorySegment boundName;
    /** Set under {@link #wakeLock} at close, so that no wake-up writes to a closed (or reused) descriptor. */
    private boolean closed;
    private final Object wakeLock = new Object();

    private MemorySegment rxHeaders;
    private MemorySegment rxNames;
    private MemorySegment rxData;
    private int rxCapacity;
    private int rxCount;
    private int rxNext;
    /**
     * The last batch was short: the socket was empty a moment ago, so the driver's read loop may
     * end without one more system call. Cleared at {@link #flush()} and {@link #await}, so it
     * never outlives that loop.
     */
    private boolean rxDrained;

    private MemorySegment txHeaders;
    private MemorySegment txNames;
    private MemorySegment txIov;
    private MemorySegment txData;
    private int txCapacity;
    private int txCount;
    private boolean txFailed;
    private final int[] txLength = new int[BATCH];
    private final InetSocketAddress[] txTo = new InetSocketAddress[BATCH];
    /** First queued slot of each laid-out message, and one past the last (see {@link #layOut}). */
    private final int[] messageFirst = new int[BATCH + 1];
    /** One {@code UDP_SEGMENT} control message per laid-out message. */
    private MemorySegment txControl;
    /** Whether to send runs of equal datagrams as one segmented message; off once the kernel refuses it. */
    private boolean segmentation = true;
    private long segmentedSends;
    private MemorySegment largeHeader;
    private MemorySegment largeData;

    private final MemorySegment pollFds;
    private final MemorySegment wakeValue;
    private final MemorySegment drainValue;

    private final InetSocketAddress[] sendKeys = new InetSocketAddress[ADDRESSES];
    private final MemorySegment sendNames;
    private final InetSocketAddress[] fromKeys = new InetSocketAddress[ADDRESSES];
    private final long[] fromHigh = new long[ADDRESSES];
    private final long[] fromLow = new long[ADDRESSES];
    private final int[] fromPortScope = new int[ADDRESSES];
    private final int[] fromScope = new int[ADDRESSES];

    /** The address the socket is connected to, or null; while set, queued headers carry no name. */
    private InetSocketAddress connected;
    private MemorySegment unspecified;
    private long sendErrors;
    private long sendsDropped;
    private Exception lastSendError;

    /**
     * Opens, configures and binds the socket.
     *
     * @param bind local address (a wildcard address: all of them)
     * @param sharePort whether to set {@code SO_REUSEPORT}
     * @throws IOException if it cannot be bound ({@link BindException} when the address is taken)
     * @throws UnsupportedOperationException if this machine has no IPv6 sockets (the caller falls back)
     */
    BatchedUdpEndpoint(InetSocketAddress bind, boolean sharePort) throws IOException {
        capture = newCapture(arena);
        wakeCapture = newCapture(arena);
        int socket;
        try {
            socket = (int) SOCKET.invokeExact(capture, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
        if (socket < 0) {
            int e = errno(capture);
            arena.close();
            throw new UnsupportedOperationException(describe("socket(AF_INET6)", e));
        }
        fd = socket;
        int wake = -1;
        try {
            option(IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            option(SOL_SOCKET, SO_RCVBUF, UdpTransport.SOCKET_BUFFER_SIZE, "SO_RCVBUF");
            option(SOL_SOCKET, SO_SNDBUF, UdpTransport.SOCKET_BUFFER_SIZE, "SO_SNDBUF");
            option(SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST");
            if (sharePort) {
                option(SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            MemorySegment address = arena.allocate(NAME_STRIDE, 8);
            if (bind.isUnresolved()) {
                throw new SocketException("cannot bind an unresolved address: " + bind);
            }
            encode(address, 0, bind.getAddress(), bind.getPort());
            if (bind.getAddress().isAnyLocalAddress()) {
                // 0.0.0.0 as well as ::, as the JDK: every address, IPv4 and IPv6 (not ::ffff:0.0.0.0).
                address.asSlice(8, 16).fill((byte) 0);
            }
            if ((int) BIND.invokeExact(capture, fd, address, SOCKADDR_IN6_SIZE) < 0) {
                int e = errno(capture);
                String what = describe("bind " + bind, e);
                throw e == 98 || e == 99 || e == 13 ? new BindException(what) : new SocketException(what);
            }
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, NAME_STRIDE);
            if ((int) GETSOCKNAME.invokeExact(capture, fd, address, length) < 0) {
                throw new SocketException(describe("getsockname", errno(capture)));
            }
            localPort = (address.get(ValueLayout.JAVA_BYTE, 2) & 0xff) << 8 | address.get(ValueLayout.JAVA_BYTE, 3) & 0xff;
            boundName = address;
            wake = (int) EVENTFD.invokeExact(capture, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (wake < 0) {
                throw new SocketException(describe("eventfd", errno(capture)));
            }
        } catch (IOException e) {
            closeQuietly(fd);
            closeQuietly(wake);
            arena.close();
            throw e;
        } catch (Throwable t) {
            closeQuietly(fd);
            closeQuietly(wake);
            arena.close();
            throw rethrow(t);
        }
        wakeFd = wake;

        allocateReceive(FIRST_BATCH);
        allocateSend(FIRST_BATCH);
        sendNames = arena.allocate((long) ADDRESSES * NAME_STRIDE, 8);
        pollFds = arena.allocate(2L * POLLFD_SIZE, 8);
        pollFds.set(ValueLayout.JAVA_INT, 0, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 4, (short) POLLIN);
        pollFds.set(ValueLayout.JAVA_INT, POLLFD_SIZE, wakeFd);
        pollFds.set(ValueLayout.JAVA_SHORT, POLLFD_SIZE + 4, (short) POLLIN);
        wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        drainValue = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /** Native room for {@code capacity} received datagrams (the old room stays with the arena until close). */
    private void allocateReceive(int capacity) {
        rxCapacity = capacity;
        rxHeaders = arena.allocate((long) capacity * MMSGHDR_SIZE, 8);
        rxNames = arena.allocate((long) capacity * NAME_STRIDE, 8);
        MemorySegment rxIov = arena.allocate((long) capacity * IOVEC_SIZE, 8);
        rxData = arena.allocate((long) capacity * SLOT, 8);
        for (int i = 0; i < capacity; i++) {
            header(rxHeaders, i, rxNames, rxIov, rxData, SLOT);
        }
    }

    /** Native room for {@code capacity} queued datagrams; called with an empty queue. */
    private void allocateSend(int capacity) {
        txCapacity = capacity;
        txHeaders = arena.allocate((long) capacity * MMSGHDR_SIZE, 8);
        txNames = arena.allocate((long) capacity * NAME_STRIDE, 8);
        txIov = arena.allocate((long) capacity * IOVEC_SIZE, 8);
        txData = arena.allocate((long) capacity * SLOT, 8);
        txControl = arena.allocate((long) capacity * CMSG_SPACE_SEGMENT, 8);
        for (int i = 0; i < capacity; i++) {
            header(txHeaders, i, txNames, txIov, txData, 0);
        }
    }

    /** Points mmsghdr {@code i} at its name, its one iovec and its data slot. */
    private static void header(MemorySegment headers, int i, MemorySegment names, MemorySegment iov, MemorySegment data,
                               int length) {
        long h = (long) i * MMSGHDR_SIZE;
        long v = (long) i * IOVEC_SIZE;
        headers.set(ValueLayout.ADDRESS, h + MSG_NAME, names.asSlice((long) i * NAME_STRIDE, NAME_STRIDE));
        headers.set(ValueLayout.JAVA_INT, h + MSG_NAMELEN, SOCKADDR_IN6_SIZE);
        headers.set(ValueLayout.ADDRESS, h + MSG_IOV, iov.asSlice(v, IOVEC_SIZE));
        headers.set(ValueLayout.JAVA_LONG, h + MSG_IOVLEN, 1L);
        iov.set(ValueLayout.ADDRESS, v, data.asSlice((long) i * SLOT, SLOT));
        iov.set(ValueLayout.JAVA_LONG, v + 8, length);
    }

    private void option(int level, int name, int value, String what) throws Throwable {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
        v.set(ValueLayout.JAVA_INT, 0, value);
        if ((int) SETSOCKOPT.invokeExact(capture, fd, level, name, v, 4) < 0) {
            throw new SocketException(describe("setsockopt " + what, errno(capture)));
        }
    }

    // ---- sending ----

    @Override
    public int send(InetSocketAddress to, byte[] data, int offset, int length) {
        if (connected != null && to != connected && !to.equals(connected)) {
            dissolve();
        }
        int name = nameOf(to);
        if (name < 0) {
            return -1;
        }
        if (length > SLOT) {
            return sendLarge(name, data, offset, length);
        }
        int i = txCount;
        MemorySegment.copy(data, offset, txData, ValueLayout.JAVA_BYTE, (long) i * SLOT, length);
        MemorySegment.copy(sendNames, (long) name * NAME_STRIDE, txNames, (long) i * NAME_STRIDE, SOCKADDR_IN6_SIZE);
        txIov.set(ValueLayout.JAVA_LONG, (long) i * IOVEC_SIZE + 8, length);
        txLength[i] = length;
        txTo[i] = to;
        txCount = i + 1;
        if (txCount == txCapacity) {
            if (!sendQueued()) {
                txFailed = true;
            }
            if (txCapacity < BATCH) {
                allocateSend(BATCH);
            }
        }
        return length;
    }

    @Override
    public boolean flush() {
        // The driver flushes after every read loop: a short batch stops meaning "empty" here.
        rxDrained = false;
        boolean ok = txCount == 0 || sendQueued();
        ok &= !txFailed;
        txFailed = false;
        return ok;
    }

    /**
     * Sends the queue: lays it out as messages ({@link #layOut}) and hands them to {@code sendmmsg}
     * (again if the kernel takes part of them).
     */
    private boolean sendQueued() {
        boolean ok = true;
        int count = txCount;
        txCount = 0;
        int messages = layOut(0, count);
        int next = 0;
        while (next < messages) {
            MemorySegment headers = next == 0 ? txHeaders : txHeaders.asSlice((long) next * MMSGHDR_SIZE);
            int sent;
            try {
                sent = (int) SENDMMSG.invokeExact(capture, fd, headers, messages - next, 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (sent > 0) {
                next += sent;
                continue;
            }
            int e = errno(capture);
            if (e == EINTR) {
                continue;
            }
            if (e == EAGAIN) {
                // The socket's send buffer is full: the rest is lost, as UDP would lose it.
                sendsDropped += count - messageFirst[next];
                break;
            }
            int first = messageFirst[next];
            if (segmentation && messageFirst[next + 1] - first > 1) {
                // The kernel refused a segmented send (too old for UDP_SEGMENT, or a segment larger
                // than the route's MTU): send the rest one datagram per message from now on.
                segmentation = false;
                messages = layOut(first, count);
                next = 0;
                continue;
            }
            next++;
            if (e == ECONNREFUSED) {
                // An ICMP error for an earlier datagram, reported on a connected socket only; ENet
                // never sees those (its peer times out), so neither do we. This one was not sent.
                continue;
            }
            // That datagram failed (no route, wrong family, ...): report it, send the rest.
            ok = false;
            sendErrors++;
            lastSendError = new SocketException(describe("sendmmsg", e));
        }
        return ok;
    }

    /**
     * Writes the message headers for queued slots {@code from} … {@code count - 1}, starting at
     * header 0. Consecutive datagrams to one destination, of one size (the last may be shorter),
     * become one message with a {@code UDP_SEGMENT} control message while {@link #segmentation}
     * holds: the kernel cuts it into those datagrams again, after one pass through its UDP stack
     * instead of one per datagram (the fragments of a large packet, mostly).
     *
     * @return the number of messages; {@link #messageFirst} holds each one's first slot, and one past the last
     */
    private int layOut(int from, int count) {
        int m = 0;
        int i = from;
        while (i < count) {
            int n = 1;
            int size = txLength[i];
            if (segmentation && size > 0) {
                int total = size;
                InetSocketAddress to = txTo[i];
                while (i + n < count && n < MAXIMUM_SEGMENTS && total + txLength[i + n] <= MAXIMUM_SEGMENTED_BYTES
                        && (txTo[i + n] == to || to.equals(txTo[i + n])) && txLength[i + n] <= size && txLength[i + n] > 0) {
                    total += txLength[i + n];
                    n++;
                    if (txLength[i + n - 1] < size) {
                        break; // a shorter datagram ends the message
                    }
                }
            }
            long h = (long) m * MMSGHDR_SIZE;
            txHeaders.set(ValueLayout.JAVA_LONG, h + MSG_NAME, connected != null ? 0L : txNames.address() + (long) i * NAME_STRIDE);
            txHeaders.set(ValueLayout.JAVA_INT, h + MSG_NAMELEN, connected != null ? 0 : SOCKADDR_IN6_SIZE);
            txHeaders.set(ValueLayout.JAVA_LONG, h + MSG_IOV, txIov.address() + (long) i * IOVEC_SIZE);
            txHeaders.set(ValueLayout.JAVA_LONG, h + MSG_IOVLEN, n);
            if (n > 1) {
                long c = (long) m * CMSG_SPACE_SEGMENT;
                txControl.set(ValueLayout.JAVA_LONG, c, CMSG_LEN_SEGMENT);
                txControl.set(ValueLayout.JAVA_INT, c + 8, SOL_UDP);
                txControl.set(ValueLayout.JAVA_INT, c + 12, UDP_SEGMENT);
                txControl.set(ValueLayout.JAVA_SHORT, c + 16, (short) size);
                txHeaders.set(ValueLayout.JAVA_LONG, h + MSG_CONTROL, txControl.address() + c);
                txHeaders.set(ValueLayout.JAVA_LONG, h + MSG_CONTROLLEN, CMSG_SPACE_SEGMENT);
                segmentedSends++;
            } else {
                txHeaders.set(ValueLayout.JAVA_LONG, h + MSG_CONTROL, 0L);
                txHeaders.set(ValueLayout.JAVA_LONG, h + MSG_CONTROLLEN, 0L);
            }
            messageFirst[m] = i;
            m++;
            i += n;
        }
        messageFirst[m] = count;
        return m;
    }

    /** @return messages sent as several datagrams through {@code UDP_SEGMENT} (for tests and tuning) */
    long segmentedSends() {
        return segmentedSends;
    }

    private int sendLarge(int name, byte[] data, int offset, int length) {
        if (!flush()) {
            txFailed = true;
        }
        if (length > LARGEST_DATAGRAM) {
            sendErrors++;
            lastSendError = new SocketException("datagram of " + length + " bytes is larger than UDP allows");
            return -1;
        }
        if (largeHeader == null) {
            largeHeader = arena.allocate(MMSGHDR_SIZE + NAME_STRIDE + IOVEC_SIZE, 8);
            largeData = arena.allocate(LARGEST_DATAGRAM, 8);
            MemorySegment names = largeHeader.asSlice(MMSGHDR_SIZE, NAME_STRIDE);
            MemorySegment iov = largeHeader.asSlice(MMSGHDR_SIZE + NAME_STRIDE, IOVEC_SIZE);
            largeHeader.set(ValueLayout.ADDRESS, MSG_NAME, names);
            largeHeader.set(ValueLayout.JAVA_INT, MSG_NAMELEN, SOCKADDR_IN6_SIZE);
            largeHeader.set(ValueLayout.ADDRESS, MSG_IOV, iov);
            largeHeader.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1L);
            iov.set(ValueLayout.ADDRESS, 0, largeData);
        }
        MemorySegment.copy(data, offset, largeData, ValueLayout.JAVA_BYTE, 0, length);
        MemorySegment.copy(sendNames, (long) name * NAME_STRIDE, largeHeader, MMSGHDR_SIZE, SOCKADDR_IN6_SIZE);
        largeHeader.set(ValueLayout.ADDRESS, MSG_NAME, connected != null ? MemorySegment.NULL : largeHeader.asSlice(MMSGHDR_SIZE, NAME_STRIDE));
        largeHeader.set(ValueLayout.JAVA_INT, MSG_NAMELEN, connected != null ? 0 : SOCKADDR_IN6_SIZE);
        largeHeader.set(ValueLayout.JAVA_LONG, MMSGHDR_SIZE + NAME_STRIDE + 8, length);
        while (true) {
            int sent;
            try {
                sent = (int) SENDMMSG.invokeExact(capture, fd, largeHeader, 1, 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (sent == 1) {
                return length;
            }
            int e = errno(capture);
            if (e == EINTR) {
                continue;
            }
            if (e == EAGAIN) {
                sendsDropped++;
                return 0;
            }
            sendErrors++;
            lastSendError = new SocketException(describe("sendmmsg", e));
            return -1;
        }
    }

    /** @return the index of {@code to}'s encoded address in {@link #sendNames}, or -1 (error recorded) */
    private int nameOf(InetSocketAddress to) {
        int h = to.hashCode();
        int index = (h ^ (h >>> 16)) & (ADDRESSES - 1);
        InetSocketAddress known = sendKeys[index];
        if (known == to || to.equals(known)) {
            return index;
        }
        InetAddress address = to.getAddress();
        if (address == null || to.isUnresolved()) {
            sendErrors++;
            lastSendError = new UnresolvedAddressException();
            return -1;
        }
        encode(sendNames, (long) index * NAME_STRIDE, address, to.getPort());
        sendKeys[index] = to;
        return index;
    }

    /** Writes a {@code sockaddr_in6}; an IPv4 address becomes {@code ::ffff:a.b.c.d}. */
    private static void encode(MemorySegment into, long at, InetAddress address, int port) {
        into.asSlice(at, NAME_STRIDE).fill((byte) 0);
        into.set(ValueLayout.JAVA_SHORT, at, (short) AF_INET6);
        into.set(ValueLayout.JAVA_BYTE, at + 2, (byte) (port >>> 8));
        into.set(ValueLayout.JAVA_BYTE, at + 3, (byte) port);
        byte[] raw = address.getAddress();
        if (raw.length == 4) {
            into.set(ValueLayout.JAVA_BYTE, at + 18, (byte) 0xff);
            into.set(ValueLayout.JAVA_BYTE, at + 19, (byte) 0xff);
            MemorySegment.copy(raw, 0, into, ValueLayout.JAVA_BYTE, at + 20, 4);
        } else {
            MemorySegment.copy(raw, 0, into, ValueLayout.JAVA_BYTE, at + 8, 16);
            into.set(ValueLayout.JAVA_INT, at + 24, ((Inet6Address) address).getScopeId());
        }
    }

    @Override
    public Exception lastSendError() {
        return lastSendError;
    }

    /** @return datagrams whose send failed at the socket */
    long sendErrors() {
        return sendErrors;
    }

    /** @return datagrams lost because the socket's send buffer was full */
    long sendsDropped() {
        return sendsDropped;
    }

    // ---- connecting ----

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        flush();
        if (connected != null) {
            dissolve();
        }
        if (remote == null) {
            return;
        }
        int name = nameOf(remote);
        if (name < 0) {
            throw new SocketException("cannot connect to an unresolved address: " + remote);
        }
        int result;
        try {
            result = (int) CONNECT.invokeExact(capture, fd, sendNames.asSlice((long) name * NAME_STRIDE, NAME_STRIDE),
                    SOCKADDR_IN6_SIZE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (result < 0) {
            throw new SocketException(describe("connect " + remote, errno(capture)));
        }
        connected = remote;
    }

    /** Back to an unconnected socket: {@code connect} to an {@code AF_UNSPEC} address. */
    private void dissolve() {
        flush();
        connected = null;
        if (unspecified == null) {
            // AF_UNSPEC (all zero), then room for getsockname's answer and its length.
            unspecified = arena.allocate(3L * NAME_STRIDE, 8);
        }
        try {
            int ignored = (int) CONNECT.invokeExact(capture, fd, unspecified.asSlice(0, NAME_STRIDE), SOCKADDR_IN6_SIZE);
            // Linux lets go of a port the kernel picked (bind to port 0) when a UDP socket
            // disconnects: take the same one again, as the JDK's DatagramChannel does.
            MemorySegment now = unspecified.asSlice(NAME_STRIDE, NAME_STRIDE);
            MemorySegment length = unspecified.asSlice(2L * NAME_STRIDE, 4);
            length.set(ValueLayout.JAVA_INT, 0, NAME_STRIDE);
            int got = (int) GETSOCKNAME.invokeExact(capture, fd, now, length);
            if (got == 0 && now.get(ValueLayout.JAVA_BYTE, 2) == 0 && now.get(ValueLayout.JAVA_BYTE, 3) == 0) {
                if ((int) BIND.invokeExact(capture, fd, boundName, SOCKADDR_IN6_SIZE) < 0) {
                    lastSendError = new SocketException(describe("bind again to port " + localPort + " after disconnect", errno(capture)));
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- receiving ----

    @Override
    public InetSocketAddress receive(byte[] into, int[] lengthOut) throws IOException {
        if (rxNext >= rxCount) {
            if (rxDrained) {
                rxDrained = false;
                rxCount = 0;
                rxNext = 0;
                return null;
            }
            int n = receiveBatch();
            rxCount = n;
            rxNext = 0;
            rxDrained = n < rxCapacity;
            if (n == 0) {
                rxDrained = false;
                return null;
            }
        }
        int i = rxNext++;
        long h = (long) i * MMSGHDR_SIZE;
        int length = rxHeaders.get(ValueLayout.JAVA_INT, h + MSG_LEN);
        int copied = Math.min(length, into.length);
        if ((rxHeaders.get(ValueLayout.JAVA_INT, h + MSG_FLAGS) & MSG_TRUNC) != 0) {
            length = SLOT + 1;
        }
        MemorySegment.copy(rxData, ValueLayout.JAVA_BYTE, (long) i * SLOT, into, 0, copied);
        lengthOut[0] = length;
        return sender(i);
    }

    /** One {@code recvmmsg}; @return datagrams received, 0 if none was waiting */
    private int receiveBatch() throws IOException {
        if (rxCount == rxCapacity && rxCapacity < BATCH) {
            // The last batch was full: this host gets more than a few datagrams at a time.
            allocateReceive(BATCH);
        }
        for (int i = 0; i < rxCapacity; i++) {
            rxHeaders.set(ValueLayout.JAVA_INT, (long) i * MMSGHDR_SIZE + MSG_NAMELEN, SOCKADDR_IN6_SIZE);
        }
        while (true) {
            int n;
            try {
                n = (int) RECVMMSG.invokeExact(capture, fd, rxHeaders, rxCapacity, MSG_DONTWAIT, MemorySegment.NULL);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return n;
            }
            int e = errno(capture);
            if (e == EAGAIN) {
                return 0;
            }
            if (e == EINTR || e == ECONNREFUSED) {
                // ECONNREFUSED: an ICMP error for an earlier send; ENet never sees those, nor do we.
                continue;
            }
            throw new SocketException(describe("recvmmsg", e));
        }
    }

    /** The sender of received datagram {@code i}, from the cache when it was seen before. */
    private InetSocketAddress sender(int i) throws IOException {
        long at = (long) i * NAME_STRIDE;
        int port = (rxNames.get(ValueLayout.JAVA_BYTE, at + 2) & 0xff) << 8 | rxNames.get(ValueLayout.JAVA_BYTE, at + 3) & 0xff;
        long high = rxNames.get(ValueLayout.JAVA_LONG, at + 8);
        long low = rxNames.get(ValueLayout.JAVA_LONG, at + 16);
        int scope = rxNames.get(ValueLayout.JAVA_INT, at + 24);
        long mixed = (high * 0x9E3779B97F4A7C15L) ^ (low * 0xC2B2AE3D27D4EB4FL) ^ ((long) port << 32) ^ scope;
        int index = (int) (mixed ^ (mixed >>> 29) ^ (mixed >>> 47)) & (ADDRESSES - 1);
        InetSocketAddress known = fromKeys[index];
        if (known != null && fromHigh[index] == high && fromLow[index] == low && fromPortScope[index] == port
                && fromScope[index] == scope) {
            return known;
        }
        byte[] raw = new byte[16];
        MemorySegment.copy(rxNames, ValueLayout.JAVA_BYTE, at + 8, raw, 0, 16);
        InetAddress address;
        boolean mapped = true;
        for (int b = 0; b < 10; b++) {
            mapped &= raw[b] == 0;
        }
        mapped &= raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
        if (mapped) {
            address = InetAddress.getByAddress(new byte[] {raw[12], raw[13], raw[14], raw[15]});
        } else {
            address = scope != 0 ? Inet6Address.getByAddress(null, raw, scope) : InetAddress.getByAddress(raw);
        }
        InetSocketAddress from = new InetSocketAddress(address, port);
        fromKeys[index] = from;
        fromHigh[index] = high;
        fromLow[index] = low;
        fromPortScope[index] = port;
        fromScope[index] = scope;
        return from;
    }

    // ---- waiting ----

    @Override
    public void await(long millis) throws IOException {
        if (millis <= 0 || rxNext < rxCount) {
            // Nothing to wait for: the driver's next read goes to the socket (or the batch) anyway.
            return;
        }
        pollFds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        pollFds.set(ValueLayout.JAVA_SHORT, POLLFD_SIZE + 6, (short) 0);
        int ready;
        try {
            ready = (int) POLL.invokeExact(capture, pollFds, 2L, (int) Math.min(millis, Integer.MAX_VALUE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ready < 0) {
            int e = errno(capture);
            if (e == EINTR) {
                return;
            }
            throw new SocketException(describe("poll", e));
        }
        if (ready > 0 && pollFds.get(ValueLayout.JAVA_SHORT, POLLFD_SIZE + 6) != 0) {
            try {
                long ignored = (long) READ.invokeExact(capture, wakeFd, drainValue, 8L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
        // Readable now: the next read must ask the socket even if the last batch was short.
        rxDrained = false;
    }

    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (closed) {
                return; // as a closed selector's wakeup: nothing to wake
            }
            try {
                long ignored = (long) WRITE.invokeExact(wakeCapture, wakeFd, wakeValue, 8L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    // ---- the rest ----

    @Override
    public int localPort() {
        return localPort;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void close() {
        synchronized (wakeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeQuietly(fd);
        closeQuietly(wakeFd);
        arena.close();
    }

    private void closeQuietly(int descriptor) {
        if (descriptor < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(capture, descriptor);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String toString() {
        return "batched UDP (recvmmsg/sendmmsg, up to " + rxCapacity + "/" + txCapacity + " per call) on port " + localPort;
    }

    /** Native calls throw nothing checked; anything else is a bug worth seeing as it is. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof IOException io) {
            throw new java.io.UncheckedIOException(io);
        }
        throw new IllegalStateException(t);
    }
}

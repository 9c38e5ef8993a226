package io.jenet.internal.transport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The Linux socket calls jenet's batched endpoint makes, bound through the FFM API: no native
 * code of jenet's own, only libc's functions. Structure layouts and constants are Linux's
 * generic ABI, the same on x86-64 and AArch64, the two architectures this binds on; anything
 * else reports itself unavailable ({@link #UNAVAILABLE}) and jenet keeps its
 * {@code DatagramChannel} path.
 *
 * <p>Thread-safety: the handles are immutable and safe from any thread; each call passes its
 * own errno capture segment.
 */
final class LinuxSockets {
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_BROADCAST = 6;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_REUSEPORT = 15;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;
    static final int POLLIN = 1;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ECONNREFUSED = 111;

    /** sizeof(struct sockaddr_in6). */
    static final int SOCKADDR_IN6_SIZE = 28;
    /** sizeof(struct iovec). */
    static final int IOVEC_SIZE = 16;
    /** sizeof(struct mmsghdr): a 56-byte msghdr, then msg_len and padding. */
    static final int MMSGHDR_SIZE = 64;
    static final long MSG_NAME = 0;
    static final long MSG_NAMELEN = 8;
    static final long MSG_IOV = 16;
    static final long MSG_IOVLEN = 24;
    static final long MSG_CONTROL = 32;
    static final long MSG_CONTROLLEN = 40;
    static final long MSG_FLAGS = 48;
    /** SOL_UDP and UDP_SEGMENT: a control message that makes the kernel cut one send into equal datagrams. */
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    /** CMSG_LEN(sizeof(uint16_t)) and CMSG_SPACE(sizeof(uint16_t)) on 64-bit Linux. */
    static final long CMSG_LEN_SEGMENT = 18;
    static final int CMSG_SPACE_SEGMENT = 24;
    static final long MSG_LEN = 56;
    /** sizeof(struct pollfd). */
    static final int POLLFD_SIZE = 8;

    /** Why the bindings cannot be used here, or null if they can. */
    static final String UNAVAILABLE;

    static final MethodHandle SOCKET;
    static final MethodHandle SETSOCKOPT;
    static final MethodHandle BIND;
    static final MethodHandle CONNECT;
    static final MethodHandle GETSOCKNAME;
    static final MethodHandle RECVMMSG;
    static final MethodHandle SENDMMSG;
    static final MethodHandle POLL;
    static final MethodHandle EVENTFD;
    static final MethodHandle READ;
    static final MethodHandle WRITE;
    static final MethodHandle CLOSE;

    static final MemoryLayout CAPTURE_LAYOUT;
    private static final VarHandle ERRNO;

    static {
        String why = null;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        MethodHandle socket = null, setsockopt = null, bind = null, connect = null, getsockname = null, recvmmsg = null,
                sendmmsg = null, poll = null, eventfd = null, read = null, write = null, close = null;
        MemoryLayout capture = null;
        VarHandle errno = null;
        if (!os.startsWith("linux")) {
            why = "batched datagrams are bound on Linux only (this is " + os + ")";
        } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            why = "batched datagrams are bound on x86-64 and AArch64 only (this is " + arch + ")";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errnoOption = Linker.Option.captureCallState("errno");
                capture = Linker.Option.captureStateLayout();
                errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
                java.lang.foreign.AddressLayout p = ValueLayout.ADDRESS;
                socket = down(linker, libc, "socket", FunctionDescriptor.of(i, i, i, i), errnoOption);
                setsockopt = down(linker, libc, "setsockopt", FunctionDescriptor.of(i, i, i, i, p, i), errnoOption);
                bind = down(linker, libc, "bind", FunctionDescriptor.of(i, i, p, i), errnoOption);
                connect = down(linker, libc, "connect", FunctionDescriptor.of(i, i, p, i), errnoOption);
                getsockname = down(linker, libc, "getsockname", FunctionDescriptor.of(i, i, p, p), errnoOption);
                recvmmsg = down(linker, libc, "recvmmsg", FunctionDescriptor.of(i, i, p, i, i, p), errnoOption);
                sendmmsg = down(linker, libc, "sendmmsg", FunctionDescriptor.of(i, i, p, i, i), errnoOption);
                poll = down(linker, libc, "poll", FunctionDescriptor.of(i, p, l, i), errnoOption);
                eventfd = down(linker, libc, "eventfd", FunctionDescriptor.of(i, i, i), errnoOption);
                read = down(linker, libc, "read", FunctionDescriptor.of(l, i, p, l), errnoOption);
                write = down(linker, libc, "write", FunctionDescriptor.of(l, i, p, l), errnoOption);
                close = down(linker, libc, "close", FunctionDescriptor.of(i, i), errnoOption);
            } catch (RuntimeException | Error e) {
                // IllegalCallerException when native access is denied, a missing symbol, ...
                why = "the FFM API cannot bind libc's socket calls here: " + e;
            }
        }
        UNAVAILABLE = why;
        SOCKET = socket;
        SETSOCKOPT = setsockopt;
        BIND = bind;
        CONNECT = connect;
        GETSOCKNAME = getsockname;
        RECVMMSG = recvmmsg;
        SENDMMSG = sendmmsg;
        POLL = poll;
        EVENTFD = eventfd;
        READ = read;
        WRITE = write;
        CLOSE = close;
        CAPTURE_LAYOUT = capture;
        ERRNO = errno;
    }

    private LinuxSockets() {
    }

    private static MethodHandle down(Linker linker, SymbolLookup libc, String name, FunctionDescriptor descriptor,
                                     Linker.Option option) {
        MemorySegment symbol = libc.find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return linker.downcallHandle(symbol, descriptor, option);
    }

    /** @return the errno a call left in its capture segment */
    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** @return a capture segment for the calls of one endpoint */
    static MemorySegment newCapture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** @return a short description of an errno value, for exceptions and logs */
    static String describe(String call, int errno) {
        String name = switch (errno) {
            case 1 -> "EPERM";
            case 9 -> "EBADF";
            case 13 -> "EACCES";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 90 -> "EMSGSIZE";
            case 97 -> "EAFNOSUPPORT";
            case 98 -> "EADDRINUSE";
            case 99 -> "EADDRNOTAVAIL";
            case 101 -> "ENETUNREACH";
            case 105 -> "ENOBUFS";
            case 111 -> "ECONNREFUSED";
            case 113 -> "EHOSTUNREACH";
            default -> "errno " + errno;
        };
        return call + " failed: " + name;
    }
}

package io.jenet.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Chooses the UDP endpoint of {@link DatagramNetwork#UDP}: batched ({@code recvmmsg}/{@code sendmmsg}
 * through the FFM API, Java 22+ on Linux) where this JVM can, else {@code DatagramChannel}
 * ({@link UdpTransport}). The system property {@value #PROPERTY} overrides the choice:
 * {@code channel} always takes {@code DatagramChannel}, {@code batched} requires the batched path
 * and fails to bind without it, {@code auto} (the default) takes the best there is.
 *
 * <p>Thread-safety: stateless apart from a once-only log line; safe from any thread.
 */
public final class UdpEndpoints {
    /** The system property that chooses the path. */
    public static final String PROPERTY = "jenet.datagrams";
    private static final System.Logger LOG = System.getLogger("io.jenet");
    private static volatile boolean logged;

    private UdpEndpoints() {
    }

    /**
     * Binds a UDP endpoint on the chosen path.
     *
     * @param bind local address (port 0 = any)
     * @param sharePort whether to share the port ({@code SO_REUSEPORT})
     * @return the endpoint
     * @throws IOException if it cannot be bound, or {@code batched} was required and is not available
     */
    public static DatagramEndpoint open(InetSocketAddress bind, boolean sharePort) throws IOException {
        String mode = mode();
        if (!mode.equals("channel")) {
            String why = NativeDatagrams.unavailable();
            DatagramEndpoint batched = why == null ? NativeDatagrams.open(bind, sharePort) : null;
            if (batched != null) {
                log("jenet: datagrams are batched (recvmmsg/sendmmsg)");
                return batched;
            }
            if (mode.equals("batched")) {
                throw new IOException("-D" + PROPERTY + "=batched, but " + (why != null ? why : "this machine has no IPv6 UDP sockets"));
            }
            log("jenet: datagrams go one per system call (DatagramChannel): " + (why != null ? why : "no IPv6 UDP sockets"));
        }
        return new UdpTransport(bind, sharePort);
    }

    /**
     * @return a one-line description of the path a host created now would take, for the
     *         {@code jenet} command's output and for logs
     */
    public static String describe() {
        String mode = mode();
        if (mode.equals("channel")) {
            return "DatagramChannel, one datagram per system call (-D" + PROPERTY + "=channel)";
        }
        String why = NativeDatagrams.unavailable();
        return why == null ? "batched, recvmmsg/sendmmsg through the FFM API"
                : "DatagramChannel, one datagram per system call (" + why + ")";
    }

    private static String mode() {
        String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("channel") && !mode.equals("batched")) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be auto, batched or channel, got '" + mode + "'");
        }
        return mode;
    }

    private static void log(String line) {
        if (!logged) {
            logged = true;
            LOG.log(System.Logger.Level.DEBUG, line);
        }
    }
}

package io.jenet.internal.transport;

import io.jenet.internal.engine.Event;
import io.jenet.internal.engine.Host;
import io.jenet.internal.engine.HostSettings;
import io.jenet.internal.engine.PeerObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drives one engine host: owns its endpoint (a UDP socket, or a simulated one: see
 * {@link DatagramEndpoint}), reads the clock from it, and owns (for Godot's DTLS extension) its
 * DTLS layer, and runs ENet's service loop: send what is due, read datagrams into the engine,
 * hand out events, wait on the socket until the next deadline or the timeout. The public
 * {@code ENetConnection} is a facade over one driver; the engine itself never sees a socket or
 * the system clock.
 *
 * <p>Thread-safety: none; one thread at a time, as the connection it serves, except
 * {@link #wakeup()}, which any thread may call.
 */
public final class HostDriver implements AutoCloseable {
    /** What a service call ended with. */
    public enum Outcome {
        /** An event was accepted by the sink. */
        EVENT,
        /** The timeout passed without one. */
        NONE,
        /** The socket failed (ENet's -1), or a DTLS client handshake failed (as Godot). */
        ERROR
    }

    /** Decides whether an engine event is handed to the application (false: skip it). */
    @FunctionalInterface
    public interface EventSink {
        /**
         * @param event the engine's event, valid during the call
         * @return whether to return it from {@link #service}
         */
        boolean accept(Event event);
    }

    private static final int MAX_DATAGRAMS_PER_SERVICE = 256;
    /** Largest DTLS datagram: ENet's largest MTU plus record overhead. */
    private static final int DTLS_MAXIMUM_PACKET = io.jenet.internal.protocol.Protocol.MAXIMUM_MTU + 256;
    private static final System.Logger LOG = System.getLogger("io.jenet");

    /** The clock's origin on the endpoint's clock; {@link #now()} counts ms from it. */
    private final long epochNanos;
    private final DatagramEndpoint transport;
    private final Host host;
    private final Event event = new Event();
    private final byte[] receiveBuffer = new byte[65536];
    /** Where the engine assembles each datagram the driver pulls from it. */
    private final byte[] transmitBuffer = new byte[Host.TRANSMIT_BUFFER_SIZE];
    private final int[] receiveLength = new int[1];
    private DtlsLayer dtls;
    private byte[] dtlsPlaintext;
    private long oversizedDatagrams;
    private String dtlsFailureLogged;
    private String sendErrorLogged;
    private long budgetDisconnectsLogged;
    /** Whether the socket is shared with other hosts (never connected then). */
    private final boolean sharedPort;
    /** The application sent raw datagrams elsewhere ({@link #socketSend}): the socket stays open to all. */
    private boolean addressedByApplication;
    private long internalErrorsLogged;
    /** Set by {@link #wakeup()} from any thread; the service loop takes it before and after it waits. */
    private final AtomicBoolean wakeupRequested = new AtomicBoolean();

    /**
     * Binds a real UDP socket and creates the engine host ({@link DatagramNetwork#UDP}).
     *
     * @param bind local address (port 0 = any)
     * @param maxPeers peer slots
     * @param maxChannels channel limit (0 = 255)
     * @param inBandwidth incoming bandwidth, bytes/s (0 = unlimited)
     * @param outBandwidth outgoing bandwidth, bytes/s (0 = unlimited)
     * @param settings the settings to apply
     * @throws IOException if the socket cannot be bound
     */
    public HostDriver(InetSocketAddress bind, int maxPeers, int maxChannels, long inBandwidth, long outBandwidth,
                      HostSettings settings) throws IOException {
        this(DatagramNetwork.UDP, bind, maxPeers, maxChannels, inBandwidth, outBandwidth, settings);
    }

    /**
     * Binds an endpoint on a network and creates the engine host, seeded by that network.
     *
     * @param network where to bind (real UDP, or a simulation)
     * @param bind local address (port 0 = any)
     * @param maxPeers peer slots
     * @param maxChannels channel limit (0 = 255)
     * @param inBandwidth incoming bandwidth, bytes/s (0 = unlimited)
     * @param outBandwidth outgoing bandwidth, bytes/s (0 = unlimited)
     * @param settings the settings to apply
     * @throws IOException if the socket cannot be bound
     */
    public HostDriver(DatagramNetwork network, InetSocketAddress bind, int maxPeers, int maxChannels, long inBandwidth,
                      long outBandwidth, HostSettings settings) throws IOException {
        this(network, bind, false, maxPeers, maxChannels, inBandwidth, outBandwidth, settings);
    }

    /**
     * Binds an endpoint on a network, alone on its port or sharing it with other hosts
     * ({@link DatagramNetwork#bindShared}), and creates the engine host, seeded by that network.
     *
     * @param network where to bind (real UDP, or a simulation)
     * @param bind local address (port 0 = any)
     * @param sharePort whether the port is shared with other hosts ({@code SO_REUSEPORT})
     * @param maxPeers peer slots
     * @param maxChannels channel limit (0 = 255)
     * @param inBandwidth incoming bandwidth, bytes/s (0 = unlimited)
     * @param outBandwidth outgoing bandwidth, bytes/s (0 = unlimited)
     * @param settings the settings to apply
     * @throws IOException if the socket cannot be bound
     */
    public HostDriver(DatagramNetwork network, InetSocketAddress bind, boolean sharePort, int maxPeers, int maxChannels,
                      long inBandwidth, long outBandwidth, HostSettings settings) throws IOException {
        transport = sharePort ? network.bindShared(bind) : network.bind(bind);
        sharedPort = sharePort;
        epochNanos = transport.nanoTime();
        try {
            host = new Host(maxPeers, maxChannels, inBandwidth, outBandwidth, null, new SplittableRandom(network.newRandomSeed()));
        } catch (RuntimeException | Error e) {
            transport.close();
            throw e;
        }
        host.configure(settings);
        host.setHoldReceivedPackets(true);
        host.setPeerObserver(new PeerObserver() {
            @Override
            public void attached(InetSocketAddress address) {
                if (dtls != null) {
                    dtls.peerAttached(address);
                }
            }

            @Override
            public void released(InetSocketAddress address) {
                if (dtls != null) {
                    dtls.peerReleased(address);
                }
            }
        });
        host.time(now());
    }

    /** @return the engine host */
    public Host host() {
        return host;
    }

    /** @return the clock the engine runs on, in ms (never 0) */
    public long now() {
        return (transport.nanoTime() - epochNanos) / 1_000_000L + 1;
    }

    /**
     * @return the endpoint's clock in ns ({@link System#nanoTime()} on real sockets, virtual time
     *         on a simulated network), for the facade's own intervals and deadlines
     */
    public long nanoTime() {
        return transport.nanoTime();
    }

    /** Sets the engine's clock to now, before an application call that changes engine state. */
    public void tick() {
        host.time(now());
    }

    /** @return the bound UDP port */
    public int localPort() {
        return transport.localPort();
    }

    // ---- DTLS ----

    /** @return the DTLS layer, or null for plain ENet */
    public DtlsLayer dtls() {
        return dtls;
    }

    /**
     * Puts Godot's DTLS server layer between the socket and the engine.
     *
     * @param context the server's {@code DTLSv1.2} context
     * @param refuseNewConnections the initial refusal
     * @return the layer
     */
    public DtlsServer startDtlsServer(javax.net.ssl.SSLContext context, boolean refuseNewConnections) {
        DtlsServer server = new DtlsServer(context, transport::send, DTLS_MAXIMUM_PACKET, host.peerCount());
        server.refuseNewConnections(refuseNewConnections);
        startDtls(server);
        return server;
    }

    /**
     * Puts Godot's DTLS client layer between the socket and the engine.
     *
     * @param context the client's {@code DTLSv1.2} context
     * @param serverName the name the server's certificate must carry
     * @param verify whether to verify the certificate
     */
    public void startDtlsClient(javax.net.ssl.SSLContext context, String serverName, boolean verify) {
        startDtls(new DtlsClient(context, transport::send, serverName, verify, DTLS_MAXIMUM_PACKET));
    }

    private void startDtls(DtlsLayer layer) {
        dtls = layer;
        dtlsPlaintext = new byte[65536];
    }

    // ---- the service loop ----

    /**
     * ENet's {@code enet_host_service}: returns the first event the sink accepts, waiting up to
     * {@code timeout} ms for one.
     *
     * @param timeout ms to wait; 0 returns at once
     * @param sink what to do with each engine event
     * @return the outcome
     */
    public Outcome service(int timeout, EventSink sink) {
        if (pollEvent(sink)) {
            return Outcome.EVENT;
        }
        long deadline = now() + timeout;
        boolean idle = false;
        boolean first = true;
        while (true) {
            long t = now();
            // Godot polls its DTLS layer inside every datagram send and receive, so a host
            // serviced with a timeout of 0 still retransmits handshake flights and expires
            // sessions: poll it on every pass, not only when the loop is about to wait.
            pollDtls(t);
            // The pass before reading sends what the application queued since the last call; after
            // a wait nothing new can have been queued, and the pass after reading does the rest
            // (timers, pings, acknowledgements), so one pass per wake-up is enough. C ENet makes
            // two; with thousands of mostly idle peers, each pass is the cost.
            if (first) {
                host.service(t);
                if (!transmit()) {
                    return socketError();
                }
            }
            first = false;
            try {
                receiveDatagrams();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "jenet: socket receive failed", e);
                return Outcome.ERROR;
            }
            t = now();
            host.service(t);
            if (!transmit()) {
                return socketError();
            }
            logBudgetAndFailures();
            if (pollEvent(sink)) {
                return Outcome.EVENT;
            }
            if (dtls != null && dtls.takeFailure()) {
                logDtlsFailure();
                return Outcome.ERROR;
            }
            t = now();
            if (t >= deadline) {
                return Outcome.NONE;
            }
            long wait = host.millisUntilDue(t, deadline - t);
            if (dtls != null) {
                pollDtls(t);
                wait = Math.max(0, Math.min(wait, dtls.dueAt() - t));
            }
            if (wait == 0) {
                // Guard against spinning when work is due but cannot proceed yet.
                wait = idle ? 1 : 0;
                idle = true;
            } else {
                idle = false;
            }
            transport.flush();
            if (wakeupRequested.get() && wakeupRequested.getAndSet(false)) {
                return Outcome.NONE;
            }
            try {
                transport.await(wait);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "jenet: socket wait failed", e);
                return Outcome.ERROR;
            }
            if (wakeupRequested.get() && wakeupRequested.getAndSet(false)) {
                return Outcome.NONE;
            }
        }
    }

    /**
     * ENet's {@code enet_host_check_events}: the first already-received event the sink accepts,
     * without touching the socket.
     *
     * @param sink what to do with each engine event
     * @return whether one was accepted
     */
    public boolean pollEvent(EventSink sink) {
        while (host.checkEvents(event)) {
            if (sink.accept(event)) {
                return true;
            }
        }
        return false;
    }

    /** ENet's {@code enet_host_flush}, and a DTLS poll (Godot polls DTLS on every send). */
    public void flush() {
        long t = now();
        host.time(t);
        host.flush();
        transmit();
        pollDtls(t);
    }

    /**
     * Sends a raw datagram from the host's socket; through DTLS on a DTLS host, as Godot.
     *
     * @return bytes sent, 0 if dropped, -1 on a socket error (logged)
     */
    public int socketSend(InetSocketAddress to, byte[] packet) {
        if (!isPeerAddress(to)) {
            addressedByApplication = true;
        }
        int sent = dtls == null ? transport.send(to, packet, 0, packet.length) : dtls.send(to, packet, 0, packet.length, now());
        if (!transport.flush()) {
            sent = -1;
        }
        if (sent < 0) {
            LOG.log(System.Logger.Level.WARNING, "jenet: socketSend to {0} failed: {1}", to, transport.lastSendError());
        }
        return sent;
    }

    /**
     * A peer of this host starts connecting to {@code remote}. A client host with one peer slot
     * talks to that one server only, so its socket is connected to it: the kernel then looks the
     * route up once instead of per datagram, and sends carry no address. Not for broadcast or
     * multicast addresses, a shared port, or once the application sent raw datagrams elsewhere
     * (NAT punching, LAN discovery): those need a socket open to every address.
     *
     * @param remote the server's address
     */
    public void connecting(InetSocketAddress remote) {
        java.net.InetAddress a = remote.getAddress();
        boolean single = host.peerCount() == 1 && !sharedPort && !addressedByApplication && a != null
                && !a.isMulticastAddress() && !a.isAnyLocalAddress()
                && !(a instanceof java.net.Inet4Address && a.getAddress()[0] == (byte) 255 && a.getAddress()[3] == (byte) 255);
        try {
            transport.connect(single ? remote : null);
        } catch (IOException e) {
            // Stays unconnected, as every other host: nothing is lost but the shortcut.
            LOG.log(System.Logger.Level.DEBUG, "jenet: socket not connected to {0}: {1}", remote, e);
        }
    }

    private boolean isPeerAddress(InetSocketAddress to) {
        for (int i = 0; i < host.peerCount(); i++) {
            io.jenet.internal.engine.Peer p = host.peer(i);
            if (p.state() != io.jenet.internal.engine.Peer.STATE_DISCONNECTED && to.equals(p.address())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes {@link #service} return {@link Outcome#NONE} early: at once if it is waiting, else at its
     * next wait (it still makes its pass over the socket first). One request per call, not counted:
     * several calls before the service thread notices them end one wait. Safe from any thread.
     */
    public void wakeup() {
        wakeupRequested.set(true);
        transport.wakeup();
    }

    /** @return datagrams dropped before the engine saw them (larger than ENet's receive buffer) */
    public long oversizedDatagrams() {
        return oversizedDatagrams;
    }

    private void receiveDatagrams() throws IOException {
        for (int i = 0; i < MAX_DATAGRAMS_PER_SERVICE; i++) {
            InetSocketAddress from = transport.receive(receiveBuffer, receiveLength);
            if (from == null) {
                return;
            }
            int length = receiveLength[0];
            if (length > Host.RECEIVE_BUFFER_SIZE) {
                oversizedDatagrams++;
                continue;
            }
            if (dtls == null) {
                host.receive(receiveBuffer, 0, length, from, now());
            } else {
                long now = now();
                int plain = dtls.receive(from, receiveBuffer, length, dtlsPlaintext, now);
                if (plain >= 0) {
                    host.receive(dtlsPlaintext, 0, plain, from, now);
                }
            }
        }
    }

    /**
     * Sends what the engine has to send: every datagram it yields, through DTLS on a DTLS host.
     * Called after each service pass and flush, and after application calls that disconnect a
     * peer at once (the engine makes those datagrams on the spot and holds them for us).
     *
     * @return false if the socket refused a datagram (the others were still sent)
     */
    public boolean transmit() {
        boolean ok = true;
        long t = now();
        for (int n; (n = host.pollTransmit(transmitBuffer)) >= 0; ) {
            InetSocketAddress to = host.transmitAddress();
            int offset = host.transmitOffset();
            int sent = dtls == null ? transport.send(to, transmitBuffer, offset, n) : dtls.send(to, transmitBuffer, offset, n, t);
            if (sent < 0) {
                ok = false;
            } else {
                host.transmitted(sent);
            }
        }
        return transport.flush() && ok;
    }

    private void pollDtls(long now) {
        if (dtls != null) {
            dtls.poll(now);
            // A handshake flight that fails at the socket is resent by the DTLS layer's own timer.
            transport.flush();
            logDtlsFailure();
        }
    }

    private void logDtlsFailure() {
        String failure = dtls.lastFailure();
        if (failure != null && !failure.equals(dtlsFailureLogged)) {
            dtlsFailureLogged = failure;
            LOG.log(System.Logger.Level.WARNING, "jenet: DTLS session failed: {0}", failure);
        }
    }

    /**
     * A datagram could not be sent (no route, unsupported address family, closed socket). Logged
     * at WARNING when the failure is new, at DEBUG while it repeats (every retransmission to an
     * unreachable peer fails the same way).
     */
    private Outcome socketError() {
        Exception cause = transport.lastSendError();
        String what = cause == null ? "?" : cause.toString();
        System.Logger.Level level = what.equals(sendErrorLogged) ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        sendErrorLogged = what;
        LOG.log(level, "jenet: socket send failed: {0}", what);
        return Outcome.ERROR;
    }

    /** Budget disconnections and engine failures are rare and worth a line each. */
    private void logBudgetAndFailures() {
        long disconnects = host.budgetDisconnects();
        if (disconnects != budgetDisconnectsLogged) {
            LOG.log(System.Logger.Level.WARNING, "jenet: memory budget: {0} peer(s) disconnected (incomplete data held {1} of {2} bytes, "
                    + "queued outgoing {3} bytes)", disconnects - budgetDisconnectsLogged, host.incompleteData(),
                    host.incompleteDataLimit(), host.outgoingData());
            budgetDisconnectsLogged = disconnects;
        }
        long failures = host.internalErrors();
        if (failures != internalErrorsLogged) {
            internalErrorsLogged = failures;
            LOG.log(System.Logger.Level.WARNING, "jenet: a received datagram made the engine fail; its peer was disconnected",
                    host.lastInternalError());
        }
    }

    /** Closes the socket. */
    @Override
    public void close() {
        transport.close();
    }
}

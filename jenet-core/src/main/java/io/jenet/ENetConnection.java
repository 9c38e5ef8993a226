package io.jenet;

import io.jenet.internal.compress.FastLz;
import io.jenet.internal.compress.RangeCoder;
import io.jenet.internal.compress.Zlib;
import io.jenet.internal.compress.Zstd;
import io.jenet.internal.engine.Event;
import io.jenet.internal.engine.Host;
import io.jenet.internal.engine.HostSettings;
import io.jenet.internal.engine.Peer;
import io.jenet.internal.protocol.Protocol;
import io.jenet.internal.transport.ConnectionFactory;
import io.jenet.internal.transport.DatagramNetwork;
import io.jenet.internal.transport.DtlsClient;
import io.jenet.internal.transport.DtlsLayer;
import io.jenet.internal.transport.DtlsServer;
import io.jenet.internal.transport.HostDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An ENet host, as Godot's {@code ENetConnection}: create it with {@link #createHost} or
 * {@link #createHostBound}, connect with {@link #connectToHost}, and call {@link #service(int)}
 * regularly to move packets and receive events. Speaks ENet 1.3 on the wire, so C ENet and Godot
 * peers can be on the other end.
 *
 * <pre>{@code
 * try (ENetConnection client = new ENetConnection()) {
 *     client.createHost(1, 2);
 *     ENetPacketPeer server = client.connectToHost("127.0.0.1", 7777);
 *     ENetEvent e = client.service(1000);   // EVENT_CONNECT
 *     server.send(0, "hello".getBytes(), ENetPacketPeer.FLAG_RELIABLE);
 * }
 * }</pre>
 *
 * <p>Thread-safety: not thread-safe, like ENet and Godot. A connection, its peers and their
 * packets must be used from one thread at a time (normally the thread that calls
 * {@link #service(int)}).
 */
public final class ENetConnection implements AutoCloseable {
    /** Compression of the datagram command area; both ends must use the same mode. */
    public enum CompressionMode {
        /** No compression. */
        COMPRESS_NONE,
        /** ENet's built-in range coder. */
        COMPRESS_RANGE_CODER,
        /** FastLZ, as Godot uses it. */
        COMPRESS_FASTLZ,
        /** zlib, as Godot uses it. */
        COMPRESS_ZLIB,
        /** Zstandard, as Godot uses it. */
        COMPRESS_ZSTD;

        /** @return Godot's numeric value (0 … 4) */
        public int value() {
            return ordinal();
        }
    }

    /** The kind of event {@link #service(int)} returns, with Godot's numeric values. */
    public enum EventType {
        /** An error occurred during service; the host should be destroyed and recreated. */
        EVENT_ERROR(-1),
        /** No event within the timeout. */
        EVENT_NONE(0),
        /** A connection completed (ours or a remote peer's). */
        EVENT_CONNECT(1),
        /** A peer disconnected, timed out, or a connection attempt failed. */
        EVENT_DISCONNECT(2),
        /** A packet arrived and was queued on the peer. */
        EVENT_RECEIVE(3);

        private final int value;

        EventType(int value) {
            this.value = value;
        }

        /** @return Godot's numeric value */
        public int value() {
            return value;
        }
    }

    /** Host counters for {@link #popStatistic}. */
    public enum HostStatistic {
        /** Bytes sent, counted as whole datagrams. */
        HOST_TOTAL_SENT_DATA,
        /** UDP datagrams sent. */
        HOST_TOTAL_SENT_PACKETS,
        /** Bytes received, counted as whole datagrams. */
        HOST_TOTAL_RECEIVED_DATA,
        /** UDP datagrams received. */
        HOST_TOTAL_RECEIVED_PACKETS;

        /** @return Godot's numeric value (0 … 3) */
        public int value() {
            return ordinal();
        }
    }

    /**
     * jenet extension: the disconnect data {@link #drain(int, int, Consumer)} and {@link #beginDrain(int)}
     * are meant to be given when a server shuts down (and {@code jenet serve} gives on SIGTERM):
     * 1001, as WebSocket's "going away" close code. Remote peers receive it in their
     * {@code EVENT_DISCONNECT} ({@code ENetEvent.data()}; C ENet's {@code event.data}; Godot's
     * {@code service()[2]}), so a client can tell "the server is shutting down, reconnect elsewhere"
     * from a timeout or a kick.
     */
    public static final int DRAIN_DISCONNECT_DATA = 1001;

    /** Log lines go to {@code System.Logger} "io.jenet" (no logging library is required). */
    private static final System.Logger LOG = System.getLogger("io.jenet");

    /** The engine, its socket, clock, DTLS layer and service loop; null until a host is created. */
    private HostDriver driver;
    private Host host;
    /** What the application set, applied to the engine whenever it changes (and at creation). */
    private final HostSettings settings = new HostSettings();
    private CompressionMode compression = CompressionMode.COMPRESS_NONE;
    /** Wrappers of the engine's peers, in the order they appeared. */
    private final List<ENetPacketPeer> peers = new ArrayList<>();
    private long peerResetsSeen = -1;
    private final HostDriver.EventSink toApplication = this::accept;
    private ENetEvent accepted;
    /** What {@link #popStatistic} took out of the engine's counters, so the metrics stay monotonic. */
    private final long[] popped = new long[HostStatistic.values().length];
    /** The latest snapshot, written by the service thread only, read by any. */
    private volatile HostMetrics metrics = HostMetrics.EMPTY;
    private long metricsSequence;
    private long metricsIntervalNanos;
    private long nextMetricsNanos;
    /** Set by {@link #beginDrain}: new connections are refused and new peers told to leave. */
    private boolean draining;
    private int drainData;

    static {
        // The simulated network of module io.jenet.testkit creates connections through this
        // (internal, qualified-export) factory; see ConnectionFactory.
        ConnectionFactory.register(ENetConnection::new);
    }

    /** Where hosts of this connection bind: real UDP, unless made by ConnectionFactory. */
    private final DatagramNetwork network;

    /** Creates a connection object; call {@link #createHost} or {@link #createHostBound} next. */
    public ENetConnection() {
        this(DatagramNetwork.UDP);
    }

    /** A connection whose hosts bind on {@code network}; reached through ConnectionFactory only. */
    ENetConnection(DatagramNetwork network) {
        this.network = Objects.requireNonNull(network, "network");
    }

    /**
     * The clock for the facade's own intervals and deadlines (metrics, drain): the driver's, so that
     * on a simulated network they follow virtual time as the engine does.
     */
    private long clockNanos() {
        return driver != null ? driver.nanoTime() : System.nanoTime();
    }

    // ---- creation ----

    /**
     * Creates a host bound to a random free port on the wildcard address.
     *
     * @param maxPeers peers allowed, 1 … 4095
     * @param maxChannels channels per peer, 0 … 255 (0 means 255)
     * @param inBandwidth incoming bandwidth limit in bytes/s, 0 = unlimited
     * @param outBandwidth outgoing bandwidth limit in bytes/s, 0 = unlimited
     * @throws IOException if the socket cannot be created
     * @throws IllegalStateException if this connection already has a host
     * @throws IllegalArgumentException for a value out of range
     */
    public void createHost(int maxPeers, int maxChannels, int inBandwidth, int outBandwidth) throws IOException {
        create(new InetSocketAddress(0), false, maxPeers, maxChannels, inBandwidth, outBandwidth);
    }

    /**
     * {@link #createHost(int, int, int, int)} without bandwidth limits.
     *
     * @param maxPeers peers allowed, 1 … 4095
     * @param maxChannels channels per peer, 0 … 255 (0 means 255)
     * @throws IOException if the socket cannot be created
     */
    public void createHost(int maxPeers, int maxChannels) throws IOException {
        createHost(maxPeers, maxChannels, 0, 0);
    }

    /**
     * {@link #createHost(int, int, int, int)} with 32 peers, 255 channels and no limits.
     *
     * @throws IOException if the socket cannot be created
     */
    public void createHost() throws IOException {
        createHost(32, 0, 0, 0);
    }

    /**
     * Creates a host bound to an address and port.
     *
     * @param bindAddress an IP address, or {@code "*"} for all addresses (IPv4 and IPv6)
     * @param bindPort 0 … 65535 (0 picks a free port)
     * @param maxPeers peers allowed, 1 … 4095
     * @param maxChannels channels per peer, 0 … 255 (0 means 255)
     * @param inBandwidth incoming bandwidth limit in bytes/s, 0 = unlimited
     * @param outBandwidth outgoing bandwidth limit in bytes/s, 0 = unlimited
     * @throws IOException if the socket cannot be bound
     * @throws IllegalStateException if this connection already has a host
     * @throws IllegalArgumentException for a value out of range or an unknown address
     */
    public void createHostBound(String bindAddress, int bindPort, int maxPeers, int maxChannels, int inBandwidth,
                                int outBandwidth) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        checkPort(bindPort, 0);
        InetSocketAddress bind = "*".equals(bindAddress) ? new InetSocketAddress(bindPort)
                : new InetSocketAddress(resolve(bindAddress), bindPort);
        create(bind, false, maxPeers, maxChannels, inBandwidth, outBandwidth);
    }

    /**
     * {@link #createHostBound(String, int, int, int, int, int)} on a port shared with other hosts
     * ({@code SO_REUSEPORT}); for {@link ENetShardedHost}, which binds its shards this way.
     */
    void createHostBoundShared(String bindAddress, int bindPort, int maxPeers, int maxChannels, int inBandwidth,
                               int outBandwidth) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        checkPort(bindPort, 0);
        create(bindAddress(bindAddress, bindPort), true, maxPeers, maxChannels, inBandwidth, outBandwidth);
    }

    /** @return where {@code createHostBound(bindAddress, bindPort, …)} binds: {@code "*"} is every address */
    static InetSocketAddress bindAddress(String bindAddress, int bindPort) {
        return "*".equals(bindAddress) ? new InetSocketAddress(bindPort) : new InetSocketAddress(resolve(bindAddress), bindPort);
    }

    /**
     * {@link #createHostBound(String, int, int, int, int, int)} without bandwidth limits.
     *
     * @param bindAddress an IP address, or {@code "*"} for all addresses
     * @param bindPort 0 … 65535
     * @param maxPeers peers allowed, 1 … 4095
     * @param maxChannels channels per peer, 0 … 255 (0 means 255)
     * @throws IOException if the socket cannot be bound
     */
    public void createHostBound(String bindAddress, int bindPort, int maxPeers, int maxChannels) throws IOException {
        createHostBound(bindAddress, bindPort, maxPeers, maxChannels, 0, 0);
    }

    /**
     * {@link #createHostBound(String, int, int, int, int, int)} with 32 peers and 255 channels.
     *
     * @param bindAddress an IP address, or {@code "*"} for all addresses
     * @param bindPort 0 … 65535
     * @throws IOException if the socket cannot be bound
     */
    public void createHostBound(String bindAddress, int bindPort) throws IOException {
        createHostBound(bindAddress, bindPort, 32, 0, 0, 0);
    }

    private void create(InetSocketAddress bind, boolean sharePort, int maxPeers, int maxChannels, int inBandwidth,
                        int outBandwidth) throws IOException {
        if (host != null) {
            throw new IllegalStateException("host already created; call destroy() first");
        }
        if (maxPeers < 1 || maxPeers > Protocol.MAXIMUM_PEER_ID) {
            throw new IllegalArgumentException("maxPeers must be 1.." + Protocol.MAXIMUM_PEER_ID + ", got " + maxPeers);
        }
        if (maxChannels < 0 || maxChannels > Protocol.MAXIMUM_CHANNEL_COUNT) {
            throw new IllegalArgumentException("maxChannels must be 0..255 (0 = 255), got " + maxChannels);
        }
        if (inBandwidth < 0 || outBandwidth < 0) {
            throw new IllegalArgumentException("bandwidth must be >= 0, got in=" + inBandwidth + " out=" + outBandwidth);
        }
        driver = new HostDriver(network, bind, sharePort, maxPeers, maxChannels, inBandwidth, outBandwidth, settings);
        host = driver.host();
        peerResetsSeen = -1;
        java.util.Arrays.fill(popped, 0);
        draining = false;
        nextMetricsNanos = clockNanos();
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "jenet: host on port {0}, {1} peers, {2} channels", driver.localPort(), maxPeers, maxChannels);
        }
    }

    /** Hands the settings to the engine, if there is one; creation hands them over too. */
    private void reconfigure() {
        if (host != null) {
            host.configure(settings);
        }
    }

    // ---- connecting ----

    /**
     * Starts connecting to a remote host; the peer is returned at once (state
     * {@code STATE_CONNECTING}) and an {@code EVENT_CONNECT} or {@code EVENT_DISCONNECT} follows.
     *
     * @param address IP address or host name (resolved now)
     * @param port 1 … 65535
     * @param channels channels to allocate, 1 … 255; as Godot, 0 or less means 255 and more than
     *                 255 is clamped to 255
     * @param data 32-bit value delivered with the remote CONNECT event (read it there as unsigned
     *             with {@link ENetEvent#dataUnsigned()})
     * @return the new peer
     * @throws IllegalStateException if no host was created, all peer slots are in use, or this is a
     *         DTLS client host that already has its server peer (one DTLS session per host, as Godot)
     * @throws IllegalArgumentException for a bad port or an unresolvable address
     */
    public ENetPacketPeer connectToHost(String address, int port, int channels, int data) {
        checkOpen();
        Objects.requireNonNull(address, "address");
        checkPort(port, 1);
        if (driver.dtls() instanceof DtlsClient) {
            dropInactivePeers();
            if (!peers.isEmpty()) {
                throw new IllegalStateException("a DTLS client host connects to one server (one DTLS session per host, as Godot); "
                        + "disconnect " + peers.get(0) + " first or create another host");
            }
        }
        InetSocketAddress remote = new InetSocketAddress(resolve(address), port);
        driver.tick();
        Peer p = host.connect(remote, channels <= 0 || channels > Protocol.MAXIMUM_CHANNEL_COUNT
                ? Protocol.MAXIMUM_CHANNEL_COUNT : channels, data);
        if (p == null) {
            throw new IllegalStateException("no free peer slot: all " + host.peerCount() + " peers are in use");
        }
        driver.connecting(remote);
        ENetPacketPeer peer = new ENetPacketPeer(this, driver, p);
        peers.add(peer);
        return peer;
    }

    /**
     * {@link #connectToHost(String, int, int, int)} with 255 channels and data 0.
     *
     * @param address IP address or host name
     * @param port 1 … 65535
     * @return the new peer
     */
    public ENetPacketPeer connectToHost(String address, int port) {
        return connectToHost(address, port, 0, 0);
    }

    /**
     * {@link #connectToHost(String, int, int, int)} with data 0.
     *
     * @param address IP address or host name
     * @param port 1 … 65535
     * @param channels channels to allocate, 1 … 255 (0 means 255; see the four-argument form)
     * @return the new peer
     */
    public ENetPacketPeer connectToHost(String address, int port, int channels) {
        return connectToHost(address, port, channels, 0);
    }

    // ---- servicing ----

    /**
     * Sends and receives, then returns the next event, waiting up to {@code timeout} ms for one.
     * A RECEIVE event queues its packet on the peer ({@link ENetPacketPeer#getPacket()}).
     *
     * @param timeout ms to wait; 0 returns at once
     * @return the event; {@code EVENT_NONE} if none came, {@code EVENT_ERROR} if the socket failed
     * @throws IllegalStateException if no host was created
     */
    public ENetEvent service(int timeout) {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeout);
        }
        dropInactivePeers();
        HostDriver.Outcome outcome = driver.service(timeout, toApplication);
        if (metricsIntervalNanos > 0 && clockNanos() - nextMetricsNanos >= 0) {
            publishMetrics();
        }
        switch (outcome) {
            case EVENT:
                return takeAccepted();
            case ERROR:
                return ENetEvent.ERROR;
            default:
                return ENetEvent.NONE;
        }
    }

    /**
     * Returns the next event already received, without sending or receiving anything (C ENet's
     * {@code enet_host_check_events}; not in Godot). A loop that drains events after
     * {@link #service(int)} with this instead of {@code service(0)} saves one socket read per
     * pass; packets queued meanwhile go out at the next {@code service} or {@link #flush()}.
     *
     * <p>Thread-safety: none; one thread at a time, as the rest of this class.
     *
     * @return the event, or {@code EVENT_NONE} if none is queued
     * @throws IllegalStateException if no host was created
     */
    public ENetEvent checkEvents() {
        checkOpen();
        dropInactivePeers();
        return driver.pollEvent(toApplication) ? takeAccepted() : ENetEvent.NONE;
    }

    /**
     * Same as {@link #service(int)} with timeout 0.
     *
     * @return the event, or {@code EVENT_NONE}
     */
    public ENetEvent service() {
        return service(0);
    }

    private ENetEvent takeAccepted() {
        ENetEvent e = accepted;
        accepted = null;
        return e;
    }

    /** Turns an engine event into the application's, with the peer's wrapper; false skips it. */
    private boolean accept(Event event) {
        ENetPacketPeer peer = event.peerData instanceof ENetPacketPeer ? (ENetPacketPeer) event.peerData : null;
        switch (event.type) {
            case Event.TYPE_CONNECT:
                if (peer == null) {
                    peer = new ENetPacketPeer(this, driver, event.peer);
                    peers.add(peer);
                }
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "jenet: connected {0}:{1} data={2}", peer.getRemoteAddress(), peer.getRemotePort(), event.data);
                }
                if (draining) {
                    // A handshake that was under way when the drain began: it is told to leave too.
                    peer.peerDisconnectLater(drainData);
                }
                accepted = new ENetEvent(EventType.EVENT_CONNECT, peer, event.data, 0);
                return true;
            case Event.TYPE_DISCONNECT:
                if (peer == null) {
                    return false; // disconnected or reset by the application: no event, as Godot
                }
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "jenet: disconnected {0}:{1} data={2}", peer.getRemoteAddress(), peer.getRemotePort(), event.data);
                }
                peer.detach();
                peers.remove(peer);
                accepted = new ENetEvent(EventType.EVENT_DISCONNECT, peer, event.data, 0);
                return true;
            case Event.TYPE_RECEIVE:
                if (peer == null) {
                    event.peer.release(event.packet);
                    return false;
                }
                peer.queuePacket(event.packet);
                accepted = peer.receiveEvent(event.channelID);
                return true;
            default:
                return false;
        }
    }

    private void dropInactivePeers() {
        // A wrapper goes stale only when its engine peer was reset (or reused after one).
        long resets = host.peerResets();
        if (resets == peerResetsSeen) {
            return;
        }
        peerResetsSeen = resets;
        peers.removeIf(p -> {
            Peer ep = p.enginePeer();
            if (ep == null || ep.userData != p || ep.state() == Peer.STATE_DISCONNECTED) {
                p.detach();
                return true;
            }
            return false;
        });
    }

    /** Sends all queued packets now instead of at the next {@link #service(int)}. */
    public void flush() {
        checkOpen();
        driver.flush();
    }

    // ---- hooks for ENetShardedHost (package-private) ----

    /**
     * What makes a {@link #service(int)} of this host return early ({@code EVENT_NONE}), from any
     * thread; it keeps working (doing nothing) after the host is destroyed.
     *
     * @return the host's wake-up
     * @throws IllegalStateException if no host was created
     */
    Runnable waker() {
        checkOpen();
        return driver::wakeup;
    }

    /** @return peers connected now, as ENet counts them (connected, or leaving once their queue is sent) */
    int connectedPeerCount() {
        checkOpen();
        return host.connectedPeers();
    }

    /** @return peer slots in use: connected, connecting, leaving, or with an event still to hand out */
    int occupiedPeerSlots() {
        checkOpen();
        return remainingPeers();
    }

    // ---- sending to all ----

    /**
     * Queues a packet to every connected peer.
     *
     * @param channel channel, below {@link #getMaxChannels()}
     * @param packet payload (copied once, shared by all peers)
     * @param flags packet flags, see {@link ENetPacketPeer#send(int, byte[], int)}
     */
    public void broadcast(int channel, byte[] packet, int flags) {
        broadcastCounted(channel, packet, flags);
    }

    /** {@link #broadcast}, returning how many peers it was queued to (connected ones that have the channel). */
    int broadcastCounted(int channel, byte[] packet, int flags) {
        checkOpen();
        Objects.requireNonNull(packet, "packet");
        if ((flags & ~(ENetPacketPeer.FLAG_RELIABLE | ENetPacketPeer.FLAG_UNSEQUENCED | ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT)) != 0) {
            throw new IllegalArgumentException("flags " + flags + " not allowed: use FLAG_RELIABLE, FLAG_UNSEQUENCED, FLAG_UNRELIABLE_FRAGMENT");
        }
        if (channel < 0 || channel >= host.channelLimit()) {
            throw new IllegalArgumentException("invalid channel " + channel + ": the channel limit is " + host.channelLimit());
        }
        checkPacketSize(packet.length);
        return host.broadcast(channel, host.createPacket(packet, 0, packet.length, flags));
    }

    /**
     * Sends a raw UDP datagram from this host's socket, e.g. to open a NAT mapping. On a DTLS host
     * it goes through DTLS, as in Godot: a server sends it inside the session with that address
     * (and drops it if there is none); a client sends it inside its one session (starting the
     * session with that address if there is none yet). A socket failure is logged, not thrown.
     *
     * @param destinationAddress IP address or host name
     * @param destinationPort 1 … 65535
     * @param packet the datagram
     */
    public void socketSend(String destinationAddress, int destinationPort, byte[] packet) {
        checkOpen();
        Objects.requireNonNull(packet, "packet");
        checkPort(destinationPort, 1);
        if (packet.length > 65507) {
            throw new IllegalArgumentException("datagram of " + packet.length + " bytes exceeds the UDP maximum of 65507");
        }
        driver.socketSend(new InetSocketAddress(resolve(destinationAddress), destinationPort), packet);
    }

    // ---- configuration ----

    /**
     * Adjusts this host's bandwidth limits; peers are told within a second. The values are ENet's
     * unsigned 32-bit fields: as in Godot, a negative int is taken as its unsigned value
     * (-1 is 4 294 967 295 bytes/s, in effect no limit).
     *
     * @param inBandwidth bytes/s, 0 = unlimited
     * @param outBandwidth bytes/s, 0 = unlimited
     */
    public void bandwidthLimit(int inBandwidth, int outBandwidth) {
        checkOpen();
        host.bandwidthLimit(Integer.toUnsignedLong(inBandwidth), Integer.toUnsignedLong(outBandwidth));
    }

    /** Removes both bandwidth limits. */
    public void bandwidthLimit() {
        bandwidthLimit(0, 0);
    }

    /**
     * Limits the channels of future incoming connections. As Godot (ENet's
     * {@code enet_host_channel_limit}), 0, a negative value or more than 255 means 255.
     *
     * @param limit 1 … 255
     */
    public void channelLimit(int limit) {
        checkOpen();
        host.setChannelLimit(limit);
    }

    /**
     * Sets the compression used for datagrams; both ends must use the same mode.
     *
     * @param mode the mode
     * @throws UnsupportedOperationException for {@code COMPRESS_ZSTD} on a platform without
     *         zstd-jni's native library
     */
    public void compress(CompressionMode mode) {
        Objects.requireNonNull(mode, "mode");
        switch (mode) {
            case COMPRESS_RANGE_CODER -> settings.compressor = new RangeCoder();
            case COMPRESS_FASTLZ -> settings.compressor = new FastLz();
            case COMPRESS_ZLIB -> settings.compressor = new Zlib();
            case COMPRESS_ZSTD -> settings.compressor = new Zstd();
            default -> settings.compressor = null;
        }
        compression = mode;
        reconfigure();
    }

    // ---- DTLS (Godot's extension) ----

    /**
     * Makes this host a DTLS server (Godot's extension for ENet): every ENet datagram then travels
     * as one DTLS 1.2 record, one session per remote address and port, and clients must connect
     * with {@link #dtlsClientSetup}. As in Godot, a session lives as long as the ENet peer at its
     * address and there are never more sessions than peer slots; one that no peer adopts is
     * dropped once its client has been silent for 32 s. Call it once, right after creating the
     * host and before any peer connects.
     *
     * @param serverOptions {@link TlsOptions#server} options
     * @throws IllegalStateException if no host exists, DTLS is already set up, or peers exist
     * @throws IllegalArgumentException if the options are not server options or unusable
     */
    public void dtlsServerSetup(TlsOptions serverOptions) {
        Objects.requireNonNull(serverOptions, "serverOptions");
        if (!serverOptions.isServer()) {
            throw new IllegalArgumentException("dtlsServerSetup needs TlsOptions.server(...), got " + serverOptions);
        }
        checkDtlsSetup();
        driver.startDtlsServer(serverOptions.sslContext(), settings.refuseNewConnections);
    }

    /**
     * Makes this host a DTLS client (Godot's extension for ENet): the server's certificate is
     * verified against {@code hostname} with the JDK's default authorities. Call it once, after
     * creating the host and before {@link #connectToHost}.
     *
     * @param hostname the name the server's certificate must carry
     */
    public void dtlsClientSetup(String hostname) {
        dtlsClientSetup(hostname, TlsOptions.client());
    }

    /**
     * Makes this host a DTLS client with the given options ({@link TlsOptions#client} verifies the
     * server's chain and its name, {@code hostname} or the options' common-name override;
     * {@link TlsOptions#clientUnsafe} verifies nothing). As in Godot, a DTLS client host has one
     * session, with one server: the handshake starts with the first datagram ENet sends, and
     * {@link #connectToHost} refuses a second server while the first peer is alive. A handshake
     * that fails makes {@link #service} return {@code EVENT_ERROR} (see {@link #dtlsLastFailure()});
     * ENet's next CONNECT retransmission tries again, until the connection times out with
     * {@code EVENT_DISCONNECT}.
     *
     * @param hostname the name the server's certificate must carry
     * @param clientOptions client options
     * @throws IllegalStateException if no host exists, DTLS is already set up, or peers exist
     * @throws IllegalArgumentException if the options are server options or unusable
     */
    public void dtlsClientSetup(String hostname, TlsOptions clientOptions) {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(clientOptions, "clientOptions");
        if (clientOptions.isServer()) {
            throw new IllegalArgumentException("dtlsClientSetup needs TlsOptions.client(...) or clientUnsafe(...)");
        }
        if (hostname.isEmpty() && clientOptions.verifiesPeer() && clientOptions.commonNameOverride() == null) {
            throw new IllegalArgumentException("a verifying DTLS client needs the server's host name");
        }
        checkDtlsSetup();
        String name = clientOptions.commonNameOverride() != null ? clientOptions.commonNameOverride() : hostname;
        driver.startDtlsClient(clientOptions.sslContext(), name, clientOptions.verifiesPeer());
    }

    /**
     * jenet extension: why the last DTLS session failed (an untrusted or expired certificate, a
     * name mismatch, a protocol error), or null. Godot reports a failed client handshake only as
     * {@code EVENT_ERROR} from {@code service} (jenet does too) and a connection that never
     * completes.
     *
     * @return the reason, or null
     */
    public String dtlsLastFailure() {
        DtlsLayer dtls = driver == null ? null : driver.dtls();
        return dtls == null ? null : dtls.lastFailure();
    }

    /**
     * jenet extension: DTLS sessions this host keeps (established or handshaking): on a server at
     * most one per peer slot, each living as long as its ENet peer; on a client at most one.
     *
     * @return the count now, 0 without DTLS
     * @throws IllegalStateException if no host was created
     */
    public int getDtlsSessions() {
        checkOpen();
        return driver.dtls() == null ? 0 : driver.dtls().sessions();
    }

    /** @return whether {@link #dtlsServerSetup} or {@link #dtlsClientSetup} was called on this host */
    public boolean isDtlsEnabled() {
        return driver != null && driver.dtls() != null;
    }

    private void checkDtlsSetup() {
        checkOpen();
        if (driver.dtls() != null) {
            throw new IllegalStateException("DTLS is already set up on this host (it can be set up once)");
        }
        if (!peers.isEmpty() || host.connectedPeers() > 0) {
            throw new IllegalStateException("DTLS must be set up before any peer connects");
        }
    }

    /**
     * Drops connection attempts from new peers while {@code true}. Godot documents this for DTLS
     * servers; jenet applies it to plain hosts too (CONNECT datagrams are dropped and counted).
     *
     * @param refuse whether to refuse
     */
    public void refuseNewConnections(boolean refuse) {
        settings.refuseNewConnections = refuse;
        reconfigure();
        if (driver != null && driver.dtls() instanceof DtlsServer server) {
            server.refuseNewConnections(refuse);
        }
    }

    /**
     * jenet extension: turns ENet's CRC-32 datagram checksum on or off (C ENet's
     * {@code host->checksum = enet_crc32}). Both ends must agree. Set it before connecting.
     *
     * @param enabled whether to checksum
     */
    public void setChecksumEnabled(boolean enabled) {
        settings.checksum = enabled;
        reconfigure();
    }

    /**
     * jenet extension: times reliable delivery exactly as ENet 1.3 does (true), or with jenet's
     * sender (false, the default). jenet's sender changes only what the sending host decides for
     * itself, never the wire: it estimates the round trip without ENet's whole-millisecond
     * truncation, resends a reliable command as soon as a datagram sent after it has been
     * acknowledged (instead of waiting for its timer), copies recent unacknowledged small reliable
     * commands into datagrams it sends anyway while the link is losing data, doubles a timer at most
     * to twice the timeout while the peer is still acknowledging, and lets the reliable window grow
     * with the path's bandwidth-delay product on paths of 10 ms and more. A peer that stops
     * answering is still declared gone by ENet's timeout rule ({@link ENetPacketPeer#setTimeout}).
     * Set true for bit-for-bit ENet timing (e.g. tests compared against ENet traces). Takes effect
     * at once, for every peer.
     *
     * @param exact whether to time as ENet 1.3
     */
    public void setExactEnetTiming(boolean exact) {
        settings.exactEnetTiming = exact;
        reconfigure();
    }

    /**
     * jenet extension: whether this host times reliable delivery exactly as ENet 1.3
     * ({@link #setExactEnetTiming}).
     *
     * @return true under ENet's exact timing
     */
    public boolean isExactEnetTiming() {
        return settings.exactEnetTiming;
    }

    /**
     * jenet extension: the MTU offered to new connections (default 1392, clamped to 576 … 4096).
     *
     * @param mtu the MTU
     */
    public void setMtu(int mtu) {
        if (mtu < Protocol.MINIMUM_MTU || mtu > Protocol.MAXIMUM_MTU) {
            throw new IllegalArgumentException("mtu must be " + Protocol.MINIMUM_MTU + ".." + Protocol.MAXIMUM_MTU + ", got " + mtu);
        }
        settings.mtu = mtu;
        reconfigure();
    }

    /**
     * jenet extension: the largest packet sent or accepted (default 32 MiB, as ENet).
     *
     * @param bytes the limit, at least 1
     */
    public void setMaximumPacketSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maximum packet size must be >= 1, got " + bytes);
        }
        settings.maximumPacketSize = bytes;
        reconfigure();
    }

    /**
     * jenet extension: bounds pending handshakes (peers that sent CONNECT and have not yet
     * acknowledged the VERIFY_CONNECT), so a flood of spoofed CONNECTs cannot hold the slots honest
     * clients need. At most {@code perAddress} are pending from one IP address (more CONNECTs from
     * it are dropped and counted; a real client retries); when {@code total} are pending or every
     * slot is taken, the oldest pending handshake gives way to the newcomer (C ENet refuses the
     * newcomer instead, so a flood locks everyone out). Connected peers are never touched. No wire
     * change: a remote ENet peer sees an ordinary retransmitted CONNECT.
     *
     * <p>Defaults: 256 per address (load tests that
     * open hundreds of connections from one address at the same instant still get in, a few
     * retries later) and every slot in total. Takes effect at the next {@code createHost*}.
     *
     * @param perAddress pending handshakes per IP address, at least 1
     * @param total pending handshakes in all, at least 1; 0 restores "every slot"
     */
    public void setHalfOpenLimits(int perAddress, int total) {
        if (perAddress < 1 || total < 0) {
            throw new IllegalArgumentException("half-open limits must be perAddress >= 1 and total >= 0, got "
                    + perAddress + " and " + total);
        }
        settings.halfOpenPerAddress = perAddress;
        settings.halfOpenTotal = total;
        reconfigure();
    }

    /**
     * jenet extension: CONNECTs refused since the host was created (no free slot, too many pending
     * handshakes from one address, or more connections from one address than allowed).
     *
     * @return the count
     */
    public long getRefusedConnects() {
        checkOpen();
        return host.refusedConnects();
    }

    /**
     * jenet extension: pending handshakes dropped to make room for newer ones (see
     * {@link #setHalfOpenLimits}).
     *
     * @return the count since the host was created
     */
    public long getEvictedHandshakes() {
        checkOpen();
        return host.evictedHalfOpen();
    }

    /**
     * jenet extension: caps the bytes per second one connected peer may send this host. Datagrams
     * beyond the cap (a token bucket holding a quarter second, at least 64 KiB) are dropped as soon
     * as their header names the peer — before decompression or any command work — and counted
     * ({@link #getThrottledDatagrams}, {@link ENetPacketPeer#getThrottledDatagrams}). So a peer that
     * sends more than the host can take is held to the cap while the other peers are served; an
     * honest ENet sender sees the drops as loss and slows down through its own packet throttle, and
     * its reliable data is retransmitted, never lost. ENet has no such cap; 0 (the default) turns it
     * off. Choose it well above what honest clients send: it is a fence against floods, not a
     * bandwidth shaper (for that, see {@link #bandwidthLimit}).
     *
     * @param bytesPerSecond the cap, or 0 for none
     */
    public void setPeerIncomingLimit(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("peer incoming limit must be >= 0 (0 = none), got " + bytesPerSecond);
        }
        settings.peerIncomingLimit = bytesPerSecond;
        reconfigure();
    }

    /**
     * jenet extension: bounds what remote peers can make this host hold of data the application
     * cannot have yet: fragments of unfinished packets, reliable packets waiting for an earlier one,
     * unreliable ones waiting for their predecessor. (A fragmented packet costs what has arrived,
     * never what its first fragment announces.) Past the limit, the unreliable data of the peer
     * that has held some longest is dropped first; then the peer that has held incomplete reliable
     * data longest is disconnected, because ENet cannot skip a reliable packet: it gets an
     * unsequenced DISCONNECT and the application an {@code EVENT_DISCONNECT}. Stalled senders
     * hold the oldest data; honest transfers complete and let go. Counted in
     * {@link #getBudgetDisconnects()} / {@link #getBudgetDroppedPackets()}, logged, and recorded as
     * a JFR {@code io.jenet.MemoryBudget} event. ENet has no such limit.
     *
     * @param bytes the limit (at least 64 KiB), or 0 for the default: an eighth of the heap,
     *              between 16 MiB and 1 GiB (128 MiB for a 1 GiB heap)
     */
    public void setIncompleteDataLimit(long bytes) {
        if (bytes != 0 && bytes < (64 << 10)) {
            throw new IllegalArgumentException("incomplete data limit must be 0 (default) or >= 65536, got " + bytes);
        }
        settings.incompleteDataLimit = bytes;
        reconfigure();
    }

    /**
     * jenet extension: caps the data queued to peers (not yet sent, or sent reliably and not yet
     * acknowledged), which ENet leaves unbounded, so a peer that never acknowledges cannot make an
     * echo or chat server buffer without end. Past a peer's cap its unreliable packets are dropped
     * (counted) and a reliable one disconnects it (the packet is dropped, the peer gets an
     * unsequenced DISCONNECT and the application an {@code EVENT_DISCONNECT}, and
     * {@link ENetPacketPeer#send} does not throw); past the host's total, the peer with the largest
     * backlog is disconnected the same way.
     *
     * @param perPeer bytes per peer, or 0 for the default of 64 MiB (two packets of ENet's maximum
     *                size); at least 64 KiB otherwise
     * @param total bytes for all peers, or 0 for the default of a quarter of the heap (at least
     *              64 MiB); at least 64 KiB otherwise
     */
    public void setOutgoingDataLimits(long perPeer, long total) {
        if ((perPeer != 0 && perPeer < (64 << 10)) || (total != 0 && total < (64 << 10))) {
            throw new IllegalArgumentException("outgoing limits must be 0 (default) or >= 65536, got " + perPeer + " and " + total);
        }
        settings.peerOutgoingLimit = perPeer;
        settings.outgoingDataLimit = total;
        reconfigure();
    }

    /**
     * jenet extension: the memory budget in use and what it holds now, for monitoring.
     *
     * @return bytes of incomplete incoming data held now, all peers
     */
    public long getIncompleteData() {
        checkOpen();
        return host.incompleteData();
    }

    /** @return the incomplete-data limit in force (see {@link #setIncompleteDataLimit}) */
    public long getIncompleteDataLimit() {
        checkOpen();
        return host.incompleteDataLimit();
    }

    /**
     * jenet extension: the host-wide cap on queued outgoing data in force (see
     * {@link #setOutgoingDataLimits}; on a shard of an {@link ENetShardedHost}, its share).
     *
     * @return bytes, all peers
     * @throws IllegalStateException if no host was created
     */
    public long getOutgoingDataLimit() {
        checkOpen();
        return host.outgoingDataLimit();
    }

    /**
     * jenet extension: the cap on queued outgoing data per peer in force (see {@link #setOutgoingDataLimits}).
     *
     * @return bytes, one peer
     * @throws IllegalStateException if no host was created
     */
    public long getPeerOutgoingDataLimit() {
        checkOpen();
        return host.peerOutgoingDataLimit();
    }

    /** @return bytes queued for sending now, all peers (see {@link #setOutgoingDataLimits}) */
    public long getOutgoingData() {
        checkOpen();
        return host.outgoingData();
    }

    /**
     * jenet extension: peers disconnected by the memory budget (incoming or outgoing).
     *
     * @return the count since the host was created
     */
    public long getBudgetDisconnects() {
        checkOpen();
        return host.budgetDisconnects();
    }

    /**
     * jenet extension: packets dropped by the memory budget: incoming unreliable data given up to
     * make room, and outgoing unreliable packets past a peer's cap.
     *
     * @return the count since the host was created
     */
    public long getBudgetDroppedPackets() {
        checkOpen();
        return host.budgetDroppedIncoming() + host.budgetDroppedOutgoing();
    }

    /**
     * jenet extension: datagrams from the network that made the engine fail (a bug in jenet):
     * each was dropped and the peer it addressed disconnected, so the failure stays with that peer;
     * logged at WARNING with the exception.
     *
     * @return the count since the host was created
     */
    public long getInternalErrors() {
        checkOpen();
        return host.internalErrors();
    }

    /**
     * jenet extension: datagrams dropped because their peer exceeded
     * {@link #setPeerIncomingLimit the per-peer incoming limit}.
     *
     * @return the count since the host was created
     */
    public long getThrottledDatagrams() {
        checkOpen();
        return host.throttledDatagrams();
    }

    /**
     * jenet extension: how well {@link #compress compression} is doing: the bytes sent for the
     * commands of outgoing datagrams divided by their size before compression (datagram headers
     * excluded; a datagram that would not shrink is sent as it is and counts 1:1). 1.0 when no
     * compressor is set or nothing was sent yet; 0.4 means 60 % saved.
     *
     * @return the ratio since the host was created
     */
    public double getCompressionRatio() {
        checkOpen();
        return host.compressionInput() == 0 ? 1.0 : (double) host.compressionOutput() / host.compressionInput();
    }

    /**
     * jenet extension: peers that sent CONNECT and have not yet acknowledged the VERIFY_CONNECT
     * (half-open). A scan of every slot: for monitoring, not for every frame.
     *
     * @return the count now
     */
    public int getPendingHandshakes() {
        checkOpen();
        return host.pendingHandshakes();
    }

    // ---- queries ----

    /** @return the local UDP port */
    public int getLocalPort() {
        checkOpen();
        return driver.localPort();
    }

    /** @return the channel limit for incoming connections */
    public int getMaxChannels() {
        checkOpen();
        return host.channelLimit();
    }

    /**
     * The peers of this host: connected ones, ones still connecting, ones disconnecting.
     *
     * @return a snapshot list
     */
    public List<ENetPacketPeer> getPeers() {
        checkOpen();
        dropInactivePeers();
        return Collections.unmodifiableList(new ArrayList<>(peers));
    }

    /**
     * Returns a host counter and resets it to 0.
     *
     * @param statistic which counter
     * @return its value
     */
    public double popStatistic(HostStatistic statistic) {
        checkOpen();
        long value = host.popStatistic(statistic.ordinal());
        popped[statistic.ordinal()] += value;
        return value;
    }

    /**
     * jenet extension: datagrams dropped as malformed, misaddressed, refused, corrupt or too large.
     *
     * @return the count since the host was created
     */
    public long getDroppedDatagrams() {
        checkOpen();
        return host.droppedDatagrams() + driver.oversizedDatagrams();
    }

    // ---- metrics (jenet extension) ----

    /**
     * jenet extension: publishes a {@link HostMetrics} snapshot every {@code millis} ms, at the end
     * of {@link #service(int)} (the first at the next {@code service}), for
     * {@link #getMetrics()} to hand to other threads. Taking one costs a scan of the peer slots
     * and a few small arrays, once per interval (a Prometheus scrape needs one every few seconds);
     * between snapshots {@code service} pays one clock read while publishing is on, and nothing
     * while it is off (the default). A loop that waits in {@code service} longer than the
     * interval publishes when it returns. May be set before or after the host is created; kept
     * across {@code destroy} and a new host.
     *
     * <p>Thread-safety: call it from the thread that services the connection.
     *
     * @param millis the interval, at least 1; 0 stops publishing (the last snapshot stays)
     * @throws IllegalArgumentException for a negative interval
     */
    public void setMetricsInterval(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("metrics interval must be >= 0 (0 = off), got " + millis);
        }
        metricsIntervalNanos = millis * 1_000_000L;
        nextMetricsNanos = clockNanos();
    }

    /**
     * jenet extension: takes a {@link HostMetrics} snapshot now and publishes it (see
     * {@link #setMetricsInterval}; this is what the interval calls).
     *
     * <p>Thread-safety: call it from the thread that services the connection (it reads the
     * host's state).
     *
     * @return the snapshot, as {@link #getMetrics()} now returns it
     * @throws IllegalStateException if no host was created
     */
    public HostMetrics publishMetrics() {
        checkOpen();
        HostMetrics m = HostMetricsReader.read(driver, popped, ++metricsSequence, draining);
        metrics = m;
        if (metricsIntervalNanos > 0) {
            // On the driver's clock, not the snapshot's wall-clock stamp: see clockNanos().
            nextMetricsNanos = clockNanos() + metricsIntervalNanos;
        }
        return m;
    }

    /**
     * jenet extension: the latest {@link HostMetrics} snapshot the service thread published (see
     * {@link #setMetricsInterval}), or an empty one ({@link HostMetrics#sequence()} 0) before the
     * first. After {@link #destroy()} it is the snapshot destroy took (every slot free, the final
     * counters). Costs one volatile read; never blocks the service thread.
     *
     * <p>Thread-safety: safe from any thread, at any time, also concurrently with
     * {@link #service(int)}: the only method of this class that is.
     *
     * @return the snapshot, never null
     */
    public HostMetrics getMetrics() {
        return metrics;
    }

    // ---- graceful drain (jenet extension) ----

    /**
     * jenet extension: starts a graceful drain, for a server that is shutting down. New
     * connections are refused from now on ({@link #refuseNewConnections}); every peer is told to
     * leave with {@link ENetPacketPeer#peerDisconnectLater(int) peerDisconnectLater(data)}, so what
     * was queued for it is still delivered and it then receives a DISCONNECT carrying
     * {@code data} (use {@link #DRAIN_DISCONNECT_DATA}); a handshake already under way is let
     * finish and then told the same at once (its {@code EVENT_CONNECT} still comes, with the peer
     * already leaving). Keep calling {@link #service(int)}: the {@code EVENT_DISCONNECT}s come as
     * peers acknowledge, and {@link #isDrained()} says when none is left. A {@link #destroy()}
     * during a drain sends the peers still there an unacknowledged DISCONNECT with the same
     * {@code data}. {@link #drain(int, int, Consumer)} does all of it with a deadline. Calling it
     * again while draining does nothing.
     *
     * <p>Thread-safety: call it from the thread that services the connection.
     *
     * @param data the disconnect data every peer receives
     * @throws IllegalStateException if no host was created
     */
    public void beginDrain(int data) {
        checkOpen();
        if (draining) {
            return;
        }
        refuseNewConnections(true);
        draining = true;
        drainData = data;
        for (ENetPacketPeer p : new ArrayList<>(peers)) {
            if (p.isActive()) {
                p.peerDisconnectLater(data);
            }
        }
        if (metricsIntervalNanos > 0) {
            publishMetrics();
        }
    }

    /** @return whether {@link #beginDrain} was called on this host */
    public boolean isDraining() {
        return host != null && draining;
    }

    /**
     * jenet extension: whether every peer slot is free: no peer connected, connecting, leaving or
     * with a DISCONNECT event still to hand out. A scan of the slots.
     *
     * @return true when no peer is left
     * @throws IllegalStateException if no host was created
     */
    public boolean isDrained() {
        checkOpen();
        return remainingPeers() == 0;
    }

    private int remainingPeers() {
        int left = 0;
        for (int i = 0; i < host.peerCount(); i++) {
            if (host.peer(i).state() != Peer.STATE_DISCONNECTED) {
                left++;
            }
        }
        return left;
    }

    /**
     * jenet extension: drains and destroys the host, for a graceful shutdown (what
     * {@code jenet serve} does on SIGTERM). {@link #beginDrain(int) beginDrain(data)}, then
     * {@link #service(int) service} until every peer is gone or {@code timeoutMillis} have passed,
     * handing every event to {@code events} (packets that still arrive, the
     * {@code EVENT_DISCONNECT}s), then {@link #destroy()}: peers still there by the deadline (ones
     * that stopped answering, or whose queued data could not be delivered in time) get an
     * unacknowledged DISCONNECT with {@code data}. Remote peers thus see a DISCONNECT with
     * {@code data}, never a timeout, unless they are gone or that last datagram is lost.
     *
     * <p>Thread-safety: call it from the thread that services the connection; it blocks up to
     * {@code timeoutMillis}. {@code events} runs on this thread and may use the connection and
     * its peers.
     *
     * @param data the disconnect data every peer receives, e.g. {@link #DRAIN_DISCONNECT_DATA}
     * @param timeoutMillis the deadline, at least 0
     * @param events what to do with each event while draining, or null to ignore them
     * @return how many peers were still there at the deadline (0: every one left in time)
     * @throws IllegalStateException if no host was created
     * @throws IllegalArgumentException for a negative timeout
     */
    public int drain(int data, int timeoutMillis, Consumer<ENetEvent> events) {
        checkOpen();
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeoutMillis);
        }
        long deadline = clockNanos() + timeoutMillis * 1_000_000L;
        beginDrain(data);
        while (remainingPeers() > 0) {
            long left = (deadline - clockNanos()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            // Short waits: a peer that leaves without an event (a handshake given up) is noticed too.
            ENetEvent e = service((int) Math.min(left, 50));
            while (e.type() != EventType.EVENT_NONE) {
                if (events != null) {
                    events.accept(e);
                }
                e = checkEvents();
            }
        }
        int left = remainingPeers();
        destroy();
        return left;
    }

    // ---- teardown ----

    /**
     * Disconnects every peer at once (one unsequenced DISCONNECT each, so remote peers learn at once
     * rather than timing out — Godot and C ENet send nothing here) and closes the socket. No events
     * are raised; the peers become inactive.
     *
     * @throws IllegalStateException if there is no host
     */
    public void destroy() {
        if (host == null) {
            throw new IllegalStateException("host already destroyed (or never created)");
        }
        driver.tick();
        int data = draining ? drainData : 0;
        for (ENetPacketPeer p : new ArrayList<>(peers)) {
            Peer ep = p.enginePeer();
            if (ep != null && ep.userData == p) {
                ep.disconnectNow(data);
            }
            p.detach();
        }
        driver.transmit();
        peers.clear();
        if (draining) {
            // Handshakes still under way have no peer object yet; a drain tells them too.
            for (int i = 0; i < host.peerCount(); i++) {
                host.peer(i).disconnectNow(data);
            }
        }
        if (metricsIntervalNanos > 0 || metricsSequence > 0) {
            publishMetrics();
        }
        driver.close();
        driver = null;
        host = null;
    }

    /** Destroys the host if there is one; does nothing otherwise. */
    @Override
    public void close() {
        if (host != null) {
            destroy();
        }
    }

    private void checkOpen() {
        if (host == null) {
            throw new IllegalStateException("host not created: call createHost() or createHostBound() first");
        }
    }

    private void checkPacketSize(int length) {
        if (length > host.maximumPacketSize()) {
            throw new IllegalArgumentException("packet of " + length + " bytes exceeds the maximum packet size of "
                    + host.maximumPacketSize());
        }
    }

    private static void checkPort(int port, int min) {
        if (port < min || port > 65535) {
            throw new IllegalArgumentException("port must be " + min + "..65535, got " + port);
        }
    }

    private static InetAddress resolve(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve address '" + address + "'", e);
        }
    }

}

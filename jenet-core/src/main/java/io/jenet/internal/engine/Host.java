package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;

import io.jenet.internal.compress.Compressor;
import io.jenet.internal.protocol.CommandWriter;
import java.net.InetSocketAddress;
import java.util.random.RandomGenerator;

/**
 * The sans-IO ENet host: datagrams and the current time go in ({@link #receive}, {@link #service}),
 * datagrams come out through a {@link DatagramSink} and events through {@link #checkEvents}. It
 * never reads a clock or touches a socket, so tests can drive it with virtual time.
 *
 * <p>Times are ENet's 32-bit milliseconds: callers pass any monotonic millisecond count and only
 * its low 32 bits are used, with ENet's wrap-around rules.
 *
 * <p>Thread-safety: none. A host and its peers must be used from one thread at a time.
 */
public final class Host {
    public static final int DEFAULT_MTU = 1392;
    public static final int DEFAULT_MAXIMUM_PACKET_SIZE = 32 * 1024 * 1024;
    public static final int DEFAULT_MAXIMUM_WAITING_DATA = 32 * 1024 * 1024;
    public static final int BANDWIDTH_THROTTLE_INTERVAL = 1000;
    /** Default for {@link #setHalfOpenLimits}: generous (ENet has no limit; NATs and load tests put
     *  many honest clients behind one address), yet one address cannot take every slot of a big host. */
    public static final int DEFAULT_MAXIMUM_HALF_OPEN_PER_ADDRESS = 256;
    /** Largest datagram the engine accepts or produces (MTU maximum plus checksum slack). */
    public static final int RECEIVE_BUFFER_SIZE = MAXIMUM_MTU + 64;
    /** Smallest buffer {@link #pollTransmit} takes: the largest datagram with room for its header in front. */
    public static final int TRANSMIT_BUFFER_SIZE = Outgoing.COMMANDS_START + RECEIVE_BUFFER_SIZE;
    private static final int POOL_LIMIT = 8192;

    final Peer[] peers;
    final int peerCount;
    /** Null when the driver pulls datagrams ({@link #pollTransmit}); else they are pushed to it. */
    final DatagramSink sink;
    final RandomGenerator random;
    int channelLimit;
    long incomingBandwidth;
    long outgoingBandwidth;
    int bandwidthThrottleEpoch;
    boolean recalculateBandwidthLimits;
    int mtu = DEFAULT_MTU;
    int connectedPeers;
    int bandwidthLimitedPeers;
    int duplicatePeers = MAXIMUM_PEER_ID;
    int maximumPacketSize = DEFAULT_MAXIMUM_PACKET_SIZE;
    long maximumWaitingData = DEFAULT_MAXIMUM_WAITING_DATA;
    boolean checksum;
    /** ENet's own retransmission timing instead of {@link LossRecovery}'s. */
    boolean exactEnetTiming;
    boolean refuseNewConnections;
    PeerObserver peerObserver;
    boolean holdReceivedPackets;
    final MemoryBudget budget = new MemoryBudget(this);
    /** Engine failures on received data (each confined to the peer it addressed), and the last one. */
    long internalErrors;
    RuntimeException lastInternalError;
    Compressor compressor;
    int serviceTime;
    int totalQueued;
    long totalSentData;
    long totalSentPackets;
    long totalReceivedData;
    long totalReceivedPackets;
    /** Datagrams dropped as malformed, misaddressed, corrupt or undecompressable. */
    long droppedDatagrams;
    /** Data commands dropped because a peer's waiting data reached the maximum. */
    long droppedCommands;
    /** Who gets a slot, and whose datagrams are read (jenet's flood limits beside ENet's rules). */
    final Admission admission;
    /** Of {@link #droppedDatagrams}: datagrams whose CRC-32 did not match. */
    long checksumFailures;
    /** Of {@link #droppedDatagrams}: compressed datagrams that could not be decompressed. */
    long decompressionFailures;
    /** Of {@link #droppedDatagrams}: datagrams from new peers dropped while refusing new connections. */
    long refusedNewConnections;
    /** Reliable commands resent after their retransmission timer expired, all peers. */
    long retransmissions;
    /** Command bytes offered to the compressor, and what went on the wire for them. */
    long compressionInput;
    long compressionOutput;
    private boolean dueKnown;
    private int dueAt;
    /** Bumped whenever a peer returns to DISCONNECTED, so owners can skip rescanning their peers otherwise. */
    long peerResets;
    final NodeList<Peer> dispatchQueue = new NodeList<>();

    final PacketPool packets = new PacketPool();
    private final NodePool<OutgoingCommand> outgoingPool = new NodePool<>(POOL_LIMIT);
    private final NodePool<IncomingCommand> incomingPool = new NodePool<>(POOL_LIMIT);
    private final NodePool<Acknowledgement> acknowledgementPool = new NodePool<>(POOL_LIMIT);

    final Outgoing outgoing;
    final Incoming incoming;

    /** A datagram the engine made at once, waiting for the driver (see {@link #flushNow}). */
    private record Transmit(byte[] data, InetSocketAddress to) {}

    private final java.util.ArrayDeque<Transmit> outbox = new java.util.ArrayDeque<>();
    /** Where datagrams pushed to a sink, or put in the outbox, are assembled. */
    private final byte[] scratch = new byte[TRANSMIT_BUFFER_SIZE];
    private int transmitOffset;
    private InetSocketAddress transmitAddress;

    /**
     * Creates a host (ENet's {@code enet_host_create} without the socket).
     *
     * @param peerCount maximum peers, 1..4095
     * @param channelLimit maximum channels per peer; 0 or above 255 means 255
     * @param incomingBandwidth bytes/s this host can receive, 0 = unlimited
     * @param outgoingBandwidth bytes/s this host can send, 0 = unlimited
     * @param sink where outgoing datagrams are pushed as each send pass makes them, or null for a
     *             driver that pulls them with {@link #pollTransmit}
     * @param random source of connect ids
     */
    public Host(int peerCount, int channelLimit, long incomingBandwidth, long outgoingBandwidth, DatagramSink sink,
                RandomGenerator random) {
        if (peerCount < 1 || peerCount > MAXIMUM_PEER_ID) {
            throw new IllegalArgumentException("peerCount must be 1.." + MAXIMUM_PEER_ID + ", got " + peerCount);
        }
        this.peerCount = peerCount;
        this.sink = sink;
        this.random = random;
        this.peers = new Peer[peerCount];
        this.admission = new Admission(this, peerCount);
        setChannelLimit(channelLimit);
        this.incomingBandwidth = incomingBandwidth;
        this.outgoingBandwidth = outgoingBandwidth;
        for (int i = 0; i < peerCount; i++) {
            peers[i] = new Peer(this, i);
        }
        this.outgoing = new Outgoing(this);
        this.incoming = new Incoming(this);
    }

    // ---- configuration ----

    /**
     * Applies every setting of {@code settings} (see {@link HostSettings}; a 0 limit means the
     * default).
     *
     * @param settings the settings
     */
    public void configure(HostSettings settings) {
        compressor = settings.compressor;
        checksum = settings.checksum;
        exactEnetTiming = settings.exactEnetTiming;
        setMtu(settings.mtu);
        maximumPacketSize = settings.maximumPacketSize;
        refuseNewConnections = settings.refuseNewConnections;
        setHalfOpenLimits(settings.halfOpenPerAddress, settings.halfOpenTotal > 0 ? settings.halfOpenTotal : peerCount);
        setPeerIncomingLimit(settings.peerIncomingLimit);
        budget.incompleteLimit = settings.incompleteDataLimit > 0 ? settings.incompleteDataLimit : MemoryBudget.defaultIncompleteLimit();
        budget.peerOutgoingLimit = settings.peerOutgoingLimit > 0 ? settings.peerOutgoingLimit : MemoryBudget.DEFAULT_PEER_OUTGOING_LIMIT;
        budget.outgoingLimit = settings.outgoingDataLimit > 0 ? settings.outgoingDataLimit : MemoryBudget.defaultOutgoingLimit();
    }

    /**
     * When true, a packet handed out with a RECEIVE event still counts toward its peer's waiting
     * data until {@link Peer#release} (an application that queues packets and reads them later
     * then holds back, rather than grows, what the engine accepts from a fast sender). ENet's
     * behaviour (false) stops counting it when it is handed out.
     *
     * @param hold whether to hold
     */
    public void setHoldReceivedPackets(boolean hold) {
        holdReceivedPackets = hold;
    }

    /**
     * Sets who is told when peers take and give up their slots (null for nobody).
     *
     * @param observer the observer
     */
    public void setPeerObserver(PeerObserver observer) {
        peerObserver = observer;
    }

    /**
     * Sets the host-wide budget for incomplete incoming data (see {@link MemoryBudget}); default an
     * eighth of the heap, between 16 MiB and 1 GiB.
     *
     * @param bytes the budget, at least 64 KiB
     */
    public void setIncompleteDataLimit(long bytes) {
        budget.incompleteLimit = bytes;
    }

    /** @return the default incomplete-data budget: an eighth of the heap, between 16 MiB and 1 GiB */
    public static long defaultIncompleteDataLimit() {
        return MemoryBudget.defaultIncompleteLimit();
    }

    /** @return the default host-wide outgoing cap: a quarter of the heap, at least 64 MiB */
    public static long defaultOutgoingDataLimit() {
        return MemoryBudget.defaultOutgoingLimit();
    }

    /** Default per-peer outgoing cap. */
    public static final long DEFAULT_PEER_OUTGOING_LIMIT = MemoryBudget.DEFAULT_PEER_OUTGOING_LIMIT;

    /** @return the host-wide budget for incomplete incoming data */
    public long incompleteDataLimit() {
        return budget.incompleteLimit;
    }

    /** @return bytes held now for incomplete incoming data */
    public long incompleteData() {
        return budget.incompleteBytes;
    }

    /**
     * Sets the outgoing caps: bytes queued to one peer (default 64 MiB) and to all (default a
     * quarter of the heap, at least 64 MiB).
     *
     * @param perPeer per-peer cap
     * @param total host-wide cap
     */
    public void setOutgoingDataLimits(long perPeer, long total) {
        budget.peerOutgoingLimit = perPeer;
        budget.outgoingLimit = total;
    }

    /** @return the per-peer outgoing cap */
    public long peerOutgoingDataLimit() {
        return budget.peerOutgoingLimit;
    }

    /** @return the host-wide outgoing cap */
    public long outgoingDataLimit() {
        return budget.outgoingLimit;
    }

    /** @return bytes queued for sending now, all peers */
    public long outgoingData() {
        return budget.outgoingBytes;
    }

    /** @return received datagrams that made the engine fail (a bug); each disconnected its peer */
    public long internalErrors() {
        return internalErrors;
    }

    /** @return the failure behind the last {@link #internalErrors()}, or null */
    public RuntimeException lastInternalError() {
        return lastInternalError;
    }

    /** @return incoming packets dropped (and fragments of them) to stay within the incomplete-data budget */
    public long budgetDroppedIncoming() {
        return budget.droppedIncomingPackets;
    }

    /** @return outgoing unreliable packets dropped at a peer's outgoing cap */
    public long budgetDroppedOutgoing() {
        return budget.droppedOutgoingPackets;
    }

    /** @return peers disconnected by the memory budget (incoming or outgoing) */
    public long budgetDisconnects() {
        return budget.disconnectedPeers;
    }

    /** @param limit channel limit for future incoming connections; 0 or above 255 means 255 */
    public void setChannelLimit(int limit) {
        if (limit <= 0 || limit > MAXIMUM_CHANNEL_COUNT) {
            limit = MAXIMUM_CHANNEL_COUNT;
        }
        channelLimit = limit;
    }

    /** @return the channel limit */
    public int channelLimit() {
        return channelLimit;
    }

    /**
     * Changes the bandwidth limits; peers are told at the next bandwidth throttle.
     *
     * @param incoming bytes/s, 0 = unlimited
     * @param outgoing bytes/s, 0 = unlimited
     */
    public void bandwidthLimit(long incoming, long outgoing) {
        incomingBandwidth = incoming;
        outgoingBandwidth = outgoing;
        recalculateBandwidthLimits = true;
    }

    /** @param enabled whether datagrams carry ENet's CRC-32 checksum (both ends must agree) */
    public void setChecksum(boolean enabled) {
        checksum = enabled;
    }

    /** @param refuse when true, CONNECT datagrams from unknown peers are dropped and counted */
    public void setRefuseNewConnections(boolean refuse) {
        refuseNewConnections = refuse;
    }

    /** @return whether checksums are on */
    public boolean checksum() {
        return checksum;
    }

    /** @param compressor datagram compressor, or null for none */
    public void setCompressor(Compressor compressor) {
        this.compressor = compressor;
    }

    /** @param mtu MTU offered to new connections, clamped to 576..4096 */
    public void setMtu(int mtu) {
        this.mtu = Math.max(MINIMUM_MTU, Math.min(MAXIMUM_MTU, mtu));
    }

    /** @return the host MTU */
    public int mtu() {
        return mtu;
    }

    /** @param size largest packet accepted or sent, in bytes */
    public void setMaximumPacketSize(int size) {
        maximumPacketSize = size;
    }

    /** @return largest packet accepted or sent */
    public int maximumPacketSize() {
        return maximumPacketSize;
    }

    /** @param size bytes of received, undelivered data a peer may hold */
    public void setMaximumWaitingData(long size) {
        maximumWaitingData = size;
    }

    /** @param count connections allowed from one IP address */
    public void setDuplicatePeers(int count) {
        duplicatePeers = Math.max(1, Math.min(MAXIMUM_PEER_ID, count));
    }

    /**
     * Bounds pending handshakes (peers that sent CONNECT but have not acknowledged VERIFY_CONNECT),
     * so a flood of spoofed CONNECTs cannot keep honest clients out: at most {@code perAddress}
     * from one IP address (more are refused), and when {@code total} are pending or no slot is free
     * the oldest pending one is dropped for the newcomer (ENet would refuse the newcomer). Defaults:
     * {@link #DEFAULT_MAXIMUM_HALF_OPEN_PER_ADDRESS} per address, and all the slots — so only a full
     * host evicts.
     *
     * @param perAddress pending handshakes per IP address, at least 1
     * @param total pending handshakes in all, at least 1
     */
    public void setHalfOpenLimits(int perAddress, int total) {
        admission.maximumHalfOpenPerAddress = Math.max(1, perAddress);
        admission.maximumHalfOpen = Math.max(1, total);
    }

    /**
     * Caps what one peer may send us: datagrams beyond {@code bytesPerSecond} (a token bucket
     * holding a quarter second, at least 64 KiB) are dropped right after the header is read, before
     * any command is handled, and counted. A peer that floods is held to the limit while the others
     * are served; an honest ENet sender sees loss and backs off through its own throttle.
     *
     * @param bytesPerSecond the limit, 0 for none (the default, as ENet)
     */
    public void setPeerIncomingLimit(long bytesPerSecond) {
        admission.peerIncomingLimit = Math.max(0, bytesPerSecond);
    }

    /** @return command bytes of outgoing datagrams offered to the compressor (headers excluded) */
    public long compressionInput() {
        return compressionInput;
    }

    /** @return bytes sent for them: compressed where that was smaller, as they were otherwise */
    public long compressionOutput() {
        return compressionOutput;
    }

    /** @return datagrams dropped because their peer exceeded the per-peer incoming limit */
    public long throttledDatagrams() {
        return admission.throttledDatagrams;
    }

    /** @return datagrams dropped because their checksum did not match (part of {@link #droppedDatagrams()}) */
    public long checksumFailures() {
        return checksumFailures;
    }

    /** @return datagrams dropped because they could not be decompressed (part of {@link #droppedDatagrams()}) */
    public long decompressionFailures() {
        return decompressionFailures;
    }

    /** @return datagrams from new peers dropped while refusing new connections (part of {@link #droppedDatagrams()}) */
    public long refusedNewConnections() {
        return refusedNewConnections;
    }

    /** @return reliable commands resent after their retransmission timer expired, all peers, since creation */
    public long retransmissions() {
        return retransmissions;
    }

    /** @return CONNECTs refused (no slot, too many pending from one address, or duplicates) */
    public long refusedConnects() {
        return admission.refusedConnects;
    }

    /** @return pending handshakes evicted to make room for newer ones */
    public long evictedHalfOpen() {
        return admission.evictedHalfOpen;
    }

    /** @return number of peer slots */
    public int peerCount() {
        return peerCount;
    }

    /** @param i slot @return the peer in slot {@code i} */
    public Peer peer(int i) {
        return peers[i];
    }

    /** @return peers that sent CONNECT and have not yet acknowledged our VERIFY_CONNECT (a scan of every slot) */
    public int pendingHandshakes() {
        int pending = 0;
        for (Peer p : peers) {
            if (p.state == Peer.STATE_ACKNOWLEDGING_CONNECT) {
                pending++;
            }
        }
        return pending;
    }

    /** @return peers currently connected */
    public int connectedPeers() {
        return connectedPeers;
    }

    // ---- statistics ----

    /** @return total bytes sent in datagrams */
    public long totalSentData() {
        return totalSentData;
    }

    /** @return total datagrams sent */
    public long totalSentPackets() {
        return totalSentPackets;
    }

    /** @return total bytes received in datagrams */
    public long totalReceivedData() {
        return totalReceivedData;
    }

    /** @return total datagrams received */
    public long totalReceivedPackets() {
        return totalReceivedPackets;
    }

    /** @return datagrams dropped as malformed or corrupt */
    public long droppedDatagrams() {
        return droppedDatagrams;
    }

    /** @return how many times a peer of this host has returned to DISCONNECTED (a change counter) */
    public long peerResets() {
        return peerResets;
    }

    /** @return data commands dropped because waiting data was full */
    public long droppedCommands() {
        return droppedCommands;
    }

    /**
     * Reads a counter and zeroes it, as Godot's {@code pop_statistic}.
     *
     * @param statistic 0 sent data, 1 sent packets, 2 received data, 3 received packets
     * @return the value before zeroing
     */
    public long popStatistic(int statistic) {
        long v;
        switch (statistic) {
            case 0: v = totalSentData; totalSentData = 0; return v;
            case 1: v = totalSentPackets; totalSentPackets = 0; return v;
            case 2: v = totalReceivedData; totalReceivedData = 0; return v;
            case 3: v = totalReceivedPackets; totalReceivedPackets = 0; return v;
            default: throw new IllegalArgumentException("unknown host statistic " + statistic);
        }
    }

    // ---- time ----

    /** @param now current time in ms; used by operations that send at once (flush, disconnectNow) */
    public void time(long now) {
        serviceTime = (int) now;
    }

    // ---- operations ----

    /**
     * Starts connecting to a remote host (ENet's {@code enet_host_connect}).
     *
     * @param address remote address
     * @param channelCount channels to allocate, clamped to 1..255
     * @param data connect data
     * @return the peer, or null if no slot is free
     */
    public Peer connect(InetSocketAddress address, int channelCount, int data) {
        channelCount = Math.max(MINIMUM_CHANNEL_COUNT, Math.min(MAXIMUM_CHANNEL_COUNT, channelCount));
        Peer peer = null;
        for (Peer p : peers) {
            if (p.state == Peer.STATE_DISCONNECTED) {
                peer = p;
                break;
            }
        }
        if (peer == null) {
            return null;
        }
        peer.setupChannels(channelCount);
        peer.state = Peer.STATE_CONNECTING;
        peer.address = address;
        if (peerObserver != null) {
            peerObserver.attached(address);
        }
        int connectID;
        do {
            connectID = random.nextInt();
        } while (connectID == 0);
        peer.connectID = connectID;
        peer.mtu = mtu;
        peer.windowSize = Window.of(outgoingBandwidth);
        OutgoingCommand c = allocOutgoing();
        CommandWriter.connect(c.command, 0, peer.incomingPeerID, peer.incomingSessionID, peer.outgoingSessionID, peer.mtu,
                (int) peer.windowSize, channelCount, (int) incomingBandwidth, (int) outgoingBandwidth,
                (int) peer.packetThrottleInterval, (int) peer.packetThrottleAcceleration,
                (int) peer.packetThrottleDeceleration, peer.connectID, data);
        peer.queueOutgoingCommand(c, null, 0, 0);
        return peer;
    }

    /**
     * Queues a packet to every connected peer (ENet's {@code enet_host_broadcast}).
     *
     * @param channelID channel
     * @param packet packet, shared by all peers
     * @return the peers it was queued to (connected ones that have the channel)
     */
    public int broadcast(int channelID, Packet packet) {
        int queued = 0;
        for (Peer p : peers) {
            if (p.state == Peer.STATE_CONNECTED && p.send(channelID, packet)) {
                queued++;
            }
        }
        return queued;
    }

    /**
     * Creates a packet holding a copy of {@code data[offset, offset+length)}.
     *
     * @param data bytes
     * @param offset start
     * @param length length
     * @param flags ENet packet flags
     * @return the packet
     */
    public Packet createPacket(byte[] data, int offset, int length, int flags) {
        Packet p = packets.take(length, flags);
        System.arraycopy(data, offset, p.data, 0, length);
        return p;
    }

    /**
     * Creates a packet holding a copy of the buffer's remaining bytes; the position moves to the limit.
     *
     * @param data bytes
     * @param flags ENet packet flags
     * @return the packet
     */
    public Packet createPacket(java.nio.ByteBuffer data, int flags) {
        Packet p = packets.take(data.remaining(), flags);
        data.get(p.data, 0, p.length);
        return p;
    }

    /**
     * Gives back a delivered packet once its bytes have been copied out, so its buffer is reused.
     * The packet must not be used afterwards.
     *
     * @param packet a packet from a RECEIVE event
     */
    public void recycle(Packet packet) {
        if (packet.referenceCount == 0) {
            packets.give(packet);
        }
    }

    /**
     * Feeds one received datagram to the engine.
     *
     * @param data buffer (not modified)
     * @param offset datagram start
     * @param length datagram length
     * @param from sender
     * @param now current time in ms
     */
    public void receive(byte[] data, int offset, int length, InetSocketAddress from, long now) {
        dueKnown = false;
        serviceTime = (int) now;
        totalReceivedData += length;
        totalReceivedPackets++;
        incoming.handle(data, offset, length, from);
    }

    /**
     * Runs the periodic work: bandwidth throttle, timeouts and retransmissions, acknowledgements,
     * pings, and a send pass over every peer. With a sink the pass's datagrams are pushed to it
     * now; otherwise the driver takes them with {@link #pollTransmit}.
     *
     * @param now current time in ms
     * @return false if the sink reported a socket error
     */
    public boolean service(long now) {
        serviceTime = (int) now;
        if (Time.difference(serviceTime, bandwidthThrottleEpoch) >= BANDWIDTH_THROTTLE_INTERVAL) {
            Bandwidth.throttle(this);
        }
        outgoing.begin(true);
        return sink == null || pushToSink();
    }

    /**
     * Sends queued commands without timeout checks (ENet's {@code enet_host_flush}): a send pass
     * as {@link #service} makes.
     *
     * @return false if the sink reported a socket error
     */
    public boolean flush() {
        outgoing.begin(false);
        return sink == null || pushToSink();
    }

    /**
     * A send the engine makes for itself and must make now, before the peer is reset (ENet's
     * {@code enet_host_flush} inside {@code enet_peer_disconnect_now}): pushed to a sink at once,
     * or assembled at once into the outbox the driver's next {@link #pollTransmit} empties first.
     */
    void flushNow() {
        if (sink != null) {
            outgoing.begin(false);
            pushToSink();
            return;
        }
        drainPassToOutbox();
        outgoing.begin(false);
        drainPassToOutbox();
    }

    private void drainPassToOutbox() {
        for (int n; (n = outgoing.next(scratch)) >= 0; ) {
            outbox.addLast(new Transmit(java.util.Arrays.copyOfRange(scratch, outgoing.datagramStart, outgoing.datagramStart + n),
                    outgoing.datagramPeer.address));
        }
    }

    private boolean pushToSink() {
        boolean ok = true;
        for (int n; (n = outgoing.next(scratch)) >= 0; ) {
            int sent = sink.send(outgoing.datagramPeer.address, scratch, outgoing.datagramStart, n);
            if (sent < 0) {
                ok = false;
            } else {
                transmitted(sent);
            }
        }
        return ok;
    }

    /**
     * The next datagram to send, assembled into the caller's buffer: first any the engine had to
     * make at once (see {@link #flushNow}), then those of the send pass {@link #service} or
     * {@link #flush} began. Call until it returns -1 after each of those, and after any call that
     * may disconnect a peer at once.
     *
     * @param buf at least {@link #TRANSMIT_BUFFER_SIZE} bytes; the datagram is
     *            {@code buf[transmitOffset(), transmitOffset() + length)}
     * @return the datagram's length, or -1 when there is nothing more to send
     * @throws IllegalArgumentException if {@code buf} is too small
     */
    public int pollTransmit(byte[] buf) {
        if (buf.length < TRANSMIT_BUFFER_SIZE) {
            throw new IllegalArgumentException("buffer of " + buf.length + " bytes, need " + TRANSMIT_BUFFER_SIZE);
        }
        Transmit early = outbox.pollFirst();
        if (early != null) {
            System.arraycopy(early.data, 0, buf, 0, early.data.length);
            transmitOffset = 0;
            transmitAddress = early.to;
            return early.data.length;
        }
        int n = outgoing.next(buf);
        if (n >= 0) {
            transmitOffset = outgoing.datagramStart;
            transmitAddress = outgoing.datagramPeer.address;
        }
        return n;
    }

    /** @return where the last datagram from {@link #pollTransmit} starts in the caller's buffer */
    public int transmitOffset() {
        return transmitOffset;
    }

    /** @return where the last datagram from {@link #pollTransmit} goes */
    public InetSocketAddress transmitAddress() {
        return transmitAddress;
    }

    /**
     * Counts a datagram the driver sent in the host's totals.
     *
     * @param length bytes sent
     */
    public void transmitted(int length) {
        totalSentData += length;
        totalSentPackets++;
    }

    /**
     * Takes the next event (ENet's dispatch of incoming commands).
     *
     * @param event filled in
     * @return true if an event was produced
     */
    public boolean checkEvents(Event event) {
        event.clear();
        while (!dispatchQueue.isEmpty()) {
            Peer peer = dispatchQueue.removeFirst();
            peer.flags &= ~Peer.FLAG_NEEDS_DISPATCH;
            if (peer.connectEventPending) {
                peer.connectEventPending = false;
                event.type = Event.TYPE_CONNECT;
                event.peer = peer;
                event.data = peer.eventData;
                event.peerData = peer.userData;
                if (peer.state == Peer.STATE_ZOMBIE || !peer.dispatchedCommands.isEmpty()) {
                    peer.markForDispatch();
                }
                return true;
            }
            switch (peer.state) {
                case Peer.STATE_CONNECTION_PENDING:
                case Peer.STATE_CONNECTION_SUCCEEDED:
                    changeState(peer, Peer.STATE_CONNECTED);
                    event.type = Event.TYPE_CONNECT;
                    event.peer = peer;
                    event.data = peer.eventData;
                    event.peerData = peer.userData;
                    return true;
                case Peer.STATE_ZOMBIE:
                    recalculateBandwidthLimits = true;
                    event.type = Event.TYPE_DISCONNECT;
                    event.peer = peer;
                    event.data = peer.eventData;
                    event.peerData = peer.userData;
                    JenetEvents.disconnect(peer);
                    peer.reset();
                    return true;
                case Peer.STATE_CONNECTED:
                    if (peer.dispatchedCommands.isEmpty()) {
                        continue;
                    }
                    int[] channel = channelScratch;
                    Packet packet = peer.receive(channel);
                    if (packet == null) {
                        continue;
                    }
                    event.type = Event.TYPE_RECEIVE;
                    event.peer = peer;
                    event.channelID = channel[0];
                    event.packet = packet;
                    event.peerData = peer.userData;
                    if (!peer.dispatchedCommands.isEmpty()) {
                        peer.flags |= Peer.FLAG_NEEDS_DISPATCH;
                        dispatchQueue.addLast(peer);
                    }
                    return true;
                default:
                    break;
            }
        }
        return false;
    }

    private final int[] channelScratch = new int[1];

    /**
     * How long the caller may wait before {@link #service} has work to do, if no datagram arrives.
     *
     * @param now current time in ms
     * @param cap the largest answer wanted
     * @return milliseconds, 0 if work is due now
     */
    public long millisUntilDue(long now, long cap) {
        int t = (int) now;
        long wait = cap;
        if (!dispatchQueue.isEmpty()) {
            return 0;
        }
        if (connectedPeers > 0 && (outgoingBandwidth != 0 || bandwidthLimitedPeers > 0 || recalculateBandwidthLimits)) {
            wait = Math.min(wait, dueIn(t, bandwidthThrottleEpoch + BANDWIDTH_THROTTLE_INTERVAL));
        }
        if (dueKnown) {
            // From the last send pass; nothing has been received or queued since.
            return Math.max(0, Math.min(wait, dueIn(t, dueAt)));
        }
        for (Peer p : peers) {
            wait = Math.min(wait, dueIn(t, p));
            if (wait == 0) {
                return 0;
            }
        }
        return Math.max(0, wait);
    }

    /** @return ms from {@code now} until {@code p} next has work: 0 if it has some now, Long.MAX_VALUE if never */
    long dueIn(int now, Peer p) {
        if (p.state == Peer.STATE_DISCONNECTED || p.state == Peer.STATE_ZOMBIE) {
            return Long.MAX_VALUE;
        }
        if (!p.acknowledgements.isEmpty() || !p.outgoingCommands.isEmpty()
                || (!p.outgoingSendReliableCommands.isEmpty()
                    && (p.sentReliableCommands.isEmpty() || outgoing.windowAdmits(p, p.outgoingSendReliableCommands.front())))) {
            return 0;
        }
        if (!p.sentReliableCommands.isEmpty()) {
            return dueIn(now, p.nextTimeout);
        }
        if (p.state == Peer.STATE_CONNECTED || p.state == Peer.STATE_DISCONNECT_LATER) {
            // An interval past the clock's half range (a negative int from the API) never pings.
            return p.pingInterval >= Integer.MAX_VALUE / 2 ? Long.MAX_VALUE
                    : dueIn(now, p.lastReceiveTime + (int) p.pingInterval);
        }
        return Long.MAX_VALUE;
    }

    /** Records the result of a send pass that visited every peer: the earliest work is {@code dueInMs} after {@code now}. */
    void earliestDueAfterPass(int now, long dueInMs) {
        dueKnown = true;
        dueAt = dueInMs >= Integer.MAX_VALUE / 2 ? now + Integer.MAX_VALUE / 2 : now + (int) dueInMs;
    }

    /** Something was received or queued since the last send pass: the next due time must be recomputed. */
    void dueChanged() {
        dueKnown = false;
    }

    private static long dueIn(int now, int at) {
        return Time.less(now, at) ? Time.difference(at, now) : 0;
    }

    // ---- state changes (ENet's enet_protocol_change_state / dispatch_state) ----

    void changeState(Peer peer, int state) {
        dueChanged();
        if (state == Peer.STATE_CONNECTED || state == Peer.STATE_DISCONNECT_LATER) {
            peer.onConnect();
        } else {
            peer.onDisconnect();
        }
        peer.state = state;
    }

    void dispatchState(Peer peer, int state) {
        changeState(peer, state);
        peer.markForDispatch();
    }

    /**
     * A connection completed. C ENet, serviced with an event (as every application does), makes the
     * peer CONNECTED at once, so data commands later in the same datagram are accepted; Godot and C
     * clients send their first packets in the datagram that acknowledges VERIFY_CONNECT. We do the
     * same, and raise the CONNECT event through the dispatch queue ahead of any data.
     */
    void notifyConnect(Peer peer) {
        recalculateBandwidthLimits = true;
        changeState(peer, Peer.STATE_CONNECTED);
        JenetEvents.connect(peer);
        peer.connectEventPending = true;
        peer.markForDispatch();
    }

    void notifyDisconnect(Peer peer) {
        if (peer.state >= Peer.STATE_CONNECTION_PENDING) {
            recalculateBandwidthLimits = true;
        }
        if (peer.state != Peer.STATE_CONNECTING && peer.state < Peer.STATE_CONNECTION_SUCCEEDED) {
            peer.reset();
        } else {
            peer.eventData = 0;
            dispatchState(peer, Peer.STATE_ZOMBIE);
        }
    }

    // ---- pools ----

    OutgoingCommand allocOutgoing() {
        OutgoingCommand c = outgoingPool.poll();
        return c != null ? c : new OutgoingCommand();
    }

    void freeOutgoing(OutgoingCommand c) {
        if (c.peer != null && c.packet != null) {
            budget.queued(c.peer, -c.fragmentLength);
        }
        c.peer = null;
        c.packet = null;
        outgoingPool.offer(c);
    }

    IncomingCommand allocIncoming() {
        IncomingCommand c = incomingPool.poll();
        return c != null ? c : new IncomingCommand();
    }

    void freeIncoming(IncomingCommand c) {
        c.packet = null;
        c.fragments = null;
        c.chunks = null;
        c.held = 0;
        incomingPool.offer(c);
    }

    Acknowledgement allocAcknowledgement() {
        Acknowledgement a = acknowledgementPool.poll();
        return a != null ? a : new Acknowledgement();
    }

    void freeAcknowledgement(Acknowledgement a) {
        acknowledgementPool.offer(a);
    }
}

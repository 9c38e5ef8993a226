package io.jenet;

import io.jenet.internal.engine.Packet;
import io.jenet.internal.engine.Peer;
import io.jenet.internal.transport.HostDriver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A peer of an {@link ENetConnection}, as Godot's {@code ENetPacketPeer}: send packets on a
 * channel, read the packets the connection queued for it, disconnect, and tune its throttle,
 * timeouts and pings.
 *
 * <p>Instances come from {@link ENetConnection#connectToHost} or from a CONNECT event; after the
 * peer disconnects (or is reset) it becomes inactive and most methods throw
 * {@link IllegalStateException}.
 *
 * <p>Thread-safety: not thread-safe. Use a peer only from the thread that services its connection.
 */
public final class ENetPacketPeer {
    /** Mark the packet to be sent reliably. */
    public static final int FLAG_RELIABLE = 1;
    /** Mark the packet to be sent unsequenced (unreliable). */
    public static final int FLAG_UNSEQUENCED = 2;
    /** Mark the packet to be sent unreliable even if it is larger than the MTU (fragmented). */
    public static final int FLAG_UNRELIABLE_FRAGMENT = 8;
    /** The scale of {@link PeerStatistic#PEER_PACKET_LOSS}: 65536 means 100 % loss. */
    public static final int PACKET_LOSS_SCALE = Peer.PACKET_LOSS_SCALE;
    /** The scale of {@link PeerStatistic#PEER_PACKET_THROTTLE}: 32 means no throttling. */
    public static final int PACKET_THROTTLE_SCALE = Peer.PACKET_THROTTLE_SCALE;

    private static final int FLAGS_ALLOWED = FLAG_RELIABLE | FLAG_UNSEQUENCED | FLAG_UNRELIABLE_FRAGMENT;

    /** The peer's connection state, numbered as ENet and Godot number it. */
    public enum PeerState {
        /** Not connected (or the peer object is inactive). */
        STATE_DISCONNECTED,
        /** Our CONNECT is on its way. */
        STATE_CONNECTING,
        /** A remote CONNECT arrived; our VERIFY_CONNECT awaits its acknowledgement. */
        STATE_ACKNOWLEDGING_CONNECT,
        /** Incoming connection complete; the CONNECT event is pending. */
        STATE_CONNECTION_PENDING,
        /** Outgoing connection complete; the CONNECT event is pending. */
        STATE_CONNECTION_SUCCEEDED,
        /** Connected. */
        STATE_CONNECTED,
        /** Will disconnect once queued outgoing data is delivered. */
        STATE_DISCONNECT_LATER,
        /** Our DISCONNECT awaits its acknowledgement. */
        STATE_DISCONNECTING,
        /** A remote DISCONNECT is being acknowledged. */
        STATE_ACKNOWLEDGING_DISCONNECT,
        /** Disconnected; the DISCONNECT event is pending. */
        STATE_ZOMBIE;

        /** @return Godot's numeric value (0 … 9) */
        public int value() {
            return ordinal();
        }
    }

    /** Peer statistics, numbered as in Godot. */
    public enum PeerStatistic {
        /** Mean packet loss of reliable packets, scaled by {@link #PACKET_LOSS_SCALE}. */
        PEER_PACKET_LOSS,
        /** Packet loss variance. */
        PEER_PACKET_LOSS_VARIANCE,
        /** Time at which packet loss statistics were last updated (ms, ENet clock). */
        PEER_PACKET_LOSS_EPOCH,
        /** Mean round trip time, ms. */
        PEER_ROUND_TRIP_TIME,
        /** Variance of the mean round trip time. */
        PEER_ROUND_TRIP_TIME_VARIANCE,
        /** Last recorded round trip time, ms. */
        PEER_LAST_ROUND_TRIP_TIME,
        /** Variance of the last round trip time. */
        PEER_LAST_ROUND_TRIP_TIME_VARIANCE,
        /** Current packet throttle, out of {@link #PACKET_THROTTLE_SCALE}. */
        PEER_PACKET_THROTTLE,
        /** Maximum packet throttle. */
        PEER_PACKET_THROTTLE_LIMIT,
        /** Internal throttle counter. */
        PEER_PACKET_THROTTLE_COUNTER,
        /** Time at which the throttle was last updated. */
        PEER_PACKET_THROTTLE_EPOCH,
        /** Throttle acceleration. */
        PEER_PACKET_THROTTLE_ACCELERATION,
        /** Throttle deceleration. */
        PEER_PACKET_THROTTLE_DECELERATION,
        /** Throttle interval, ms. */
        PEER_PACKET_THROTTLE_INTERVAL;

        /** @return Godot's numeric value (0 … 13) */
        public int value() {
            return ordinal();
        }
    }

    private static final PeerState[] STATES = PeerState.values();

    private final ENetConnection connection;
    private final HostDriver driver;
    private Peer peer;
    /**
     * Received packets not yet read; made when the first one arrives, so that a peer that never
     * receives data (an idle one keeping its connection alive) does not carry an empty queue.
     */
    private ArrayDeque<Packet> packets;
    private final InetSocketAddress remote;

    ENetPacketPeer(ENetConnection connection, HostDriver driver, Peer peer) {
        this.connection = connection;
        this.driver = driver;
        this.peer = peer;
        this.remote = peer.address();
        peer.userData = this;
    }

    Peer enginePeer() {
        return peer;
    }

    /** The engine peer disconnected or was reset: this wrapper lets go of it. */
    void detach() {
        // Packets already queued stay readable: a peer that sends and then disconnects loses nothing.
        // The engine peer's reset forgot the waiting data they counted for.
        if (peer != null && peer.userData == this) {
            peer.userData = null;
        }
        peer = null;
    }

    /** Queues a received packet; it counts toward the peer's waiting data until it is taken. */
    void queuePacket(Packet packet) {
        if (packets == null) {
            packets = new ArrayDeque<>();
        }
        packets.addLast(packet);
    }

    private Peer active() {
        if (peer != null && peer.userData != this) {
            detach();
        }
        if (peer == null) {
            throw new IllegalStateException("peer is not active (disconnected or reset)");
        }
        return peer;
    }

    // ---- sending ----

    /**
     * Queues a packet to be sent on a channel.
     *
     * @param channel channel, 0 ≤ channel &lt; {@link #getChannels()}
     * @param packet payload (copied; the array may be reused at once)
     * @param flags 0 (unreliable sequenced) or a combination of {@link #FLAG_RELIABLE},
     *              {@link #FLAG_UNSEQUENCED}, {@link #FLAG_UNRELIABLE_FRAGMENT}
     * @throws IllegalArgumentException for a bad channel, flags or size
     * @throws IllegalStateException if the peer is not connected
     */
    public void send(int channel, byte[] packet, int flags) {
        Objects.requireNonNull(packet, "packet");
        send(channel, packet, 0, packet.length, flags);
    }

    /**
     * Queues {@code packet[offset, offset+length)} to be sent on a channel.
     *
     * @param channel channel
     * @param packet payload array (copied)
     * @param offset start
     * @param length length
     * @param flags packet flags, as {@link #send(int, byte[], int)}
     */
    public void send(int channel, byte[] packet, int offset, int length, int flags) {
        Objects.checkFromIndexSize(offset, length, packet.length);
        Peer p = checkSend(channel, length, flags);
        queue(p, channel, driver.host().createPacket(packet, offset, length, flags));
    }

    /**
     * Queues the remaining bytes of a buffer to be sent on a channel; the buffer's position moves
     * to its limit.
     *
     * @param channel channel
     * @param packet payload (copied)
     * @param flags packet flags, as {@link #send(int, byte[], int)}
     */
    public void send(int channel, ByteBuffer packet, int flags) {
        Peer p = checkSend(channel, packet.remaining(), flags);
        queue(p, channel, driver.host().createPacket(packet, flags));
    }

    /**
     * Sends a reliable packet on channel 0, as Godot's {@code PacketPeer.put_packet}.
     *
     * @param packet payload
     */
    public void putPacket(byte[] packet) {
        send(0, packet, FLAG_RELIABLE);
    }

    private static void queue(Peer p, int channel, Packet packet) {
        if (!p.send(channel, packet)) {
            throw new IllegalStateException("packet could not be queued (peer state " + p.state() + ")");
        }
    }

    private Peer checkSend(int channel, int length, int flags) {
        Peer p = active();
        if ((flags & ~FLAGS_ALLOWED) != 0) {
            throw new IllegalArgumentException("flags " + flags + " not allowed: use a combination of FLAG_RELIABLE (1), "
                    + "FLAG_UNSEQUENCED (2) and FLAG_UNRELIABLE_FRAGMENT (8)");
        }
        if (p.state() != Peer.STATE_CONNECTED) {
            throw new IllegalStateException("peer is not connected (state " + getState() + ")");
        }
        if (channel < 0 || channel >= p.channelCount()) {
            throw new IllegalArgumentException("invalid channel " + channel + ": this peer has " + p.channelCount() + " channels");
        }
        int maximum = driver.host().maximumPacketSize();
        if (length > maximum) {
            throw new IllegalArgumentException("packet of " + length + " bytes exceeds the maximum packet size of " + maximum);
        }
        return p;
    }

    // ---- receiving ----

    /**
     * Packets stay queued after the peer disconnects, until read: unlike Godot, no data that
     * arrived is lost because the DISCONNECT event came first.
     *
     * @return the number of packets queued for reading
     */
    public int getAvailablePacketCount() {
        return packets == null ? 0 : packets.size();
    }

    /**
     * Takes the next received packet.
     *
     * @return the payload, or null if no packet is queued
     */
    public byte[] getPacket() {
        Packet p = packets == null ? null : packets.pollFirst();
        if (p == null) {
            return null;
        }
        byte[] copy = java.util.Arrays.copyOf(p.data(), p.length());
        release(p);
        return copy;
    }

    /**
     * Takes the next received packet into a buffer, without allocating.
     *
     * @param into destination; must have room for the whole packet
     * @return the packet length, or -1 if no packet is queued
     * @throws java.nio.BufferOverflowException if {@code into} is too small (the packet stays queued)
     */
    public int getPacket(ByteBuffer into) {
        Packet p = packets == null ? null : packets.peekFirst();
        if (p == null) {
            return -1;
        }
        if (into.remaining() < p.length()) {
            throw new java.nio.BufferOverflowException();
        }
        packets.pollFirst();
        into.put(p.data(), 0, p.length());
        release(p);
        return p.length();
    }

    private void release(Packet p) {
        if (peer != null && peer.userData == this) {
            peer.release(p);
        } else {
            driver.host().recycle(p);
        }
    }

    /**
     * The RECEIVE event for each channel, made once: receiving allocates no event objects. Grown to
     * the channels actually used (a 256-slot array per peer was most of an idle peer's heap), from
     * none for a peer that has received nothing.
     */
    private ENetEvent[] receiveEvents = NO_EVENTS;
    private static final ENetEvent[] NO_EVENTS = new ENetEvent[0];

    ENetEvent receiveEvent(int channel) {
        if (channel >= receiveEvents.length) {
            receiveEvents = java.util.Arrays.copyOf(receiveEvents, channel + 1);
        }
        ENetEvent e = receiveEvents[channel];
        if (e == null) {
            e = new ENetEvent(ENetConnection.EventType.EVENT_RECEIVE, this, 0, channel);
            receiveEvents[channel] = e;
        }
        return e;
    }

    /**
     * Flags of the next queued packet ({@link #FLAG_RELIABLE}, {@link #FLAG_UNSEQUENCED},
     * {@link #FLAG_UNRELIABLE_FRAGMENT}, or 0 for unreliable).
     *
     * @return the flags, or 0 if no packet is queued
     */
    public int getPacketFlags() {
        Packet p = packets == null ? null : packets.peekFirst();
        return p == null ? 0 : p.flags() & FLAGS_ALLOWED;
    }

    // ---- connection control ----

    /**
     * Requests a disconnection; a DISCONNECT event follows when the remote peer acknowledges it.
     *
     * @param data 32-bit value delivered to the remote peer's DISCONNECT event
     */
    public void peerDisconnect(int data) {
        Peer p = active();
        driver.tick();
        p.disconnect(data);
        driver.transmit();
    }

    /** Same as {@link #peerDisconnect(int)} with data 0. */
    public void peerDisconnect() {
        peerDisconnect(0);
    }

    /**
     * Disconnects after all queued outgoing packets have been sent and acknowledged.
     *
     * @param data value delivered to the remote peer's DISCONNECT event
     */
    public void peerDisconnectLater(int data) {
        Peer p = active();
        driver.tick();
        p.disconnectLater(data);
    }

    /** Same as {@link #peerDisconnectLater(int)} with data 0. */
    public void peerDisconnectLater() {
        peerDisconnectLater(0);
    }

    /**
     * Disconnects at once: one unsequenced DISCONNECT is sent, the peer is reset, and no
     * DISCONNECT event is raised locally.
     *
     * @param data value delivered to the remote peer's DISCONNECT event
     */
    public void peerDisconnectNow(int data) {
        Peer p = active();
        driver.tick();
        p.disconnectNow(data);
        driver.transmit();
        detach();
    }

    /** Same as {@link #peerDisconnectNow(int)} with data 0. */
    public void peerDisconnectNow() {
        peerDisconnectNow(0);
    }

    /** Drops the connection without telling the remote peer, which will time out; no event. */
    public void reset() {
        Peer p = active();
        p.reset();
        detach();
    }

    /** Sends a ping now (pings are also sent automatically; see {@link #pingInterval(int)}). */
    public void ping() {
        active().ping();
    }

    /**
     * Sets how often an idle peer is pinged. The value is ENet's unsigned 32-bit field: as in
     * Godot, a negative int is taken as its unsigned value (in effect, never ping).
     *
     * @param pingIntervalMs interval in ms; 0 restores the default of 500 ms
     */
    public void pingInterval(int pingIntervalMs) {
        active().pingInterval(Integer.toUnsignedLong(pingIntervalMs));
    }

    /**
     * Sets the timeout parameters, as Godot's {@code set_timeout}: a peer times out when an
     * unacknowledged reliable packet is older than {@code timeoutMax} ms, or when one has been
     * retransmitted {@code timeout} times and is older than {@code timeoutMin} ms. That is Godot's
     * rule (its ENet is patched; upstream ENet compares {@code 2^(attempts-1)} with the limit); the
     * defaults (5 retransmissions, 5000 ms, 30000 ms) time out at the same moment under both. A 0
     * restores a default. As in Godot, the values are ENet's unsigned 32-bit fields (a negative
     * int is taken as its unsigned value) and are checked in int order.
     *
     * @param timeout the retransmissions before a timeout is allowed
     * @param timeoutMin minimum ms before a timeout
     * @param timeoutMax ms after which an unacknowledged packet always times out the peer
     * @throws IllegalArgumentException if {@code timeout > timeoutMin} or
     *         {@code timeoutMin > timeoutMax} (where Godot reports an error)
     */
    public void setTimeout(int timeout, int timeoutMin, int timeoutMax) {
        if (timeout > timeoutMin || timeoutMin > timeoutMax) {
            throw new IllegalArgumentException("timeout limit (" + timeout + ") must be <= minimum timeout (" + timeoutMin
                    + "), which must be <= maximum timeout (" + timeoutMax + ")");
        }
        active().timeout(Integer.toUnsignedLong(timeout), Integer.toUnsignedLong(timeoutMin), Integer.toUnsignedLong(timeoutMax));
    }

    /**
     * Configures the unreliable packet throttle and tells the remote peer. As in Godot, the values
     * are ENet's unsigned 32-bit fields (a negative int is taken as its unsigned value).
     *
     * @param interval ms over which the lowest round trip time is measured (default 5000)
     * @param acceleration throttle increase when RTT is low (default 2, scale 32)
     * @param deceleration throttle decrease when RTT is high (default 2, scale 32)
     */
    public void throttleConfigure(int interval, int acceleration, int deceleration) {
        active().throttleConfigure(Integer.toUnsignedLong(interval), Integer.toUnsignedLong(acceleration),
                Integer.toUnsignedLong(deceleration));
    }

    // ---- queries ----

    /** @return the remote IP address as text (e.g. {@code 127.0.0.1} or {@code ::1}) */
    public String getRemoteAddress() {
        InetSocketAddress a = peer != null && peer.address() != null ? peer.address() : remote;
        return a == null ? "" : a.getAddress().getHostAddress();
    }

    /** @return the remote UDP port */
    public int getRemotePort() {
        InetSocketAddress a = peer != null && peer.address() != null ? peer.address() : remote;
        return a == null ? 0 : a.getPort();
    }

    /**
     * Reads a statistic.
     *
     * @param statistic which one
     * @return its value
     */
    public double getStatistic(PeerStatistic statistic) {
        return active().statistic(statistic.ordinal());
    }

    /** @return the connection state; {@code STATE_DISCONNECTED} once inactive */
    public PeerState getState() {
        return peer == null || peer.userData != this ? PeerState.STATE_DISCONNECTED : STATES[peer.state()];
    }

    /**
     * jenet extension: reliable commands resent to this peer since it connected, whether after
     * their retransmission timer or early (see {@link #getEarlyRetransmissions}).
     *
     * @return the count
     */
    public long getRetransmissions() {
        return active().retransmissions();
    }

    /**
     * jenet extension: of {@link #getRetransmissions}, those resent before their timer because a
     * datagram sent after them had already been acknowledged (0 under
     * {@link ENetConnection#setExactEnetTiming ENet's exact timing}).
     *
     * @return the count
     */
    public long getEarlyRetransmissions() {
        return active().earlyRetransmissions();
    }

    /**
     * jenet extension: copies of unacknowledged small reliable packets that datagrams sent to this
     * peer carried in room they had left, while the link was losing data (0 under ENet's exact
     * timing). The receiver treats each as the duplicate it is.
     *
     * @return the count
     */
    public long getRedundantCopies() {
        return active().redundantCopies();
    }

    /**
     * jenet extension: the smoothed round-trip time in milliseconds, with a fractional part: ENet's
     * estimate ({@code PEER_ROUND_TRIP_TIME}) without its whole-millisecond truncation, which on
     * a fast path leaves ENet's figure several milliseconds too high. Under ENet's exact timing,
     * ENet's own figure.
     *
     * @return the estimate in ms
     */
    public double getRoundTripTimeMillis() {
        return active().roundTripTimeMicros() / 1000.0;
    }

    /**
     * jenet extension: datagrams from this peer dropped because it exceeded the host's per-peer
     * incoming limit ({@link ENetConnection#setPeerIncomingLimit}).
     *
     * @return the count since the peer connected
     */
    public long getThrottledDatagrams() {
        return active().throttledDatagrams();
    }

    /**
     * jenet extension: this peer's packets dropped by the host's memory budget, either direction
     * ({@link ENetConnection#setIncompleteDataLimit}, {@link ENetConnection#setOutgoingDataLimits}).
     *
     * @return the count since the peer connected
     */
    public long getBudgetDroppedPackets() {
        return active().budgetDroppedPackets();
    }

    /**
     * jenet extension: bytes queued to this peer now: not yet sent, or sent reliably and not yet
     * acknowledged.
     *
     * @return the backlog
     */
    public long getQueuedOutgoingData() {
        return active().queuedOutgoingData();
    }

    /** @return the number of channels negotiated with the remote peer */
    public int getChannels() {
        return active().channelCount();
    }

    /** @return true while this object is attached to a live ENet peer */
    public boolean isActive() {
        return peer != null && peer.userData == this;
    }

    /** @return the connection this peer belongs to */
    public ENetConnection getConnection() {
        return connection;
    }

    @Override
    public String toString() {
        return "ENetPacketPeer[" + getRemoteAddress() + ":" + getRemotePort() + " " + getState() + "]";
    }
}

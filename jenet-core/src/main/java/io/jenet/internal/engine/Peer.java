package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.Wire;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One remote peer of an engine {@link Host}: its state, channels and command queues, following
 * ENet's {@code peer.c} field for field so the two can be read side by side.
 *
 * <p>Thread-safety: none; a peer belongs to its host and is used from the host's thread only.
 */
public final class Peer extends Node {
    public static final int STATE_DISCONNECTED = 0;
    public static final int STATE_CONNECTING = 1;
    public static final int STATE_ACKNOWLEDGING_CONNECT = 2;
    public static final int STATE_CONNECTION_PENDING = 3;
    public static final int STATE_CONNECTION_SUCCEEDED = 4;
    public static final int STATE_CONNECTED = 5;
    public static final int STATE_DISCONNECT_LATER = 6;
    public static final int STATE_DISCONNECTING = 7;
    public static final int STATE_ACKNOWLEDGING_DISCONNECT = 8;
    public static final int STATE_ZOMBIE = 9;

    public static final int DEFAULT_ROUND_TRIP_TIME = 500;
    public static final int DEFAULT_PACKET_THROTTLE = 32;
    public static final int PACKET_THROTTLE_SCALE = 32;
    public static final int PACKET_THROTTLE_COUNTER = 7;
    public static final int PACKET_THROTTLE_ACCELERATION = 2;
    public static final int PACKET_THROTTLE_DECELERATION = 2;
    public static final int PACKET_THROTTLE_INTERVAL = 5000;
    public static final int PACKET_LOSS_SCALE = 1 << 16;
    public static final int PACKET_LOSS_INTERVAL = 10000;
    public static final int WINDOW_SIZE_SCALE = 64 * 1024;
    /** Godot's ENET_PEER_TIMEOUT_LIMIT: retransmissions before a peer may time out (upstream ENet: 32, as 2^5). */
    public static final int TIMEOUT_LIMIT = 5;
    public static final int TIMEOUT_MINIMUM = 5000;
    public static final int TIMEOUT_MAXIMUM = 30000;
    public static final int PING_INTERVAL = 500;
    public static final int UNSEQUENCED_WINDOWS = 64;
    public static final int UNSEQUENCED_WINDOW_SIZE = 1024;
    public static final int FREE_UNSEQUENCED_WINDOWS = 32;
    public static final int RELIABLE_WINDOWS = 16;
    public static final int RELIABLE_WINDOW_SIZE = 0x1000;
    public static final int FREE_RELIABLE_WINDOWS = 8;

    static final int FLAG_NEEDS_DISPATCH = 1;
    static final int FLAG_CONTINUE_SENDING = 2;

    final Host host;
    /** jenet's sender decisions for this peer (unused under ENet's exact timing). */
    final LossRecovery recovery = new LossRecovery();
    int outgoingPeerID;
    final int incomingPeerID;
    int connectID;
    int outgoingSessionID = 0xFF;
    int incomingSessionID = 0xFF;
    InetSocketAddress address;
    /** Application data slot (the public API keeps its peer wrapper here). */
    public Object userData;
    int state;
    /**
     * The state of each channel in use, made on first use ({@link #channel}) and indexed by
     * channel number; shorter than {@link #channelCount} (or null entries) for channels never used.
     * A connection negotiates up to 255 channels and most carry nothing: made up front, the
     * channels were most of an idle peer's heap.
     */
    Channel[] channels = NO_CHANNELS;
    private static final Channel[] NO_CHANNELS = new Channel[0];
    int channelCount;
    long incomingBandwidth;
    long outgoingBandwidth;
    int incomingBandwidthThrottleEpoch;
    int outgoingBandwidthThrottleEpoch;
    long incomingDataTotal;
    long outgoingDataTotal;
    /** Bytes this peer may still send us before its datagrams are dropped (see Host.setPeerIncomingLimit). */
    long incomingAllowance;
    int incomingAllowanceTime;
    boolean incomingAllowanceStarted;
    /** Datagrams of this peer dropped for exceeding the host's per-peer incoming limit. */
    long throttledDatagrams;
    int lastSendTime;
    int lastReceiveTime;
    int nextTimeout;
    int earliestTimeout;
    int packetLossEpoch;
    long packetsSent;
    long packetsLost;
    long packetLoss;
    long packetLossVariance;
    long packetThrottle;
    long packetThrottleLimit;
    long packetThrottleCounter;
    int packetThrottleEpoch;
    long packetThrottleAcceleration;
    long packetThrottleDeceleration;
    long packetThrottleInterval;
    long pingInterval;
    /** Incomplete incoming data held for this peer (see {@link MemoryBudget}), and since when. */
    long heldReliable;
    long heldUnreliable;
    int heldReliableSince;
    int heldUnreliableSince;
    /** Bytes queued to this peer: unsent, or sent reliably and not yet acknowledged. */
    long queuedOutgoingData;
    /** Packets of this peer's dropped by the memory budget, in either direction. */
    long budgetDroppedPackets;
    long timeoutLimit;
    long timeoutMinimum;
    long timeoutMaximum;
    long lastRoundTripTime;
    long lowestRoundTripTime;
    long lastRoundTripTimeVariance;
    long highestRoundTripTimeVariance;
    long roundTripTime;
    long roundTripTimeVariance;
    int mtu;
    long windowSize;
    long reliableDataInTransit;
    int outgoingReliableSequenceNumber;
    final NodeList<Acknowledgement> acknowledgements = new NodeList<>();
    final NodeList<OutgoingCommand> sentReliableCommands = new NodeList<>();
    final NodeList<OutgoingCommand> outgoingSendReliableCommands = new NodeList<>();
    final NodeList<OutgoingCommand> outgoingCommands = new NodeList<>();
    final NodeList<IncomingCommand> dispatchedCommands = new NodeList<>();
    int flags;
    int incomingUnsequencedGroup;
    int outgoingUnsequencedGroup;
    /** Unsequenced groups received in the current window; made when the first unsequenced packet arrives (144 B a slot). */
    int[] unsequencedWindow;
    int eventData;
    long totalWaitingData;
    /** The connection completed; its CONNECT event has not been taken yet. */
    boolean connectEventPending;
    /** When this peer's handshake began (ACKNOWLEDGING_CONNECT). */
    int halfOpenSince;

    Peer(Host host, int incomingPeerID) {
        this.host = host;
        this.incomingPeerID = incomingPeerID;
        reset();
    }

    /**
     * The application has taken a packet this peer received (with the host holding received
     * packets, see {@link Host#setHoldReceivedPackets}): it no longer counts toward this peer's
     * waiting data, and its buffer goes back to the pool.
     *
     * @param packet a packet from a RECEIVE event of this peer
     */
    public void release(Packet packet) {
        totalWaitingData -= Math.min(totalWaitingData, packet.length);
        host.recycle(packet);
    }

    // ---- read-only accessors for the public API ----

    /** @return ENet peer state number (0 DISCONNECTED … 9 ZOMBIE) */
    public int state() {
        return state;
    }

    /** @return remote address, or null before a connection was attempted */
    public InetSocketAddress address() {
        return address;
    }

    /** @return the number of channels negotiated */
    public int channelCount() {
        return channelCount;
    }

    /** @return this peer's index in the host */
    public int incomingPeerID() {
        return incomingPeerID;
    }

    /** @return the negotiated MTU */
    public int mtu() {
        return mtu;
    }

    /** @return the mean round trip time in ms */
    public long roundTripTime() {
        return roundTripTime;
    }

    /** @return reliable commands resent to this peer since it connected: after a timeout or early (see {@link LossRecovery}) */
    public long retransmissions() {
        return recovery.retransmissions;
    }

    /** @return of {@link #retransmissions}, those resent before their timer because a later datagram had arrived */
    public long earlyRetransmissions() {
        return recovery.earlyRetransmissions;
    }

    /** @return copies of unacknowledged reliable commands carried by datagrams sent to this peer anyway */
    public long redundantCopies() {
        return recovery.redundantCopies;
    }

    /**
     * @return the smoothed round trip in microseconds, without ENet's whole-millisecond truncation;
     *     under ENet's exact timing (or before the first sample) ENet's own estimate, in microseconds
     */
    public long roundTripTimeMicros() {
        return host.exactEnetTiming || recovery.smoothedRoundTripMicros == 0 ? roundTripTime * 1000 : recovery.smoothedRoundTripMicros;
    }

    /**
     * Reads one of the 14 statistics in Godot's {@code PeerStatistic} order.
     *
     * @param statistic 0 PACKET_LOSS … 13 PACKET_THROTTLE_INTERVAL
     * @return the value
     */
    public long statistic(int statistic) {
        switch (statistic) {
            case 0: return packetLoss;
            case 1: return packetLossVariance;
            case 2: return Integer.toUnsignedLong(packetLossEpoch);
            case 3: return roundTripTime;
            case 4: return roundTripTimeVariance;
            case 5: return lastRoundTripTime;
            case 6: return lastRoundTripTimeVariance;
            case 7: return packetThrottle;
            case 8: return packetThrottleLimit;
            case 9: return packetThrottleCounter;
            case 10: return Integer.toUnsignedLong(packetThrottleEpoch);
            case 11: return packetThrottleAcceleration;
            case 12: return packetThrottleDeceleration;
            case 13: return packetThrottleInterval;
            default: throw new IllegalArgumentException("unknown peer statistic " + statistic);
        }
    }

    /** @return bytes of received packets not yet taken by the application */
    public long totalWaitingData() {
        return totalWaitingData;
    }

    // ---- configuration ----

    /**
     * Configures the packet throttle and tells the remote peer (THROTTLE_CONFIGURE).
     *
     * @param interval ms over which the lowest RTT is measured
     * @param acceleration throttle increase step
     * @param deceleration throttle decrease step
     */
    public void throttleConfigure(long interval, long acceleration, long deceleration) {
        packetThrottleInterval = interval;
        packetThrottleAcceleration = acceleration;
        packetThrottleDeceleration = deceleration;
        OutgoingCommand c = host.allocOutgoing();
        CommandWriter.throttleConfigure(c.command, 0, (int) interval, (int) acceleration, (int) deceleration);
        queueOutgoingCommand(c, null, 0, 0);
    }

    int throttle(long rtt) {
        if (lastRoundTripTime <= lastRoundTripTimeVariance) {
            packetThrottle = packetThrottleLimit;
        } else if (rtt <= lastRoundTripTime) {
            packetThrottle += packetThrottleAcceleration;
            if (packetThrottle > packetThrottleLimit) {
                packetThrottle = packetThrottleLimit;
            }
            return 1;
        } else if (rtt > lastRoundTripTime + 2 * lastRoundTripTimeVariance) {
            if (packetThrottle > packetThrottleDeceleration) {
                packetThrottle -= packetThrottleDeceleration;
            } else {
                packetThrottle = 0;
            }
            return -1;
        }
        return 0;
    }

    /**
     * Sets the ping interval; 0 restores ENet's default of 500 ms.
     *
     * @param interval ms between pings when idle
     */
    public void pingInterval(long interval) {
        pingInterval = interval != 0 ? interval : PING_INTERVAL;
        host.dueChanged();
    }

    /**
     * Sets the timeout parameters; each 0 restores the default.
     *
     * @param limit retransmissions of one reliable command after which the peer times out once
     *              {@code minimum} has passed (5, Godot's rule)
     * @param minimum minimum ms before a timeout (5000)
     * @param maximum maximum ms before a timeout (30000)
     */
    public void timeout(long limit, long minimum, long maximum) {
        timeoutLimit = limit != 0 ? limit : TIMEOUT_LIMIT;
        timeoutMinimum = minimum != 0 ? minimum : TIMEOUT_MINIMUM;
        timeoutMaximum = maximum != 0 ? maximum : TIMEOUT_MAXIMUM;
    }

    // ---- sending ----

    /** @return the payload bytes each fragment carries at this peer's MTU */
    public int fragmentLength() {
        int len = mtu - HEADER_SIZE - SEND_FRAGMENT_SIZE;
        if (host.checksum) {
            len -= CHECKSUM_SIZE;
        }
        return len;
    }

    /**
     * Queues a packet on a channel (ENet's {@code enet_peer_send}).
     *
     * @param channelID channel
     * @param packet packet; the engine takes a reference
     * @return false if the peer is not connected, the channel or size is out of range
     */
    public boolean send(int channelID, Packet packet) {
        if (state != STATE_CONNECTED || channelID < 0 || channelID >= channelCount || packet.length > host.maximumPacketSize) {
            return false;
        }
        if (!host.budget.admitOutgoing(this, packet.length, (packet.flags & Packet.FLAG_RELIABLE) != 0)) {
            // Over this peer's outgoing cap: dropped (unreliable) or the peer was disconnected
            // (reliable); either way handled, and counted.
            return true;
        }
        boolean queued = queue(channelID, packet);
        host.budget.checkOutgoingTotal();
        return queued;
    }

    private boolean queue(int channelID, Packet packet) {
        Channel channel = channel(channelID);
        int fragmentLength = fragmentLength();
        if (packet.length > fragmentLength) {
            long fragmentCount = ((long) packet.length + fragmentLength - 1) / fragmentLength;
            if (fragmentCount > MAXIMUM_FRAGMENT_COUNT) {
                return false;
            }
            int commandNumber;
            int startSequenceNumber;
            if ((packet.flags & (Packet.FLAG_RELIABLE | Packet.FLAG_UNRELIABLE_FRAGMENT)) == Packet.FLAG_UNRELIABLE_FRAGMENT
                    && channel.outgoingUnreliableSequenceNumber < 0xFFFF) {
                commandNumber = COMMAND_SEND_UNRELIABLE_FRAGMENT;
                startSequenceNumber = (channel.outgoingUnreliableSequenceNumber + 1) & 0xFFFF;
            } else {
                commandNumber = COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE;
                startSequenceNumber = (channel.outgoingReliableSequenceNumber + 1) & 0xFFFF;
            }
            int fragmentNumber = 0;
            packet.referenceCount += (int) fragmentCount;
            for (int fragmentOffset = 0; fragmentOffset < packet.length; fragmentNumber++, fragmentOffset += fragmentLength) {
                int len = Math.min(fragmentLength, packet.length - fragmentOffset);
                OutgoingCommand fragment = host.allocOutgoing();
                fragment.fragmentOffset = fragmentOffset;
                fragment.fragmentLength = len;
                fragment.packet = packet;
                CommandWriter.sendFragment(fragment.command, 0, commandNumber, channelID, startSequenceNumber, len,
                        (int) fragmentCount, fragmentNumber, packet.length, fragmentOffset);
                setupOutgoingCommand(fragment);
            }
            return true;
        }
        OutgoingCommand c = host.allocOutgoing();
        if ((packet.flags & (Packet.FLAG_RELIABLE | Packet.FLAG_UNSEQUENCED)) == Packet.FLAG_UNSEQUENCED) {
            CommandWriter.sendUnsequenced(c.command, 0, channelID, 0, packet.length);
        } else if ((packet.flags & Packet.FLAG_RELIABLE) != 0 || channel.outgoingUnreliableSequenceNumber >= 0xFFFF) {
            CommandWriter.sendReliable(c.command, 0, channelID, packet.length);
        } else {
            CommandWriter.sendUnreliable(c.command, 0, channelID, 0, packet.length);
        }
        queueOutgoingCommand(c, packet, 0, packet.length);
        return true;
    }

    void queueOutgoingCommand(OutgoingCommand c, Packet packet, int offset, int length) {
        host.dueChanged();
        c.fragmentOffset = offset;
        c.fragmentLength = length;
        c.packet = packet;
        if (packet != null) {
            packet.referenceCount++;
        }
        setupOutgoingCommand(c);
    }

    void setupOutgoingCommand(OutgoingCommand c) {
        c.peer = this;
        if (c.packet != null) {
            host.budget.queued(this, c.fragmentLength);
        }
        int command = c.commandByte();
        outgoingDataTotal += commandSize(command) + c.fragmentLength;
        int channelID = c.channelID();
        if (channelID == 0xFF) {
            outgoingReliableSequenceNumber = (outgoingReliableSequenceNumber + 1) & 0xFFFF;
            c.reliableSequenceNumber = outgoingReliableSequenceNumber;
            c.unreliableSequenceNumber = 0;
        } else {
            Channel channel = channel(channelID);
            if ((command & COMMAND_FLAG_ACKNOWLEDGE) != 0) {
                channel.outgoingReliableSequenceNumber = (channel.outgoingReliableSequenceNumber + 1) & 0xFFFF;
                channel.outgoingUnreliableSequenceNumber = 0;
                c.reliableSequenceNumber = channel.outgoingReliableSequenceNumber;
                c.unreliableSequenceNumber = 0;
            } else if ((command & COMMAND_FLAG_UNSEQUENCED) != 0) {
                outgoingUnsequencedGroup = (outgoingUnsequencedGroup + 1) & 0xFFFF;
                c.reliableSequenceNumber = 0;
                c.unreliableSequenceNumber = 0;
            } else {
                if (c.fragmentOffset == 0) {
                    channel.outgoingUnreliableSequenceNumber = (channel.outgoingUnreliableSequenceNumber + 1) & 0xFFFF;
                }
                c.reliableSequenceNumber = channel.outgoingReliableSequenceNumber;
                c.unreliableSequenceNumber = channel.outgoingUnreliableSequenceNumber;
            }
        }
        c.sendAttempts = 0;
        c.copies = 0;
        c.sentTime = 0;
        c.roundTripTimeout = 0;
        CommandWriter.reliableSequenceNumber(c.command, 0, c.reliableSequenceNumber);
        c.queueTime = ++host.totalQueued;
        switch (command & COMMAND_MASK) {
            case COMMAND_SEND_UNRELIABLE:
                Wire.put16(c.command, SEND_UNRELIABLE_SEQUENCE_NUMBER_OFFSET, c.unreliableSequenceNumber);
                break;
            case COMMAND_SEND_UNSEQUENCED:
                Wire.put16(c.command, SEND_UNSEQUENCED_GROUP_OFFSET, outgoingUnsequencedGroup);
                break;
            default:
                break;
        }
        if ((command & COMMAND_FLAG_ACKNOWLEDGE) != 0 && c.packet != null) {
            outgoingSendReliableCommands.addLast(c);
        } else {
            outgoingCommands.addLast(c);
        }
    }

    boolean hasOutgoingCommands() {
        return !outgoingCommands.isEmpty() || !outgoingSendReliableCommands.isEmpty() || !sentReliableCommands.isEmpty();
    }

    // ---- receiving ----

    /**
     * Takes the next dispatched packet (ENet's {@code enet_peer_receive}).
     *
     * @param channelOut if not null, element 0 receives the channel id
     * @return the packet, or null if none is waiting
     */
    Packet receive(int[] channelOut) {
        if (dispatchedCommands.isEmpty()) {
            return null;
        }
        IncomingCommand ic = dispatchedCommands.removeFirst();
        if (channelOut != null) {
            channelOut[0] = ic.channelID;
        }
        Packet packet = ic.packet;
        packet.referenceCount--;
        host.freeIncoming(ic);
        if (!host.holdReceivedPackets) {
            totalWaitingData -= Math.min(totalWaitingData, packet.length);
        }
        return packet;
    }

    private void resetOutgoingCommands(NodeList<OutgoingCommand> queue) {
        while (!queue.isEmpty()) {
            OutgoingCommand c = queue.removeFirst();
            if (c.packet != null && --c.packet.referenceCount == 0) {
                host.packets.give(c.packet);
            }
            host.freeOutgoing(c);
        }
    }

    void removeIncomingCommands(Node start, Node end, IncomingCommand exclude) {
        for (Node current = start; current != end; ) {
            IncomingCommand ic = (IncomingCommand) current;
            current = current.next;
            if (ic == exclude) {
                continue;
            }
            NodeList.remove(ic);
            host.budget.release(this, ic);
            if (ic.packet != null) {
                totalWaitingData -= Math.min(totalWaitingData, ic.packet.length);
                if (--ic.packet.referenceCount == 0) {
                    host.packets.give(ic.packet);
                }
            }
            host.freeIncoming(ic);
        }
    }

    private void resetIncomingCommands(NodeList<IncomingCommand> queue) {
        removeIncomingCommands(queue.begin(), queue.end(), null);
    }

    void resetQueues() {
        if ((flags & FLAG_NEEDS_DISPATCH) != 0) {
            NodeList.remove(this);
            flags &= ~FLAG_NEEDS_DISPATCH;
        }
        while (!acknowledgements.isEmpty()) {
            host.freeAcknowledgement(acknowledgements.removeFirst());
        }
        resetOutgoingCommands(sentReliableCommands);
        resetOutgoingCommands(outgoingCommands);
        resetOutgoingCommands(outgoingSendReliableCommands);
        resetIncomingCommands(dispatchedCommands);
        for (int i = 0; i < Math.min(channelCount, channels.length); i++) {
            if (channels[i] != null) {
                resetIncomingCommands(channels[i].incomingReliableCommands);
                resetIncomingCommands(channels[i].incomingUnreliableCommands);
            }
        }
        channelCount = 0;
    }

    void onConnect() {
        if (state != STATE_CONNECTED && state != STATE_DISCONNECT_LATER) {
            if (incomingBandwidth != 0) {
                host.bandwidthLimitedPeers++;
            }
            host.connectedPeers++;
        }
    }

    void onDisconnect() {
        if (state == STATE_CONNECTED || state == STATE_DISCONNECT_LATER) {
            if (incomingBandwidth != 0) {
                host.bandwidthLimitedPeers--;
            }
            host.connectedPeers--;
        }
    }

    /** Forcefully drops the connection without telling the remote peer (ENet's {@code enet_peer_reset}). */
    /** @return packets of this peer dropped by the memory budget since it connected, either direction */
    public long budgetDroppedPackets() {
        return budgetDroppedPackets;
    }

    /** @return incomplete incoming data held for this peer now, bytes */
    public long heldIncomingData() {
        return heldReliable + heldUnreliable;
    }

    /** @return bytes queued to this peer now (unsent, or unacknowledged) */
    public long queuedOutgoingData() {
        return queuedOutgoingData;
    }

    /** @return datagrams of this peer dropped for exceeding the host's per-peer incoming limit */
    public long throttledDatagrams() {
        return throttledDatagrams;
    }

    public void reset() {
        if (state != STATE_DISCONNECTED && address != null && host.peerObserver != null) {
            host.peerObserver.released(address);
        }
        host.dueChanged();
        onDisconnect();
        host.peerResets++;
        outgoingPeerID = MAXIMUM_PEER_ID;
        connectID = 0;
        state = STATE_DISCONNECTED;
        incomingBandwidth = 0;
        outgoingBandwidth = 0;
        incomingBandwidthThrottleEpoch = 0;
        outgoingBandwidthThrottleEpoch = 0;
        incomingDataTotal = 0;
        outgoingDataTotal = 0;
        incomingAllowance = 0;
        incomingAllowanceStarted = false;
        throttledDatagrams = 0;
        budgetDroppedPackets = 0;
        lastSendTime = 0;
        lastReceiveTime = 0;
        nextTimeout = 0;
        earliestTimeout = 0;
        packetLossEpoch = 0;
        packetsSent = 0;
        packetsLost = 0;
        packetLoss = 0;
        packetLossVariance = 0;
        packetThrottle = DEFAULT_PACKET_THROTTLE;
        packetThrottleLimit = PACKET_THROTTLE_SCALE;
        packetThrottleCounter = 0;
        packetThrottleEpoch = 0;
        packetThrottleAcceleration = PACKET_THROTTLE_ACCELERATION;
        packetThrottleDeceleration = PACKET_THROTTLE_DECELERATION;
        packetThrottleInterval = PACKET_THROTTLE_INTERVAL;
        pingInterval = PING_INTERVAL;
        timeoutLimit = TIMEOUT_LIMIT;
        timeoutMinimum = TIMEOUT_MINIMUM;
        timeoutMaximum = TIMEOUT_MAXIMUM;
        lastRoundTripTime = DEFAULT_ROUND_TRIP_TIME;
        lowestRoundTripTime = DEFAULT_ROUND_TRIP_TIME;
        lastRoundTripTimeVariance = 0;
        highestRoundTripTimeVariance = 0;
        roundTripTime = DEFAULT_ROUND_TRIP_TIME;
        roundTripTimeVariance = 0;
        recovery.reset();
        mtu = host.mtu;
        reliableDataInTransit = 0;
        outgoingReliableSequenceNumber = 0;
        userData = null;
        windowSize = MAXIMUM_WINDOW_SIZE;
        incomingUnsequencedGroup = 0;
        outgoingUnsequencedGroup = 0;
        eventData = 0;
        totalWaitingData = 0;
        flags = 0;
        connectEventPending = false;
        if (unsequencedWindow != null) {
            Arrays.fill(unsequencedWindow, 0);
        }
        resetQueues();
    }

    /** Queues a PING if connected (ENet's {@code enet_peer_ping}). */
    public void ping() {
        if (state != STATE_CONNECTED) {
            return;
        }
        OutgoingCommand c = host.allocOutgoing();
        CommandWriter.ping(c.command, 0);
        queueOutgoingCommand(c, null, 0, 0);
    }

    /**
     * Sends an unsequenced DISCONNECT at once and resets; no event is raised.
     *
     * @param data disconnect data for the remote peer
     */
    public void disconnectNow(int data) {
        if (state == STATE_DISCONNECTED) {
            return;
        }
        if (state != STATE_ZOMBIE && state != STATE_DISCONNECTING) {
            resetQueues();
            OutgoingCommand c = host.allocOutgoing();
            CommandWriter.disconnect(c.command, 0, COMMAND_FLAG_UNSEQUENCED, data);
            queueOutgoingCommand(c, null, 0, 0);
            host.flushNow();
        }
        reset();
    }

    /**
     * Requests a disconnection; a DISCONNECT event follows when the remote peer acknowledges.
     *
     * @param data disconnect data for the remote peer
     */
    public void disconnect(int data) {
        if (state == STATE_DISCONNECTING || state == STATE_DISCONNECTED || state == STATE_ACKNOWLEDGING_DISCONNECT
                || state == STATE_ZOMBIE) {
            return;
        }
        resetQueues();
        boolean connected = state == STATE_CONNECTED || state == STATE_DISCONNECT_LATER;
        OutgoingCommand c = host.allocOutgoing();
        CommandWriter.disconnect(c.command, 0, connected ? COMMAND_FLAG_ACKNOWLEDGE : COMMAND_FLAG_UNSEQUENCED, data);
        queueOutgoingCommand(c, null, 0, 0);
        if (connected) {
            onDisconnect();
            state = STATE_DISCONNECTING;
        } else {
            host.flushNow();
            reset();
        }
    }

    /**
     * Disconnects once all queued outgoing packets are sent and acknowledged.
     *
     * @param data disconnect data for the remote peer
     */
    public void disconnectLater(int data) {
        if ((state == STATE_CONNECTED || state == STATE_DISCONNECT_LATER) && hasOutgoingCommands()) {
            state = STATE_DISCONNECT_LATER;
            eventData = data;
        } else {
            disconnect(data);
        }
    }

    Acknowledgement queueAcknowledgement(int command, int channelID, int reliableSequenceNumber, int sentTime) {
        host.dueChanged();
        if (channelID < channelCount) {
            Channel channel = channel(channelID);
            int reliableWindow = reliableSequenceNumber / RELIABLE_WINDOW_SIZE;
            int currentWindow = channel.incomingReliableSequenceNumber / RELIABLE_WINDOW_SIZE;
            if (reliableSequenceNumber < channel.incomingReliableSequenceNumber) {
                reliableWindow += RELIABLE_WINDOWS;
            }
            if (reliableWindow >= currentWindow + FREE_RELIABLE_WINDOWS - 1 && reliableWindow <= currentWindow + FREE_RELIABLE_WINDOWS) {
                return null;
            }
        }
        Acknowledgement a = host.allocAcknowledgement();
        outgoingDataTotal += ACKNOWLEDGE_SIZE;
        a.sentTime = sentTime;
        a.command = command;
        a.channelID = channelID;
        a.reliableSequenceNumber = reliableSequenceNumber;
        acknowledgements.addLast(a);
        return a;
    }

    void markForDispatch() {
        if ((flags & FLAG_NEEDS_DISPATCH) == 0) {
            host.dispatchQueue.addLast(this);
            flags |= FLAG_NEEDS_DISPATCH;
        }
    }

    /** Moves commands {@code first} … {@code last} to the dispatch list: complete, no longer held. */
    void moveToDispatched(Node first, Node last) {
        for (Node n = first; ; n = n.next) {
            host.budget.release(this, (IncomingCommand) n);
            if (n == last) {
                break;
            }
        }
        NodeList.move(dispatchedCommands.end(), first, last);
    }

    /**
     * Drops every unreliable command waiting in this peer's channels except {@code keep} (the
     * host's incomplete-data budget is exhausted and this peer has held some longest).
     *
     * @return the commands dropped
     */
    int dropHeldUnreliable(IncomingCommand keep) {
        int dropped = 0;
        for (int i = 0; i < Math.min(channelCount, channels.length); i++) {
            if (channels[i] == null) {
                continue;
            }
            NodeList<IncomingCommand> list = channels[i].incomingUnreliableCommands;
            for (Node n = list.begin(); n != list.end(); n = n.next) {
                if (n != keep) {
                    dropped++;
                }
            }
            removeIncomingCommands(list.begin(), list.end(), keep);
        }
        budgetDroppedPackets += dropped;
        return dropped;
    }

    /**
     * Disconnects this peer because it holds (or would make the host hold) more than the memory
     * budget allows, or its data made the engine fail: the remote is told with an unsequenced
     * DISCONNECT, as {@link #disconnectNow}, and the application gets a DISCONNECT event, as for
     * a timeout.
     */
    void disconnectAbruptly() {
        if (state == STATE_DISCONNECTED || state == STATE_ZOMBIE) {
            return;
        }
        resetQueues();
        OutgoingCommand c = host.allocOutgoing();
        CommandWriter.disconnect(c.command, 0, COMMAND_FLAG_UNSEQUENCED, 0);
        queueOutgoingCommand(c, null, 0, 0);
        host.flushNow();
        host.notifyDisconnect(this);
    }

    /**
     * Sets the channel count of a new connection. The channels themselves are made when first
     * used; those a previous connection of this slot used are reset and kept for the next.
     */
    void setupChannels(int count) {
        for (int i = 0; i < Math.min(count, channels.length); i++) {
            if (channels[i] != null) {
                channels[i].reset();
            }
        }
        channelCount = count;
    }

    /**
     * @param id a channel number below {@link #channelCount}
     * @return its state, made now if the channel was not used before (it starts as ENet's
     *         freshly reset channel)
     */
    Channel channel(int id) {
        if (id >= channels.length) {
            channels = Arrays.copyOf(channels, Math.max(id + 1, Math.min(channelCount, Math.max(4, channels.length * 2))));
        }
        Channel c = channels[id];
        if (c == null) {
            c = new Channel(this, id);
            channels[id] = c;
        }
        return c;
    }

    /** @return channel {@code id}'s state, or null if it has never been used (all its numbers are still 0) */
    Channel usedChannel(int id) {
        return id < channels.length ? channels[id] : null;
    }

    @Override
    public String toString() {
        return "Peer[" + incomingPeerID + " " + address + " state=" + state + "]";
    }
}

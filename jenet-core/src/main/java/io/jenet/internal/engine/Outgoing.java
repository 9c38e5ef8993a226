package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.Wire;

/**
 * The send direction of ENet's {@code protocol.c}: acknowledgements, retransmission timeouts,
 * assembly of queued commands into datagrams (window, throttle and MTU rules), packet-loss
 * statistics, optional compression and checksum.
 *
 * <p>Datagrams are assembled in place: commands are written from {@link #COMMANDS_START} and the
 * header (2 or 4 bytes, plus 4 for a checksum) is written right before them once its flags are
 * known, so each payload byte is copied exactly once, from the packet into the datagram.
 *
 * <p>Thread-safety: none; part of one host.
 */
final class Outgoing {
    static final int COMMANDS_START = HEADER_SIZE + CHECKSUM_SIZE;

    private final Host host;
    /** Where the datagram being assembled goes: the caller's buffer of the current {@link #next}. */
    private byte[] packetData;
    private final byte[] compressedData = new byte[Host.TRANSMIT_BUFFER_SIZE];
    private final NodeList<OutgoingCommand> sentUnreliableCommands = new NodeList<>();
    private final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    private int headerFlags;
    private int commandCount;
    /** Datagram size as ENet counts it: a 4-byte header plus the commands so far. */
    private int packetSize;
    /** Write position in {@link #packetData}. */
    private int position;
    /** Where the last datagram {@link #next} assembled starts in its buffer. */
    int datagramStart;
    /** Whose it is. */
    Peer datagramPeer;

    // The send pass in progress (ENet's loops of enet_protocol_send_outgoing_commands, made resumable
    // so the driver can pull one datagram at a time).
    private boolean passActive;
    private boolean passChecksTimeouts;
    private int sendPass;
    private int continueSending;
    private int peerIndex;
    private long earliestDue;

    Outgoing(Host host) {
        this.host = host;
    }

    int removeSentReliableCommand(Peer peer, int reliableSequenceNumber, int channelID) {
        OutgoingCommand outgoingCommand = null;
        boolean wasSent = true;
        for (Node current = peer.sentReliableCommands.begin(); current != peer.sentReliableCommands.end(); current = current.next) {
            OutgoingCommand c = (OutgoingCommand) current;
            if (c.reliableSequenceNumber == reliableSequenceNumber && c.channelID() == channelID) {
                outgoingCommand = c;
                break;
            }
        }
        if (outgoingCommand == null) {
            outgoingCommand = findSentReliableCommand(peer.outgoingCommands, reliableSequenceNumber, channelID);
            if (outgoingCommand == null) {
                outgoingCommand = findSentReliableCommand(peer.outgoingSendReliableCommands, reliableSequenceNumber, channelID);
            }
            wasSent = false;
        }
        if (outgoingCommand == null) {
            return COMMAND_NONE;
        }
        Channel channel = channelID < peer.channelCount ? peer.usedChannel(channelID) : null;
        if (channel != null) {
            int reliableWindow = reliableSequenceNumber / Peer.RELIABLE_WINDOW_SIZE;
            if (channel.reliableWindows[reliableWindow] > 0) {
                --channel.reliableWindows[reliableWindow];
                if (channel.reliableWindows[reliableWindow] == 0) {
                    channel.usedReliableWindows &= ~(1 << reliableWindow);
                }
            }
        }
        int commandNumber = outgoingCommand.commandByte() & COMMAND_MASK;
        NodeList.remove(outgoingCommand);
        if (outgoingCommand.packet != null) {
            if (wasSent) {
                peer.reliableDataInTransit -= outgoingCommand.fragmentLength;
                if (!host.exactEnetTiming) {
                    peer.recovery.acknowledgedBytes(outgoingCommand.fragmentLength, host.serviceTime);
                    peer.recovery.acknowledgedCommand(outgoingCommand, host.serviceTime);
                }
            }
            releasePacket(outgoingCommand.packet);
        }
        host.freeOutgoing(outgoingCommand);
        if (peer.sentReliableCommands.isEmpty()) {
            return commandNumber;
        }
        OutgoingCommand front = peer.sentReliableCommands.front();
        peer.nextTimeout = front.sentTime + front.roundTripTimeout;
        return commandNumber;
    }

    /**
     * After an acknowledgement: when the oldest unacknowledged command was sent before a datagram
     * the peer has now acknowledged, the peer is due when that command would count as lost.
     */
    void scheduleEarlyRetransmission(Peer peer) {
        if (peer.sentReliableCommands.isEmpty()) {
            return;
        }
        OutgoingCommand front = peer.sentReliableCommands.front();
        if (peer.recovery.overtaken(front)) {
            int due = front.sentTime + peer.recovery.reorderThreshold();
            if (Time.less(due, peer.nextTimeout)) {
                peer.nextTimeout = due;
            }
        }
    }

    /** @return the most reliable data that may be in flight to {@code peer}: ENet's throttled window, or jenet's */
    long reliableWindow(Peer peer) {
        return host.exactEnetTiming ? LossRecovery.enetWindow(peer) : peer.recovery.reliableWindow(peer);
    }

    /** @return whether the window lets {@code c} (a queued reliable packet command) be sent now */
    boolean windowAdmits(Peer peer, OutgoingCommand c) {
        return peer.reliableDataInTransit + c.fragmentLength <= Math.max(reliableWindow(peer), peer.mtu);
    }

    private static OutgoingCommand findSentReliableCommand(NodeList<OutgoingCommand> list, int reliableSequenceNumber, int channelID) {
        for (Node current = list.begin(); current != list.end(); current = current.next) {
            OutgoingCommand c = (OutgoingCommand) current;
            if ((c.commandByte() & COMMAND_FLAG_ACKNOWLEDGE) == 0) {
                continue;
            }
            if (c.sendAttempts < 1) {
                break;
            }
            if (c.reliableSequenceNumber == reliableSequenceNumber && c.channelID() == channelID) {
                return c;
            }
        }
        return null;
    }

    private void releasePacket(Packet packet) {
        --packet.referenceCount;
        if (packet.referenceCount == 0) {
            host.packets.give(packet);
        }
    }

    private void removeSentUnreliableCommands(Peer peer) {
        if (sentUnreliableCommands.isEmpty()) {
            return;
        }
        do {
            OutgoingCommand c = sentUnreliableCommands.removeFirst();
            if (c.packet != null) {
                releasePacket(c.packet);
            }
            host.freeOutgoing(c);
        } while (!sentUnreliableCommands.isEmpty());
        if (peer.state == Peer.STATE_DISCONNECT_LATER && !peer.hasOutgoingCommands()) {
            peer.disconnect(peer.eventData);
        }
    }

    private void sendAcknowledgements(Peer peer) {
        while (!peer.acknowledgements.isEmpty()) {
            if (commandCount >= MAXIMUM_PACKET_COMMANDS || peer.mtu - packetSize < ACKNOWLEDGE_SIZE) {
                peer.flags |= Peer.FLAG_CONTINUE_SENDING;
                break;
            }
            Acknowledgement a = peer.acknowledgements.removeFirst();
            position += CommandWriter.acknowledge(packetData, position, a.channelID, a.reliableSequenceNumber, a.sentTime);
            packetSize += ACKNOWLEDGE_SIZE;
            commandCount++;
            if ((a.command & COMMAND_MASK) == COMMAND_DISCONNECT) {
                host.dispatchState(peer, Peer.STATE_ZOMBIE);
            }
            host.freeAcknowledgement(a);
        }
    }

    /** @return true if the peer timed out (and was notified) */
    private boolean checkTimeouts(Peer peer) {
        if (!host.exactEnetTiming) {
            return checkLosses(peer);
        }
        int serviceTime = host.serviceTime;
        Node insertPosition = peer.outgoingCommands.begin();
        Node insertSendReliablePosition = peer.outgoingSendReliableCommands.begin();
        Node current = peer.sentReliableCommands.begin();
        while (current != peer.sentReliableCommands.end()) {
            OutgoingCommand c = (OutgoingCommand) current;
            current = current.next;
            if (Time.difference(serviceTime, c.sentTime) < Integer.toUnsignedLong(c.roundTripTimeout)) {
                continue;
            }
            if (givesUp(peer, c, serviceTime)) {
                return true;
            }
            c.roundTripTimeout *= 2;
            resend(peer, c, insertPosition, insertSendReliablePosition);
            if (current == peer.sentReliableCommands.begin() && !peer.sentReliableCommands.isEmpty()) {
                OutgoingCommand front = (OutgoingCommand) current;
                peer.nextTimeout = front.sentTime + front.roundTripTimeout;
            }
        }
        return false;
    }

    /**
     * ENet's give-up test for a command whose timer expired (it also notes the earliest such send):
     * when true, the peer has been notified of its disconnection.
     */
    private boolean givesUp(Peer peer, OutgoingCommand c, int serviceTime) {
        if (peer.earliestTimeout == 0 || Time.less(c.sentTime, peer.earliestTimeout)) {
            peer.earliestTimeout = c.sentTime;
        }
        // Godot's rule (its ENet is patched): the limit counts retransmissions, where upstream
        // ENet compares 2^(attempts-1) with a limit of 32. The defaults (5 and 32) agree.
        if (peer.earliestTimeout != 0
                && (Time.difference(serviceTime, peer.earliestTimeout) >= peer.timeoutMaximum
                    || (c.sendAttempts - 1 >= peer.timeoutLimit
                        && Time.difference(serviceTime, peer.earliestTimeout) >= peer.timeoutMinimum))) {
            JenetEvents.timeout(peer);
            host.notifyDisconnect(peer);
            return true;
        }
        return false;
    }

    /** Counts a lost command and puts it back at the front of the queue it is sent from. */
    private void resend(Peer peer, OutgoingCommand c, Node insertPosition, Node insertSendReliablePosition) {
        JenetEvents.retransmission(peer, c);
        ++peer.packetsLost;
        ++host.retransmissions;
        ++peer.recovery.retransmissions;
        NodeList.remove(c);
        if (c.packet != null) {
            peer.reliableDataInTransit -= c.fragmentLength;
            NodeList.insert(insertSendReliablePosition, c);
        } else {
            NodeList.insert(insertPosition, c);
        }
    }

    /**
     * {@link #checkTimeouts} with {@link LossRecovery}'s rules: a command is resent when its timer
     * expires (ENet's rule, ENet's disconnect test, a bounded back-off while the peer is alive) or,
     * earlier, when a datagram sent after it has been acknowledged and the reorder allowance has
     * passed. The peer is next due at the earliest of the remaining commands' deadlines.
     *
     * @return true if the peer timed out (and was notified)
     */
    private boolean checkLosses(Peer peer) {
        int serviceTime = host.serviceTime;
        LossRecovery recovery = peer.recovery;
        int reorderThreshold = recovery.reorderThreshold();
        Node insertPosition = peer.outgoingCommands.begin();
        Node insertSendReliablePosition = peer.outgoingSendReliableCommands.begin();
        long nextDue = Integer.MAX_VALUE / 2;
        Node current = peer.sentReliableCommands.begin();
        while (current != peer.sentReliableCommands.end()) {
            OutgoingCommand c = (OutgoingCommand) current;
            current = current.next;
            long elapsed = Time.difference(serviceTime, c.sentTime);
            long timeout = Integer.toUnsignedLong(c.roundTripTimeout);
            boolean timedOut = elapsed >= timeout;
            boolean overtaken = recovery.overtaken(c);
            if (!timedOut && !(overtaken && elapsed >= reorderThreshold)) {
                nextDue = Math.min(nextDue, overtaken ? Math.min(timeout, reorderThreshold) - elapsed : timeout - elapsed);
                continue;
            }
            if (timedOut) {
                if (givesUp(peer, c, serviceTime)) {
                    return true;
                }
                c.roundTripTimeout = recovery.backOff(peer, c);
            } else {
                ++recovery.earlyRetransmissions;
            }
            recovery.lossSeen(serviceTime);
            resend(peer, c, insertPosition, insertSendReliablePosition);
            // Resent in this pass, so due again one (possibly backed-off) timer from now.
            nextDue = Math.min(nextDue, Integer.toUnsignedLong(c.roundTripTimeout));
        }
        peer.nextTimeout = serviceTime + (int) Math.max(nextDue, 0);
        return false;
    }

    /**
     * Fills the room left in the datagram with copies of packet commands the peer has not yet
     * acknowledged, oldest first (see {@link LossRecovery}). A copy does not restart the command's
     * timers: they run from its last real transmission, so a lost command whose copies are lost too
     * is resent when ENet's rules (or the early resend) say, not later.
     */
    private void addCopies(Peer peer) {
        int serviceTime = host.serviceTime;
        LossRecovery recovery = peer.recovery;
        int spacing = recovery.copySpacing();
        Node current = peer.sentReliableCommands.begin();
        while (current != peer.sentReliableCommands.end() && commandCount < MAXIMUM_PACKET_COMMANDS) {
            OutgoingCommand c = (OutgoingCommand) current;
            // The list is in send order: from here on everything was sent too recently.
            if (Time.difference(serviceTime, c.sentTime) < spacing) {
                break;
            }
            current = current.next;
            int commandSize = commandSize(c.commandByte());
            int size = commandSize + c.fragmentLength;
            if (c.packet == null || c.copies >= LossRecovery.MAXIMUM_COPIES || size > LossRecovery.MAXIMUM_COPY_SIZE
                    || peer.mtu - packetSize < size
                    || (c.copies > 0 && Time.difference(serviceTime, c.lastCopyAt) < spacing)) {
                continue;
            }
            System.arraycopy(c.command, 0, packetData, position, commandSize);
            System.arraycopy(c.packet.data, c.fragmentOffset, packetData, position + commandSize, c.fragmentLength);
            position += size;
            packetSize += size;
            ++commandCount;
            ++c.copies;
            ++recovery.redundantCopies;
            c.lastCopyAt = serviceTime;
            headerFlags |= HEADER_FLAG_SENT_TIME;
        }
    }

    private boolean checkOutgoingCommands(Peer peer) {
        int serviceTime = host.serviceTime;
        Channel channel = null;
        int reliableWindow = 0;
        boolean windowWrap = false;
        boolean canPing = true;
        Node currentCommand = peer.outgoingCommands.begin();
        Node currentSendReliableCommand = peer.outgoingSendReliableCommands.begin();
        for (;;) {
            OutgoingCommand c;
            if (currentCommand != peer.outgoingCommands.end()) {
                c = (OutgoingCommand) currentCommand;
                if (currentSendReliableCommand != peer.outgoingSendReliableCommands.end()
                        && Time.less(((OutgoingCommand) currentSendReliableCommand).queueTime, c.queueTime)) {
                    c = (OutgoingCommand) currentSendReliableCommand;
                    currentSendReliableCommand = currentSendReliableCommand.next;
                } else {
                    currentCommand = currentCommand.next;
                }
            } else if (currentSendReliableCommand != peer.outgoingSendReliableCommands.end()) {
                c = (OutgoingCommand) currentSendReliableCommand;
                currentSendReliableCommand = currentSendReliableCommand.next;
            } else {
                break;
            }
            int commandByte = c.commandByte();
            if ((commandByte & COMMAND_FLAG_ACKNOWLEDGE) != 0) {
                channel = c.channelID() < peer.channelCount ? peer.usedChannel(c.channelID()) : null;
                reliableWindow = c.reliableSequenceNumber / Peer.RELIABLE_WINDOW_SIZE;
                if (channel != null) {
                    if (windowWrap) {
                        continue;
                    }
                    if (c.sendAttempts < 1 && (c.reliableSequenceNumber % Peer.RELIABLE_WINDOW_SIZE) == 0
                            && (channel.reliableWindows[(reliableWindow + Peer.RELIABLE_WINDOWS - 1) % Peer.RELIABLE_WINDOWS] >= Peer.RELIABLE_WINDOW_SIZE
                                || (channel.usedReliableWindows
                                    & ((((1 << (Peer.FREE_RELIABLE_WINDOWS + 2)) - 1) << reliableWindow)
                                       | (((1 << (Peer.FREE_RELIABLE_WINDOWS + 2)) - 1) >>> (Peer.RELIABLE_WINDOWS - reliableWindow)))) != 0)) {
                        windowWrap = true;
                        currentSendReliableCommand = peer.outgoingSendReliableCommands.end();
                        continue;
                    }
                }
                if (c.packet != null) {
                    if (!windowAdmits(peer, c)) {
                        currentSendReliableCommand = peer.outgoingSendReliableCommands.end();
                        continue;
                    }
                }
                canPing = false;
            }
            int commandSize = commandSize(commandByte);
            if (commandCount >= MAXIMUM_PACKET_COMMANDS
                    || peer.mtu - packetSize < commandSize
                    || (c.packet != null && ((peer.mtu - packetSize) & 0xFFFF) < ((commandSize + c.fragmentLength) & 0xFFFF))) {
                peer.flags |= Peer.FLAG_CONTINUE_SENDING;
                break;
            }
            if ((commandByte & COMMAND_FLAG_ACKNOWLEDGE) != 0) {
                if (channel != null && c.sendAttempts < 1) {
                    channel.usedReliableWindows |= 1 << reliableWindow;
                    ++channel.reliableWindows[reliableWindow];
                }
                ++c.sendAttempts;
                c.copies = 0;
                if (c.roundTripTimeout == 0) {
                    c.roundTripTimeout = host.exactEnetTiming ? (int) (peer.roundTripTime + 4 * peer.roundTripTimeVariance)
                            : peer.recovery.retransmissionTimeout(peer);
                }
                if (peer.sentReliableCommands.isEmpty()) {
                    peer.nextTimeout = serviceTime + c.roundTripTimeout;
                }
                NodeList.remove(c);
                peer.sentReliableCommands.addLast(c);
                c.sentTime = serviceTime;
                headerFlags |= HEADER_FLAG_SENT_TIME;
                peer.reliableDataInTransit += c.fragmentLength;
            } else {
                if (c.packet != null && c.fragmentOffset == 0) {
                    peer.packetThrottleCounter += Peer.PACKET_THROTTLE_COUNTER;
                    peer.packetThrottleCounter %= Peer.PACKET_THROTTLE_SCALE;
                    if (peer.packetThrottleCounter > peer.packetThrottle) {
                        int reliableSequenceNumber = c.reliableSequenceNumber;
                        int unreliableSequenceNumber = c.unreliableSequenceNumber;
                        for (;;) {
                            releasePacket(c.packet);
                            NodeList.remove(c);
                            host.freeOutgoing(c);
                            if (currentCommand == peer.outgoingCommands.end()) {
                                break;
                            }
                            c = (OutgoingCommand) currentCommand;
                            if (c.reliableSequenceNumber != reliableSequenceNumber || c.unreliableSequenceNumber != unreliableSequenceNumber) {
                                break;
                            }
                            currentCommand = currentCommand.next;
                        }
                        continue;
                    }
                }
                NodeList.remove(c);
                if (c.packet != null) {
                    sentUnreliableCommands.addLast(c);
                }
            }
            System.arraycopy(c.command, 0, packetData, position, commandSize);
            position += commandSize;
            packetSize += commandSize;
            if (c.packet != null) {
                System.arraycopy(c.packet.data, c.fragmentOffset, packetData, position, c.fragmentLength);
                position += c.fragmentLength;
                packetSize += c.fragmentLength;
            } else if ((commandByte & COMMAND_FLAG_ACKNOWLEDGE) == 0) {
                host.freeOutgoing(c);
            }
            ++peer.packetsSent;
            ++commandCount;
        }
        if (peer.state == Peer.STATE_DISCONNECT_LATER && !peer.hasOutgoingCommands() && sentUnreliableCommands.isEmpty()) {
            peer.disconnect(peer.eventData);
        }
        return canPing;
    }

    /**
     * Begins ENet's {@code enet_protocol_send_outgoing_commands}: {@link #next} then yields its
     * datagrams one at a time. A pass not yet drained is abandoned (its peers' commands stay
     * queued for this one); {@link Host#flushNow} drains one before beginning its own.
     *
     * @param checkForTimeouts whether retransmission timeouts are examined (not on flush)
     */
    void begin(boolean checkForTimeouts) {
        passActive = true;
        passChecksTimeouts = checkForTimeouts;
        sendPass = 0;
        continueSending = 0;
        peerIndex = 0;
        // While visiting every peer anyway, note when the earliest one next has work, so that
        // Host.millisUntilDue need not visit them all again (with thousands of idle peers it did).
        earliestDue = Long.MAX_VALUE;
    }

    /**
     * Assembles the next datagram of the pass into {@code buf} (at least {@link Host#TRANSMIT_BUFFER_SIZE}
     * bytes): it starts at {@link #datagramStart} and goes to {@link #datagramPeer}.
     *
     * @return its length, or -1 when the pass is over
     */
    int next(byte[] buf) {
        if (!passActive) {
            return -1;
        }
        int serviceTime = host.serviceTime;
        Peer[] peers = host.peers;
        // The cursor lives in locals while the loop runs (a field written per slot made a pass over
        // thousands of idle slots several times slower) and goes back to the fields on return.
        int pass = sendPass;
        int i = peerIndex;
        for (; pass <= continueSending; ++pass, i = 0) {
            while (i < peers.length) {
                Peer peer = peers[i++];
                if (peer.state == Peer.STATE_DISCONNECTED || peer.state == Peer.STATE_ZOMBIE
                        || (pass > 0 && (peer.flags & Peer.FLAG_CONTINUE_SENDING) == 0)) {
                    continue;
                }
                peer.flags &= ~Peer.FLAG_CONTINUE_SENDING;
                packetData = buf;
                headerFlags = 0;
                commandCount = 0;
                packetSize = HEADER_SIZE;
                position = COMMANDS_START;

                if (!peer.acknowledgements.isEmpty()) {
                    sendAcknowledgements(peer);
                }
                int length = -1;
                boolean timedOut = passChecksTimeouts && !peer.sentReliableCommands.isEmpty()
                        && Time.greaterEqual(serviceTime, peer.nextTimeout) && checkTimeouts(peer);
                if (!timedOut) {
                    if (((peer.outgoingCommands.isEmpty() && peer.outgoingSendReliableCommands.isEmpty())
                            || checkOutgoingCommands(peer))
                            && peer.sentReliableCommands.isEmpty()
                            && Time.difference(serviceTime, peer.lastReceiveTime) >= peer.pingInterval
                            && peer.mtu - packetSize >= PING_SIZE) {
                        peer.ping();
                        checkOutgoingCommands(peer);
                    }
                    if (commandCount > 0 && !host.exactEnetTiming && !peer.sentReliableCommands.isEmpty()
                            && peer.recovery.copying(serviceTime)) {
                        addCopies(peer);
                    }
                    if (commandCount > 0) {
                        updatePacketLoss(peer);
                        length = assemble(peer);
                    }
                }
                if ((peer.flags & Peer.FLAG_CONTINUE_SENDING) != 0) {
                    continueSending = pass + 1;
                }
                if (pass == 0) {
                    earliestDue = Math.min(earliestDue, host.dueIn(serviceTime, peer));
                }
                if (length >= 0) {
                    sendPass = pass;
                    peerIndex = i;
                    return length;
                }
            }
        }
        passActive = false;
        host.earliestDueAfterPass(serviceTime, earliestDue);
        return -1;
    }

    private void updatePacketLoss(Peer peer) {
        int serviceTime = host.serviceTime;
        if (peer.packetLossEpoch == 0) {
            peer.packetLossEpoch = serviceTime;
        } else if (Time.difference(serviceTime, peer.packetLossEpoch) >= Peer.PACKET_LOSS_INTERVAL && peer.packetsSent > 0) {
            long packetLoss = peer.packetsLost * Peer.PACKET_LOSS_SCALE / peer.packetsSent;
            peer.packetLossVariance = (peer.packetLossVariance * 3 + Math.abs(packetLoss - peer.packetLoss)) / 4;
            peer.packetLoss = (peer.packetLoss * 7 + packetLoss) / 8;
            peer.packetLossEpoch = serviceTime;
            peer.packetsSent = 0;
            peer.packetsLost = 0;
        }
    }

    /** Finishes the datagram: compression, header, checksum. @return its length (from {@link #datagramStart}) */
    private int assemble(Peer peer) {
        int commandsLength = position - COMMANDS_START;
        int headerLength = (headerFlags & HEADER_FLAG_SENT_TIME) != 0 ? HEADER_SIZE : HEADER_SIZE_MINIMAL;
        int compressedLength = 0;
        if (host.compressor != null) {
            int size;
            try {
                size = host.compressor.compress(packetData, COMMANDS_START, commandsLength, compressedData, COMMANDS_START, commandsLength);
            } catch (RuntimeException e) {
                size = 0;
            }
            if (size > 0 && size < commandsLength) {
                headerFlags |= HEADER_FLAG_COMPRESSED;
                compressedLength = size;
            }
            host.compressionInput += commandsLength;
            host.compressionOutput += compressedLength > 0 ? compressedLength : commandsLength;
        }
        if (peer.outgoingPeerID < MAXIMUM_PEER_ID) {
            headerFlags |= peer.outgoingSessionID << HEADER_SESSION_SHIFT;
        }
        int prefix = headerLength + (host.checksum ? CHECKSUM_SIZE : 0);
        int start = COMMANDS_START - prefix;
        Wire.put16(packetData, start, peer.outgoingPeerID | headerFlags);
        if ((headerFlags & HEADER_FLAG_SENT_TIME) != 0) {
            Wire.put16(packetData, start + 2, host.serviceTime & 0xFFFF);
        }
        if (host.checksum) {
            // As ENet: over the commands before compression (the receiver checks after decompressing).
            int checksumOffset = start + headerLength;
            int connectID = peer.outgoingPeerID < MAXIMUM_PEER_ID ? peer.connectID : 0;
            Wire.put32(packetData, checksumOffset, Wire.datagramChecksum(crc, packetData, start, prefix + commandsLength,
                    checksumOffset, connectID));
        }
        if (compressedLength > 0) {
            // Smaller than what it replaces, and only when compression wins: the one extra copy.
            System.arraycopy(compressedData, COMMANDS_START, packetData, COMMANDS_START, compressedLength);
        }
        peer.lastSendTime = host.serviceTime;
        removeSentUnreliableCommands(peer);
        datagramStart = start;
        datagramPeer = peer;
        return prefix + (compressedLength > 0 ? compressedLength : commandsLength);
    }
}

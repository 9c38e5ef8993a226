package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static io.jenet.internal.protocol.Wire.u16;
import static io.jenet.internal.protocol.Wire.u32;
import static io.jenet.internal.protocol.Wire.u32Unsigned;
import static io.jenet.internal.protocol.Wire.u8;

import io.jenet.internal.protocol.CommandWriter;
import java.net.InetSocketAddress;
import java.util.zip.CRC32;

/**
 * The receive direction of ENet's {@code protocol.c}: parses one datagram and applies each command
 * to its peer. Nothing the network sends can throw out of here: malformed input ends the datagram
 * and is counted in {@link Host#droppedDatagrams}.
 *
 * <p>Thread-safety: none; part of one host.
 */
final class Incoming {
    private final Host host;
    private final byte[] decompressed = new byte[Host.RECEIVE_BUFFER_SIZE];
    private final CRC32 crc = new CRC32();

    // The datagram being handled.
    private byte[] data;
    private int end;
    private InetSocketAddress receivedAddress;

    Incoming(Host host) {
        this.host = host;
    }

    /** The peer the datagram being handled is for, once known (confines a failure to it). */
    private Peer current;

    void handle(byte[] buf, int offset, int length, InetSocketAddress from) {
        try {
            if (!handleIncomingCommands(buf, offset, length, from)) {
                host.droppedDatagrams++;
            }
        } catch (RuntimeException e) {
            // Defence in depth: a bug must not let a hostile datagram escape as an exception, nor
            // leave the peer it addressed half-updated: that peer is disconnected, the others go on.
            host.droppedDatagrams++;
            host.internalErrors++;
            host.lastInternalError = e;
            Peer culprit = current;
            current = null;
            if (culprit != null) {
                try {
                    culprit.disconnectAbruptly();
                } catch (RuntimeException again) {
                    culprit.reset();
                }
            }
        } finally {
            data = null;
            receivedAddress = null;
            current = null;
        }
    }

    /** @return false if the datagram was dropped, or a command in it was malformed */
    private boolean handleIncomingCommands(byte[] buf, int offset, int length, InetSocketAddress from) {
        if (length < HEADER_SIZE_MINIMAL) {
            return false;
        }
        int peerID = u16(buf, offset);
        int sessionID = (peerID & HEADER_SESSION_MASK) >>> HEADER_SESSION_SHIFT;
        int flags = peerID & HEADER_FLAG_MASK;
        peerID &= ~(HEADER_FLAG_MASK | HEADER_SESSION_MASK);
        int headerSize = (flags & HEADER_FLAG_SENT_TIME) != 0 ? HEADER_SIZE : HEADER_SIZE_MINIMAL;
        if (host.checksum) {
            headerSize += CHECKSUM_SIZE;
        }
        if (length < headerSize) {
            return false;
        }
        Peer peer;
        current = null;
        if (peerID == MAXIMUM_PEER_ID) {
            if (host.refuseNewConnections) {
                host.refusedNewConnections++;
                return false;
            }
            peer = null;
        } else if (peerID >= host.peerCount) {
            return false;
        } else {
            peer = host.peers[peerID];
            current = peer;
            if (peer.state == Peer.STATE_DISCONNECTED || peer.state == Peer.STATE_ZOMBIE
                    || !from.equals(peer.address)
                    || (peer.outgoingPeerID < MAXIMUM_PEER_ID && sessionID != peer.incomingSessionID)) {
                return false;
            }
            if (!host.admission.admitDatagram(peer, length, host.serviceTime)) {
                // Over its limit: dropped before any decompression or command work (not malformed).
                return true;
            }
        }
        byte[] d = buf;
        int start = offset;
        int len = length;
        if ((flags & HEADER_FLAG_COMPRESSED) != 0) {
            if (host.compressor == null) {
                host.decompressionFailures++;
                return false;
            }
            int limit = decompressed.length - headerSize;
            int originalSize;
            try {
                originalSize = host.compressor.decompress(buf, offset + headerSize, length - headerSize, decompressed, headerSize, limit);
            } catch (RuntimeException e) {
                originalSize = -1;
            }
            if (originalSize <= 0 || originalSize > limit) {
                host.decompressionFailures++;
                return false;
            }
            System.arraycopy(buf, offset, decompressed, 0, headerSize);
            d = decompressed;
            start = 0;
            len = headerSize + originalSize;
        }
        if (host.checksum) {
            int checksumOffset = start + headerSize - CHECKSUM_SIZE;
            int desired = u32(d, checksumOffset);
            int connectID = peer != null ? peer.connectID : 0;
            if (io.jenet.internal.protocol.Wire.datagramChecksum(crc, d, start, len, checksumOffset, connectID) != desired) {
                host.checksumFailures++;
                return false;
            }
        }
        if (peer != null) {
            peer.address = from;
            peer.incomingDataTotal += len;
        }
        data = d;
        end = start + len;
        receivedAddress = from;
        int current = start + headerSize;
        int sentTime = (flags & HEADER_FLAG_SENT_TIME) != 0 ? u16(d, start + 2) : 0;
        while (current < end) {
            if (current + COMMAND_HEADER_SIZE > end) {
                return false;
            }
            int commandByte = u8(d, current);
            int commandNumber = commandByte & COMMAND_MASK;
            if (commandNumber >= COMMAND_COUNT) {
                return false;
            }
            int commandSize = commandSize(commandNumber);
            if (commandSize == 0 || current + commandSize > end) {
                return false;
            }
            int command = current;
            current += commandSize;
            if (peer == null && commandNumber != COMMAND_CONNECT) {
                return false;
            }
            int channelID = u8(d, command + CHANNEL_ID_OFFSET);
            int reliableSequenceNumber = u16(d, command + RELIABLE_SEQUENCE_NUMBER_OFFSET);
            int result;
            switch (commandNumber) {
                case COMMAND_ACKNOWLEDGE:
                    result = handleAcknowledge(peer, command);
                    break;
                case COMMAND_CONNECT:
                    if (peer != null) {
                        return false;
                    }
                    peer = handleConnect(command);
                    result = peer == null ? -1 : 0;
                    break;
                case COMMAND_VERIFY_CONNECT:
                    result = handleVerifyConnect(peer, command);
                    break;
                case COMMAND_DISCONNECT:
                    result = handleDisconnect(peer, command, commandByte);
                    break;
                case COMMAND_PING:
                    result = connectedOrLater(peer) ? 0 : -1;
                    break;
                case COMMAND_SEND_RELIABLE:
                case COMMAND_SEND_UNRELIABLE:
                case COMMAND_SEND_UNSEQUENCED:
                case COMMAND_SEND_FRAGMENT:
                case COMMAND_SEND_UNRELIABLE_FRAGMENT: {
                    int dataLength = u16(d, command + dataLengthOffset(commandNumber));
                    int payload = current;
                    current += dataLength;
                    if (!connectedOrLater(peer) || channelID >= peer.channelCount
                            || dataLength > host.maximumPacketSize || current > end) {
                        result = -1;
                    } else if (commandNumber == COMMAND_SEND_FRAGMENT || commandNumber == COMMAND_SEND_UNRELIABLE_FRAGMENT) {
                        result = dataLength <= 0 ? -1 : peer.channel(channelID).receiveFragment(commandNumber == COMMAND_SEND_FRAGMENT,
                                commandByte, reliableSequenceNumber, u16(d, command + FRAGMENT_START_SEQUENCE_NUMBER_OFFSET),
                                u32Unsigned(d, command + FRAGMENT_NUMBER_OFFSET), u32Unsigned(d, command + FRAGMENT_COUNT_OFFSET),
                                u32Unsigned(d, command + FRAGMENT_OFFSET_OFFSET), u32Unsigned(d, command + FRAGMENT_TOTAL_LENGTH_OFFSET),
                                d, payload, dataLength);
                    } else if (commandNumber == COMMAND_SEND_UNSEQUENCED) {
                        result = handleSendUnsequenced(peer, command, channelID, payload, dataLength);
                    } else if (commandNumber == COMMAND_SEND_RELIABLE) {
                        result = peer.channel(channelID).queueIncoming(commandByte, reliableSequenceNumber, 0, d, payload,
                                dataLength, Packet.FLAG_RELIABLE, 0) == null ? -1 : 0;
                    } else {
                        result = peer.channel(channelID).queueIncoming(commandByte, reliableSequenceNumber,
                                u16(d, command + SEND_UNRELIABLE_SEQUENCE_NUMBER_OFFSET), d, payload, dataLength, 0, 0) == null ? -1 : 0;
                    }
                    break;
                }
                case COMMAND_BANDWIDTH_LIMIT:
                    result = handleBandwidthLimit(peer, command);
                    break;
                case COMMAND_THROTTLE_CONFIGURE:
                    result = handleThrottleConfigure(peer, command);
                    break;
                default:
                    result = -1;
                    break;
            }
            if (result != 0) {
                return false;
            }
            if (peer != null && (commandByte & COMMAND_FLAG_ACKNOWLEDGE) != 0) {
                if ((flags & HEADER_FLAG_SENT_TIME) == 0) {
                    return false;
                }
                switch (peer.state) {
                    case Peer.STATE_DISCONNECTING:
                    case Peer.STATE_ACKNOWLEDGING_CONNECT:
                    case Peer.STATE_DISCONNECTED:
                    case Peer.STATE_ZOMBIE:
                        break;
                    case Peer.STATE_ACKNOWLEDGING_DISCONNECT:
                        if (commandNumber == COMMAND_DISCONNECT) {
                            peer.queueAcknowledgement(commandByte, channelID, reliableSequenceNumber, sentTime);
                        }
                        break;
                    default:
                        peer.queueAcknowledgement(commandByte, channelID, reliableSequenceNumber, sentTime);
                        break;
                }
            }
        }
        return true;
    }

    private static boolean connectedOrLater(Peer peer) {
        return peer.state == Peer.STATE_CONNECTED || peer.state == Peer.STATE_DISCONNECT_LATER;
    }

    private Peer handleConnect(int command) {
        byte[] d = data;
        long channelCountField = u32Unsigned(d, command + CONNECT_CHANNEL_COUNT_OFFSET);
        if (channelCountField < MINIMUM_CHANNEL_COUNT || channelCountField > MAXIMUM_CHANNEL_COUNT) {
            return null;
        }
        int channelCount = (int) channelCountField;
        int connectID = u32(d, command + CONNECT_CONNECT_ID_OFFSET);
        Peer peer = host.admission.slotForConnect(receivedAddress, connectID);
        if (peer == null) {
            return null;
        }
        if (channelCount > host.channelLimit) {
            channelCount = host.channelLimit;
        }
        peer.setupChannels(channelCount);
        peer.state = Peer.STATE_ACKNOWLEDGING_CONNECT;
        peer.halfOpenSince = host.serviceTime;
        peer.connectID = connectID;
        peer.address = receivedAddress;
        if (host.peerObserver != null) {
            host.peerObserver.attached(receivedAddress);
        }
        peer.mtu = host.mtu;
        peer.outgoingPeerID = u16(d, command + CONNECT_OUTGOING_PEER_ID_OFFSET);
        peer.incomingBandwidth = u32Unsigned(d, command + CONNECT_INCOMING_BANDWIDTH_OFFSET);
        peer.outgoingBandwidth = u32Unsigned(d, command + CONNECT_OUTGOING_BANDWIDTH_OFFSET);
        peer.packetThrottleInterval = u32Unsigned(d, command + CONNECT_THROTTLE_INTERVAL_OFFSET);
        peer.packetThrottleAcceleration = u32Unsigned(d, command + CONNECT_THROTTLE_ACCELERATION_OFFSET);
        peer.packetThrottleDeceleration = u32Unsigned(d, command + CONNECT_THROTTLE_DECELERATION_OFFSET);
        peer.eventData = u32(d, command + CONNECT_DATA_OFFSET);

        int sessionMask = HEADER_SESSION_MASK >>> HEADER_SESSION_SHIFT;
        int incomingSessionField = u8(d, command + CONNECT_INCOMING_SESSION_ID_OFFSET);
        int incomingSessionID = incomingSessionField == 0xFF ? peer.outgoingSessionID : incomingSessionField;
        incomingSessionID = (incomingSessionID + 1) & sessionMask;
        if (incomingSessionID == peer.outgoingSessionID) {
            incomingSessionID = (incomingSessionID + 1) & sessionMask;
        }
        peer.outgoingSessionID = incomingSessionID;

        int outgoingSessionField = u8(d, command + CONNECT_OUTGOING_SESSION_ID_OFFSET);
        int outgoingSessionID = outgoingSessionField == 0xFF ? peer.incomingSessionID : outgoingSessionField;
        outgoingSessionID = (outgoingSessionID + 1) & sessionMask;
        if (outgoingSessionID == peer.incomingSessionID) {
            outgoingSessionID = (outgoingSessionID + 1) & sessionMask;
        }
        peer.incomingSessionID = outgoingSessionID;

        long mtu = u32Unsigned(d, command + CONNECT_MTU_OFFSET);
        mtu = Math.max(MINIMUM_MTU, Math.min(MAXIMUM_MTU, mtu));
        if (mtu < peer.mtu) {
            peer.mtu = (int) mtu;
        }
        peer.windowSize = Window.between(host.outgoingBandwidth, peer.incomingBandwidth);
        long windowSize = Window.clamp(Math.min(Window.of(host.incomingBandwidth), u32Unsigned(d, command + CONNECT_WINDOW_SIZE_OFFSET)));

        OutgoingCommand c = host.allocOutgoing();
        CommandWriter.verifyConnect(c.command, 0, peer.incomingPeerID, incomingSessionID, outgoingSessionID, peer.mtu,
                (int) windowSize, channelCount, (int) host.incomingBandwidth, (int) host.outgoingBandwidth,
                (int) peer.packetThrottleInterval, (int) peer.packetThrottleAcceleration,
                (int) peer.packetThrottleDeceleration, peer.connectID);
        peer.queueOutgoingCommand(c, null, 0, 0);
        return peer;
    }

    private int handleVerifyConnect(Peer peer, int command) {
        byte[] d = data;
        if (peer.state != Peer.STATE_CONNECTING) {
            return 0;
        }
        long channelCount = u32Unsigned(d, command + CONNECT_CHANNEL_COUNT_OFFSET);
        if (channelCount < MINIMUM_CHANNEL_COUNT || channelCount > MAXIMUM_CHANNEL_COUNT
                || u32Unsigned(d, command + CONNECT_THROTTLE_INTERVAL_OFFSET) != peer.packetThrottleInterval
                || u32Unsigned(d, command + CONNECT_THROTTLE_ACCELERATION_OFFSET) != peer.packetThrottleAcceleration
                || u32Unsigned(d, command + CONNECT_THROTTLE_DECELERATION_OFFSET) != peer.packetThrottleDeceleration
                || u32(d, command + CONNECT_CONNECT_ID_OFFSET) != peer.connectID) {
            peer.eventData = 0;
            host.dispatchState(peer, Peer.STATE_ZOMBIE);
            return -1;
        }
        host.outgoing.removeSentReliableCommand(peer, 1, 0xFF);
        if (channelCount < peer.channelCount) {
            peer.channelCount = (int) channelCount;
        }
        peer.outgoingPeerID = u16(d, command + CONNECT_OUTGOING_PEER_ID_OFFSET);
        peer.incomingSessionID = u8(d, command + CONNECT_INCOMING_SESSION_ID_OFFSET);
        peer.outgoingSessionID = u8(d, command + CONNECT_OUTGOING_SESSION_ID_OFFSET);
        long mtu = Math.max(MINIMUM_MTU, Math.min(MAXIMUM_MTU, u32Unsigned(d, command + CONNECT_MTU_OFFSET)));
        if (mtu < peer.mtu) {
            peer.mtu = (int) mtu;
        }
        long windowSize = Window.clamp(u32Unsigned(d, command + CONNECT_WINDOW_SIZE_OFFSET));
        if (windowSize < peer.windowSize) {
            peer.windowSize = windowSize;
        }
        peer.incomingBandwidth = u32Unsigned(d, command + CONNECT_INCOMING_BANDWIDTH_OFFSET);
        peer.outgoingBandwidth = u32Unsigned(d, command + CONNECT_OUTGOING_BANDWIDTH_OFFSET);
        host.notifyConnect(peer);
        return 0;
    }

    private int handleAcknowledge(Peer peer, int command) {
        byte[] d = data;
        if (peer.state == Peer.STATE_DISCONNECTED || peer.state == Peer.STATE_ZOMBIE) {
            return 0;
        }
        int serviceTime = host.serviceTime;
        int receivedSentTime = u16(d, command + ACK_RECEIVED_SENT_TIME_OFFSET);
        receivedSentTime |= serviceTime & 0xFFFF0000;
        if ((receivedSentTime & 0x8000) > (serviceTime & 0x8000)) {
            receivedSentTime -= 0x10000;
        }
        if (Time.less(serviceTime, receivedSentTime)) {
            return 0;
        }
        long roundTripTime = Math.max(Time.difference(serviceTime, receivedSentTime), 1);
        if (!host.exactEnetTiming) {
            if (peer.lastReceiveTime != 0) {
                peer.throttle(roundTripTime);
            }
            peer.recovery.sampleRoundTrip(peer, roundTripTime, serviceTime);
            peer.recovery.acknowledged(receivedSentTime);
        } else if (peer.lastReceiveTime != 0) {
            peer.throttle(roundTripTime);
            peer.roundTripTimeVariance -= peer.roundTripTimeVariance / 4;
            if (roundTripTime >= peer.roundTripTime) {
                long diff = roundTripTime - peer.roundTripTime;
                peer.roundTripTimeVariance += diff / 4;
                peer.roundTripTime += diff / 8;
            } else {
                long diff = peer.roundTripTime - roundTripTime;
                peer.roundTripTimeVariance += diff / 4;
                peer.roundTripTime -= diff / 8;
            }
        } else {
            peer.roundTripTime = roundTripTime;
            peer.roundTripTimeVariance = (roundTripTime + 1) / 2;
        }
        if (peer.roundTripTime < peer.lowestRoundTripTime) {
            peer.lowestRoundTripTime = peer.roundTripTime;
        }
        if (peer.roundTripTimeVariance > peer.highestRoundTripTimeVariance) {
            peer.highestRoundTripTimeVariance = peer.roundTripTimeVariance;
        }
        if (peer.packetThrottleEpoch == 0
                || Time.difference(serviceTime, peer.packetThrottleEpoch) >= peer.packetThrottleInterval) {
            peer.lastRoundTripTime = peer.lowestRoundTripTime;
            peer.lastRoundTripTimeVariance = Math.max(peer.highestRoundTripTimeVariance, 1);
            peer.lowestRoundTripTime = peer.roundTripTime;
            peer.highestRoundTripTimeVariance = peer.roundTripTimeVariance;
            peer.packetThrottleEpoch = serviceTime;
        }
        peer.lastReceiveTime = serviceTime != 0 ? serviceTime : 1;
        peer.earliestTimeout = 0;
        int receivedReliableSequenceNumber = u16(d, command + ACK_RECEIVED_RELIABLE_SEQUENCE_NUMBER_OFFSET);
        int commandNumber = host.outgoing.removeSentReliableCommand(peer, receivedReliableSequenceNumber,
                u8(d, command + CHANNEL_ID_OFFSET));
        if (!host.exactEnetTiming) {
            host.outgoing.scheduleEarlyRetransmission(peer);
        }
        if (commandNumber == COMMAND_NONE
                && (peer.state == Peer.STATE_ACKNOWLEDGING_CONNECT || peer.state == Peer.STATE_DISCONNECTING)) {
            // A second acknowledgement of a command already acknowledged (a resend or a copy both
            // arrived), or of data a disconnect dropped. ENet abandons the rest of the datagram
            // here, and with it the acknowledgement of the DISCONNECT that often travels in the
            // same datagram: the disconnect then waits for a timeout. It carries nothing; skip it.
            return 0;
        }
        switch (peer.state) {
            case Peer.STATE_ACKNOWLEDGING_CONNECT:
                if (commandNumber != COMMAND_VERIFY_CONNECT) {
                    return -1;
                }
                host.notifyConnect(peer);
                break;
            case Peer.STATE_DISCONNECTING:
                if (commandNumber != COMMAND_DISCONNECT) {
                    return -1;
                }
                host.notifyDisconnect(peer);
                break;
            case Peer.STATE_DISCONNECT_LATER:
                if (!peer.hasOutgoingCommands()) {
                    peer.disconnect(peer.eventData);
                }
                break;
            default:
                break;
        }
        return 0;
    }

    private int handleDisconnect(Peer peer, int command, int commandByte) {
        if (peer.state == Peer.STATE_DISCONNECTED || peer.state == Peer.STATE_ZOMBIE
                || peer.state == Peer.STATE_ACKNOWLEDGING_DISCONNECT) {
            return 0;
        }
        peer.resetQueues();
        if (peer.state == Peer.STATE_CONNECTION_SUCCEEDED || peer.state == Peer.STATE_DISCONNECTING
                || peer.state == Peer.STATE_CONNECTING) {
            host.dispatchState(peer, Peer.STATE_ZOMBIE);
        } else if (!connectedOrLater(peer)) {
            if (peer.state == Peer.STATE_CONNECTION_PENDING) {
                host.recalculateBandwidthLimits = true;
            }
            peer.reset();
        } else if ((commandByte & COMMAND_FLAG_ACKNOWLEDGE) != 0) {
            host.changeState(peer, Peer.STATE_ACKNOWLEDGING_DISCONNECT);
        } else {
            host.dispatchState(peer, Peer.STATE_ZOMBIE);
        }
        if (peer.state != Peer.STATE_DISCONNECTED) {
            peer.eventData = u32(data, command + DISCONNECT_DATA_OFFSET);
        }
        return 0;
    }

    private int handleBandwidthLimit(Peer peer, int command) {
        if (!connectedOrLater(peer)) {
            return -1;
        }
        if (peer.incomingBandwidth != 0) {
            --host.bandwidthLimitedPeers;
        }
        peer.incomingBandwidth = u32Unsigned(data, command + BANDWIDTH_LIMIT_INCOMING_OFFSET);
        peer.outgoingBandwidth = u32Unsigned(data, command + BANDWIDTH_LIMIT_OUTGOING_OFFSET);
        if (peer.incomingBandwidth != 0) {
            ++host.bandwidthLimitedPeers;
        }
        peer.windowSize = Window.between(peer.incomingBandwidth, host.outgoingBandwidth);
        return 0;
    }

    private int handleThrottleConfigure(Peer peer, int command) {
        if (!connectedOrLater(peer)) {
            return -1;
        }
        peer.packetThrottleInterval = u32Unsigned(data, command + THROTTLE_CONFIGURE_INTERVAL_OFFSET);
        peer.packetThrottleAcceleration = u32Unsigned(data, command + THROTTLE_CONFIGURE_ACCELERATION_OFFSET);
        peer.packetThrottleDeceleration = u32Unsigned(data, command + THROTTLE_CONFIGURE_DECELERATION_OFFSET);
        return 0;
    }

    private int handleSendUnsequenced(Peer peer, int command, int channelID, int payload, int dataLength) {
        int unsequencedGroup = u16(data, command + SEND_UNSEQUENCED_GROUP_OFFSET);
        int index = unsequencedGroup % Peer.UNSEQUENCED_WINDOW_SIZE;
        if (unsequencedGroup < peer.incomingUnsequencedGroup) {
            unsequencedGroup += 0x10000;
        }
        if (unsequencedGroup >= peer.incomingUnsequencedGroup + Peer.FREE_UNSEQUENCED_WINDOWS * Peer.UNSEQUENCED_WINDOW_SIZE) {
            return 0;
        }
        unsequencedGroup &= 0xFFFF;
        if (peer.unsequencedWindow == null) {
            peer.unsequencedWindow = new int[Peer.UNSEQUENCED_WINDOW_SIZE / 32];
        }
        if (unsequencedGroup - index != peer.incomingUnsequencedGroup) {
            peer.incomingUnsequencedGroup = unsequencedGroup - index;
            java.util.Arrays.fill(peer.unsequencedWindow, 0);
        } else if ((peer.unsequencedWindow[index / 32] & (1 << (index % 32))) != 0) {
            return 0;
        }
        if (peer.channel(channelID).queueIncoming(u8(data, command), 0, 0, data, payload, dataLength,
                Packet.FLAG_UNSEQUENCED, 0) == null) {
            return -1;
        }
        peer.unsequencedWindow[index / 32] |= 1 << (index % 32);
        return 0;
    }
}

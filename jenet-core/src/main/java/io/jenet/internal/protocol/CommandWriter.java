package io.jenet.internal.protocol;

import static io.jenet.internal.protocol.Protocol.*;
import static io.jenet.internal.protocol.Wire.put16;
import static io.jenet.internal.protocol.Wire.put32;
import static io.jenet.internal.protocol.Wire.put8;

/**
 * Writes the fixed part of each ENet command into a byte array. Each method writes the 4-byte
 * command header and the command's own fields at {@code off} and returns the command size; the
 * payload (if any) is not written here. The reliable sequence number is normally written later with
 * {@link #reliableSequenceNumber(byte[], int, int)} when the engine assigns it.
 *
 * <p>Thread-safety: pure static functions.
 */
public final class CommandWriter {
    private CommandWriter() {}

    /**
     * Writes the command header.
     *
     * @param b buffer
     * @param off offset of the command
     * @param command command byte including flags
     * @param channelID channel, 0xFF for control commands
     * @param reliableSequenceNumber the reliable sequence number
     */
    public static void header(byte[] b, int off, int command, int channelID, int reliableSequenceNumber) {
        put8(b, off + COMMAND_OFFSET, command);
        put8(b, off + CHANNEL_ID_OFFSET, channelID);
        put16(b, off + RELIABLE_SEQUENCE_NUMBER_OFFSET, reliableSequenceNumber);
    }

    /**
     * Patches the reliable sequence number of a written command.
     *
     * @param b buffer @param off offset of the command @param reliableSequenceNumber value
     */
    public static void reliableSequenceNumber(byte[] b, int off, int reliableSequenceNumber) {
        put16(b, off + RELIABLE_SEQUENCE_NUMBER_OFFSET, reliableSequenceNumber);
    }

    /**
     * ACKNOWLEDGE: acknowledges one reliable command.
     *
     * @param b buffer @param off offset @param channelID channel of the acknowledged command
     * @param receivedReliableSequenceNumber its reliable sequence number
     * @param receivedSentTime low 16 bits of the sentTime of the datagram that carried it
     * @return {@link Protocol#ACKNOWLEDGE_SIZE}
     */
    public static int acknowledge(byte[] b, int off, int channelID, int receivedReliableSequenceNumber, int receivedSentTime) {
        header(b, off, COMMAND_ACKNOWLEDGE, channelID, receivedReliableSequenceNumber);
        put16(b, off + ACK_RECEIVED_RELIABLE_SEQUENCE_NUMBER_OFFSET, receivedReliableSequenceNumber);
        put16(b, off + ACK_RECEIVED_SENT_TIME_OFFSET, receivedSentTime);
        return ACKNOWLEDGE_SIZE;
    }

    /**
     * CONNECT (always acknowledged, channel 0xFF).
     *
     * @return {@link Protocol#CONNECT_SIZE}
     */
    @SuppressWarnings("checkstyle:ParameterNumber")
    public static int connect(byte[] b, int off, int outgoingPeerID, int incomingSessionID, int outgoingSessionID,
                              int mtu, int windowSize, int channelCount, int incomingBandwidth, int outgoingBandwidth,
                              int throttleInterval, int throttleAcceleration, int throttleDeceleration,
                              int connectID, int data) {
        header(b, off, COMMAND_CONNECT | COMMAND_FLAG_ACKNOWLEDGE, 0xFF, 0);
        connectBody(b, off, outgoingPeerID, incomingSessionID, outgoingSessionID, mtu, windowSize, channelCount,
                incomingBandwidth, outgoingBandwidth, throttleInterval, throttleAcceleration, throttleDeceleration, connectID);
        put32(b, off + CONNECT_DATA_OFFSET, data);
        return CONNECT_SIZE;
    }

    /**
     * VERIFY_CONNECT (always acknowledged, channel 0xFF).
     *
     * @return {@link Protocol#VERIFY_CONNECT_SIZE}
     */
    public static int verifyConnect(byte[] b, int off, int outgoingPeerID, int incomingSessionID, int outgoingSessionID,
                                    int mtu, int windowSize, int channelCount, int incomingBandwidth, int outgoingBandwidth,
                                    int throttleInterval, int throttleAcceleration, int throttleDeceleration,
                                    int connectID) {
        header(b, off, COMMAND_VERIFY_CONNECT | COMMAND_FLAG_ACKNOWLEDGE, 0xFF, 0);
        connectBody(b, off, outgoingPeerID, incomingSessionID, outgoingSessionID, mtu, windowSize, channelCount,
                incomingBandwidth, outgoingBandwidth, throttleInterval, throttleAcceleration, throttleDeceleration, connectID);
        return VERIFY_CONNECT_SIZE;
    }

    private static void connectBody(byte[] b, int off, int outgoingPeerID, int incomingSessionID, int outgoingSessionID,
                                    int mtu, int windowSize, int channelCount, int incomingBandwidth, int outgoingBandwidth,
                                    int throttleInterval, int throttleAcceleration, int throttleDeceleration, int connectID) {
        put16(b, off + CONNECT_OUTGOING_PEER_ID_OFFSET, outgoingPeerID);
        put8(b, off + CONNECT_INCOMING_SESSION_ID_OFFSET, incomingSessionID);
        put8(b, off + CONNECT_OUTGOING_SESSION_ID_OFFSET, outgoingSessionID);
        put32(b, off + CONNECT_MTU_OFFSET, mtu);
        put32(b, off + CONNECT_WINDOW_SIZE_OFFSET, windowSize);
        put32(b, off + CONNECT_CHANNEL_COUNT_OFFSET, channelCount);
        put32(b, off + CONNECT_INCOMING_BANDWIDTH_OFFSET, incomingBandwidth);
        put32(b, off + CONNECT_OUTGOING_BANDWIDTH_OFFSET, outgoingBandwidth);
        put32(b, off + CONNECT_THROTTLE_INTERVAL_OFFSET, throttleInterval);
        put32(b, off + CONNECT_THROTTLE_ACCELERATION_OFFSET, throttleAcceleration);
        put32(b, off + CONNECT_THROTTLE_DECELERATION_OFFSET, throttleDeceleration);
        put32(b, off + CONNECT_CONNECT_ID_OFFSET, connectID);
    }

    /**
     * DISCONNECT.
     *
     * @param flags {@link Protocol#COMMAND_FLAG_ACKNOWLEDGE} when connected, else
     *              {@link Protocol#COMMAND_FLAG_UNSEQUENCED}
     * @return {@link Protocol#DISCONNECT_SIZE}
     */
    public static int disconnect(byte[] b, int off, int flags, int data) {
        header(b, off, COMMAND_DISCONNECT | flags, 0xFF, 0);
        put32(b, off + DISCONNECT_DATA_OFFSET, data);
        return DISCONNECT_SIZE;
    }

    /** PING (acknowledged, channel 0xFF). @return {@link Protocol#PING_SIZE} */
    public static int ping(byte[] b, int off) {
        header(b, off, COMMAND_PING | COMMAND_FLAG_ACKNOWLEDGE, 0xFF, 0);
        return PING_SIZE;
    }

    /** SEND_RELIABLE header. @return {@link Protocol#SEND_RELIABLE_SIZE} */
    public static int sendReliable(byte[] b, int off, int channelID, int dataLength) {
        header(b, off, COMMAND_SEND_RELIABLE | COMMAND_FLAG_ACKNOWLEDGE, channelID, 0);
        put16(b, off + SEND_RELIABLE_DATA_LENGTH_OFFSET, dataLength);
        return SEND_RELIABLE_SIZE;
    }

    /** SEND_UNRELIABLE header. @return {@link Protocol#SEND_UNRELIABLE_SIZE} */
    public static int sendUnreliable(byte[] b, int off, int channelID, int unreliableSequenceNumber, int dataLength) {
        header(b, off, COMMAND_SEND_UNRELIABLE, channelID, 0);
        put16(b, off + SEND_UNRELIABLE_SEQUENCE_NUMBER_OFFSET, unreliableSequenceNumber);
        put16(b, off + SEND_UNRELIABLE_DATA_LENGTH_OFFSET, dataLength);
        return SEND_UNRELIABLE_SIZE;
    }

    /** SEND_UNSEQUENCED header. @return {@link Protocol#SEND_UNSEQUENCED_SIZE} */
    public static int sendUnsequenced(byte[] b, int off, int channelID, int unsequencedGroup, int dataLength) {
        header(b, off, COMMAND_SEND_UNSEQUENCED | COMMAND_FLAG_UNSEQUENCED, channelID, 0);
        put16(b, off + SEND_UNSEQUENCED_GROUP_OFFSET, unsequencedGroup);
        put16(b, off + SEND_UNSEQUENCED_DATA_LENGTH_OFFSET, dataLength);
        return SEND_UNSEQUENCED_SIZE;
    }

    /**
     * SEND_FRAGMENT (reliable) or SEND_UNRELIABLE_FRAGMENT header.
     *
     * @param command {@code COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE} or
     *                {@code COMMAND_SEND_UNRELIABLE_FRAGMENT}
     * @return {@link Protocol#SEND_FRAGMENT_SIZE}
     */
    public static int sendFragment(byte[] b, int off, int command, int channelID, int startSequenceNumber, int dataLength,
                                   int fragmentCount, int fragmentNumber, int totalLength, int fragmentOffset) {
        header(b, off, command, channelID, 0);
        put16(b, off + FRAGMENT_START_SEQUENCE_NUMBER_OFFSET, startSequenceNumber);
        put16(b, off + FRAGMENT_DATA_LENGTH_OFFSET, dataLength);
        put32(b, off + FRAGMENT_COUNT_OFFSET, fragmentCount);
        put32(b, off + FRAGMENT_NUMBER_OFFSET, fragmentNumber);
        put32(b, off + FRAGMENT_TOTAL_LENGTH_OFFSET, totalLength);
        put32(b, off + FRAGMENT_OFFSET_OFFSET, fragmentOffset);
        return SEND_FRAGMENT_SIZE;
    }

    /** BANDWIDTH_LIMIT (acknowledged, channel 0xFF). @return {@link Protocol#BANDWIDTH_LIMIT_SIZE} */
    public static int bandwidthLimit(byte[] b, int off, int incomingBandwidth, int outgoingBandwidth) {
        header(b, off, COMMAND_BANDWIDTH_LIMIT | COMMAND_FLAG_ACKNOWLEDGE, 0xFF, 0);
        put32(b, off + BANDWIDTH_LIMIT_INCOMING_OFFSET, incomingBandwidth);
        put32(b, off + BANDWIDTH_LIMIT_OUTGOING_OFFSET, outgoingBandwidth);
        return BANDWIDTH_LIMIT_SIZE;
    }

    /** THROTTLE_CONFIGURE (acknowledged, channel 0xFF). @return {@link Protocol#THROTTLE_CONFIGURE_SIZE} */
    public static int throttleConfigure(byte[] b, int off, int interval, int acceleration, int deceleration) {
        header(b, off, COMMAND_THROTTLE_CONFIGURE | COMMAND_FLAG_ACKNOWLEDGE, 0xFF, 0);
        put32(b, off + THROTTLE_CONFIGURE_INTERVAL_OFFSET, interval);
        put32(b, off + THROTTLE_CONFIGURE_ACCELERATION_OFFSET, acceleration);
        put32(b, off + THROTTLE_CONFIGURE_DECELERATION_OFFSET, deceleration);
        return THROTTLE_CONFIGURE_SIZE;
    }
}

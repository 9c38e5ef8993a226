package io.jenet.internal.protocol;

/**
 * Constants of the ENet 1.3 wire protocol: limits, command numbers, flags, the byte layout of the
 * datagram header, and each command's field offsets and size as named constants for the engine
 * (read from {@link CommandLayout}, where the layouts are described once).
 *
 * <pre>
 * datagram = header [checksum] command*
 * header   = u16 peerID|session|flags [u16 sentTime]     (sentTime only when FLAG_SENT_TIME)
 *            bits 0-11 peer id (0xFFF = none), 12-13 session, 14 COMPRESSED, 15 SENT_TIME
 * command  = u8 command (low 4 bits number, 0x80 ACKNOWLEDGE, 0x40 UNSEQUENCED)
 *            u8 channelID (0xFF for control commands)  u16 reliableSequenceNumber  body [payload]
 * </pre>
 *
 * All multi-byte fields are big-endian, except {@code connectID}, which ENet copies raw: we keep
 * it as the four bytes seen on the wire, so reading and writing it big-endian round-trips exactly.
 *
 * <p>Thread-safety: constants only; safe from any thread.
 */
public final class Protocol {
    private Protocol() {}

    public static final int MINIMUM_MTU = 576;
    public static final int MAXIMUM_MTU = 4096;
    public static final int MAXIMUM_PACKET_COMMANDS = 32;
    public static final int MINIMUM_WINDOW_SIZE = 4096;
    public static final int MAXIMUM_WINDOW_SIZE = 65536;
    public static final int MINIMUM_CHANNEL_COUNT = 1;
    public static final int MAXIMUM_CHANNEL_COUNT = 255;
    public static final int MAXIMUM_PEER_ID = 0xFFF;
    public static final int MAXIMUM_FRAGMENT_COUNT = 1024 * 1024;

    public static final int COMMAND_NONE = 0;
    public static final int COMMAND_ACKNOWLEDGE = 1;
    public static final int COMMAND_CONNECT = 2;
    public static final int COMMAND_VERIFY_CONNECT = 3;
    public static final int COMMAND_DISCONNECT = 4;
    public static final int COMMAND_PING = 5;
    public static final int COMMAND_SEND_RELIABLE = 6;
    public static final int COMMAND_SEND_UNRELIABLE = 7;
    public static final int COMMAND_SEND_FRAGMENT = 8;
    public static final int COMMAND_SEND_UNSEQUENCED = 9;
    public static final int COMMAND_BANDWIDTH_LIMIT = 10;
    public static final int COMMAND_THROTTLE_CONFIGURE = 11;
    public static final int COMMAND_SEND_UNRELIABLE_FRAGMENT = 12;
    public static final int COMMAND_COUNT = 13;
    public static final int COMMAND_MASK = 0x0F;

    public static final int COMMAND_FLAG_ACKNOWLEDGE = 1 << 7;
    public static final int COMMAND_FLAG_UNSEQUENCED = 1 << 6;

    public static final int HEADER_FLAG_COMPRESSED = 1 << 14;
    public static final int HEADER_FLAG_SENT_TIME = 1 << 15;
    public static final int HEADER_FLAG_MASK = HEADER_FLAG_COMPRESSED | HEADER_FLAG_SENT_TIME;
    public static final int HEADER_SESSION_MASK = 3 << 12;
    public static final int HEADER_SESSION_SHIFT = 12;

    /** Header size without the sentTime field. */
    public static final int HEADER_SIZE_MINIMAL = 2;
    /** Header size with the sentTime field ({@code sizeof(ENetProtocolHeader)}). */
    public static final int HEADER_SIZE = 4;
    public static final int CHECKSUM_SIZE = 4;

    // Command header layout.
    public static final int COMMAND_OFFSET = 0;
    public static final int CHANNEL_ID_OFFSET = 1;
    public static final int RELIABLE_SEQUENCE_NUMBER_OFFSET = 2;
    public static final int COMMAND_HEADER_SIZE = CommandLayout.HEADER_SIZE;

    // ACKNOWLEDGE
    public static final int ACK_RECEIVED_RELIABLE_SEQUENCE_NUMBER_OFFSET = CommandLayout.ACKNOWLEDGE.offset("receivedReliableSequenceNumber");
    public static final int ACK_RECEIVED_SENT_TIME_OFFSET = CommandLayout.ACKNOWLEDGE.offset("receivedSentTime");
    public static final int ACKNOWLEDGE_SIZE = CommandLayout.ACKNOWLEDGE.size();

    // CONNECT and VERIFY_CONNECT share their layout; CONNECT adds data.
    public static final int CONNECT_OUTGOING_PEER_ID_OFFSET = CommandLayout.CONNECT.offset("outgoingPeerID");
    public static final int CONNECT_INCOMING_SESSION_ID_OFFSET = CommandLayout.CONNECT.offset("incomingSessionID");
    public static final int CONNECT_OUTGOING_SESSION_ID_OFFSET = CommandLayout.CONNECT.offset("outgoingSessionID");
    public static final int CONNECT_MTU_OFFSET = CommandLayout.CONNECT.offset("mtu");
    public static final int CONNECT_WINDOW_SIZE_OFFSET = CommandLayout.CONNECT.offset("windowSize");
    public static final int CONNECT_CHANNEL_COUNT_OFFSET = CommandLayout.CONNECT.offset("channelCount");
    public static final int CONNECT_INCOMING_BANDWIDTH_OFFSET = CommandLayout.CONNECT.offset("incomingBandwidth");
    public static final int CONNECT_OUTGOING_BANDWIDTH_OFFSET = CommandLayout.CONNECT.offset("outgoingBandwidth");
    public static final int CONNECT_THROTTLE_INTERVAL_OFFSET = CommandLayout.CONNECT.offset("packetThrottleInterval");
    public static final int CONNECT_THROTTLE_ACCELERATION_OFFSET = CommandLayout.CONNECT.offset("packetThrottleAcceleration");
    public static final int CONNECT_THROTTLE_DECELERATION_OFFSET = CommandLayout.CONNECT.offset("packetThrottleDeceleration");
    public static final int CONNECT_CONNECT_ID_OFFSET = CommandLayout.CONNECT.offset("connectID");
    public static final int CONNECT_DATA_OFFSET = CommandLayout.CONNECT.offset("data");
    public static final int CONNECT_SIZE = CommandLayout.CONNECT.size();
    public static final int VERIFY_CONNECT_SIZE = CommandLayout.VERIFY_CONNECT.size();

    // DISCONNECT
    public static final int DISCONNECT_DATA_OFFSET = CommandLayout.DISCONNECT.offset("data");
    public static final int DISCONNECT_SIZE = CommandLayout.DISCONNECT.size();

    public static final int PING_SIZE = CommandLayout.PING.size();

    // SEND_RELIABLE
    public static final int SEND_RELIABLE_DATA_LENGTH_OFFSET = CommandLayout.SEND_RELIABLE.offset("dataLength");
    public static final int SEND_RELIABLE_SIZE = CommandLayout.SEND_RELIABLE.size();

    // SEND_UNRELIABLE
    public static final int SEND_UNRELIABLE_SEQUENCE_NUMBER_OFFSET = CommandLayout.SEND_UNRELIABLE.offset("unreliableSequenceNumber");
    public static final int SEND_UNRELIABLE_DATA_LENGTH_OFFSET = CommandLayout.SEND_UNRELIABLE.offset("dataLength");
    public static final int SEND_UNRELIABLE_SIZE = CommandLayout.SEND_UNRELIABLE.size();

    // SEND_UNSEQUENCED
    public static final int SEND_UNSEQUENCED_GROUP_OFFSET = CommandLayout.SEND_UNSEQUENCED.offset("unsequencedGroup");
    public static final int SEND_UNSEQUENCED_DATA_LENGTH_OFFSET = CommandLayout.SEND_UNSEQUENCED.offset("dataLength");
    public static final int SEND_UNSEQUENCED_SIZE = CommandLayout.SEND_UNSEQUENCED.size();

    // SEND_FRAGMENT and SEND_UNRELIABLE_FRAGMENT
    public static final int FRAGMENT_START_SEQUENCE_NUMBER_OFFSET = CommandLayout.SEND_FRAGMENT.offset("startSequenceNumber");
    public static final int FRAGMENT_DATA_LENGTH_OFFSET = CommandLayout.SEND_FRAGMENT.offset("dataLength");
    public static final int FRAGMENT_COUNT_OFFSET = CommandLayout.SEND_FRAGMENT.offset("fragmentCount");
    public static final int FRAGMENT_NUMBER_OFFSET = CommandLayout.SEND_FRAGMENT.offset("fragmentNumber");
    public static final int FRAGMENT_TOTAL_LENGTH_OFFSET = CommandLayout.SEND_FRAGMENT.offset("totalLength");
    public static final int FRAGMENT_OFFSET_OFFSET = CommandLayout.SEND_FRAGMENT.offset("fragmentOffset");
    public static final int SEND_FRAGMENT_SIZE = CommandLayout.SEND_FRAGMENT.size();

    // BANDWIDTH_LIMIT
    public static final int BANDWIDTH_LIMIT_INCOMING_OFFSET = CommandLayout.BANDWIDTH_LIMIT.offset("incomingBandwidth");
    public static final int BANDWIDTH_LIMIT_OUTGOING_OFFSET = CommandLayout.BANDWIDTH_LIMIT.offset("outgoingBandwidth");
    public static final int BANDWIDTH_LIMIT_SIZE = CommandLayout.BANDWIDTH_LIMIT.size();

    // THROTTLE_CONFIGURE
    public static final int THROTTLE_CONFIGURE_INTERVAL_OFFSET = CommandLayout.THROTTLE_CONFIGURE.offset("packetThrottleInterval");
    public static final int THROTTLE_CONFIGURE_ACCELERATION_OFFSET = CommandLayout.THROTTLE_CONFIGURE.offset("packetThrottleAcceleration");
    public static final int THROTTLE_CONFIGURE_DECELERATION_OFFSET = CommandLayout.THROTTLE_CONFIGURE.offset("packetThrottleDeceleration");
    public static final int THROTTLE_CONFIGURE_SIZE = CommandLayout.THROTTLE_CONFIGURE.size();

    /** The largest fixed command size ({@link #CONNECT_SIZE}). */
    public static final int MAXIMUM_COMMAND_SIZE = CONNECT_SIZE;

    private static final int[] COMMAND_SIZES = new int[COMMAND_MASK + 1];

    static {
        for (CommandLayout c : CommandLayout.values()) {
            COMMAND_SIZES[c.number()] = c.size();
        }
    }

    /**
     * Fixed size of a command, header included, payload excluded; 0 for an unknown command.
     *
     * @param command the command byte (flags are ignored)
     * @return the size in bytes, or 0 when the command number is not defined
     */
    public static int commandSize(int command) {
        return COMMAND_SIZES[command & COMMAND_MASK];
    }

    /**
     * The command's name as in ENet, for logs and test output.
     *
     * @param command the command byte (flags are ignored)
     * @return a name such as {@code SEND_RELIABLE}, or {@code UNKNOWN(n)}
     */
    public static String commandName(int command) {
        int n = command & COMMAND_MASK;
        switch (n) {
            case COMMAND_ACKNOWLEDGE: return "ACKNOWLEDGE";
            case COMMAND_CONNECT: return "CONNECT";
            case COMMAND_VERIFY_CONNECT: return "VERIFY_CONNECT";
            case COMMAND_DISCONNECT: return "DISCONNECT";
            case COMMAND_PING: return "PING";
            case COMMAND_SEND_RELIABLE: return "SEND_RELIABLE";
            case COMMAND_SEND_UNRELIABLE: return "SEND_UNRELIABLE";
            case COMMAND_SEND_FRAGMENT: return "SEND_FRAGMENT";
            case COMMAND_SEND_UNSEQUENCED: return "SEND_UNSEQUENCED";
            case COMMAND_BANDWIDTH_LIMIT: return "BANDWIDTH_LIMIT";
            case COMMAND_THROTTLE_CONFIGURE: return "THROTTLE_CONFIGURE";
            case COMMAND_SEND_UNRELIABLE_FRAGMENT: return "SEND_UNRELIABLE_FRAGMENT";
            default: return "UNKNOWN(" + n + ")";
        }
    }

    /**
     * Offset of the payload length field for commands that carry a payload, or -1.
     *
     * @param command the command byte (flags are ignored)
     * @return the offset of the u16 dataLength field within the command, or -1 if it has none
     */
    public static int dataLengthOffset(int command) {
        switch (command & COMMAND_MASK) {
            case COMMAND_SEND_RELIABLE: return SEND_RELIABLE_DATA_LENGTH_OFFSET;
            case COMMAND_SEND_UNRELIABLE: return SEND_UNRELIABLE_DATA_LENGTH_OFFSET;
            case COMMAND_SEND_UNSEQUENCED: return SEND_UNSEQUENCED_DATA_LENGTH_OFFSET;
            case COMMAND_SEND_FRAGMENT:
            case COMMAND_SEND_UNRELIABLE_FRAGMENT: return FRAGMENT_DATA_LENGTH_OFFSET;
            default: return -1;
        }
    }
}

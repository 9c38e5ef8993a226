package io.jenet.internal.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ENet 1.3's commands, described once: each command's fields after the 4-byte command header,
 * in wire order, with their ENet names and widths (the structs of ENet's {@code protocol.h}).
 * Offsets and sizes follow from the order; {@link Protocol}'s offset and size constants, which the
 * engine and {@link CommandWriter} use, are read from here, and {@link DatagramDecoder} walks the
 * same fields by name.
 *
 * <p>Thread-safety: immutable.
 */
public enum CommandLayout {
    ACKNOWLEDGE(Protocol.COMMAND_ACKNOWLEDGE, "receivedReliableSequenceNumber:2", "receivedSentTime:2"),
    CONNECT(Protocol.COMMAND_CONNECT, connect(true)),
    VERIFY_CONNECT(Protocol.COMMAND_VERIFY_CONNECT, connect(false)),
    DISCONNECT(Protocol.COMMAND_DISCONNECT, "data:4"),
    PING(Protocol.COMMAND_PING),
    SEND_RELIABLE(Protocol.COMMAND_SEND_RELIABLE, "dataLength:2"),
    SEND_UNRELIABLE(Protocol.COMMAND_SEND_UNRELIABLE, "unreliableSequenceNumber:2", "dataLength:2"),
    SEND_FRAGMENT(Protocol.COMMAND_SEND_FRAGMENT, fragment()),
    SEND_UNSEQUENCED(Protocol.COMMAND_SEND_UNSEQUENCED, "unsequencedGroup:2", "dataLength:2"),
    BANDWIDTH_LIMIT(Protocol.COMMAND_BANDWIDTH_LIMIT, "incomingBandwidth:4", "outgoingBandwidth:4"),
    THROTTLE_CONFIGURE(Protocol.COMMAND_THROTTLE_CONFIGURE, "packetThrottleInterval:4", "packetThrottleAcceleration:4",
            "packetThrottleDeceleration:4"),
    SEND_UNRELIABLE_FRAGMENT(Protocol.COMMAND_SEND_UNRELIABLE_FRAGMENT, fragment());

    /** Bytes before every command's own fields: command byte, channel id, reliable sequence number. */
    public static final int HEADER_SIZE = 4;

    /**
     * One field of a command.
     *
     * @param name its name in ENet's {@code protocol.h}
     * @param offset from the start of the command
     * @param width 1, 2 or 4 bytes, big-endian
     */
    public record Field(String name, int offset, int width) {
        /**
         * @param data buffer
         * @param command where the command starts
         * @return the field's value, unsigned
         */
        public long read(byte[] data, int command) {
            int at = command + offset;
            return width == 1 ? Wire.u8(data, at) : width == 2 ? Wire.u16(data, at) : Wire.u32Unsigned(data, at);
        }
    }

    private static final CommandLayout[] BY_NUMBER = new CommandLayout[Protocol.COMMAND_MASK + 1];

    static {
        for (CommandLayout c : values()) {
            BY_NUMBER[c.number] = c;
        }
    }

    private final int number;
    private final List<Field> fields;
    private final int size;

    CommandLayout(int number, String... specs) {
        this.number = number;
        List<Field> list = new ArrayList<>();
        int offset = HEADER_SIZE;
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            int width = Integer.parseInt(spec.substring(colon + 1));
            list.add(new Field(spec.substring(0, colon), offset, width));
            offset += width;
        }
        this.fields = List.copyOf(list);
        this.size = offset;
    }

    private static String[] connect(boolean withData) {
        String[] fields = {"outgoingPeerID:2", "incomingSessionID:1", "outgoingSessionID:1", "mtu:4", "windowSize:4",
            "channelCount:4", "incomingBandwidth:4", "outgoingBandwidth:4", "packetThrottleInterval:4",
            "packetThrottleAcceleration:4", "packetThrottleDeceleration:4", "connectID:4"};
        if (!withData) {
            return fields;
        }
        String[] more = Arrays.copyOf(fields, fields.length + 1);
        more[fields.length] = "data:4";
        return more;
    }

    private static String[] fragment() {
        return new String[] {"startSequenceNumber:2", "dataLength:2", "fragmentCount:4", "fragmentNumber:4", "totalLength:4",
            "fragmentOffset:4"};
    }

    /**
     * @param command a command byte (flags are ignored)
     * @return its layout, or null for a number ENet does not define
     */
    public static CommandLayout of(int command) {
        return BY_NUMBER[command & Protocol.COMMAND_MASK];
    }

    /** @return the command number */
    public int number() {
        return number;
    }

    /** @return the fields after the command header, in wire order */
    public List<Field> fields() {
        return fields;
    }

    /** @return the command's fixed size, header included, payload excluded */
    public int size() {
        return size;
    }

    /**
     * @param name a field's ENet name
     * @return its offset from the start of the command
     * @throws IllegalArgumentException if this command has no such field
     */
    public int offset(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f.offset();
            }
        }
        throw new IllegalArgumentException(name() + " has no field '" + name + "'");
    }
}

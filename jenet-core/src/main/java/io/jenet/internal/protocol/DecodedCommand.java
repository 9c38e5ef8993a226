package io.jenet.internal.protocol;

import java.util.Map;

/**
 * One command of a decoded datagram, for tools and tests (the engine reads fields in place).
 *
 * <p>Thread-safety: immutable.
 *
 * @param command the command byte, flags included
 * @param channelID the channel (0xFF for control commands)
 * @param reliableSequenceNumber the reliable sequence number from the command header
 * @param fields the command's own fields in wire order, named as in ENet's protocol.h, unsigned
 * @param payload the payload that follows the command (empty if none)
 */
public record DecodedCommand(int command, int channelID, int reliableSequenceNumber, Map<String, Long> fields, byte[] payload) {
    /** @return the command number (low 4 bits) */
    public int number() {
        return command & Protocol.COMMAND_MASK;
    }

    /** @return whether the ACKNOWLEDGE flag is set */
    public boolean acknowledge() {
        return (command & Protocol.COMMAND_FLAG_ACKNOWLEDGE) != 0;
    }

    /** @return whether the UNSEQUENCED flag is set */
    public boolean unsequenced() {
        return (command & Protocol.COMMAND_FLAG_UNSEQUENCED) != 0;
    }

    /** @return ENet's name of the command */
    public String name() {
        return Protocol.commandName(command);
    }

    /**
     * A field by its ENet name.
     *
     * @param name e.g. {@code "dataLength"}
     * @return its value
     * @throws IllegalArgumentException if this command has no such field
     */
    public long field(String name) {
        Long v = fields.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name() + " has no field '" + name + "'; it has " + fields.keySet());
        }
        return v;
    }
}

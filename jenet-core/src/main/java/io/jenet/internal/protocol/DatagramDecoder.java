package io.jenet.internal.protocol;

import static io.jenet.internal.protocol.Protocol.*;
import static io.jenet.internal.protocol.Wire.u16;
import static io.jenet.internal.protocol.Wire.u32Unsigned;
import static io.jenet.internal.protocol.Wire.u8;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes whole datagrams into {@link DecodedDatagram}s for tools, tests and captures. It parses
 * as ENet does and never throws: where ENet would stop (a truncated command, an unknown command
 * number, a payload running past the end) it stops and reports the rest as trailing bytes.
 *
 * <p>Thread-safety: stateless.
 */
public final class DatagramDecoder {
    private DatagramDecoder() {}

    /**
     * Decodes a datagram.
     *
     * @param data buffer
     * @param offset start of the datagram
     * @param length its length
     * @param checksum whether the sender uses ENet's checksum (4 bytes after the header)
     * @return the decoded datagram; never null, never throws
     */
    public static DecodedDatagram decode(byte[] data, int offset, int length, boolean checksum) {
        if (length < HEADER_SIZE_MINIMAL || offset < 0 || offset + length > data.length) {
            return new DecodedDatagram(-1, -1, false, false, -1, -1, List.of(), Math.max(0, length));
        }
        int end = offset + length;
        int word = u16(data, offset);
        boolean sentTime = (word & HEADER_FLAG_SENT_TIME) != 0;
        boolean compressed = (word & HEADER_FLAG_COMPRESSED) != 0;
        int peerID = word & MAXIMUM_PEER_ID;
        int session = (word & HEADER_SESSION_MASK) >>> HEADER_SESSION_SHIFT;
        int header = (sentTime ? HEADER_SIZE : HEADER_SIZE_MINIMAL) + (checksum ? CHECKSUM_SIZE : 0);
        if (length < header) {
            return new DecodedDatagram(peerID, session, compressed, sentTime, -1, -1, List.of(), length);
        }
        int time = sentTime ? u16(data, offset + 2) : -1;
        long sum = checksum ? u32Unsigned(data, offset + header - CHECKSUM_SIZE) : -1;
        List<DecodedCommand> commands = new ArrayList<>();
        int p = offset + header;
        if (compressed) {
            return new DecodedDatagram(peerID, session, true, sentTime, time, sum, List.of(), end - p);
        }
        while (p < end) {
            if (p + COMMAND_HEADER_SIZE > end) {
                break;
            }
            int command = u8(data, p);
            int number = command & COMMAND_MASK;
            int size = commandSize(number);
            if (number >= COMMAND_COUNT || size == 0 || p + size > end) {
                break;
            }
            Map<String, Long> fields = new LinkedHashMap<>();
            for (CommandLayout.Field field : CommandLayout.of(number).fields()) {
                fields.put(field.name(), field.read(data, p));
            }
            int payloadLength = fields.containsKey("dataLength") ? (int) (long) fields.get("dataLength") : 0;
            if (p + size + payloadLength > end) {
                break;
            }
            byte[] payload = java.util.Arrays.copyOfRange(data, p + size, p + size + payloadLength);
            commands.add(new DecodedCommand(command, u8(data, p + CHANNEL_ID_OFFSET), u16(data, p + RELIABLE_SEQUENCE_NUMBER_OFFSET),
                    Collections.unmodifiableMap(fields), payload));
            p += size + payloadLength;
        }
        return new DecodedDatagram(peerID, session, false, sentTime, time, sum, List.copyOf(commands), end - p);
    }

    /**
     * Checks ENet's checksum: CRC-32 over the datagram with the checksum field replaced by the
     * connect id (0 for datagrams to or from an unknown peer).
     *
     * @param data buffer
     * @param offset start of the datagram
     * @param length its length
     * @param connectID the connect id the checksum was computed with
     * @return whether the checksum matches
     */
    public static boolean verifyChecksum(byte[] data, int offset, int length, int connectID) {
        if (length < HEADER_SIZE_MINIMAL + CHECKSUM_SIZE) {
            return false;
        }
        boolean sentTime = (u16(data, offset) & HEADER_FLAG_SENT_TIME) != 0;
        int at = (sentTime ? HEADER_SIZE : HEADER_SIZE_MINIMAL);
        if (length < at + CHECKSUM_SIZE) {
            return false;
        }
        return Wire.datagramChecksum(new java.util.zip.CRC32(), data, offset, length, offset + at, connectID)
                == Wire.u32(data, offset + at);
    }
}

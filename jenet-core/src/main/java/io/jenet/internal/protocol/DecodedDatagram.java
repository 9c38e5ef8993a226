package io.jenet.internal.protocol;

import java.util.List;

/**
 * A decoded datagram, for tools and tests.
 *
 * <p>Thread-safety: immutable.
 *
 * @param peerID the peer id (low 12 bits of the header; 0xFFF = none)
 * @param sessionID the session bits
 * @param compressed whether the COMPRESSED flag is set (the command area is then not decoded)
 * @param hasSentTime whether the SENT_TIME flag is set
 * @param sentTime the sentTime field, or -1 when absent
 * @param checksum the checksum field, or -1 when the decoder was told there is none
 * @param commands the commands, in order
 * @param trailingBytes bytes left over that do not form a command (0 for a well-formed datagram)
 */
public record DecodedDatagram(int peerID, int sessionID, boolean compressed, boolean hasSentTime, int sentTime,
                              long checksum, List<DecodedCommand> commands, int trailingBytes) {
}

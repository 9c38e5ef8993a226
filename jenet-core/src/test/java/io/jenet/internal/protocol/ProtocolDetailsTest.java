package io.jenet.internal.protocol;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The small print of the protocol helpers: command names and payload-length offsets for every
 * command number, writers that overwrite dirty buffers completely, the command flags, and the
 * decoder's and checksum verifier's edges (one byte short, exactly enough, an offset into a
 * larger buffer).
 */
class ProtocolDetailsTest {
    private static byte[] dirty(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xAA);
        return b;
    }

    @Test
    void everyCommandNumberHasItsEnetName() {
        String[] names = {"ACKNOWLEDGE", "CONNECT", "VERIFY_CONNECT", "DISCONNECT", "PING", "SEND_RELIABLE", "SEND_UNRELIABLE",
            "SEND_FRAGMENT", "SEND_UNSEQUENCED", "BANDWIDTH_LIMIT", "THROTTLE_CONFIGURE", "SEND_UNRELIABLE_FRAGMENT"};
        for (int n = 1; n <= 12; n++) {
            assertThat(commandName(n)).isEqualTo(names[n - 1]);
            assertThat(commandName(n | COMMAND_FLAG_ACKNOWLEDGE | COMMAND_FLAG_UNSEQUENCED)).isEqualTo(names[n - 1]);
        }
        assertThat(commandName(0)).isEqualTo("UNKNOWN(0)");
        assertThat(commandName(13)).isEqualTo("UNKNOWN(13)");
        assertThat(commandName(15 | COMMAND_FLAG_ACKNOWLEDGE)).isEqualTo("UNKNOWN(15)");
    }

    @Test
    void dataLengthOffsetsPointAtTheLengthEachWriterWrites() {
        byte[] b = dirty(64);
        CommandWriter.sendReliable(b, 0, 3, 0x1234);
        assertThat(dataLengthOffset(b[0])).isEqualTo(4);
        assertThat(Wire.u16(b, dataLengthOffset(b[0]))).isEqualTo(0x1234);
        b = dirty(64);
        CommandWriter.sendUnreliable(b, 0, 3, 0x7777, 0x2345);
        assertThat(dataLengthOffset(b[0])).isEqualTo(6);
        assertThat(Wire.u16(b, dataLengthOffset(b[0]))).isEqualTo(0x2345);
        b = dirty(64);
        CommandWriter.sendUnsequenced(b, 0, 3, 0x7777, 0x3456);
        assertThat(dataLengthOffset(b[0])).isEqualTo(6);
        assertThat(Wire.u16(b, dataLengthOffset(b[0]))).isEqualTo(0x3456);
        for (int fragment : new int[] {COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE, COMMAND_SEND_UNRELIABLE_FRAGMENT}) {
            b = dirty(64);
            CommandWriter.sendFragment(b, 0, fragment, 1, 9, 0x4567, 3, 1, 9000, 100);
            assertThat(dataLengthOffset(b[0])).isEqualTo(6);
            assertThat(Wire.u16(b, dataLengthOffset(b[0]))).isEqualTo(0x4567);
        }
        for (int n : new int[] {0, COMMAND_ACKNOWLEDGE, COMMAND_CONNECT, COMMAND_VERIFY_CONNECT, COMMAND_DISCONNECT, COMMAND_PING,
            COMMAND_BANDWIDTH_LIMIT, COMMAND_THROTTLE_CONFIGURE, 13, 15}) {
            assertThat(dataLengthOffset(n | COMMAND_FLAG_ACKNOWLEDGE)).as("command %d", n).isEqualTo(-1);
        }
    }

    @Test
    void writersOverwriteEveryByteOfADirtyBuffer() {
        byte[] b = dirty(8);
        CommandWriter.header(b, 2, 0x85, 0x07, 0x0102);
        assertThat(b).containsExactly(0xAA, 0xAA, 0x85, 0x07, 0x01, 0x02, 0xAA, 0xAA);
        b = dirty(CONNECT_SIZE + 4);
        CommandWriter.connect(b, 0, 0x0123, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(b, 4, CONNECT_SIZE)).containsExactly(HexFormat.of().parseHex(
                "0123" + "0000" + "00000000".repeat(9) + "00000000"));
        assertThat(b[CONNECT_SIZE]).isEqualTo((byte) 0xAA);
        b = dirty(BANDWIDTH_LIMIT_SIZE + 1);
        CommandWriter.bandwidthLimit(b, 0, 0, 0);
        assertThat(Arrays.copyOf(b, BANDWIDTH_LIMIT_SIZE)).containsExactly(HexFormat.of().parseHex("8aff0000" + "00000000" + "00000000"));
        assertThat(b[BANDWIDTH_LIMIT_SIZE]).isEqualTo((byte) 0xAA);
        b = dirty(THROTTLE_CONFIGURE_SIZE);
        CommandWriter.throttleConfigure(b, 0, 0, 0, 0);
        assertThat(b).containsExactly(HexFormat.of().parseHex("8bff0000" + "00000000".repeat(3)));
        b = dirty(DISCONNECT_SIZE);
        CommandWriter.disconnect(b, 0, COMMAND_FLAG_UNSEQUENCED, 0);
        assertThat(b).containsExactly(HexFormat.of().parseHex("44ff0000" + "00000000"));
    }

    @Test
    void theCommandFlagsReadBack() {
        DecodedCommand plain = new DecodedCommand(COMMAND_SEND_UNRELIABLE, 1, 0, java.util.Map.of(), new byte[0]);
        DecodedCommand acked = new DecodedCommand(COMMAND_SEND_RELIABLE | COMMAND_FLAG_ACKNOWLEDGE, 1, 0, java.util.Map.of(), new byte[0]);
        DecodedCommand unsequenced = new DecodedCommand(COMMAND_SEND_UNSEQUENCED | COMMAND_FLAG_UNSEQUENCED, 1, 0, java.util.Map.of(),
                new byte[0]);
        assertThat(plain.number()).isEqualTo(COMMAND_SEND_UNRELIABLE);
        assertThat(acked.number()).isEqualTo(COMMAND_SEND_RELIABLE);
        assertThat(unsequenced.number()).isEqualTo(COMMAND_SEND_UNSEQUENCED);
        assertThat(plain.acknowledge()).isFalse();
        assertThat(plain.unsequenced()).isFalse();
        assertThat(acked.acknowledge()).isTrue();
        assertThat(acked.unsequenced()).isFalse();
        assertThat(unsequenced.acknowledge()).isFalse();
        assertThat(unsequenced.unsequenced()).isTrue();
    }

    /** A datagram with one PING after a header; with sentTime when asked. */
    private static byte[] pingDatagram(boolean sentTime, int pad) {
        int header = sentTime ? 4 : 2;
        byte[] d = new byte[pad + header + PING_SIZE];
        Wire.put16(d, pad, 0x0005 | (sentTime ? HEADER_FLAG_SENT_TIME : 0));
        if (sentTime) {
            Wire.put16(d, pad + 2, 0x1234);
        }
        CommandWriter.ping(d, pad + header);
        CommandWriter.reliableSequenceNumber(d, pad + header, 7);
        return d;
    }

    @Test
    void theDecoderStopsExactlyAtItsEdges() {
        // Shorter than the minimal header: nothing but trailing bytes.
        assertThat(DatagramDecoder.decode(new byte[1], 0, 1, false)).isEqualTo(
                new DecodedDatagram(-1, -1, false, false, -1, -1, java.util.List.of(), 1));
        // Exactly the minimal header: a datagram with no commands.
        DecodedDatagram empty = DatagramDecoder.decode(new byte[] {0x00, 0x05}, 0, 2, false);
        assertThat(empty.peerID()).isEqualTo(5);
        assertThat(empty.commands()).isEmpty();
        assertThat(empty.trailingBytes()).isZero();
        // SENT_TIME claimed but the field cut off.
        DecodedDatagram cut = DatagramDecoder.decode(new byte[] {(byte) 0x80, 0x05, 0x12}, 0, 3, false);
        assertThat(cut.hasSentTime()).isTrue();
        assertThat(cut.sentTime()).isEqualTo(-1);
        assertThat(cut.trailingBytes()).isEqualTo(3);
        // With a checksum the header is 4 bytes longer.
        assertThat(DatagramDecoder.decode(new byte[6], 0, 5, true).trailingBytes()).isEqualTo(5);
        assertThat(DatagramDecoder.decode(new byte[6], 0, 6, true).trailingBytes()).isZero();
        // From an offset into a larger buffer, with and without the sent time.
        for (boolean sentTime : new boolean[] {false, true}) {
            byte[] d = pingDatagram(sentTime, 3);
            DecodedDatagram dg = DatagramDecoder.decode(d, 3, d.length - 3, false);
            assertThat(dg.peerID()).isEqualTo(5);
            assertThat(dg.sentTime()).isEqualTo(sentTime ? 0x1234 : -1);
            assertThat(dg.commands()).extracting(DecodedCommand::reliableSequenceNumber).containsExactly(7);
            assertThat(dg.trailingBytes()).isZero();
            // One byte short of the PING: it is trailing, not a command.
            DecodedDatagram shortOne = DatagramDecoder.decode(d, 3, d.length - 4, false);
            assertThat(shortOne.commands()).isEmpty();
            assertThat(shortOne.trailingBytes()).isEqualTo(PING_SIZE - 1);
        }
        // A payload that fits exactly, then one that runs a byte past the end.
        byte[] r = new byte[2 + SEND_RELIABLE_SIZE + 3];
        CommandWriter.sendReliable(r, 2, 0, 3);
        assertThat(DatagramDecoder.decode(r, 0, r.length, false).commands()).hasSize(1);
        assertThat(DatagramDecoder.decode(r, 0, r.length, false).commands().get(0).payload()).hasSize(3);
        DecodedDatagram over = DatagramDecoder.decode(r, 0, r.length - 1, false);
        assertThat(over.commands()).isEmpty();
        assertThat(over.trailingBytes()).isEqualTo(SEND_RELIABLE_SIZE + 2);
        // Out-of-range arguments.
        assertThat(DatagramDecoder.decode(new byte[4], -1, 4, false).trailingBytes()).isEqualTo(4);
        assertThat(DatagramDecoder.decode(new byte[4], 1, 4, false).trailingBytes()).isEqualTo(4);
    }

    @Test
    void checksumsVerifyOnlyWithTheRightConnectIdAndEnoughBytes() {
        for (boolean sentTime : new boolean[] {false, true}) {
            int at = sentTime ? 4 : 2;
            byte[] d = new byte[at + 4 + PING_SIZE];
            Wire.put16(d, 0, 0x0001 | (sentTime ? HEADER_FLAG_SENT_TIME : 0));
            CommandWriter.ping(d, at + 4);
            Wire.put32(d, at, 0x0BADF00D);
            Wire.put32(d, at, Wire.crc32(d, 0, d.length));
            assertThat(DatagramDecoder.verifyChecksum(d, 0, d.length, 0x0BADF00D)).isTrue();
            assertThat(DatagramDecoder.verifyChecksum(d, 0, d.length, 0x0BADF00E)).isFalse();
            // Too short to hold the checksum field: never verified.
            assertThat(DatagramDecoder.verifyChecksum(d, 0, at + 3, 0x0BADF00D)).isFalse();
            assertThat(DatagramDecoder.verifyChecksum(d, 0, 5, 0x0BADF00D)).isFalse();
            // Exactly the header and the field: verifiable.
            byte[] bare = Arrays.copyOf(d, at + 4);
            Wire.put32(bare, at, 77);
            Wire.put32(bare, at, Wire.crc32(bare, 0, bare.length));
            assertThat(DatagramDecoder.verifyChecksum(bare, 0, bare.length, 77)).isTrue();
            // At an offset.
            byte[] shifted = new byte[d.length + 5];
            System.arraycopy(d, 0, shifted, 5, d.length);
            assertThat(DatagramDecoder.verifyChecksum(shifted, 5, d.length, 0x0BADF00D)).isTrue();
            assertThat(DatagramDecoder.decode(d, 0, d.length, true).checksum()).isEqualTo(Wire.u32Unsigned(d, at));
        }
    }
}

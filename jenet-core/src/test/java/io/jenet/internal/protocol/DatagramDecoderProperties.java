package io.jenet.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The decoder on arbitrary bytes, and written commands read back. */
class DatagramDecoderProperties {
    @Property(tries = 2000)
    void neverThrowsOnArbitraryBytes(@ForAll @Size(max = 200) byte[] bytes, @ForAll boolean checksum) {
        DecodedDatagram d = DatagramDecoder.decode(bytes, 0, bytes.length, checksum);
        assertThat(d.trailingBytes()).isBetween(0, bytes.length);
    }

    @Property(tries = 500)
    void writtenCommandsDecodeToTheirFields(@ForAll @IntRange(min = 0, max = 254) int channel,
                                            @ForAll @IntRange(min = 0, max = 0xFFFF) int sequence,
                                            @ForAll @IntRange(min = 0, max = 300) int length,
                                            @ForAll int data) {
        byte[] d = new byte[4 + Protocol.SEND_UNRELIABLE_SIZE + length + Protocol.DISCONNECT_SIZE];
        Wire.put16(d, 0, Protocol.HEADER_FLAG_SENT_TIME | 7);
        Wire.put16(d, 2, sequence);
        int p = 4 + CommandWriter.sendUnreliable(d, 4, channel, sequence, length);
        p += length;
        CommandWriter.disconnect(d, p, Protocol.COMMAND_FLAG_ACKNOWLEDGE, data);
        DecodedDatagram dg = DatagramDecoder.decode(d, 0, d.length, false);
        assertThat(dg.trailingBytes()).isZero();
        assertThat(dg.commands()).hasSize(2);
        assertThat(dg.commands().get(0).channelID()).isEqualTo(channel);
        assertThat(dg.commands().get(0).field("unreliableSequenceNumber")).isEqualTo(sequence);
        assertThat(dg.commands().get(0).payload()).hasSize(length);
        assertThat(dg.commands().get(1).field("data")).isEqualTo(data & 0xFFFFFFFFL);
    }
}

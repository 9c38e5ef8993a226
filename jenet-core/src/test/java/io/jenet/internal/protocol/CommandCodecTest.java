package io.jenet.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Every ENet command against byte vectors written by hand from protocol.h's layout (big-endian,
 * packed), both ways: CommandWriter must produce them and DatagramDecoder must read them back.
 */
class CommandCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", "").replace("|", ""));
    }

    private static byte[] written(java.util.function.ToIntFunction<byte[]> writer, int reliableSequenceNumber) {
        byte[] b = new byte[64];
        int n = writer.applyAsInt(b);
        CommandWriter.reliableSequenceNumber(b, 0, reliableSequenceNumber);
        return java.util.Arrays.copyOf(b, n);
    }

    /** Decodes one command placed in a minimal header-only datagram (peer 0, no sentTime). */
    private static DecodedCommand decodeOne(byte[] command) {
        byte[] d = new byte[2 + command.length];
        System.arraycopy(command, 0, d, 2, command.length);
        DecodedDatagram dg = DatagramDecoder.decode(d, 0, d.length, false);
        assertThat(dg.trailingBytes()).isZero();
        assertThat(dg.commands()).hasSize(1);
        return dg.commands().get(0);
    }

    private static final String CONNECT_BODY = "0005 FF FF 00000570 00010000 000000FF 00000000 00001000 00001388 00000002 00000002 DEADBEEF";

    @Test
    void acknowledge() {
        byte[] want = hex("01 03 1234 | 1234 BEEF");
        assertThat(written(b -> CommandWriter.acknowledge(b, 0, 3, 0x1234, 0xBEEF), 0x1234)).isEqualTo(want);
        DecodedCommand c = decodeOne(want);
        assertThat(c.name()).isEqualTo("ACKNOWLEDGE");
        assertThat(c.channelID()).isEqualTo(3);
        assertThat(c.fields()).containsExactly(Map.entry("receivedReliableSequenceNumber", 0x1234L), Map.entry("receivedSentTime", 0xBEEFL));
    }

    @Test
    void connect() {
        byte[] want = hex("82 FF 0001 | " + CONNECT_BODY + " 0000002A");
        assertThat(want).hasSize(Protocol.CONNECT_SIZE);
        assertThat(written(b -> CommandWriter.connect(b, 0, 5, 0xFF, 0xFF, 1392, 65536, 255, 0, 4096, 5000, 2, 2, 0xDEADBEEF, 42), 1))
                .isEqualTo(want);
        DecodedCommand c = decodeOne(want);
        assertThat(c.acknowledge()).isTrue();
        assertThat(c.fields().keySet()).containsExactly("outgoingPeerID", "incomingSessionID", "outgoingSessionID", "mtu", "windowSize",
                "channelCount", "incomingBandwidth", "outgoingBandwidth", "packetThrottleInterval", "packetThrottleAcceleration",
                "packetThrottleDeceleration", "connectID", "data");
        assertThat(c.field("mtu")).isEqualTo(1392);
        assertThat(c.field("windowSize")).isEqualTo(65536);
        assertThat(c.field("connectID")).isEqualTo(0xDEADBEEFL);
        assertThat(c.field("data")).isEqualTo(42);
        assertThat(c.field("incomingSessionID")).isEqualTo(0xFF);
    }

    @Test
    void verifyConnect() {
        byte[] want = hex("83 FF 0001 | " + CONNECT_BODY);
        assertThat(want).hasSize(Protocol.VERIFY_CONNECT_SIZE);
        assertThat(written(b -> CommandWriter.verifyConnect(b, 0, 5, 0xFF, 0xFF, 1392, 65536, 255, 0, 4096, 5000, 2, 2, 0xDEADBEEF), 1))
                .isEqualTo(want);
        assertThat(decodeOne(want).fields()).doesNotContainKey("data").containsEntry("channelCount", 255L);
    }

    @Test
    void disconnectReliableAndUnsequenced() {
        byte[] acked = hex("84 FF 0007 | 00000063");
        assertThat(written(b -> CommandWriter.disconnect(b, 0, Protocol.COMMAND_FLAG_ACKNOWLEDGE, 99), 7)).isEqualTo(acked);
        assertThat(decodeOne(acked).field("data")).isEqualTo(99);
        byte[] unsequenced = hex("44 FF 0000 | FFFFFFFF");
        assertThat(written(b -> CommandWriter.disconnect(b, 0, Protocol.COMMAND_FLAG_UNSEQUENCED, -1), 0)).isEqualTo(unsequenced);
        DecodedCommand c = decodeOne(unsequenced);
        assertThat(c.unsequenced()).isTrue();
        assertThat(c.field("data")).isEqualTo(0xFFFFFFFFL);
    }

    @Test
    void ping() {
        byte[] want = hex("85 FF 0009");
        assertThat(written(b -> CommandWriter.ping(b, 0), 9)).isEqualTo(want);
        assertThat(decodeOne(want).fields()).isEmpty();
    }

    @Test
    void sendReliableWithPayload() {
        byte[] want = hex("86 01 0002 | 0003 | 0A0B0C");
        byte[] header = written(b -> CommandWriter.sendReliable(b, 0, 1, 3), 2);
        assertThat(header).isEqualTo(java.util.Arrays.copyOf(want, 6));
        DecodedCommand c = decodeOne(want);
        assertThat(c.field("dataLength")).isEqualTo(3);
        assertThat(c.payload()).containsExactly(10, 11, 12);
    }

    @Test
    void sendUnreliable() {
        byte[] want = hex("07 00 0005 | 0101 0002 | FFEE");
        assertThat(written(b -> CommandWriter.sendUnreliable(b, 0, 0, 0x0101, 2), 5)).isEqualTo(java.util.Arrays.copyOf(want, 8));
        DecodedCommand c = decodeOne(want);
        assertThat(c.fields()).containsExactly(Map.entry("unreliableSequenceNumber", 0x0101L), Map.entry("dataLength", 2L));
        assertThat(c.payload()).containsExactly(0xFF, 0xEE);
    }

    @Test
    void sendFragmentAndUnreliableFragment() {
        String body = "0010 0002 00000003 00000001 00000FA0 00000554";
        byte[] reliable = hex("88 02 0010 | " + body + " | 1122");
        assertThat(written(b -> CommandWriter.sendFragment(b, 0, Protocol.COMMAND_SEND_FRAGMENT | Protocol.COMMAND_FLAG_ACKNOWLEDGE,
                2, 0x10, 2, 3, 1, 4000, 1364), 0x10)).isEqualTo(java.util.Arrays.copyOf(reliable, 24));
        DecodedCommand c = decodeOne(reliable);
        assertThat(c.fields()).containsExactly(Map.entry("startSequenceNumber", 16L), Map.entry("dataLength", 2L),
                Map.entry("fragmentCount", 3L), Map.entry("fragmentNumber", 1L), Map.entry("totalLength", 4000L),
                Map.entry("fragmentOffset", 1364L));
        byte[] unreliable = hex("0C 02 0010 | " + body + " | 1122");
        assertThat(written(b -> CommandWriter.sendFragment(b, 0, Protocol.COMMAND_SEND_UNRELIABLE_FRAGMENT, 2, 0x10, 2, 3, 1, 4000, 1364),
                0x10)).isEqualTo(java.util.Arrays.copyOf(unreliable, 24));
        assertThat(decodeOne(unreliable).name()).isEqualTo("SEND_UNRELIABLE_FRAGMENT");
    }

    @Test
    void sendUnsequenced() {
        byte[] want = hex("49 04 0000 | 0400 0001 | 7F");
        assertThat(written(b -> CommandWriter.sendUnsequenced(b, 0, 4, 0x400, 1), 0)).isEqualTo(java.util.Arrays.copyOf(want, 8));
        assertThat(decodeOne(want).field("unsequencedGroup")).isEqualTo(0x400);
    }

    @Test
    void bandwidthLimit() {
        byte[] want = hex("8A FF 0003 | 00010000 00000000");
        assertThat(written(b -> CommandWriter.bandwidthLimit(b, 0, 65536, 0), 3)).isEqualTo(want);
        assertThat(decodeOne(want).fields()).containsExactly(Map.entry("incomingBandwidth", 65536L), Map.entry("outgoingBandwidth", 0L));
    }

    @Test
    void throttleConfigure() {
        byte[] want = hex("8B FF 0004 | 00001388 00000002 00000002");
        assertThat(written(b -> CommandWriter.throttleConfigure(b, 0, 5000, 2, 2), 4)).isEqualTo(want);
        assertThat(decodeOne(want).field("packetThrottleInterval")).isEqualTo(5000);
    }

    @Test
    void datagramWithSentTimeSessionAndTwoCommands() {
        // peerID 0x123, session 2, SENT_TIME: 0x8000 | 2 << 12 | 0x123 = 0xA123; sentTime 0xBEEF.
        byte[] d = hex("A123 BEEF | 01 00 0001 0001 BEEF | 86 00 0002 0003 010203");
        DecodedDatagram dg = DatagramDecoder.decode(d, 0, d.length, false);
        assertThat(dg.peerID()).isEqualTo(0x123);
        assertThat(dg.sessionID()).isEqualTo(2);
        assertThat(dg.hasSentTime()).isTrue();
        assertThat(dg.sentTime()).isEqualTo(0xBEEF);
        assertThat(dg.compressed()).isFalse();
        assertThat(dg.checksum()).isEqualTo(-1);
        assertThat(dg.trailingBytes()).isZero();
        assertThat(dg.commands()).extracting(DecodedCommand::name).containsExactly("ACKNOWLEDGE", "SEND_RELIABLE");
        assertThat(dg.commands().get(1).payload()).containsExactly(1, 2, 3);
    }

    @Test
    void datagramWithoutSentTimeAndConnectFromUnknownPeer() {
        byte[] d = hex("0FFF | 82 FF 0001 " + CONNECT_BODY + " 00000000");
        DecodedDatagram dg = DatagramDecoder.decode(d, 0, d.length, false);
        assertThat(dg.peerID()).isEqualTo(Protocol.MAXIMUM_PEER_ID);
        assertThat(dg.hasSentTime()).isFalse();
        assertThat(dg.sentTime()).isEqualTo(-1);
        assertThat(dg.commands()).singleElement().extracting(DecodedCommand::name).isEqualTo("CONNECT");
    }

    @Test
    void checksumIsEnetCrc32WithTheConnectIdInPlace() {
        int connectID = 0x01020304;
        byte[] d = hex("8001 0102 | 00000000 | 85 FF 0001");
        // ENet computes the CRC with the field holding the connect id, then stores it big-endian.
        byte[] forCrc = d.clone();
        Wire.put32(forCrc, 4, connectID);
        CRC32 crc = new CRC32();
        crc.update(forCrc);
        Wire.put32(d, 4, (int) crc.getValue());
        assertThat(DatagramDecoder.verifyChecksum(d, 0, d.length, connectID)).isTrue();
        assertThat(DatagramDecoder.verifyChecksum(d, 0, d.length, 0)).isFalse();
        DecodedDatagram dg = DatagramDecoder.decode(d, 0, d.length, true);
        assertThat(dg.checksum()).isEqualTo(crc.getValue());
        assertThat(dg.commands()).extracting(DecodedCommand::name).containsExactly("PING");
        d[d.length - 1] ^= 1;
        assertThat(DatagramDecoder.verifyChecksum(d, 0, d.length, connectID)).isFalse();
    }

    @Test
    void crc32KnownAnswer() {
        byte[] b = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Wire.crc32(b, 0, b.length)).isEqualTo(0xCBF43926);
    }

    @Test
    void malformedInputsDecodeWithoutThrowing() {
        record Case(String hex, int commands, int trailing) {}
        List<Case> cases = List.of(
                new Case("", 0, 0),
                new Case("80", 0, 1),
                new Case("0001 86 00 00", 0, 3),            // command header truncated
                new Case("0001 86 00 0001 00", 0, 5),        // SEND_RELIABLE cut mid-field
                new Case("0001 86 00 0001 0005 0102", 0, 8), // payload runs past the end
                new Case("0001 0D 00 0000", 0, 4),           // command 13
                new Case("0001 0F 00 0000", 0, 4),           // command 15
                new Case("0001 00 00 0000", 0, 4),           // command 0
                new Case("0001 85 FF 0001 8D", 1, 1));       // one good command, then garbage
        for (Case c : cases) {
            byte[] d = hex(c.hex());
            DecodedDatagram dg = DatagramDecoder.decode(d, 0, d.length, false);
            assertThat(dg.commands()).as(c.hex()).hasSize(c.commands());
            assertThat(dg.trailingBytes()).as(c.hex()).isEqualTo(c.trailing());
        }
    }
}

package io.jenet.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one description of ENet's commands against the sizes of the packed structs in ENet 1.3.17's
 * {@code protocol.h} (written out here by hand, independently of {@link CommandLayout}), and the
 * constants the engine uses against it.
 */
class CommandLayoutTest {
    @Test
    void everyCommandHasEnetsStructSizeAndItsFieldsTileItInOrder() {
        Map<CommandLayout, Integer> enet = new LinkedHashMap<>();
        enet.put(CommandLayout.ACKNOWLEDGE, 8);
        enet.put(CommandLayout.CONNECT, 48);
        enet.put(CommandLayout.VERIFY_CONNECT, 44);
        enet.put(CommandLayout.DISCONNECT, 8);
        enet.put(CommandLayout.PING, 4);
        enet.put(CommandLayout.SEND_RELIABLE, 6);
        enet.put(CommandLayout.SEND_UNRELIABLE, 8);
        enet.put(CommandLayout.SEND_FRAGMENT, 24);
        enet.put(CommandLayout.SEND_UNSEQUENCED, 8);
        enet.put(CommandLayout.BANDWIDTH_LIMIT, 12);
        enet.put(CommandLayout.THROTTLE_CONFIGURE, 16);
        enet.put(CommandLayout.SEND_UNRELIABLE_FRAGMENT, 24);
        assertThat(enet.keySet()).containsExactly(CommandLayout.values());
        for (Map.Entry<CommandLayout, Integer> e : enet.entrySet()) {
            CommandLayout c = e.getKey();
            assertThat(c.size()).as("%s", c).isEqualTo(e.getValue());
            assertThat(Protocol.commandSize(c.number())).as("%s", c).isEqualTo(e.getValue());
            assertThat(CommandLayout.of(c.number() | Protocol.COMMAND_FLAG_ACKNOWLEDGE)).isSameAs(c);
            int next = CommandLayout.HEADER_SIZE;
            for (CommandLayout.Field f : c.fields()) {
                assertThat(f.offset()).as("%s.%s", c, f.name()).isEqualTo(next);
                next += f.width();
            }
            assertThat(next).isEqualTo(c.size());
        }
        assertThat(CommandLayout.of(0)).isNull();
        assertThat(CommandLayout.of(13)).isNull();
    }

    @Test
    void theEnginesConstantsAreTheLayoutsOffsets() {
        assertThat(Protocol.CONNECT_CONNECT_ID_OFFSET).isEqualTo(40);
        assertThat(Protocol.CONNECT_DATA_OFFSET).isEqualTo(44);
        assertThat(Protocol.CONNECT_INCOMING_SESSION_ID_OFFSET).isEqualTo(6);
        assertThat(Protocol.FRAGMENT_OFFSET_OFFSET).isEqualTo(20);
        assertThat(Protocol.FRAGMENT_TOTAL_LENGTH_OFFSET).isEqualTo(16);
        assertThat(Protocol.SEND_UNRELIABLE_DATA_LENGTH_OFFSET).isEqualTo(6);
        assertThat(Protocol.THROTTLE_CONFIGURE_DECELERATION_OFFSET).isEqualTo(12);
        assertThat(Protocol.ACK_RECEIVED_SENT_TIME_OFFSET).isEqualTo(6);
        assertThat(Protocol.MAXIMUM_COMMAND_SIZE).isEqualTo(48);
    }

    @Test
    void fieldsReadUnsignedBigEndianAndUnknownNamesAreRefused() {
        byte[] d = {(byte) 0x88, 0, 0, 5, 0x01, 0x02, (byte) 0xFF, (byte) 0xFE, 0x00, 0x00, (byte) 0x80, 0x01};
        // A SEND_FRAGMENT's first fields, read in place at offset 0.
        CommandLayout c = CommandLayout.SEND_FRAGMENT;
        assertThat(c.fields().get(0).read(d, 0)).isEqualTo(0x0102);
        assertThat(c.fields().get(1).read(d, 0)).isEqualTo(0xFFFE);
        assertThat(c.fields().get(2).read(d, 0)).isEqualTo(0x8001L);
        assertThat(CommandLayout.CONNECT.fields().get(1).read(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xF0}, 0)).isEqualTo(0xF0);
        assertThatThrownBy(() -> CommandLayout.PING.offset("data")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PING");
    }
}

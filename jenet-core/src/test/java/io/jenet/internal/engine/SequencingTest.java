package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.Wire;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ENet's receive-side sequencing, one hand-made command at a time into a connected server:
 * reliable packets wait for the gap before them and come out in order, once; the receive window
 * takes 7 windows of 4096 ahead and nothing behind; unreliable packets are dropped when older than
 * the last delivered or duplicated, and wait for the reliable packet they follow; unsequenced
 * groups are delivered once each.
 */
class SequencingTest {
    private Pair p;

    @BeforeEach
    void connect() {
        p = new Pair(71, new SimulatedNetwork.Link().latency(4)).connect(2, 0);
        p.net.runFor(100);
    }

    private void inject(byte[] command, int size, String tag) {
        byte[] d = new byte[4 + size + 4];
        Wire.put16(d, 0, p.clientPeer.outgoingPeerID | (p.clientPeer.outgoingSessionID << HEADER_SESSION_SHIFT) | HEADER_FLAG_SENT_TIME);
        Wire.put16(d, 2, (int) p.net.now() & 0xFFFF);
        System.arraycopy(command, 0, d, 4, size);
        byte[] t = tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, d, 4 + size, 4);
        p.server.receive(d, 0, d.length, p.clientAddress, p.net.now());
        p.server.service(p.net.now());
        p.net.drain(p.server);
    }

    private void reliable(int channel, int rsn, String tag) {
        byte[] c = new byte[SEND_RELIABLE_SIZE];
        CommandWriter.sendReliable(c, 0, channel, 4);
        CommandWriter.reliableSequenceNumber(c, 0, rsn);
        inject(c, SEND_RELIABLE_SIZE, tag);
    }

    private void unreliable(int channel, int rsn, int usn, String tag) {
        byte[] c = new byte[SEND_UNRELIABLE_SIZE];
        CommandWriter.sendUnreliable(c, 0, channel, usn, 4);
        CommandWriter.reliableSequenceNumber(c, 0, rsn);
        inject(c, SEND_UNRELIABLE_SIZE, tag);
    }

    private void unsequenced(int channel, int group, String tag) {
        byte[] c = new byte[SEND_UNSEQUENCED_SIZE];
        CommandWriter.sendUnsequenced(c, 0, channel, group, 4);
        inject(c, SEND_UNSEQUENCED_SIZE, tag);
    }

    /** Tags delivered since the last call, as "channel:tag". */
    private final List<String> seen = new ArrayList<>();
    private int consumed;

    private List<String> delivered() {
        List<SimulatedNetwork.Seen> all = p.events(p.server, Event.TYPE_RECEIVE);
        List<String> out = new ArrayList<>();
        for (SimulatedNetwork.Seen s : all.subList(consumed, all.size())) {
            out.add(s.channelID() + ":" + new String(s.packet(), java.nio.charset.StandardCharsets.US_ASCII));
        }
        consumed = all.size();
        seen.addAll(out);
        return out;
    }

    @Test
    void reliablePacketsWaitForTheGapAndComeOutInOrderOnce() {
        reliable(0, 3, "r003");
        reliable(0, 2, "r002");
        reliable(0, 5, "r005");
        reliable(0, 4, "r004");
        assertThat(delivered()).isEmpty();
        assertThat(p.serverPeer.totalWaitingData()).isEqualTo(16);
        reliable(0, 1, "r001");
        assertThat(delivered()).containsExactly("0:r001", "0:r002", "0:r003", "0:r004", "0:r005");
        reliable(0, 3, "dup3");
        reliable(0, 1, "dup1");
        reliable(0, 5, "dup5");
        assertThat(delivered()).isEmpty();
        reliable(0, 7, "r007");
        reliable(0, 7, "dup7");
        reliable(0, 6, "r006");
        assertThat(delivered()).containsExactly("0:r006", "0:r007");
        assertThat(p.serverPeer.channels[0].incomingReliableSequenceNumber).isEqualTo(7);
        assertThat(p.serverPeer.totalWaitingData()).isZero();
    }

    /**
     * ENet acknowledges every reliable command except those in the two windows just past the
     * receive window (so a sender that far ahead waits), whether or not it keeps them.
     */
    @Test
    void acknowledgementsSkipTheTwoWindowsPastTheReceiveWindow() {
        p.net.sent = new ArrayList<>();
        for (int rsn : new int[] {7 * 4096 - 1, 7 * 4096, 8 * 4096, 8 * 4096 + 4095, 9 * 4096, 0xFFFF}) {
            reliable(0, rsn, "w" + (rsn % 1000 + 100));
        }
        p.server.service(p.net.now());
        List<Long> acked = new ArrayList<>();
        for (SimulatedNetwork.Sent d : p.net.sent) {
            if (d.from().equals(p.serverAddress)) {
                for (io.jenet.internal.protocol.DecodedCommand c : io.jenet.internal.protocol.DatagramDecoder.decode(d.data(), 0, d.data().length, false)
                        .commands()) {
                    if (c.number() == COMMAND_ACKNOWLEDGE) {
                        assertThat(c.channelID()).isZero();
                        assertThat(c.field("receivedSentTime")).isEqualTo(p.net.now() & 0xFFFF);
                        acked.add(c.field("receivedReliableSequenceNumber"));
                    }
                }
            }
        }
        assertThat(acked).containsExactly(7L * 4096 - 1, 9L * 4096, 0xFFFFL);
    }

    @Test
    void theReceiveWindowTakesSevenWindowsAheadAndNothingBehind() {
        long waiting = p.serverPeer.totalWaitingData();
        reliable(0, 7 * 4096 - 1, "last");
        assertThat(p.serverPeer.totalWaitingData()).isEqualTo(waiting + 4);
        reliable(0, 7 * 4096, "past");
        reliable(0, 0xFFFF, "back");
        reliable(0, 0, "zero");
        assertThat(p.serverPeer.totalWaitingData()).isEqualTo(waiting + 4);
        assertThat(delivered()).isEmpty();
    }

    @Test
    void unreliablePacketsNeverGoBackwardsAndWaitForTheirReliablePacket() {
        unreliable(1, 0, 5, "u005");
        assertThat(delivered()).containsExactly("1:u005");
        unreliable(1, 0, 3, "u003");
        unreliable(1, 0, 5, "dup5");
        assertThat(delivered()).isEmpty();
        unreliable(1, 0, 7, "u007");
        assertThat(delivered()).containsExactly("1:u007");
        // Sent after reliable packet 1, which has not arrived: held, then delivered after it.
        unreliable(1, 1, 1, "a001");
        unreliable(1, 1, 2, "a002");
        unreliable(1, 1, 1, "dupa");
        assertThat(delivered()).isEmpty();
        reliable(1, 1, "r001");
        assertThat(delivered()).containsExactly("1:r001", "1:a001", "1:a002");
        // Older than the reliable packet now current: dropped.
        unreliable(1, 0, 9, "late");
        assertThat(delivered()).isEmpty();
        assertThat(p.serverPeer.channels[1].incomingUnreliableSequenceNumber).isEqualTo(2);
    }

    @Test
    void unsequencedGroupsAreDeliveredOnceEach() {
        unsequenced(1, 10, "g010");
        unsequenced(1, 10, "d010");
        unsequenced(1, 5, "g005");
        unsequenced(1, 1023, "gMax");
        unsequenced(1, 5, "d005");
        assertThat(delivered()).containsExactly("1:g010", "1:g005", "1:gMax");
        // A group in the next window moves the window on; the old bits are forgotten.
        unsequenced(1, 1024 + 3, "gNxt");
        unsequenced(1, 10, "o010");
        assertThat(delivered()).containsExactly("1:gNxt");
        // Past the free windows ahead (32 x 1024): dropped.
        unsequenced(1, 1024 + 32 * 1024, "far!");
        assertThat(delivered()).isEmpty();
    }

    /** One fragment: {@code number} of {@code count}, 4 bytes of a {@code 4 * count}-byte packet. */
    private void fragment(boolean reliable, int channel, int rsn, int start, int count, int number, String tag) {
        byte[] c = new byte[SEND_FRAGMENT_SIZE];
        int command = reliable ? COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE : COMMAND_SEND_UNRELIABLE_FRAGMENT;
        CommandWriter.sendFragment(c, 0, command, channel, start, 4, count, number, 4 * count, 4 * number);
        // Reliable fragments take one reliable sequence number each; unreliable ones carry the
        // reliable number they follow, and their start number is their unreliable sequence number.
        CommandWriter.reliableSequenceNumber(c, 0, rsn);
        inject(c, SEND_FRAGMENT_SIZE, tag);
    }

    @Test
    void reliableFragmentsAssembleInAnyOrderOnceAndWaitForTheGap() {
        // Packet A: reliable sequence numbers 1..3 (start 1); packet B: 4..5 (start 4).
        fragment(true, 0, 5, 4, 2, 1, "B-1.");
        fragment(true, 0, 3, 1, 3, 2, "A-2.");
        fragment(true, 0, 1, 1, 3, 0, "A-0.");
        fragment(true, 0, 1, 1, 3, 0, "XXXX"); // the same fragment again: ignored
        assertThat(delivered()).isEmpty();
        fragment(true, 0, 2, 1, 3, 1, "A-1.");
        assertThat(delivered()).containsExactly("0:A-0.A-1.A-2.");
        fragment(true, 0, 4, 4, 2, 0, "B-0.");
        assertThat(delivered()).containsExactly("0:B-0.B-1.");
        assertThat(p.serverPeer.channels[0].incomingReliableSequenceNumber).isEqualTo(5);
        assertThat(p.serverPeer.totalWaitingData()).isZero();
    }

    @Test
    void unreliableFragmentsAssembleOrAreDroppedWhenOlder() {
        // Two 2-fragment unreliable packets after reliable 0, starting at unreliable sequence 1 and 3.
        fragment(false, 1, 0, 1, 2, 1, "P-1.");
        fragment(false, 1, 0, 1, 2, 0, "P-0.");
        assertThat(delivered()).containsExactly("1:P-0.P-1.");
        fragment(false, 1, 0, 3, 2, 0, "Q-0.");
        // A fragment of the packet already delivered: dropped, Q still waits.
        fragment(false, 1, 0, 1, 2, 0, "late");
        assertThat(delivered()).isEmpty();
        fragment(false, 1, 0, 3, 2, 1, "Q-1.");
        assertThat(delivered()).containsExactly("1:Q-0.Q-1.");
    }
}

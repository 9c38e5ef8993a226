package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import io.jenet.internal.protocol.DatagramDecoder;
import io.jenet.internal.protocol.DecodedCommand;
import io.jenet.internal.protocol.DecodedDatagram;
import io.jenet.internal.protocol.Protocol;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Many peers each way, every packet kind from C, and the bytes on the wire. */
class CEnetLoadAndWireInteropTest {
    private static final int CLIENTS = 200;
    private static final int PACKETS = 1000;

    @Test
    void twoHundredCClientsEachEchoAThousandReliablePacketsInOrderThroughJenet() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, CLIENTS + 8, 0);
            c.cmd("load " + CLIENTS + " 127.0.0.1 " + server.getLocalPort() + " 1 " + PACKETS + " 32");
            long deadline = System.nanoTime() + 120_000_000_000L;
            int connects = 0;
            while (c.linesStartingWith("load ").isEmpty()) {
                assertThat(System.nanoTime()).as("load finished; " + c.tail()).isLessThan(deadline);
                ENetEvent e = server.service(1);
                while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                    if (e.type() == EVENT_RECEIVE) {
                        int flags = e.peer().getPacketFlags();
                        e.peer().send(e.channel(), e.peer().getPacket(), flags);
                    } else if (e.type() == EVENT_CONNECT) {
                        connects++;
                    }
                    e = server.service(0);
                }
            }
            assertThat(c.linesStartingWith("load ")).containsExactly("load ok " + CLIENTS);
            assertThat(connects).isEqualTo(CLIENTS);
        }
    }

    @Test
    void twoHundredJenetClientsEachEchoAThousandReliablePacketsInOrderThroughC() throws Exception {
        try (CPeer c = new CPeer()) {
            int port = c.host(0, CLIENTS + 8, 0, 0, 0);
            c.cmd("echo 1");
            List<ENetConnection> clients = new ArrayList<>();
            List<ENetPacketPeer> peers = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    ENetConnection j = new ENetConnection();
                    clients.add(j);
                    j.createHost(1, 0);
                    peers.add(j.connectToHost("127.0.0.1", port, 2, i));
                }
                int[] sent = new int[CLIENTS];
                int[] next = new int[CLIENTS]; // echoes received
                int[][] nextOnChannel = new int[CLIENTS][];
                for (int i = 0; i < CLIENTS; i++) {
                    nextOnChannel[i] = new int[] {0, 1}; // even sequence numbers go on channel 0, odd on 1
                }
                boolean[] up = new boolean[CLIENTS];
                int done = 0;
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (done < CLIENTS) {
                    assertThat(System.nanoTime()).as("all echoes back").isLessThan(deadline);
                    for (int i = 0; i < CLIENTS; i++) {
                        ENetConnection j = clients.get(i);
                        ENetEvent e = j.service(0);
                        while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                            assertThat(e.type()).as("client %d", i).isNotEqualTo(EVENT_DISCONNECT);
                            if (e.type() == EVENT_CONNECT) {
                                up[i] = true;
                            } else if (e.type() == EVENT_RECEIVE) {
                                ByteBuffer b = ByteBuffer.wrap(e.peer().getPacket());
                                assertThat(b.getInt()).isEqualTo(i);
                                // ENet orders reliable packets per channel, not across channels.
                                int ch = e.channel();
                                assertThat(ch).isBetween(0, 1);
                                assertThat(b.getInt()).as("client %d order on channel %d", i, ch).isEqualTo(nextOnChannel[i][ch]);
                                nextOnChannel[i][ch] += 2;
                                next[i]++;
                                if (next[i] == PACKETS) {
                                    done++;
                                }
                            }
                            e = j.service(0);
                        }
                        while (up[i] && sent[i] < PACKETS && sent[i] - next[i] < 32) {
                            byte[] p = ByteBuffer.allocate(32).putInt(i).putInt(sent[i]).array();
                            peers.get(i).send(sent[i] % 2, p, ENetPacketPeer.FLAG_RELIABLE);
                            sent[i]++;
                        }
                    }
                }
                assertThat(next).containsOnly(PACKETS);
            } finally {
                clients.forEach(ENetConnection::close);
            }
        }
    }

    @Test
    void everyPacketKindFromCArrivesWithItsFlagsAndContent() throws Exception {
        int[] sizes = {0, 1, 1363, 1364, 1365, 4096, 100_000, 1_048_576};
        int[] flags = {1, 0, 2, 8};
        try (CPeer c = new CPeer(); ENetConnection server = new ENetConnection()) {
            server.createHostBound("127.0.0.1", 0, 4, 0);
            JenetSide side = new JenetSide(server);
            c.host(0, 1, 0, 0, 0);
            int id = c.connect("127.0.0.1", server.getLocalPort(), 4, 0);
            side.until(() -> side.count(EVENT_CONNECT) == 1, 5000);
            int seed = 1000;
            List<String> reliable = new ArrayList<>();
            Set<String> possible = new HashSet<>();
            for (int f : flags) {
                int ch = f == 1 ? 0 : f == 0 ? 1 : f == 2 ? 2 : 3;
                for (int size : sizes) {
                    c.cmd("send " + id + " " + ch + " " + f + " " + size + " " + seed);
                    String key = ch + ":" + size + ":" + Payloads.crc(Payloads.fill(size, seed));
                    if (f == 1) {
                        reliable.add(key);
                    }
                    possible.add(key);
                    seed++;
                    side.pump(2);
                }
            }
            side.until(() -> side.of(EVENT_RECEIVE).stream().filter(s -> s.event().channel() == 0).count() == sizes.length, 20_000);
            side.pump(200);
            List<String> gotReliable = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (JenetSide.Seen s : side.of(EVENT_RECEIVE)) {
                String key = s.event().channel() + ":" + s.packet().length + ":" + Payloads.crc(s.packet());
                assertThat(possible).as("intact").contains(key);
                assertThat(seen.add(key)).as("no duplicate").isTrue();
                if (s.event().channel() == 0) {
                    gotReliable.add(key);
                    assertThat(s.flags()).isEqualTo(ENetPacketPeer.FLAG_RELIABLE);
                }
                if (s.event().channel() == 2 && s.packet().length <= 1364) {
                    assertThat(s.flags()).isEqualTo(ENetPacketPeer.FLAG_UNSEQUENCED);
                }
                if (s.event().channel() == 3 && s.packet().length > 1364) {
                    assertThat(s.flags()).isEqualTo(ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT);
                }
            }
            assertThat(gotReliable).containsExactlyElementsOf(reliable);
            assertThat(seen.size()).isGreaterThanOrEqualTo(sizes.length * 3);
        }
    }

    private static List<DecodedDatagram> captured(CPeer c, boolean checksum) {
        List<DecodedDatagram> out = new ArrayList<>();
        for (String line : c.linesStartingWith("rx ")) {
            String[] f = line.split(" ");
            byte[] b = HexFormat.of().parseHex(f[2]);
            assertThat(b).hasSize(Integer.parseInt(f[1]));
            out.add(DatagramDecoder.decode(b, 0, b.length, checksum));
        }
        return out;
    }

    private static void assertFullyDecoded(List<DecodedDatagram> datagrams, Set<String> commandsSeen) {
        assertThat(datagrams).isNotEmpty();
        for (DecodedDatagram d : datagrams) {
            assertThat(d.compressed()).isFalse();
            assertThat(d.trailingBytes()).as("unparsed bytes in %s", d).isZero();
            assertThat(d.commands()).isNotEmpty();
            for (DecodedCommand cmd : d.commands()) {
                assertThat(cmd.number()).isBetween(Protocol.COMMAND_ACKNOWLEDGE, Protocol.COMMAND_SEND_UNRELIABLE_FRAGMENT);
                commandsSeen.add(cmd.name());
            }
        }
    }

    /**
     * Every captured datagram carries ENet's checksum: CRC-32 over the datagram with the field set
     * to the connect id (0 while the sender has no peer id, i.e. in its CONNECT), computed here
     * independently and checked against the field the decoder reports and against
     * {@link DatagramDecoder#verifyChecksum}.
     */
    private static void assertChecksums(List<String> rxLines) {
        List<byte[]> datagrams = new ArrayList<>();
        long connectID = -1;
        for (String line : rxLines) {
            byte[] b = HexFormat.of().parseHex(line.split(" ")[2]);
            datagrams.add(b);
            for (DecodedCommand cmd : DatagramDecoder.decode(b, 0, b.length, true).commands()) {
                if (cmd.number() == Protocol.COMMAND_CONNECT) {
                    connectID = cmd.field("connectID");
                }
            }
        }
        assertThat(connectID).as("a CONNECT was captured").isNotNegative();
        int checked = 0;
        for (byte[] b : datagrams) {
            DecodedDatagram d = DatagramDecoder.decode(b, 0, b.length, true);
            int key = d.peerID() == Protocol.MAXIMUM_PEER_ID ? 0 : (int) connectID;
            int at = d.hasSentTime() ? Protocol.HEADER_SIZE : Protocol.HEADER_SIZE_MINIMAL;
            byte[] copy = b.clone();
            ByteBuffer.wrap(copy, at, 4).putInt(key);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(copy);
            long want = crc.getValue(); // ENet stores it in network byte order
            assertThat(d.checksum()).as("checksum field of a %d-byte datagram", b.length).isEqualTo(want);
            assertThat(DatagramDecoder.verifyChecksum(b, 0, b.length, key)).as("verifyChecksum").isTrue();
            assertThat(DatagramDecoder.verifyChecksum(b, 0, b.length, key + 1)).as("verifyChecksum, wrong connect id").isFalse();
            checked++;
        }
        assertThat(checked).isGreaterThan(10);
    }

    /** A scripted session that makes a sender emit every command it can. */
    private static void exerciseFromC(CPeer sender, int id) {
        sender.cmd("send " + id + " 0 1 100 1");
        sender.cmd("send " + id + " 1 0 100 2");
        sender.cmd("send " + id + " 1 2 100 3");
        sender.cmd("send " + id + " 0 1 5000 4");
        sender.cmd("send " + id + " 1 8 5000 5");
        sender.cmd("throttle " + id + " 4000 3 3");
        sender.cmd("bandwidth 100000 200000");
        sender.cmd("ping " + id);
    }

    @Test
    void theDatagramsCEnetSendsDecodeCompletelyWithJenetsCodec() throws Exception {
        for (boolean checksum : new boolean[] {false, true}) {
            try (CPeer server = new CPeer(); CPeer client = new CPeer()) {
                if (checksum) {
                    server.cmd("checksum");
                    client.cmd("checksum");
                }
                // Capture first: the processes run on their own, and CONNECT must not beat the command.
                server.cmd("capture 1");
                client.cmd("capture 1");
                int port = server.host(0, 4, 0, 0, 0);
                client.host(0, 1, 0, 0, 0);
                int id = client.connect("127.0.0.1", port, 2, 5);
                server.awaitCount("connect ", 1, 5000);
                exerciseFromC(client, id);
                exerciseFromC(server, 0);
                server.awaitCount("receive ", 5, 10_000);
                client.awaitCount("receive ", 5, 10_000);
                // BANDWIDTH_LIMIT goes out with ENet's once-a-second bandwidth throttle.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (captured(server, checksum).stream().flatMap(d -> d.commands().stream())
                        .noneMatch(cmd -> cmd.number() == Protocol.COMMAND_BANDWIDTH_LIMIT)) {
                    assertThat(System.nanoTime()).as("a BANDWIDTH_LIMIT arrives").isLessThan(deadline);
                    server.awaitCount("rx ", server.linesStartingWith("rx ").size() + 1, 5000);
                }
                client.cmd("disconnect " + id + " 9");
                server.awaitCount("disconnect ", 1, 5000);
                Set<String> seen = new HashSet<>();
                assertFullyDecoded(captured(server, checksum), seen);
                assertFullyDecoded(captured(client, checksum), seen);
                assertThat(seen).containsExactlyInAnyOrder("ACKNOWLEDGE", "CONNECT", "VERIFY_CONNECT", "DISCONNECT", "PING",
                        "SEND_RELIABLE", "SEND_UNRELIABLE", "SEND_FRAGMENT", "SEND_UNSEQUENCED", "BANDWIDTH_LIMIT",
                        "THROTTLE_CONFIGURE", "SEND_UNRELIABLE_FRAGMENT");
                if (checksum) {
                    assertChecksums(server.linesStartingWith("rx "));
                }
            }
        }
    }

    @Test
    void theDatagramsJenetSendsAreAcceptedByCAndDecodeCompletely() throws Exception {
        try (CPeer c = new CPeer(); ENetConnection client = new ENetConnection()) {
            c.cmd("capture 1");
            int port = c.host(0, 4, 0, 0, 0);
            client.createHost(1, 0, 50_000, 60_000);
            JenetSide side = new JenetSide(client);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 2, 5);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 5000);
            peer.send(0, Payloads.fill(100, 1), ENetPacketPeer.FLAG_RELIABLE);
            peer.send(1, Payloads.fill(100, 2), 0);
            peer.send(1, Payloads.fill(100, 3), ENetPacketPeer.FLAG_UNSEQUENCED);
            peer.send(0, Payloads.fill(5000, 4), ENetPacketPeer.FLAG_RELIABLE);
            peer.send(1, Payloads.fill(5000, 5), ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT);
            peer.throttleConfigure(4000, 3, 3);
            peer.ping();
            side.until(() -> c.linesStartingWith("receive ").size() == 5, 10_000);
            // Let the once-a-second bandwidth throttle send BANDWIDTH_LIMIT.
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                side.pump(10);
            }
            peer.peerDisconnect(3);
            side.until(() -> !c.linesStartingWith("disconnect ").isEmpty(), 5000);
            assertThat(c.linesStartingWith("disconnect ")).containsExactly("disconnect 0 3");
            assertThat(c.linesStartingWith("receive ")).containsExactlyInAnyOrder(
                    "receive 0 0 1 100 " + Payloads.crc(Payloads.fill(100, 1)),
                    "receive 0 1 0 100 " + Payloads.crc(Payloads.fill(100, 2)),
                    "receive 0 1 2 100 " + Payloads.crc(Payloads.fill(100, 3)),
                    "receive 0 0 1 5000 " + Payloads.crc(Payloads.fill(5000, 4)),
                    "receive 0 1 8 5000 " + Payloads.crc(Payloads.fill(5000, 5)));
            Set<String> seen = new HashSet<>();
            assertFullyDecoded(captured(c, false), seen);
            assertThat(seen).contains("CONNECT", "ACKNOWLEDGE", "SEND_RELIABLE", "SEND_UNRELIABLE", "SEND_UNSEQUENCED", "SEND_FRAGMENT",
                    "SEND_UNRELIABLE_FRAGMENT", "THROTTLE_CONFIGURE", "PING", "BANDWIDTH_LIMIT", "DISCONNECT");
        }
    }
}

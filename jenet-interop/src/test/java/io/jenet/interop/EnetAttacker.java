package io.jenet.interop;

import static io.jenet.internal.protocol.Protocol.*;

import io.jenet.internal.protocol.CommandWriter;
import io.jenet.internal.protocol.Protocol;
import io.jenet.internal.protocol.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Hostile ENet peers that play by the handshake: each completes a real ENet connection over its
 * own UDP socket (CONNECT, VERIFY_CONNECT, acknowledgement), acknowledges every reliable command
 * the server sends so it is never timed out, and then sends what it likes: here, fragments of
 * packets it never finishes. Driven from the test thread by {@link #pump()}; no threads.
 */
final class EnetAttacker implements AutoCloseable {
    /** One attacking connection. */
    static final class Connection {
        final DatagramChannel socket;
        int serverPeerID = -1;
        int outgoingSession;
        int nextStartSequence = 1;
        long sent;

        Connection(DatagramChannel socket) {
            this.socket = socket;
        }

        boolean connected() {
            return serverPeerID >= 0;
        }
    }

    private final InetSocketAddress server;
    final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer in = ByteBuffer.allocate(65536);
    private final byte[] out = new byte[4096];
    private final SplittableRandom random = new SplittableRandom(42);
    private final long started = System.nanoTime();
    /** Whether reliable commands from the server are acknowledged (false: a peer that never acknowledges). */
    boolean acknowledge = true;
    long received;

    EnetAttacker(InetSocketAddress server) {
        this.server = server;
    }

    private int now16() {
        return (int) ((System.nanoTime() - started) / 1_000_000) & 0xFFFF;
    }

    /** Opens {@code n} connections and sends each a CONNECT with {@code channels} channels. */
    void connect(int n, int channels) throws IOException {
        for (int i = 0; i < n; i++) {
            DatagramChannel s = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            s.configureBlocking(false);
            Connection c = new Connection(s);
            connections.add(c);
            sendConnect(c, channels);
        }
    }

    private void sendConnect(Connection c, int channels) throws IOException {
        int p = header(MAXIMUM_PEER_ID, 0);
        p += CommandWriter.connect(out, p, connections.indexOf(c), 0xFF, 0xFF, 1392, 65536, channels, 0, 0, 5000, 2, 2,
                random.nextInt() | 1, 0);
        CommandWriter.reliableSequenceNumber(out, 4, 1);
        c.socket.send(ByteBuffer.wrap(out, 0, p), server);
    }

    private int header(int peerID, int session) {
        Wire.put16(out, 0, peerID | (session << HEADER_SESSION_SHIFT) | HEADER_FLAG_SENT_TIME);
        Wire.put16(out, 2, now16());
        return 4;
    }

    /** Reads what the server sent, completes handshakes and acknowledges reliable commands. */
    void pump() throws IOException {
        for (Connection c : connections) {
            while (true) {
                in.clear();
                if (c.socket.receive(in) == null) {
                    break;
                }
                received++;
                handle(c, in.array(), in.position());
            }
        }
    }

    private void handle(Connection c, byte[] d, int length) throws IOException {
        if (length < 4) {
            return;
        }
        int word = Wire.u16(d, 0);
        boolean sentTime = (word & HEADER_FLAG_SENT_TIME) != 0;
        if ((word & HEADER_FLAG_COMPRESSED) != 0) {
            return;
        }
        int receivedSentTime = sentTime ? Wire.u16(d, 2) : 0;
        int p = sentTime ? 4 : 2;
        List<int[]> acks = new ArrayList<>();
        while (p + COMMAND_HEADER_SIZE <= length) {
            int command = Wire.u8(d, p);
            int number = command & COMMAND_MASK;
            int size = Protocol.commandSize(number);
            if (size == 0 || p + size > length) {
                return;
            }
            int channel = Wire.u8(d, p + CHANNEL_ID_OFFSET);
            int sequence = Wire.u16(d, p + RELIABLE_SEQUENCE_NUMBER_OFFSET);
            if (number == COMMAND_VERIFY_CONNECT && !c.connected()) {
                c.serverPeerID = Wire.u16(d, p + CONNECT_OUTGOING_PEER_ID_OFFSET);
                c.outgoingSession = Wire.u8(d, p + CONNECT_OUTGOING_SESSION_ID_OFFSET);
            }
            if ((command & COMMAND_FLAG_ACKNOWLEDGE) != 0) {
                acks.add(new int[] {channel, sequence});
            }
            int next = p + size;
            int lengthAt = Protocol.dataLengthOffset(number);
            if (lengthAt > 0) {
                next += Wire.u16(d, p + lengthAt);
            }
            p = next;
        }
        if (c.connected() && (acknowledge || acks.stream().anyMatch(a -> a[0] == 0xFF && a[1] == 1))) {
            int q = header(c.serverPeerID, c.outgoingSession);
            for (int[] a : acks) {
                if (q + ACKNOWLEDGE_SIZE > out.length) {
                    break;
                }
                q += CommandWriter.acknowledge(out, q, a[0], a[1], receivedSentTime);
            }
            if (q > 4) {
                c.socket.send(ByteBuffer.wrap(out, 0, q), server);
            }
        }
    }

    /**
     * Sends one fragment of a reliable (or unreliable) fragmented packet of {@code totalLength}
     * bytes on {@code channel}: the fragment at {@code offset}, {@code length} bytes.
     */
    void fragment(Connection c, int channel, boolean reliable, int startSequence, int totalLength, int offset, int length)
            throws IOException {
        int fragmentSize = 1364;
        int fragmentCount = (totalLength + fragmentSize - 1) / fragmentSize;
        int number = offset / fragmentSize;
        int p = header(c.serverPeerID, c.outgoingSession);
        int command = reliable ? COMMAND_SEND_FRAGMENT | COMMAND_FLAG_ACKNOWLEDGE : COMMAND_SEND_UNRELIABLE_FRAGMENT;
        p += CommandWriter.sendFragment(out, p, command, channel, startSequence, length, fragmentCount, number, totalLength, offset);
        CommandWriter.reliableSequenceNumber(out, 4, reliable ? (startSequence + number) & 0xFFFF : 0);
        Arrays.fill(out, p, p + length, (byte) number);
        p += length;
        c.socket.send(ByteBuffer.wrap(out, 0, p), server);
        c.sent++;
    }

    /** Sends a reliable packet of {@code length} bytes (one command, no fragments) on {@code channel}. */
    void reliable(Connection c, int channel, int sequence, int length) throws IOException {
        int p = header(c.serverPeerID, c.outgoingSession);
        p += CommandWriter.sendReliable(out, p, channel, length);
        CommandWriter.reliableSequenceNumber(out, 4, sequence & 0xFFFF);
        Arrays.fill(out, p, p + length, (byte) sequence);
        p += length;
        c.socket.send(ByteBuffer.wrap(out, 0, p), server);
        c.sent++;
    }

    long connectedCount() {
        return connections.stream().filter(Connection::connected).count();
    }

    @Override
    public void close() throws IOException {
        for (Connection c : connections) {
            c.socket.close();
        }
    }
}

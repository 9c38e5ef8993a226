package io.jenet.bench;

import io.jenet.internal.engine.Event;
import io.jenet.internal.engine.Host;
import io.jenet.internal.engine.Packet;
import io.jenet.internal.engine.Peer;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's send and receive path in memory (no sockets): two connected hosts, a batch of
 * packets sent by one and delivered to the other, acknowledgements returned. One operation = one
 * packet end to end. Run with {@code -prof gc} for bytes allocated per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class EngineBenchmark {
    private static final int BATCH = 100;

    @Param({"64", "1200"})
    public int size;

    @Param({"1", "0"})
    public int flags;

    private Host a;
    private Host b;
    private Peer peer;
    /** The in-memory network: preallocated datagram slots, so the benchmark itself allocates nothing. */
    private static final class Wire {
        final byte[][] slots = new byte[512][4200];
        final int[] lengths = new int[512];
        int head;
        int tail;

        int put(byte[] data, int off, int len) {
            System.arraycopy(data, off, slots[tail], 0, len);
            lengths[tail] = len;
            tail = (tail + 1) & 511;
            return len;
        }

        boolean isEmpty() {
            return head == tail;
        }
    }

    private final Wire toA = new Wire();
    private final Wire toB = new Wire();
    private final InetSocketAddress addressA = new InetSocketAddress("10.0.0.1", 1);
    private final InetSocketAddress addressB = new InetSocketAddress("10.0.0.2", 2);
    private final Event event = new Event();
    private byte[] payload;
    private long now = 1000;

    @Setup(Level.Trial)
    public void setUp() {
        a = new Host(1, 0, 0, 0, (to, data, off, len) -> toB.put(data, off, len), new SplittableRandom(1));
        b = new Host(1, 0, 0, 0, (to, data, off, len) -> toA.put(data, off, len), new SplittableRandom(2));
        peer = a.connect(addressB, 1, 0);
        for (int i = 0; i < 20 && peer.state() != Peer.STATE_CONNECTED; i++) {
            pump();
        }
        if (peer.state() != Peer.STATE_CONNECTED) {
            throw new IllegalStateException("not connected");
        }
        payload = new byte[size];
    }

    private int pump() {
        int received = 0;
        now++;
        a.service(now);
        while (!toB.isEmpty()) {
            b.receive(toB.slots[toB.head], 0, toB.lengths[toB.head], addressA, now);
            toB.head = (toB.head + 1) & 511;
        }
        b.service(now);
        while (b.checkEvents(event)) {
            if (event.type == Event.TYPE_RECEIVE) {
                received++;
                // As ENetPacketPeer.getPacket(ByteBuffer) does after copying the bytes out.
                b.recycle(event.packet);
            }
        }
        while (!toA.isEmpty()) {
            a.receive(toA.slots[toA.head], 0, toA.lengths[toA.head], addressB, now);
            toA.head = (toA.head + 1) & 511;
        }
        while (a.checkEvents(event)) {
            // acknowledgements only
        }
        return received;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sendAndDeliver() {
        for (int i = 0; i < BATCH; i++) {
            peer.send(0, a.createPacket(payload, 0, payload.length, flags));
        }
        int received = 0;
        while (received < BATCH * 95 / 100) {
            received += pump();
            if (received == 0 && flags == 0) {
                break;
            }
        }
        return received;
    }
}

package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_NONE;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * One connected peer sends more than the host can take (unreliable 1200-byte packets from its own
 * thread, as fast as it can) while 8 honest peers ping the same server with reliable packets every
 * 10 ms, over real loopback UDP. With a per-peer incoming limit the flooder is held to it and the
 * honest peers' pings keep arriving during the flood, all of them, in order. What is asserted is
 * counts and order (they hold however loaded the machine); the round trips and the same run without
 * the limit are measured and printed beside it (docs/BENCHMARKS.md quotes them), never asserted.
 */
class DataFloodTest {
    private static final int HONEST = 8;
    private static final int LIMIT = 2_000_000; // bytes per second per peer
    private static final long FLOOD_MS = 3000;

    /** What a run measured. */
    private record Result(long[] honestRtts, int pingsEchoed, int pingsSent, int echoedDuringFlood, int sentDuringFlood,
            long floodSent, long floodReceived, long throttled, long floodMillis) {
        long percentile(double p) {
            long[] s = honestRtts.clone();
            Arrays.sort(s);
            return s.length == 0 ? -1 : s[Math.min(s.length - 1, (int) (s.length * p))];
        }

        String describe() {
            return String.format("honest pings %d/%d echoed (%d of the %d sent during the flood echoed before its end),"
                    + " RTT p50 %d us p99 %d us max %d us; flooder sent %d, server took %d"
                    + " (%.1f MB/s), throttled %d", pingsEchoed, pingsSent, echoedDuringFlood, sentDuringFlood, percentile(0.5) / 1000, percentile(0.99) / 1000,
                    percentile(1.0) / 1000, floodSent, floodReceived, floodReceived * 1200.0 / 1e6 / (floodMillis / 1000.0), throttled);
        }
    }

    private static Result run(long limit) throws Exception {
        try (ENetConnection server = new ENetConnection()) {
            server.setPeerIncomingLimit(limit);
            server.createHostBound("127.0.0.1", 0, HONEST + 2, 2);
            int port = server.getLocalPort();
            List<ENetConnection> clients = new ArrayList<>();
            List<ENetPacketPeer> toServer = new ArrayList<>();
            for (int i = 0; i < HONEST; i++) {
                ENetConnection c = new ENetConnection();
                c.createHost(1, 2);
                clients.add(c);
                toServer.add(c.connectToHost("127.0.0.1", port, 2, i));
            }
            ENetConnection flooderHost = new ENetConnection();
            flooderHost.createHost(1, 2);
            ENetPacketPeer flooderPeer = flooderHost.connectToHost("127.0.0.1", port, 2, 99);
            List<ENetConnection> all = new ArrayList<>(clients);
            all.add(flooderHost);
            all.add(server);
            Loop loop = new Loop(all.toArray(new ENetConnection[0]));
            loop.until(() -> loop.count(server, EVENT_CONNECT) == HONEST + 1 && flooderPeer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED, 10_000);
            ENetPacketPeer flooderOnServer = null;
            for (Loop.Seen s : loop.of(server, EVENT_CONNECT)) {
                if (s.event().data() == 99) {
                    flooderOnServer = s.event().peer();
                }
            }

            AtomicLong floodSent = new AtomicLong();
            AtomicReference<Throwable> flooderFailure = new AtomicReference<>();
            Thread flooder = new Thread(() -> {
                try {
                    byte[] junk = new byte[1200];
                    while (!Thread.currentThread().isInterrupted()) {
                        for (int k = 0; k < 64; k++) {
                            flooderPeer.send(1, junk, ENetPacketPeer.FLAG_UNSEQUENCED);
                        }
                        floodSent.addAndGet(64);
                        for (ENetEvent e = flooderHost.service(0); e.type() != EVENT_NONE; e = flooderHost.service(0)) {
                            if (e.type() != EVENT_RECEIVE) {
                                throw new AssertionError("flooder got " + e.type());
                            }
                        }
                    }
                } catch (Throwable t) {
                    flooderFailure.set(t);
                }
            }, "data-flooder");

            int[] nextEcho = new int[HONEST];
            int[] sent = new int[HONEST];
            List<Long> rtts = new ArrayList<>();
            long floodReceived = 0;
            ByteBuffer ping = ByteBuffer.allocate(16);
            flooder.start();
            long start = System.nanoTime();
            long nextPing = start;
            try {
                while (System.nanoTime() - start < FLOOD_MS * 1_000_000L) {
                    if (System.nanoTime() >= nextPing) {
                        for (int i = 0; i < HONEST; i++) {
                            ping.clear();
                            ping.putInt(i).putInt(sent[i]++).putLong(System.nanoTime());
                            toServer.get(i).send(0, ping.array(), ENetPacketPeer.FLAG_RELIABLE);
                        }
                        nextPing += 10_000_000L;
                    }
                    for (ENetEvent e = server.service(0); e.type() != EVENT_NONE; e = server.service(0)) {
                        if (e.type() == EVENT_RECEIVE) {
                            if (e.channel() == 1) {
                                floodReceived++;
                                e.peer().getPacket();
                            } else {
                                e.peer().send(0, e.peer().getPacket(), ENetPacketPeer.FLAG_RELIABLE);
                            }
                        }
                        assertThat(e.type()).as("no peer drops out").isNotEqualTo(EVENT_DISCONNECT);
                    }
                    for (int i = 0; i < HONEST; i++) {
                        ENetConnection c = clients.get(i);
                        for (ENetEvent e = c.service(0); e.type() != EVENT_NONE; e = c.service(0)) {
                            assertThat(e.type()).as("honest peer %d stays connected", i).isEqualTo(EVENT_RECEIVE);
                            ByteBuffer echo = ByteBuffer.wrap(e.peer().getPacket());
                            assertThat(echo.getInt()).isEqualTo(i);
                            assertThat(echo.getInt()).as("echo order of peer %d", i).isEqualTo(nextEcho[i]++);
                            rtts.add(System.nanoTime() - echo.getLong());
                        }
                    }
                    LockSupport.parkNanos(100_000); // pacing of this loop, not synchronisation
                }
            } finally {
                flooder.interrupt();
                flooder.join(10_000);
            }
            assertThat(flooder.isAlive()).as("flooder thread stopped").isFalse();
            if (flooderFailure.get() != null) {
                throw new AssertionError("the flooder thread failed", flooderFailure.get());
            }
            long floodMillis = (System.nanoTime() - start) / 1_000_000L;
            int sentDuringFlood = Arrays.stream(sent).sum();
            int echoedDuringFlood = Arrays.stream(nextEcho).sum();
            // Let the last pings come back (reliable: none may be lost).
            int pings = Arrays.stream(sent).sum();
            long drainDeadline = System.nanoTime() + 20_000_000_000L;
            while (Arrays.stream(nextEcho).sum() < pings) {
                assertThat(System.nanoTime()).as("every ping echoed within 20 s").isLessThan(drainDeadline);
                for (ENetEvent e = server.service(0); e.type() != EVENT_NONE; e = server.service(0)) {
                    if (e.type() == EVENT_RECEIVE && e.channel() == 0) {
                        e.peer().send(0, e.peer().getPacket(), ENetPacketPeer.FLAG_RELIABLE);
                    }
                }
                for (int i = 0; i < HONEST; i++) {
                    for (ENetEvent e = clients.get(i).service(0); e.type() != EVENT_NONE; e = clients.get(i).service(0)) {
                        if (e.type() == EVENT_RECEIVE) {
                            ByteBuffer echo = ByteBuffer.wrap(e.peer().getPacket());
                            echo.getInt();
                            assertThat(echo.getInt()).isEqualTo(nextEcho[i]++);
                        }
                    }
                }
                LockSupport.parkNanos(100_000);
            }
            long throttled = flooderOnServer.isActive() ? flooderOnServer.getThrottledDatagrams() : -1;
            long[] r = rtts.stream().mapToLong(Long::longValue).toArray();
            for (ENetConnection c : clients) {
                c.destroy();
            }
            flooderHost.destroy();
            return new Result(r, Arrays.stream(nextEcho).sum(), pings, echoedDuringFlood, sentDuringFlood, floodSent.get(),
                    floodReceived, throttled, floodMillis);
        }
    }

    @Test
    void aFloodingPeerIsHeldToTheLimitAndHonestPeersAreServedDuringTheFlood() throws Exception {
        Result unlimited = run(0);
        System.out.println("[data flood] no per-peer limit: " + unlimited.describe());
        Result limited = run(LIMIT);
        System.out.println("[data flood] per-peer limit " + LIMIT / 1_000_000 + " MB/s: " + limited.describe());

        assertThat(unlimited.pingsEchoed()).isEqualTo(unlimited.pingsSent());
        assertThat(limited.pingsEchoed()).isEqualTo(limited.pingsSent());
        // Held to the limit: the token bucket passes at most its quarter-second burst on top of it
        // (a ceiling: a slower machine only takes less).
        double tookBytesPerSecond = limited.floodReceived() * 1200.0 / (limited.floodMillis() / 1000.0);
        assertThat(tookBytesPerSecond).as("flood bytes/s the server took").isLessThan(LIMIT * 1.5);
        assertThat(limited.floodReceived()).as("the flooder's packets delivered up to the limit").isPositive();
        assertThat(limited.throttled()).as("the flooder's datagrams dropped").isPositive();
        // The honest peers are served during the flood, not after it: most of their pings come
        // back before it ends (the last ones sent are still in flight then).
        assertThat(limited.echoedDuringFlood()).as("honest pings echoed during the flood, of %d sent", limited.sentDuringFlood())
                .isGreaterThanOrEqualTo(limited.sentDuringFlood() / 2);
    }
}

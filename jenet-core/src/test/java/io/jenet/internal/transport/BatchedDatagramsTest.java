package io.jenet.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jenet.internal.engine.Host;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link DatagramNetwork#UDP}'s endpoints over real loopback sockets, whichever
 * path this JVM takes: batched ({@code recvmmsg}/{@code sendmmsg}, Java 22+ from the jar; the
 * build runs this class there with {@code -Djenet.datagrams=batched}) or {@code DatagramChannel}.
 * Batches are filled on purpose: more datagrams than one system call takes, oversized and empty
 * ones among them, several senders, a failing destination in the middle of a send batch.
 */
class BatchedDatagramsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private DatagramEndpoint endpoint() throws IOException {
        DatagramEndpoint e = DatagramNetwork.UDP.bind(new InetSocketAddress(LOOPBACK, 0));
        open.add(e);
        return e;
    }

    private DatagramChannel channel(InetAddress address) throws IOException {
        DatagramChannel c = DatagramChannel.open();
        open.add(c);
        c.bind(new InetSocketAddress(address, 0));
        return c;
    }

    private static boolean batched(DatagramEndpoint e) {
        return e.getClass().getSimpleName().equals("BatchedUdpEndpoint");
    }

    private static byte[] payload(int seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Receives until {@code count} datagrams came or the deadline passed. */
    private static List<byte[]> receive(DatagramEndpoint e, int count, List<InetSocketAddress> senders) throws IOException {
        List<byte[]> got = new ArrayList<>();
        byte[] into = new byte[65536];
        int[] length = new int[1];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < count && System.nanoTime() < deadline) {
            InetSocketAddress from = e.receive(into, length);
            if (from == null) {
                e.flush();
                e.await(50);
                continue;
            }
            got.add(length[0] > Host.RECEIVE_BUFFER_SIZE ? null : Arrays.copyOf(into, length[0]));
            senders.add(from);
        }
        return got;
    }

    @Test
    void theBatchedPathIsTakenWhereTheBuildSaysItMustBe() throws IOException {
        DatagramEndpoint e = endpoint();
        if (Boolean.getBoolean("jenet.expectBatched")) {
            assertThat(NativeDatagrams.unavailable()).isNull();
            assertThat(batched(e)).as(e.toString()).isTrue();
            assertThat(UdpEndpoints.describe()).startsWith("batched");
        } else {
            assertThat(UdpEndpoints.describe()).isNotBlank();
            assumeTrue(batched(e), "this JVM runs jenet's Java 17 classes: " + NativeDatagrams.unavailable());
        }
    }

    @Test
    void everyDatagramOfSeveralBatchesArrivesWholeInOrderWithItsSender() throws IOException {
        DatagramEndpoint e = endpoint();
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, e.localPort());
        DatagramChannel a = channel(LOOPBACK);
        DatagramChannel b = channel(LOOPBACK);
        // 150 datagrams (several recvmmsg batches), sizes from 0 to a full ENet datagram, two senders.
        List<byte[]> sent = new ArrayList<>();
        List<InetSocketAddress> from = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            byte[] p = payload(i, i == 0 ? 0 : (i * 97) % (Host.RECEIVE_BUFFER_SIZE + 1));
            DatagramChannel c = i % 3 == 0 ? b : a;
            c.send(ByteBuffer.wrap(p), to);
            sent.add(p);
            from.add((InetSocketAddress) c.getLocalAddress());
        }
        List<InetSocketAddress> senders = new ArrayList<>();
        List<byte[]> got = receive(e, 150, senders);
        assertThat(got).hasSize(150);
        // Loopback keeps one sender's order; compare per sender.
        for (DatagramChannel c : List.of(a, b)) {
            InetSocketAddress who = (InetSocketAddress) c.getLocalAddress();
            List<byte[]> want = new ArrayList<>();
            List<byte[]> have = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                if (from.get(i).equals(who)) {
                    want.add(sent.get(i));
                }
                if (senders.get(i).equals(who)) {
                    have.add(got.get(i));
                }
            }
            assertThat(have).hasSize(want.size());
            for (int i = 0; i < want.size(); i++) {
                assertThat(have.get(i)).as("datagram %d from %s", i, who).isEqualTo(want.get(i));
            }
        }
        assertThat(senders).allSatisfy(s -> assertThat(s.getAddress()).isInstanceOf(Inet4Address.class));
        assertThat(senders).containsOnly((InetSocketAddress) a.getLocalAddress(), (InetSocketAddress) b.getLocalAddress());
    }

    @Test
    void oversizedDatagramsInABatchAreMarkedAndTheirNeighboursArriveIntact() throws IOException {
        DatagramEndpoint e = endpoint();
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, e.localPort());
        DatagramChannel c = channel(LOOPBACK);
        int[] sizes = {10, 5000, 0, 65000, 4160, 4161, 9000, 1};
        for (int i = 0; i < sizes.length; i++) {
            c.send(ByteBuffer.wrap(payload(100 + i, sizes[i])), to);
        }
        List<InetSocketAddress> senders = new ArrayList<>();
        List<byte[]> got = receive(e, sizes.length, senders);
        assertThat(got).hasSize(sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > Host.RECEIVE_BUFFER_SIZE) {
                assertThat(got.get(i)).as("datagram %d (%d B) is marked oversized", i, sizes[i]).isNull();
            } else {
                assertThat(got.get(i)).as("datagram %d (%d B)", i, sizes[i]).isEqualTo(payload(100 + i, sizes[i]));
            }
        }
    }

    @Test
    void queuedSendsGoOutInOrderToEachDestinationIncludingOnesLargerThanASlot() throws IOException {
        DatagramEndpoint e = endpoint();
        DatagramChannel b = channel(LOOPBACK);
        DatagramChannel c = channel(LOOPBACK);
        b.configureBlocking(false);
        c.configureBlocking(false);
        List<byte[]> toB = new ArrayList<>();
        List<byte[]> toC = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // Every 17th is larger than any batch slot: it must not overtake what was queued before it.
            byte[] p = payload(1000 + i, i % 17 == 5 ? 20_000 + i : 1 + i * 13);
            boolean even = i % 2 == 0;
            assertThat(e.send((InetSocketAddress) (even ? b : c).getLocalAddress(), p, 0, p.length)).isEqualTo(p.length);
            (even ? toB : toC).add(p);
        }
        assertThat(e.flush()).isTrue();
        assertThat(drain(b, toB.size())).containsExactlyElementsOf(toB.stream().map(Arrays::toString).toList());
        assertThat(drain(c, toC.size())).containsExactlyElementsOf(toC.stream().map(Arrays::toString).toList());
    }

    /**
     * The fragments of a large packet: runs of equal datagrams to one destination (the batched
     * path sends each run as one UDP_SEGMENT message), broken by a shorter one, by another
     * destination, and by a longer one; every datagram arrives whole and in order.
     */
    @Test
    void runsOfEqualDatagramsArriveAsTheDatagramsTheyWere() throws Exception {
        DatagramEndpoint e = endpoint();
        DatagramChannel b = channel(LOOPBACK);
        DatagramChannel c = channel(LOOPBACK);
        b.configureBlocking(false);
        c.configureBlocking(false);
        InetSocketAddress toB = (InetSocketAddress) b.getLocalAddress();
        InetSocketAddress toC = (InetSocketAddress) c.getLocalAddress();
        List<byte[]> forB = new ArrayList<>();
        List<byte[]> forC = new ArrayList<>();
        int[] sizes = {1392, 1392, 1392, 1392, 1392, 700, 1392, 1392, 1500, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392,
            1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 1392, 40};
        for (int i = 0; i < sizes.length; i++) {
            byte[] p = payload(5000 + i, sizes[i]);
            boolean other = i == 12 || i == 13;
            e.send(other ? toC : toB, p, 0, p.length);
            (other ? forC : forB).add(p);
        }
        assertThat(e.flush()).isTrue();
        assertThat(drain(b, forB.size())).containsExactlyElementsOf(forB.stream().map(Arrays::toString).toList());
        assertThat(drain(c, forC.size())).containsExactlyElementsOf(forC.stream().map(Arrays::toString).toList());
        if (batched(e)) {
            java.lang.reflect.Method segmented = e.getClass().getDeclaredMethod("segmentedSends");
            segmented.setAccessible(true);
            assertThat((long) segmented.invoke(e)).as("runs sent as UDP_SEGMENT messages").isGreaterThanOrEqualTo(3);
        }
    }

    /** Offsets into the caller's array are honoured. */
    @Test
    void aSendTakesTheGivenRangeOfTheArray() throws IOException {
        DatagramEndpoint e = endpoint();
        DatagramChannel b = channel(LOOPBACK);
        b.configureBlocking(false);
        byte[] big = payload(7, 300);
        e.send((InetSocketAddress) b.getLocalAddress(), big, 100, 50);
        assertThat(e.flush()).isTrue();
        assertThat(drain(b, 1)).containsExactly(Arrays.toString(Arrays.copyOfRange(big, 100, 150)));
    }

    private static List<String> drain(DatagramChannel c, int count) throws IOException {
        List<String> got = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < count && System.nanoTime() < deadline) {
            buffer.clear();
            if (c.receive(buffer) == null) {
                Thread.onSpinWait();
                continue;
            }
            buffer.flip();
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            got.add(Arrays.toString(b));
        }
        return got;
    }

    @Test
    void aDestinationThatFailsInTheMiddleOfABatchIsReportedAndTheRestIsSent() throws IOException {
        // Bound to 127.0.0.1, a socket cannot send to a non-loopback address (EINVAL).
        DatagramEndpoint e = endpoint();
        DatagramChannel b = channel(LOOPBACK);
        b.configureBlocking(false);
        InetSocketAddress good = (InetSocketAddress) b.getLocalAddress();
        InetSocketAddress unreachable = new InetSocketAddress("192.0.2.1", 9);
        byte[] one = payload(1, 40);
        byte[] two = payload(2, 41);
        e.send(good, one, 0, one.length);
        int bad = e.send(unreachable, one, 0, one.length);
        e.send(good, two, 0, two.length);
        boolean flushed = e.flush();
        assertThat(bad < 0 || !flushed).as("the failed send is reported, at once or at flush").isTrue();
        assertThat(e.lastSendError()).isNotNull();
        assertThat(drain(b, 2)).containsExactly(Arrays.toString(one), Arrays.toString(two));
        // Reported once: the next flush of good datagrams is clean.
        e.send(good, two, 0, two.length);
        assertThat(e.flush()).isTrue();
    }

    @Test
    void anUnresolvedDestinationIsAnErrorNotAnException() throws IOException {
        DatagramEndpoint e = endpoint();
        byte[] p = payload(3, 10);
        int sent = e.send(InetSocketAddress.createUnresolved("nowhere.invalid", 9), p, 0, p.length);
        assertThat(sent < 0 || !e.flush()).isTrue();
        assertThat(e.lastSendError()).isNotNull();
    }

    @Test
    void wakeupEndsAWaitFromAnotherThread() throws Exception {
        DatagramEndpoint e = endpoint();
        CountDownLatch waiting = new CountDownLatch(1);
        long[] waited = new long[1];
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            waiting.countDown();
            try {
                e.await(60_000);
            } catch (IOException ex) {
                throw new RuntimeException(ex);
            }
            waited[0] = System.nanoTime() - start;
        });
        t.start();
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        // The wake-up may come before the wait starts; it must not be lost either way.
        e.wakeup();
        t.join(20_000);
        assertThat(t.isAlive()).as("await(60 s) still blocked after wakeup()").isFalse();
        assertThat(waited[0]).isLessThan(TimeUnit.SECONDS.toNanos(20));
    }

    /** Another thread may wake an endpoint that is being or has been closed (a shard's destroy does). */
    @Test
    void wakeupAfterOrDuringCloseIsHarmless() throws Exception {
        for (int i = 0; i < 20; i++) {
            DatagramEndpoint e = DatagramNetwork.UDP.bind(new InetSocketAddress(LOOPBACK, 0));
            Thread waker = new Thread(() -> {
                for (int k = 0; k < 200; k++) {
                    e.wakeup();
                }
            });
            waker.start();
            e.close();
            waker.join(10_000);
            e.wakeup();
            e.close();
        }
    }

    @Test
    void aWaitEndsWhenADatagramArrives() throws Exception {
        DatagramEndpoint e = endpoint();
        DatagramChannel c = channel(LOOPBACK);
        c.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress(LOOPBACK, e.localPort()));
        long start = System.nanoTime();
        e.await(60_000);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(20));
        List<InetSocketAddress> senders = new ArrayList<>();
        assertThat(receive(e, 1, senders)).singleElement().isEqualTo(new byte[] {1, 2, 3});
    }

    @Test
    void ipv6SendersComeBackAsIpv6() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        DatagramEndpoint e;
        DatagramChannel c;
        try {
            e = DatagramNetwork.UDP.bind(new InetSocketAddress(v6, 0));
            open.add(e);
            c = channel(v6);
        } catch (IOException noIpv6) {
            assumeTrue(false, "no IPv6 loopback here: " + noIpv6);
            return;
        }
        c.send(ByteBuffer.wrap(new byte[] {9}), new InetSocketAddress(v6, e.localPort()));
        List<InetSocketAddress> senders = new ArrayList<>();
        assertThat(receive(e, 1, senders)).singleElement().isEqualTo(new byte[] {9});
        assertThat(senders.get(0).getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(v6);
        assertThat(senders.get(0).getPort()).isEqualTo(((InetSocketAddress) c.getLocalAddress()).getPort());
        byte[] back = {4, 5};
        e.send(senders.get(0), back, 0, 2);
        assertThat(e.flush()).isTrue();
        c.configureBlocking(false);
        assertThat(drain(c, 1)).containsExactly(Arrays.toString(back));
    }

    @Test
    void manySendersAreTellApartThroughTheAddressCache() throws IOException {
        DatagramEndpoint e = endpoint();
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, e.localPort());
        List<DatagramChannel> senders = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            senders.add(channel(LOOPBACK));
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < senders.size(); i++) {
                senders.get(i).send(ByteBuffer.wrap(new byte[] {(byte) i, (byte) round}), to);
            }
        }
        List<InetSocketAddress> from = new ArrayList<>();
        List<byte[]> got = receive(e, 180, from);
        assertThat(got).hasSize(180);
        for (int k = 0; k < got.size(); k++) {
            int i = got.get(k)[0];
            assertThat(from.get(k)).isEqualTo(senders.get(i).getLocalAddress());
        }
    }

    @Test
    void sharedPortsBindTogetherAndUnsharedOnesDoNot() throws IOException {
        DatagramEndpoint first = DatagramNetwork.UDP.bindShared(new InetSocketAddress(LOOPBACK, 0));
        open.add(first);
        DatagramEndpoint second = DatagramNetwork.UDP.bindShared(new InetSocketAddress(LOOPBACK, first.localPort()));
        open.add(second);
        assertThat(second.localPort()).isEqualTo(first.localPort());
        assertThat(second.getClass()).isEqualTo(first.getClass());
        assertThatThrownBy(() -> DatagramNetwork.UDP.bind(new InetSocketAddress(LOOPBACK, first.localPort())))
                .isInstanceOf(BindException.class);
    }
}

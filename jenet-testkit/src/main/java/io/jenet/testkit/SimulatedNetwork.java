package io.jenet.testkit;

import io.jenet.ENetConnection;
import io.jenet.internal.transport.ConnectionFactory;
import io.jenet.internal.transport.DatagramEndpoint;
import io.jenet.internal.transport.DatagramNetwork;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A seeded, virtual-time network on which real {@link ENetConnection}s run: the same engine,
 * service loop and API as over UDP, but datagrams cross simulated {@link Link}s (loss, latency,
 * jitter, duplication, a bandwidth cap) and time only moves when the test moves it. A 30-second
 * session over a bad network runs in milliseconds, and a run is the same every time for one seed:
 * same events at the same virtual times, same bytes on the wire.
 *
 * <pre>{@code
 * SimulatedNetwork net = SimulatedNetwork.create(42, Link.perfect().withLatency(100).withLoss(0.2));
 * ENetConnection server = net.connection();
 * server.createHostBound("10.0.0.1", 7777, 32, 2, 0, 0);
 * ENetConnection client = net.connection();
 * client.createHost(1, 2, 0, 0);
 * ENetPacketPeer peer = client.connectToHost("10.0.0.1", 7777, 2, 0);
 * boolean connected = net.runUntil(() -> {
 *     server.service(0);                       // your server's frame
 *     return client.service(0).type() == ENetConnection.EventType.EVENT_CONNECT;
 * }, 5_000);                                   // at most 5 s of virtual time
 * }</pre>
 *
 * <p><b>Time.</b> The network has one virtual clock, starting at 0. {@link #advance} and
 * {@link #runUntil} move it; as it passes a datagram's arrival time the datagram is put into the
 * receive queue of the socket it is addressed to, where it waits, as on a real socket, until that
 * connection is serviced. Nothing services a connection by itself: call {@code service} as your
 * game loop would (typically inside the {@code runUntil} condition, once per virtual
 * millisecond). {@code service(0)} handles what has arrived by the current virtual time and never
 * moves the clock. {@code service(timeout)} with a timeout above 0, when no event is ready, moves
 * the clock as a blocking wait would let time pass: up to the next datagram for that connection
 * or its engine's next deadline (a retransmission, a ping), until an event comes or the timeout
 * has passed. The thread is "blocked" meanwhile, so other connections are not serviced, exactly
 * as in a real single-threaded program; datagrams for them wait in their queues.
 *
 * <p><b>Addresses.</b> Any IPv4 or IPv6 literal may be bound ({@code createHostBound}); binding an
 * address and port already bound throws {@link BindException}, as a real socket does. A host
 * bound to the wildcard ({@code createHost}, or {@code "*"}) takes the address of its connection:
 * the one given to {@link #connection(String)}, or for {@link #connection()} the next of
 * {@code 10.1.0.1}, {@code 10.1.0.2}, … (so keep your own addresses out of {@code 10.1.0.0/16}).
 * Port 0 takes the next free port from 49152. Use literals, not host names, with
 * {@code connectToHost} (a name is looked up in the real DNS). A datagram to an address nobody
 * bound vanishes, as on a real network: a connection to it times out.
 *
 * <p><b>Links.</b> Each direction between two IP addresses is a link: the default one
 * ({@link #setDefaultLink}) unless set for that direction ({@link #setLink}) or both
 * ({@link #setLinkBetween}). A bandwidth cap is per direction and per address pair. Links may be
 * changed at any time (to cut a connection mid-game, say); datagrams already in flight keep the
 * fate they were given.
 *
 * <p><b>Determinism.</b> Impairments and every host's randomness (ENet's connect IDs) come from the
 * seed. A run is reproducible as long as the test drives it the same way: the same calls in the
 * same order. (DTLS is not covered by the testkit's tests; its handshakes would draw on the JDK's
 * own randomness, so their bytes would differ between runs.)
 *
 * <p>Thread-safety: none. The network and all its connections are driven by one thread, the one
 * that created the network; a call from another thread throws {@link IllegalStateException}.
 * (Bring your server's and client's loops into that thread: no background threads, no sleeping.)
 */
public final class SimulatedNetwork {
    /** First port handed out for port 0, as the IANA ephemeral range. */
    private static final int FIRST_EPHEMERAL_PORT = 49152;

    private record Path(InetAddress from, InetAddress to) {}

    private record InFlight(long at, long order, InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    private final long seed;
    private final Thread owner = Thread.currentThread();
    /** Draws the links' impairments, one datagram after another. */
    private final SplittableRandom impairments;
    /** Seeds each new host; separate from impairments so adding a host does not reshuffle them. */
    private final SplittableRandom hostSeeds;
    private final Map<InetSocketAddress, SimulatedSocket> sockets = new HashMap<>();
    private final Map<Path, Link> links = new HashMap<>();
    /** Per capped path: the virtual time at which its last queued datagram has left. */
    private final Map<Path, long[]> busyUntil = new HashMap<>();
    private final Map<InetAddress, Integer> nextPort = new HashMap<>();
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private Link defaultLink;
    private WireTap tap;
    private long nowNanos;
    private long order;
    private int machines;
    private long sent;
    private long lost;
    private long duplicated;
    private long queueDropped;
    private long delivered;
    private long undeliverable;
    private long receiveOverflows;
    private long bytesDelivered;

    private SimulatedNetwork(long seed, Link link) {
        this.seed = seed;
        SplittableRandom root = new SplittableRandom(seed);
        this.impairments = root.split();
        this.hostSeeds = root.split();
        this.defaultLink = Objects.requireNonNull(link, "link");
    }

    /**
     * Creates a network whose links are all {@code link} until set otherwise.
     *
     * @param seed the seed everything random derives from
     * @param link the default link, both directions between every pair of addresses
     * @return the network, at virtual time 0, owned by the calling thread
     */
    public static SimulatedNetwork create(long seed, Link link) {
        return new SimulatedNetwork(seed, link);
    }

    /**
     * Creates a network of {@link Link#perfect() perfect} links.
     *
     * @param seed the seed everything random derives from
     * @return the network, at virtual time 0, owned by the calling thread
     */
    public static SimulatedNetwork create(long seed) {
        return create(seed, Link.perfect());
    }

    /** @return the seed this network was created with */
    public long seed() {
        return seed;
    }

    // ---- connections ----

    /**
     * A new connection on this network, on a machine of its own whose address ({@code 10.1.0.1},
     * {@code 10.1.0.2}, … in creation order) is taken when its host binds the wildcard. Use it as
     * any {@link ENetConnection}: {@code createHost*}, {@code connectToHost}, {@code service}.
     *
     * @return the connection, without a host yet
     */
    public ENetConnection connection() {
        checkThread();
        int n = ++machines;
        return connection(address(new byte[] {10, 1, (byte) (n >> 8), (byte) n}));
    }

    /**
     * A new connection on a machine with the given address, which its host takes when it binds
     * the wildcard ({@code createHost}, or {@code "*"}).
     *
     * @param address an IP literal, e.g. {@code "10.0.0.2"}
     * @return the connection, without a host yet
     * @throws IllegalArgumentException if the address is not an IP address
     */
    public ENetConnection connection(String address) {
        checkThread();
        return connection(parse(address));
    }

    private ENetConnection connection(InetAddress machine) {
        return ConnectionFactory.create(new DatagramNetwork() {
            @Override
            public DatagramEndpoint bind(InetSocketAddress address) throws BindException {
                InetAddress ip = address.getAddress() == null || address.getAddress().isAnyLocalAddress() ? machine : address.getAddress();
                return SimulatedNetwork.this.bind(ip, address.getPort());
            }

            @Override
            public long newRandomSeed() {
                return hostSeeds.nextLong();
            }
        });
    }

    private SimulatedSocket bind(InetAddress ip, int port) throws BindException {
        checkThread();
        if (port == 0) {
            port = nextPort.getOrDefault(ip, FIRST_EPHEMERAL_PORT);
            while (sockets.containsKey(new InetSocketAddress(ip, port))) {
                port++;
            }
            if (port > 65535) {
                throw new BindException("no free port left on simulated address " + ip.getHostAddress());
            }
            nextPort.put(ip, port + 1);
        }
        InetSocketAddress address = new InetSocketAddress(ip, port);
        if (sockets.containsKey(address)) {
            throw new BindException("simulated address " + ip.getHostAddress() + ":" + port + " is already in use");
        }
        SimulatedSocket socket = new SimulatedSocket(this, address);
        sockets.put(address, socket);
        return socket;
    }

    void unbind(SimulatedSocket socket) {
        sockets.remove(socket.address(), socket);
    }

    // ---- links ----

    /**
     * Sets the link of every direction not set with {@link #setLink} or {@link #setLinkBetween}.
     *
     * @param link the link
     */
    public void setDefaultLink(Link link) {
        checkThread();
        defaultLink = Objects.requireNonNull(link, "link");
    }

    /**
     * Sets the link for datagrams from one IP address to another (one direction).
     *
     * @param from the sender's IP literal
     * @param to the receiver's IP literal
     * @param link the link
     */
    public void setLink(String from, String to, Link link) {
        checkThread();
        links.put(new Path(parse(from), parse(to)), Objects.requireNonNull(link, "link"));
    }

    /**
     * Sets the link in both directions between two IP addresses (each direction gets its own
     * queue behind a bandwidth cap).
     *
     * @param a one IP literal
     * @param b the other
     * @param link the link
     */
    public void setLinkBetween(String a, String b, Link link) {
        setLink(a, b, link);
        setLink(b, a, link);
    }

    /**
     * Sees every datagram sent from now on, or none.
     *
     * @param tap the tap, or null to remove it
     */
    public void setWireTap(WireTap tap) {
        checkThread();
        this.tap = tap;
    }

    // ---- time ----

    /** @return virtual time since the network was created, ms */
    public long now() {
        return nowNanos / 1_000_000L;
    }

    /** @return virtual time since the network was created, ns (the clock the connections' engines run on) */
    public long nowNanos() {
        return nowNanos;
    }

    /**
     * Moves virtual time forward, putting each datagram whose arrival time comes into its
     * socket's receive queue. Services no connection.
     *
     * @param millis how far, at least 0
     */
    public void advance(long millis) {
        checkThread();
        if (millis < 0) {
            throw new IllegalArgumentException("cannot advance by a negative time: " + millis);
        }
        advanceTo(nowNanos + millis * 1_000_000L);
    }

    /**
     * Evaluates {@code condition}, and while it is false moves virtual time by one millisecond and
     * evaluates it again, up to {@code maxVirtualMillis}. Service your connections in the
     * condition: it is your game loop's frame.
     *
     * @param condition checked once per virtual millisecond (first at the current time)
     * @param maxVirtualMillis how much virtual time may pass, at least 0
     * @return whether the condition held (false: the time ran out)
     */
    public boolean runUntil(BooleanSupplier condition, long maxVirtualMillis) {
        return runUntil(condition, maxVirtualMillis, 1);
    }

    /**
     * {@link #runUntil(BooleanSupplier, long)} with frames of {@code stepMillis}, e.g. 16 for a
     * 60 Hz loop.
     *
     * @param condition checked once per step (first at the current time)
     * @param maxVirtualMillis how much virtual time may pass, at least 0
     * @param stepMillis virtual time between two checks, at least 1
     * @return whether the condition held (false: the time ran out)
     */
    public boolean runUntil(BooleanSupplier condition, long maxVirtualMillis, int stepMillis) {
        checkThread();
        if (maxVirtualMillis < 0 || stepMillis < 1) {
            throw new IllegalArgumentException("need maxVirtualMillis >= 0 and stepMillis >= 1, got " + maxVirtualMillis + " and " + stepMillis);
        }
        long limit = nowNanos + maxVirtualMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (nowNanos >= limit) {
                return false;
            }
            advanceTo(Math.min(limit, nowNanos + stepMillis * 1_000_000L));
        }
        return true;
    }

    /** @return counts of what the network did with datagrams so far */
    public NetworkStats stats() {
        return new NetworkStats(sent, lost, duplicated, queueDropped, delivered, undeliverable, receiveOverflows, bytesDelivered);
    }

    // ---- the wire ----

    /** A socket sends: the link decides the datagram's fate now, from the seeded generator. */
    void transmit(InetSocketAddress from, InetSocketAddress to, byte[] data, int offset, int length) {
        checkThread();
        sent++;
        byte[] copy = Arrays.copyOfRange(data, offset, offset + length);
        if (tap != null) {
            tap.sent(nowNanos, from, to, copy.clone());
        }
        Path path = new Path(from.getAddress(), to.getAddress());
        Link link = links.getOrDefault(path, defaultLink);
        long departs = nowNanos;
        if (link.bandwidth() > 0) {
            long[] busy = busyUntil.computeIfAbsent(path, p -> new long[1]);
            long waiting = Math.max(0, busy[0] - nowNanos);
            // Bytes still queued ahead of this datagram: what the link has yet to send.
            long backlog = (long) Math.ceil(waiting * (double) link.bandwidth() / 1e9);
            if (backlog + length > link.queue()) {
                queueDropped++;
                return;
            }
            departs = Math.max(nowNanos, busy[0]) + (long) Math.ceil(length * 1e9 / link.bandwidth());
            busy[0] = departs;
        }
        if (link.loss() > 0 && impairments.nextDouble() < link.loss()) {
            lost++;
            return;
        }
        int copies = 1;
        if (link.duplicate() > 0 && impairments.nextDouble() < link.duplicate()) {
            copies = 2;
            duplicated++;
        }
        for (int i = 0; i < copies; i++) {
            long delay = link.latency() * 1_000_000L;
            if (link.jitter() > 0) {
                delay += impairments.nextLong(link.jitter() * 1_000_000L + 1);
            }
            long at = departs + delay;
            if (at <= nowNanos) {
                deliver(from, to, copy); // no delay: in the receive queue at once
            } else {
                inFlight.add(new InFlight(at, order++, from, to, copy));
            }
        }
    }

    /**
     * A driver waits on {@code socket}: time passes, datagrams arrive everywhere, until one is in
     * this socket's queue or {@code millis} have passed.
     */
    void awaitDatagram(SimulatedSocket socket, long millis) {
        checkThread();
        if (millis <= 0 || socket.hasDatagram()) {
            return;
        }
        long until = nowNanos + millis * 1_000_000L;
        while (!socket.hasDatagram()) {
            InFlight next = inFlight.peek();
            if (next == null || next.at > until) {
                advanceTo(until);
                return;
            }
            advanceTo(next.at);
        }
    }

    private void advanceTo(long target) {
        while (!inFlight.isEmpty() && inFlight.peek().at <= target) {
            InFlight d = inFlight.poll();
            nowNanos = Math.max(nowNanos, d.at);
            deliver(d.from, d.to, d.data);
        }
        nowNanos = Math.max(nowNanos, target);
    }

    private void deliver(InetSocketAddress from, InetSocketAddress to, byte[] data) {
        SimulatedSocket socket = sockets.get(to);
        if (socket == null) {
            undeliverable++;
        } else if (!socket.offer(from, data)) {
            receiveOverflows++;
        } else {
            delivered++;
            bytesDelivered += data.length;
        }
    }

    void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a SimulatedNetwork and its connections are single-threaded: created on thread '"
                    + owner.getName() + "', used from '" + Thread.currentThread().getName() + "'");
        }
    }

    private static InetAddress parse(String literal) {
        Objects.requireNonNull(literal, "address");
        // Only literals: a simulated network has no DNS, and a name must not reach the real one.
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("a simulated address must be an IP literal such as 10.0.0.1, got '" + literal + "'");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + literal + "'", e);
        }
    }

    private static InetAddress address(byte[] ip) {
        try {
            return InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

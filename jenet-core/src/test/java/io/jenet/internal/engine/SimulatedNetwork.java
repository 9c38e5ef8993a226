package io.jenet.internal.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A seeded, virtual-time network between engine hosts: loss, duplication, latency with jitter
 * (which reorders), all reproducible from the seed. Time only moves when {@link #step} or
 * {@link #runUntil} jumps it to the next datagram delivery or host deadline, so a 30-second lossy
 * session runs in milliseconds.
 */
public final class SimulatedNetwork {
    /** Impairment settings; probabilities in [0,1], times in ms. */
    public static final class Link {
        public double loss;
        public double duplicate;
        public int latency;
        public int jitter;

        public Link loss(double p) { loss = p; return this; }
        public Link duplicate(double p) { duplicate = p; return this; }
        public Link latency(int ms) { latency = ms; return this; }
        public Link jitter(int ms) { jitter = ms; return this; }
    }

    private record Datagram(long at, long seq, InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    /** An event as seen by a test: copies what the engine event held at the time. */
    public record Seen(long time, int type, Peer peer, int data, int channelID, byte[] packet, int flags) {}

    private final Random random;
    private final Link link;
    private final Map<InetSocketAddress, Host> hosts = new LinkedHashMap<>();
    private final Map<Host, List<Seen>> events = new LinkedHashMap<>();
    private final PriorityQueue<Datagram> inFlight = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;
    private long now = 1_000;
    public long delivered;
    public long dropped;
    private final Event scratch = new Event();
    /** When set, every delivered datagram goes through this filter (return null to drop). */
    public java.util.function.UnaryOperator<byte[]> tamper;
    /** Addresses whose datagrams, sent or addressed to them, vanish (a host that went silent). */
    public final java.util.Set<InetSocketAddress> blackholed = new java.util.HashSet<>();
    /** A datagram as a host handed it to the network (before loss), for tests that read the wire. */
    public record Sent(long time, InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    /** When set, every datagram any host sends is appended here. */
    public List<Sent> sent;
    /** Hosts whose events are not collected (an application that stopped reading). */
    public final java.util.Set<Host> notDrained = new java.util.HashSet<>();

    public SimulatedNetwork(long seed, Link link) {
        this.random = new Random(seed);
        this.link = link;
    }

    public long now() {
        return now;
    }

    public static InetSocketAddress address(int lastOctet, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) lastOctet}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public Host addHost(InetSocketAddress address, int peers, int channels, long in, long out) {
        Host[] self = new Host[1];
        Host host = new Host(peers, channels, in, out, (to, data, off, len) -> {
            byte[] copy = java.util.Arrays.copyOfRange(data, off, off + len);
            enqueue(address, to, copy);
            return len;
        }, new SplittableRandom(random.nextLong()));
        self[0] = host;
        hosts.put(address, host);
        events.put(host, new ArrayList<>());
        host.time(now);
        return host;
    }

    public InetSocketAddress addressOf(Host host) {
        for (Map.Entry<InetSocketAddress, Host> e : hosts.entrySet()) {
            if (e.getValue() == host) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("unknown host");
    }

    private void enqueue(InetSocketAddress from, InetSocketAddress to, byte[] data) {
        if (sent != null) {
            sent.add(new Sent(now, from, to, data));
        }
        if (blackholed.contains(from) || blackholed.contains(to)) {
            dropped++;
            return;
        }
        if (random.nextDouble() < link.loss) {
            dropped++;
            return;
        }
        int copies = random.nextDouble() < link.duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = link.latency + (link.jitter > 0 ? random.nextInt(link.jitter + 1) : 0);
            inFlight.add(new Datagram(now + delay, seq++, from, to, data));
        }
    }

    /** Events collected for a host so far (the list is live). */
    public List<Seen> events(Host host) {
        return events.get(host);
    }

    /** Advances to the next thing that happens (a delivery or a host deadline), at most maxStep ms. */
    public void step(long maxStep) {
        long next = now + maxStep;
        if (!inFlight.isEmpty()) {
            next = Math.min(next, inFlight.peek().at);
        }
        for (Host h : hosts.values()) {
            if (!notDrained.contains(h)) {
                next = Math.min(next, now + h.millisUntilDue(now, maxStep));
            }
        }
        // Virtual time always moves by at least a millisecond, so a host with work "due now"
        // (events nobody drains, a blocked window) cannot stall the simulation.
        now = Math.max(now + 1, next);
        while (!inFlight.isEmpty() && inFlight.peek().at <= now) {
            Datagram d = inFlight.poll();
            Host to = hosts.get(d.to);
            if (to == null || blackholed.contains(d.to) || blackholed.contains(d.from)) {
                continue;
            }
            byte[] bytes = tamper != null ? tamper.apply(d.data) : d.data;
            if (bytes == null) {
                continue;
            }
            delivered++;
            to.receive(bytes, 0, bytes.length, d.from, now);
        }
        for (Host h : hosts.values()) {
            h.service(now);
            if (!notDrained.contains(h)) {
                drain(h);
            }
        }
    }

    /** Collects pending events of a host into its list. */
    public void drain(Host h) {
        while (h.checkEvents(scratch)) {
            byte[] p = scratch.packet == null ? null : java.util.Arrays.copyOf(scratch.packet.data(), scratch.packet.length());
            int flags = scratch.packet == null ? 0 : scratch.packet.flags();
            events.get(h).add(new Seen(now, scratch.type, scratch.peer, scratch.data, scratch.channelID, p, flags));
        }
    }

    /** Steps until the condition holds or virtual time passes the limit; returns whether it holds. */
    public boolean runUntil(java.util.function.BooleanSupplier condition, long maxVirtualMillis) {
        long limit = now + maxVirtualMillis;
        while (!condition.getAsBoolean()) {
            if (now >= limit) {
                return false;
            }
            step(Math.min(100, limit - now));
        }
        return true;
    }

    /** Runs for a fixed span of virtual time. */
    public void runFor(long millis) {
        long limit = now + millis;
        while (now < limit) {
            step(Math.min(100, limit - now));
        }
    }
}

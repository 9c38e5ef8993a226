package io.jenet.internal.transport;


import io.jenet.internal.engine.Event;
import io.jenet.internal.engine.Host;
import io.jenet.internal.engine.PeerObserver;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * ENet hosts behind DTLS layers on a seeded lossy link with a virtual clock, wired as
 * {@link ENetConnection} wires them (the engine's datagrams go through the DTLS layer, DTLS is
 * polled on every pass, peers attach and release sessions). Reproduces a lossy DTLS session
 * exactly from its seed, and runs minutes of it in a fraction of a second, apart from the
 * cryptography.
 */
final class DtlsSimulation {
    /** One host and its DTLS layer. */
    final class Endpoint {
        final InetSocketAddress address;
        final Host host;
        DtlsLayer dtls;
        final List<int[]> events = new ArrayList<>();
        long errors;
        private final byte[] plain = new byte[65536];
        private final Event scratch = new Event();

        Endpoint(InetSocketAddress address, int peers) {
            this.address = address;
            this.host = new Host(peers, 1, 0, 0, (to, d, o, l) -> dtls.send(to, d, o, l, now), new SplittableRandom(random.nextLong()));
            host.setPeerObserver(new PeerObserver() {
                @Override
                public void attached(InetSocketAddress a) {
                    dtls.peerAttached(a);
                }

                @Override
                public void released(InetSocketAddress a) {
                    dtls.peerReleased(a);
                }
            });
            host.time(now);
        }

        void deliver(InetSocketAddress from, byte[] data) {
            int n = dtls.receive(from, data, data.length, plain, now);
            if (n >= 0) {
                host.receive(plain, 0, n, from, now);
            }
        }

        void service() {
            dtls.poll(now);
            host.service(now);
            while (host.checkEvents(scratch)) {
                events.add(new int[] {scratch.type, scratch.data});
            }
            if (dtls.takeFailure()) {
                errors++;
            }
        }

        long count(int type) {
            return events.stream().filter(e -> e[0] == type).count();
        }

        /** The raw sender a DTLS layer of this endpoint writes to. */
        int wire(InetSocketAddress to, byte[] d, int o, int l) {
            send(address, to, Arrays.copyOfRange(d, o, o + l));
            return l;
        }
    }

    private record Datagram(long at, long seq, InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    private final Random random;
    private final double loss;
    private final int latency;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final PriorityQueue<Datagram> inFlight = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;
    long now = 1_000;
    long dropped;

    DtlsSimulation(long seed, double loss, int latency) {
        this.random = new Random(seed);
        this.loss = loss;
        this.latency = latency;
    }

    Endpoint add(InetSocketAddress address, int peers, java.util.function.Function<Endpoint, DtlsLayer> layer) {
        Endpoint e = new Endpoint(address, peers);
        e.dtls = layer.apply(e);
        endpoints.add(e);
        return e;
    }

    private void send(InetSocketAddress from, InetSocketAddress to, byte[] data) {
        if (random.nextDouble() < loss) {
            dropped++;
            return;
        }
        inFlight.add(new Datagram(now + latency, seq++, from, to, data));
    }

    /** Advances one millisecond: delivers what is due, services every endpoint. */
    void step() {
        now++;
        while (!inFlight.isEmpty() && inFlight.peek().at <= now) {
            Datagram d = inFlight.poll();
            for (Endpoint e : endpoints) {
                if (e.address.equals(d.to)) {
                    e.deliver(d.from, d.data);
                }
            }
        }
        for (Endpoint e : endpoints) {
            if (patient) {
                for (int i = 0; i < e.host.peerCount(); i++) {
                    e.host.peer(i).timeout(1 << 20, 600_000, 900_000);
                }
            }
            e.service();
        }
    }

    /**
     * Gives every peer, from its first moment, timeouts so loose that ENet itself never gives up
     * (at 30 % loss each way ENet's defaults end about 2 % of handshakes): what is tested is
     * then DTLS alone.
     */
    boolean patient;

    /** Steps until {@code done} holds or {@code millis} of virtual time pass; returns whether it held. */
    boolean runUntil(java.util.function.BooleanSupplier done, long millis) {
        long end = now + millis;
        while (now < end) {
            if (done.getAsBoolean()) {
                return true;
            }
            step();
        }
        return done.getAsBoolean();
    }
}

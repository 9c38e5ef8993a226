package io.jenet.internal.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The issue-17 workloads on the simulated network, in virtual time: ENet's exact timing against
 * jenet's sender, engine to engine, same seeds. A stream of 64 B reliable messages at 60/s for
 * 30 s, echoed (round-trip latency p50/p99/max over all seeds), and 200 reliable echoes with a
 * window of 20 (median seconds, runs that did not finish in 120 s), per one-way latency (jitter
 * 10 ms) and loss each way. Hosts are serviced at every event, so this isolates the protocol's
 * timing from processes and sockets; {@code LossyHarness} in jenet-bench measures real processes.
 *
 * <pre>
 * ./mvnw -q -pl jenet-core test-compile
 * java -cp jenet-core/target/classes:jenet-core/target/test-classes io.jenet.internal.engine.SimulatedLossyLinks [seeds]
 * </pre>
 */
public final class SimulatedLossyLinks {
    private SimulatedLossyLinks() {}

    /**
     * Prints one line per latency and loss.
     *
     * @param args the number of seeds (default 5)
     */
    public static void main(String[] args) {
        double[] losses = {0.0, 0.01, 0.05, 0.1, 0.2, 0.3};
        int[] latencies = {10, 50, 150};
        int seeds = Integer.parseInt(args.length > 0 ? args[0] : "5");
        for (int latency : latencies) {
            for (double loss : losses) {
                StringBuilder sb = new StringBuilder(String.format("lat %3d loss %4.2f", latency, loss));
                for (boolean exact : new boolean[] {true, false}) {
                    List<Long> lat = new ArrayList<>();
                    List<Double> bursts = new ArrayList<>();
                    long retrans = 0, copies = 0, early = 0; int fails = 0;
                    for (int seed = 1; seed <= seeds; seed++) {
                        long[] r = stream(seed, loss, latency, exact, lat);
                        retrans += r[0]; early += r[1]; copies += r[2];
                        double b = burst(seed, loss, latency, exact);
                        if (b < 0) fails++; else bursts.add(b);
                    }
                    long[] a = lat.stream().mapToLong(Long::longValue).sorted().toArray();
                    double[] bb = bursts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    sb.append(String.format(" | %s p50 %4d p99 %5d max %5d burst-med %5.2f fail %d rx %d early %d cp %d",
                            exact ? "ENET " : "JENET", a[a.length / 2], a[(int) (a.length * 0.99)], a[a.length - 1],
                            bb.length == 0 ? -1 : bb[bb.length / 2], fails, retrans, early, copies));
                }
                System.out.println(sb);
            }
        }
    }

    static Host host(SimulatedNetwork net, int octet, int port, int peers, boolean exact) {
        Host h = net.addHost(SimulatedNetwork.address(octet, port), peers, 0, 0, 0);
        HostSettings s = new HostSettings();
        s.exactEnetTiming = exact;
        h.configure(s);
        return h;
    }

    /** 64 B reliable at 60/s for 30 s, echoed; round-trip latency of each message. */
    static long[] stream(long seed, double loss, int latency, boolean exact, List<Long> out) {
        SimulatedNetwork.Link link = new SimulatedNetwork.Link().latency(latency).jitter(10);
        SimulatedNetwork net = new SimulatedNetwork(seed, link);
        Host server = host(net, 1, 7777, 4, exact);
        Host client = host(net, 2, 5000, 1, exact);
        Peer cp = client.connect(SimulatedNetwork.address(1, 7777), 2, 0);
        net.runUntil(() -> net.events(client).stream().anyMatch(e -> e.type() == Event.TYPE_CONNECT) && !net.events(server).isEmpty(), 60_000);
        Peer sp = net.events(server).get(0).peer();
        cp.timeout(1 << 20, 120_000, 600_000);
        sp.timeout(1 << 20, 120_000, 600_000);
        link.loss(loss);
        int n = 1800;
        long[] sentAt = new long[n];
        int sent = 0, got = 0, serverSeen = 0, clientSeen = net.events(client).size();
        long next = net.now();
        long end = net.now() + 30_000 + 120_000;
        while (got < n && net.now() < end) {
            if (sent < n && net.now() >= next) {
                byte[] d = new byte[64];
                d[0] = (byte) sent; d[1] = (byte) (sent >> 8);
                sentAt[sent++] = net.now();
                cp.send(0, client.createPacket(d, 0, 64, 1));
                next += sent % 3 == 0 ? 16 : 17; // 60 per second
            }
            net.step(Math.max(1, next - net.now()));
            serverSeen = echo(net, server, sp, serverSeen);
            List<SimulatedNetwork.Seen> ce = net.events(client);
            for (; clientSeen < ce.size(); clientSeen++) {
                SimulatedNetwork.Seen e = ce.get(clientSeen);
                if (e.type() == Event.TYPE_RECEIVE) {
                    int i = (e.packet()[0] & 0xFF) | (e.packet()[1] & 0xFF) << 8;
                    out.add(net.now() - sentAt[i]);
                    got++;
                }
            }
        }
        return new long[] {cp.retransmissions() + sp.retransmissions(), cp.earlyRetransmissions() + sp.earlyRetransmissions(),
                cp.redundantCopies() + sp.redundantCopies()};
    }

    /** 200 reliable echoes, window 20: seconds to finish, -1 if not within 120 s. */
    static double burst(long seed, double loss, int latency, boolean exact) {
        SimulatedNetwork.Link link = new SimulatedNetwork.Link().latency(latency).jitter(10);
        SimulatedNetwork net = new SimulatedNetwork(seed + 1000, link);
        Host server = host(net, 1, 7777, 4, exact);
        Host client = host(net, 2, 5000, 1, exact);
        Peer cp = client.connect(SimulatedNetwork.address(1, 7777), 2, 0);
        net.runUntil(() -> net.events(client).stream().anyMatch(e -> e.type() == Event.TYPE_CONNECT) && !net.events(server).isEmpty(), 60_000);
        Peer sp = net.events(server).get(0).peer();
        link.loss(loss);
        int n = 200, window = 20;
        int sent = 0, got = 0, serverSeen = 0, clientSeen = net.events(client).size();
        long start = net.now();
        while (got < n && net.now() < start + 120_000) {
            while (sent < n && sent - got < window) {
                cp.send(0, client.createPacket(new byte[64], 0, 64, 1));
                sent++;
            }
            net.step(100);
            serverSeen = echo(net, server, sp, serverSeen);
            List<SimulatedNetwork.Seen> ce = net.events(client);
            for (; clientSeen < ce.size(); clientSeen++) {
                SimulatedNetwork.Seen e = ce.get(clientSeen);
                if (e.type() == Event.TYPE_RECEIVE) got++;
                if (e.type() == Event.TYPE_DISCONNECT) return -1;
            }
        }
        return got < n ? -1 : (net.now() - start) / 1000.0;
    }

    /** The echo server's side: sends back every packet received since event {@code seen}; returns the new count. */
    private static int echo(SimulatedNetwork net, Host server, Peer sp, int seen) {
        List<SimulatedNetwork.Seen> events = net.events(server);
        for (; seen < events.size(); seen++) {
            SimulatedNetwork.Seen e = events.get(seen);
            if (e.type() == Event.TYPE_RECEIVE) {
                sp.send(0, server.createPacket(e.packet(), 0, e.packet().length, 1));
            }
        }
        return seen;
    }
}

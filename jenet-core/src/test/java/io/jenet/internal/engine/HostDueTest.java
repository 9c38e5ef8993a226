package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * How long a host may sleep before it must be serviced (the engine's answer to ENet's service
 * timeout): exactly until the next ping, retransmission or bandwidth throttle, 0 when there is
 * work now, and never past the caller's cap.
 */
class HostDueTest {
    private static Pair idlePair() {
        Pair p = new Pair(61, new SimulatedNetwork.Link().latency(10)).connect(1, 0);
        p.net.runFor(3000);
        return p;
    }

    @Test
    void anIdlePeerIsDueAtItsNextPing() {
        Pair p = idlePair();
        Host h = p.client;
        long now = p.net.now();
        h.service(now);
        p.net.drain(h);
        long ping = p.clientPeer.lastReceiveTime + p.clientPeer.pingInterval;
        assertThat(ping).isGreaterThan(now);
        assertThat(h.millisUntilDue(now, 60_000)).isEqualTo(ping - now);
        assertThat(h.millisUntilDue(now, 3)).isEqualTo(Math.min(3, ping - now));
        assertThat(h.millisUntilDue(ping, 60_000)).isZero();
        assertThat(h.millisUntilDue(ping + 50, 60_000)).isZero();
        // Computed from the peers, not the cached pass, after something changed.
        h.dueChanged();
        assertThat(h.millisUntilDue(now, 60_000)).isEqualTo(ping - now);
        assertThat(h.dueIn((int) now, p.clientPeer)).isEqualTo(ping - now);
    }

    @Test
    void queuedDataOrAnEventWaitingMeansNow() {
        Pair p = idlePair();
        Host h = p.client;
        long now = p.net.now();
        h.service(now);
        p.send(h, p.clientPeer, 0, Traffic.payload(0, 1, 10), Packet.FLAG_RELIABLE);
        assertThat(h.millisUntilDue(now, 60_000)).isZero();
        assertThat(h.dueIn((int) now, p.clientPeer)).isZero();
        h.service(now);
        // Sent and unacknowledged: due at its retransmission timeout.
        long timeout = p.clientPeer.nextTimeout;
        assertThat(timeout).isGreaterThan(now);
        h.dueChanged();
        assertThat(h.dueIn((int) now, p.clientPeer)).isEqualTo(timeout - now);
        assertThat(h.millisUntilDue(now, 60_000)).isEqualTo(timeout - now);
        // The server, once the packet arrived, has an event waiting (nobody reads it).
        p.net.notDrained.add(p.server);
        assertThat(p.net.runUntil(() -> p.server.millisUntilDue(p.net.now(), 60_000) == 0, 100)).isTrue();
    }

    @Test
    void disconnectedPeersAndHugePingIntervalsAreNeverDue() {
        Pair p = idlePair();
        long now = p.net.now();
        assertThat(p.server.dueIn((int) now, p.server.peer(7))).isEqualTo(Long.MAX_VALUE);
        p.clientPeer.pingInterval(Integer.MAX_VALUE);
        p.client.dueChanged();
        assertThat(p.client.dueIn((int) now, p.clientPeer)).isEqualTo(Long.MAX_VALUE);
        assertThat(p.client.millisUntilDue(now, 12_345)).isEqualTo(12_345);
        p.clientPeer.pingInterval(100_000);
        assertThat(p.client.dueIn((int) now, p.clientPeer)).isEqualTo(p.clientPeer.lastReceiveTime + 100_000 - now);
    }

    @Test
    void aBandwidthLimitedHostIsDueAtItsNextThrottle() {
        Pair p = idlePair();
        Host h = p.client;
        h.bandwidthLimit(0, 50_000);
        long now = p.net.now();
        h.service(now);
        p.clientPeer.pingInterval(Integer.MAX_VALUE);
        h.dueChanged();
        long throttle = h.bandwidthThrottleEpoch + Host.BANDWIDTH_THROTTLE_INTERVAL;
        assertThat(throttle).isGreaterThan(now);
        assertThat(h.millisUntilDue(now, 60_000)).isEqualTo(throttle - now);
        // Without any limit the throttle does not wake the host.
        h.bandwidthLimit(0, 0);
        h.service(now);
        h.recalculateBandwidthLimits = false;
        h.dueChanged();
        assertThat(h.millisUntilDue(now, 60_000)).isEqualTo(60_000);
    }
}

package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenet.internal.compress.RangeCoder;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The engine is pulled: a driver takes each datagram with {@link Host#pollTransmit} into a buffer
 * of its own. Pulled or pushed to a sink, the same scenario must put the same bytes on the wire in
 * the same order, including the datagrams a disconnect-now makes on the spot (held in the outbox).
 */
class PullTransmitTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.1", 7777);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.2", 5000);

    private record Wire(InetSocketAddress from, InetSocketAddress to, byte[] data) {
        @Override
        public String toString() {
            return from.getPort() + "->" + to.getPort() + " " + Arrays.toString(data);
        }
    }

    /** Two hosts on a lossless link with a manual clock, driven pushed (sink) or pulled. */
    private static final class Link {
        final boolean pull;
        final List<Wire> log = new ArrayList<>();
        final ArrayDeque<Wire> inFlight = new ArrayDeque<>();
        final Map<InetSocketAddress, Host> hosts = new LinkedHashMap<>();
        final byte[] buffer = new byte[Host.TRANSMIT_BUFFER_SIZE];
        final List<String> events = new ArrayList<>();
        long now = 1_000;

        Link(boolean pull, boolean compressAndChecksum) {
            this.pull = pull;
            hosts.put(SERVER, host(SERVER, 7, compressAndChecksum));
            hosts.put(CLIENT, host(CLIENT, 9, compressAndChecksum));
        }

        private Host host(InetSocketAddress at, long seed, boolean compressAndChecksum) {
            DatagramSink sink = pull ? null : (to, d, o, l) -> {
                send(at, to, Arrays.copyOfRange(d, o, o + l));
                return l;
            };
            Host h = new Host(4, 2, 0, 0, sink, new SplittableRandom(seed));
            HostSettings settings = new HostSettings();
            if (compressAndChecksum) {
                settings.compressor = new RangeCoder();
                settings.checksum = true;
            }
            h.configure(settings);
            h.time(now);
            return h;
        }

        private void send(InetSocketAddress from, InetSocketAddress to, byte[] data) {
            Wire w = new Wire(from, to, data);
            log.add(w);
            inFlight.add(w);
        }

        /** What a driver does after each engine call: takes every datagram the engine has. */
        void drain(InetSocketAddress at) {
            if (!pull) {
                return;
            }
            Host h = hosts.get(at);
            for (int n; (n = h.pollTransmit(buffer)) >= 0; ) {
                send(at, h.transmitAddress(), Arrays.copyOfRange(buffer, h.transmitOffset(), h.transmitOffset() + n));
                h.transmitted(n);
            }
        }

        void step(int ms) {
            now += ms;
            for (Map.Entry<InetSocketAddress, Host> e : hosts.entrySet()) {
                e.getValue().service(now);
                drain(e.getKey());
            }
            while (!inFlight.isEmpty()) {
                Wire w = inFlight.poll();
                hosts.get(w.to()).receive(w.data(), 0, w.data().length, w.from(), now);
                drain(w.to());
            }
            Event event = new Event();
            for (Map.Entry<InetSocketAddress, Host> e : hosts.entrySet()) {
                while (e.getValue().checkEvents(event)) {
                    events.add(e.getKey().getPort() + " " + event.type + " " + event.data);
                }
            }
        }
    }

    private static List<Wire> scenario(boolean pull, boolean compressAndChecksum) {
        Link link = new Link(pull, compressAndChecksum);
        Host client = link.hosts.get(CLIENT);
        Peer toServer = client.connect(SERVER, 2, 42);
        link.drain(CLIENT);
        for (int i = 0; i < 20; i++) {
            link.step(10);
        }
        assertThat(toServer.state()).isEqualTo(Peer.STATE_CONNECTED);
        byte[] big = new byte[5000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7 % 13);
        }
        for (int i = 0; i < 30; i++) {
            toServer.send(i % 2, client.createPacket(big, 0, 100 + i * 150, i % 3 == 0 ? 0 : Packet.FLAG_RELIABLE));
            link.step(5);
        }
        for (int i = 0; i < 20; i++) {
            link.step(10);
        }
        // Made on the spot, before the peer is reset: pushed at once, or held for the driver.
        toServer.disconnectNow(7);
        link.drain(CLIENT);
        link.step(10);
        return link.log;
    }

    @ParameterizedTest(name = "compression and checksum: {0}")
    @CsvSource({"false", "true"})
    void pulledAndPushedPutTheSameBytesOnTheWireInTheSameOrder(boolean compressAndChecksum) {
        List<Wire> pushed = scenario(false, compressAndChecksum);
        List<Wire> pulled = scenario(true, compressAndChecksum);
        assertThat(pulled).hasSizeGreaterThan(60);
        assertThat(pulled.stream().map(Wire::toString).toList()).isEqualTo(pushed.stream().map(Wire::toString).toList());
    }

    @Test
    void aDisconnectNowIsHeldUntilTheDriverPullsAndNothingElseLeaks() {
        Link link = new Link(true, false);
        Host client = link.hosts.get(CLIENT);
        Peer toServer = client.connect(SERVER, 2, 1);
        link.drain(CLIENT);
        for (int i = 0; i < 20; i++) {
            link.step(10);
        }
        int before = link.log.size();
        toServer.disconnectNow(9);
        assertThat(toServer.state()).isEqualTo(Peer.STATE_DISCONNECTED);
        assertThat(link.log).hasSize(before);
        link.drain(CLIENT);
        assertThat(link.log).hasSize(before + 1);
        assertThat(client.pollTransmit(link.buffer)).isEqualTo(-1);
        link.step(10);
        // The client connects when VERIFY_CONNECT arrives, the server when that is acknowledged.
        assertThat(link.events).containsExactly("5000 " + Event.TYPE_CONNECT + " 0", "7777 " + Event.TYPE_CONNECT + " 1",
                "7777 " + Event.TYPE_DISCONNECT + " 9");
    }

    @Test
    void aBufferTooSmallForTheLargestDatagramIsRefused() {
        Host h = new Host(1, 1, 0, 0, null, new SplittableRandom(1));
        assertThatThrownBy(() -> h.pollTransmit(new byte[Host.TRANSMIT_BUFFER_SIZE - 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(Host.TRANSMIT_BUFFER_SIZE));
        assertThat(h.pollTransmit(new byte[Host.TRANSMIT_BUFFER_SIZE])).isEqualTo(-1);
    }
}

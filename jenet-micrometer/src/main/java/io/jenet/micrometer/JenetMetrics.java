package io.jenet.micrometer;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer.PeerState;
import io.jenet.HostMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A Micrometer {@link MeterBinder} for one jenet host: peers by state, pending handshakes,
 * datagrams and bytes in and out, drops by reason, retransmissions, round-trip time and packet
 * loss across the connected peers, compression, DTLS sessions, the memory budget, whether the host
 * drains, and how old the numbers are.
 *
 * <pre>{@code
 * ENetConnection server = new ENetConnection();
 * server.createHostBound("*", 7777, 256, 2);
 * server.setMetricsInterval(1000);                       // on the service thread
 * new JenetMetrics(server, Tags.of("shard", "eu-1")).bindTo(registry);
 * }</pre>
 *
 * <p>Every meter reads {@link ENetConnection#getMetrics()}, the {@link HostMetrics} snapshot that
 * the host's service thread publishes every {@link ENetConnection#setMetricsInterval interval}
 * (nothing is published until an interval is set or {@link ENetConnection#publishMetrics()} is
 * called; the meters read zeros until then). So a scrape never touches the host, takes no lock and
 * never waits for the service thread; each value is one the service thread wrote whole. Within one
 * scrape two meters can come from consecutive snapshots. Counters count from the creation of the
 * host (a new host on the same connection starts again from zero, which Prometheus reads as a
 * counter reset). The meters hold the connection weakly, as Micrometer does: once the
 * application lets go of it they read NaN.
 *
 * <p>Names (Micrometer's; Prometheus adds {@code _total} to counters and the base unit, e.g.
 * {@code jenet_received_bytes_total}, {@code jenet_peer_round_trip_time_seconds}):
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th></tr>
 * <tr><td>{@code jenet.peers}</td><td>gauge</td><td>{@code state}: connecting, acknowledging_connect, connection_pending,
 *     connection_succeeded, connected, disconnect_later, disconnecting, acknowledging_disconnect, zombie</td></tr>
 * <tr><td>{@code jenet.peer.slots}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code jenet.handshakes.pending}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code jenet.handshakes.evicted}</td><td>counter</td><td></td></tr>
 * <tr><td>{@code jenet.sent.datagrams}, {@code jenet.received.datagrams}</td><td>counter</td><td></td></tr>
 * <tr><td>{@code jenet.sent}, {@code jenet.received}</td><td>counter, bytes</td><td></td></tr>
 * <tr><td>{@code jenet.dropped.datagrams}</td><td>counter</td><td>{@code reason}: {@link HostMetrics.DatagramDrop#tag()}</td></tr>
 * <tr><td>{@code jenet.dropped.packets}</td><td>counter</td><td>{@code reason}: {@link HostMetrics.PacketDrop#tag()}</td></tr>
 * <tr><td>{@code jenet.budget.disconnects}</td><td>counter</td><td></td></tr>
 * <tr><td>{@code jenet.retransmissions}</td><td>counter</td><td></td></tr>
 * <tr><td>{@code jenet.peer.round.trip.time}</td><td>time gauge</td><td>{@code quantile}: 0, 0.5, 0.9, 0.99, 1 (across connected peers)</td></tr>
 * <tr><td>{@code jenet.peer.round.trip.time.mean}</td><td>time gauge</td><td></td></tr>
 * <tr><td>{@code jenet.peer.packet.loss}</td><td>gauge, 0 … 1</td><td>{@code quantile}, as above</td></tr>
 * <tr><td>{@code jenet.peer.packet.loss.mean}</td><td>gauge, 0 … 1</td><td></td></tr>
 * <tr><td>{@code jenet.compression.input}, {@code jenet.compression.output}</td><td>counter, bytes</td><td></td></tr>
 * <tr><td>{@code jenet.compression.ratio}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code jenet.dtls.sessions}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code jenet.incomplete.data}, {@code jenet.outgoing.data}</td><td>gauge, bytes</td><td></td></tr>
 * <tr><td>{@code jenet.draining}</td><td>gauge, 0 or 1</td><td></td></tr>
 * <tr><td>{@code jenet.metrics.age}</td><td>time gauge</td><td>(grows past the interval when the service loop stalls)</td></tr>
 * </table>
 *
 * <p>Thread-safety: thread-safe. {@link #bindTo} may be called from any thread, and the meters
 * read from any thread, concurrently with the host's service loop.
 */
public final class JenetMetrics implements MeterBinder {
    /** The quantiles of the round-trip time and packet loss across peers that are exported. */
    static final double[] QUANTILES = {0, 0.5, 0.9, 0.99, 1};

    private final ENetConnection connection;
    private final Tags tags;

    /**
     * @param connection the host to watch; only its thread-safe {@link ENetConnection#getMetrics()} is called
     * @param tags tags added to every meter (e.g. the shard or port), may be empty
     */
    public JenetMetrics(ENetConnection connection, Iterable<Tag> tags) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /** @param connection the host to watch, with no extra tags */
    public JenetMetrics(ENetConnection connection) {
        this(connection, Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (PeerState state : PeerState.values()) {
            if (state != PeerState.STATE_DISCONNECTED) {
                gauge("jenet.peers", "Peers in an ENet connection state", null, m -> m.peers(state))
                        .tag("state", state.name().substring("STATE_".length()).toLowerCase(Locale.ROOT)).register(registry);
            }
        }
        gauge("jenet.peer.slots", "Peer slots of the host (maxPeers)", null, HostMetrics::peerSlots).register(registry);
        gauge("jenet.handshakes.pending", "Peers that sent CONNECT and have not acknowledged VERIFY_CONNECT", null,
                HostMetrics::pendingHandshakes).register(registry);
        counter("jenet.handshakes.evicted", "Pending handshakes given up for newer ones", null, HostMetrics::evictedHandshakes)
                .register(registry);
        counter("jenet.sent.datagrams", "UDP datagrams sent", null, HostMetrics::datagramsSent).register(registry);
        counter("jenet.received.datagrams", "UDP datagrams received by the engine", null, HostMetrics::datagramsReceived)
                .register(registry);
        counter("jenet.sent", "Bytes sent, as whole ENet datagrams", "bytes", HostMetrics::bytesSent).register(registry);
        counter("jenet.received", "Bytes received, as whole ENet datagrams", "bytes", HostMetrics::bytesReceived).register(registry);
        for (HostMetrics.DatagramDrop reason : HostMetrics.DatagramDrop.values()) {
            counter("jenet.dropped.datagrams", "Received datagrams dropped, by reason", null, m -> m.droppedDatagrams(reason))
                    .tag("reason", reason.tag()).register(registry);
        }
        for (HostMetrics.PacketDrop reason : HostMetrics.PacketDrop.values()) {
            counter("jenet.dropped.packets", "Packets dropped, by reason", null, m -> m.droppedPackets(reason))
                    .tag("reason", reason.tag()).register(registry);
        }
        counter("jenet.budget.disconnects", "Peers disconnected by the memory budget", null, HostMetrics::budgetDisconnects)
                .register(registry);
        counter("jenet.retransmissions", "Reliable commands resent after their timer expired", null, HostMetrics::retransmissions)
                .register(registry);
        for (double q : QUANTILES) {
            String tag = quantileTag(q);
            timeGauge("jenet.peer.round.trip.time", "Mean round-trip time of the connected peers, by quantile across them",
                    m -> m.roundTripTimeQuantile(q)).tag("quantile", tag).register(registry);
            gauge("jenet.peer.packet.loss", "Packet loss of the connected peers (0..1), by quantile across them", null,
                    m -> m.packetLossQuantile(q)).tag("quantile", tag).register(registry);
        }
        timeGauge("jenet.peer.round.trip.time.mean", "Mean of the connected peers' round-trip times", HostMetrics::roundTripTimeMean)
                .register(registry);
        gauge("jenet.peer.packet.loss.mean", "Mean of the connected peers' packet loss (0..1)", null,
                HostMetrics::packetLossMean).register(registry);
        counter("jenet.compression.input", "Command bytes offered to the compressor", "bytes", HostMetrics::compressionInput)
                .register(registry);
        counter("jenet.compression.output", "Bytes sent for them", "bytes", HostMetrics::compressionOutput).register(registry);
        gauge("jenet.compression.ratio", "Compressed size over plain size (1 without compression)", null,
                HostMetrics::compressionRatio).register(registry);
        gauge("jenet.dtls.sessions", "DTLS sessions kept", null, HostMetrics::dtlsSessions).register(registry);
        gauge("jenet.incomplete.data", "Incomplete incoming data held (memory budget)", "bytes", HostMetrics::incompleteData)
                .register(registry);
        gauge("jenet.outgoing.data", "Data queued for sending, all peers", "bytes", HostMetrics::outgoingData)
                .register(registry);
        gauge("jenet.draining", "1 while the host drains before shutting down", null, m -> m.draining() ? 1 : 0)
                .register(registry);
        TimeGauge.builder("jenet.metrics.age", connection, TimeUnit.MILLISECONDS,
                        c -> c.getMetrics().sequence() == 0 ? Double.NaN : c.getMetrics().ageMillis())
                .description("Time since the host's service thread published these numbers").tags(tags).register(registry);
    }

    /** @return the tag value of a quantile: "0", "0.5", "0.99", "1" */
    static String quantileTag(double q) {
        return q == Math.rint(q) ? Long.toString((long) q) : Double.toString(q);
    }

    private Gauge.Builder<ENetConnection> gauge(String name, String description, String unit,
                                                ToDoubleFunction<HostMetrics> value) {
        Gauge.Builder<ENetConnection> b = Gauge.builder(name, connection, c -> value.applyAsDouble(c.getMetrics()))
                .description(description).tags(tags);
        return unit == null ? b : b.baseUnit(unit);
    }

    private FunctionCounter.Builder<ENetConnection> counter(String name, String description, String unit,
                                                            ToDoubleFunction<HostMetrics> value) {
        FunctionCounter.Builder<ENetConnection> b = FunctionCounter.builder(name, connection, c -> value.applyAsDouble(c.getMetrics()))
                .description(description).tags(tags);
        return unit == null ? b : b.baseUnit(unit);
    }

    private TimeGauge.Builder<ENetConnection> timeGauge(String name, String description, ToDoubleFunction<HostMetrics> millis) {
        return TimeGauge.builder(name, connection, TimeUnit.MILLISECONDS, c -> millis.applyAsDouble(c.getMetrics()))
                .description(description).tags(tags);
    }
}

package io.jenet;

import io.jenet.internal.engine.Host;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * jenet extension: one server on one UDP port using several cores. It binds {@code N} hosts
 * ({@link ENetConnection}s, the <em>shards</em>) to the same address and port with
 * {@code SO_REUSEPORT}, gives each its own thread that calls {@link ENetConnection#service(int)},
 * and hands every event to one handler, with the shard it happened on. Server code is written per
 * event, as with one {@code ENetConnection}; the operations that span the shards (peer count,
 * broadcast, refusing new connections, drain, destroy) are on this object. ENet and Godot have
 * nothing like it (a host is single-threaded); on the wire every shard is a plain ENet host, so
 * C ENet and Godot clients connect to the port as to any ENet server.
 *
 * <pre>{@code
 * ENetShardedHost server = ENetShardedHost.builder(4)           // 4 shards, 4 threads
 *         .bind("*", 7777)
 *         .peersPerShard(1000)
 *         .channels(2)
 *         .setup((shard, connection) -> connection.compress(ENetConnection.CompressionMode.COMPRESS_ZSTD))
 *         .start((shard, connection, event) -> {                // on shard's own thread
 *             if (event.type() == ENetConnection.EventType.EVENT_RECEIVE) {
 *                 byte[] packet = event.peer().getPacket();
 *                 event.peer().send(event.channel(), packet, ENetPacketPeer.FLAG_RELIABLE);
 *             }
 *         });
 * server.broadcast(0, "welcome".getBytes(), ENetPacketPeer.FLAG_RELIABLE);   // from any thread
 * int players = server.getConnectedPeerCount();                               // from any thread
 * server.close();                                                             // stops and destroys all
 * }</pre>
 *
 * <h2>Threading contract</h2>
 *
 * <ul>
 * <li><b>A shard's connection is confined to that shard's thread</b> (named
 *     {@code jenet-shard-PORT-INDEX}): its {@link ENetConnection}, its {@link ENetPacketPeer}s and
 *     their packets may be used only in the event handler called for that shard, in a task given
 *     to {@link #execute} or {@link #submit} for that shard, and in the {@link Builder#setup setup}
 *     callback (before the threads start). Not from another shard's thread, nor from the thread
 *     that started the server. The one exception is {@link ENetConnection#getMetrics()}, which is
 *     safe anywhere (also through {@link #getMetrics(int)}).</li>
 * <li><b>Events</b>: each shard's thread calls the handler with that shard's events, one at a
 *     time, in the order its connection hands them out, exactly as a loop over
 *     {@code service}/{@code checkEvents} would. Handlers of different shards run at the same time,
 *     so state they share must be thread-safe. A handler that blocks stalls its own shard only
 *     (its peers' acknowledgements and resends wait).</li>
 * <li><b>Reaching another shard</b>: {@link #execute} and {@link #submit} queue a task in that
 *     shard's mailbox and wake its thread, which runs the task between two {@code service} calls.
 *     Tasks for one shard run in the order they were queued; there is no order between shards, nor
 *     between a task and events already being handled. A task queued from the shard's own thread
 *     runs after the current handler returns, never inline. This is how a server sends to a peer
 *     of another shard: remember which shard each player is on, and
 *     {@code execute(shard, c -> peer.send(…))}.</li>
 * <li><b>Safe from any thread</b>: {@link #getConnectedPeerCount()} (per shard too),
 *     {@link #broadcast}, {@link #refuseNewConnections}, {@link #execute}, {@link #submit},
 *     {@link #getMetrics(int)}, {@link #getLocalPort()}, {@link #getShardCount()},
 *     {@link #currentShard()}, {@link #current()}, {@link #isRunning(int)}, {@link #destroy()} / {@link #close()}
 *     and, from any thread but a shard's, {@link #drain}.</li>
 * <li><b>Failures</b>: an exception thrown by the handler or by a task is passed to the
 *     {@link Builder#onError error handler} (by default logged at WARNING to {@code System.Logger}
 *     "io.jenet" with the shard's index) and the shard goes on with its next event; a task's
 *     exception also completes its future exceptionally. A {@link VirtualMachineError}
 *     ({@code OutOfMemoryError}, {@code StackOverflowError}, …) is reported the same way and then
 *     ends that shard's thread: its socket stays bound (see below why closing it would hurt the
 *     other shards), its peers time out, {@link #isRunning(int)} turns false, and the other shards
 *     go on. Calling {@code destroy()} or {@code createHost*} on a shard's connection is not
 *     allowed: the shard reports the failure and ends.</li>
 * </ul>
 *
 * <h2>What the kernel does</h2>
 *
 * <ul>
 * <li>Linux picks one socket of the group for each datagram by a hash of its source and destination
 *     addresses and ports, so every datagram of a client reaches the same shard for as long as the
 *     group does not change. The spread is as even as a random draw, no more: size
 *     {@link Builder#peersPerShard} with a margin (docs/BENCHMARKS.md measures it). Clients behind
 *     one address and port (one ENet host with many peers) all land on one shard.</li>
 * <li>A client whose address or port changes (a NAT rebinding) may land on another shard, which
 *     does not know it: it times out and reconnects, as it would with one ENet host, which also
 *     ties a peer to its address.</li>
 * <li>When a socket leaves the group, the kernel spreads remote addresses over the sockets left,
 *     and clients of the <em>other</em> shards move too: their datagrams reach a host that does not
 *     know them. So shards are never closed one by one while others serve: {@link #destroy()}
 *     stops every shard first, and a shard whose thread ended keeps its socket until then.</li>
 * <li>Every shard is bound before any thread starts. {@link Builder#start} refuses a port that
 *     another socket holds, even one that would share it, so that two servers do not split one
 *     port's clients by accident; a process of the same user that binds the port with
 *     {@code SO_REUSEPORT} later joins the group and takes a share of the clients.</li>
 * <li>Spreading datagrams over the group is Linux behaviour (3.9 and later). Other systems that
 *     have {@code SO_REUSEPORT} may deliver to one socket only; where the option is missing,
 *     {@link Builder#start} throws.</li>
 * </ul>
 *
 * <h2>Settings, memory, DTLS, metrics</h2>
 *
 * Each shard is a whole host: peer slots ({@link Builder#peersPerShard}, up to 4095 each, so a
 * port serves shards × 4095 peers), channels, bandwidth. Settings are applied to every shard by
 * the {@link Builder#setup setup} callback, on the starting thread after the shard's host is
 * created: compression, checksum, limits, {@link ENetConnection#setMetricsInterval metrics},
 * {@link ENetConnection#dtlsServerSetup DTLS} (each shard then keeps its own sessions and its own
 * limit of handshakes at once). Before it runs, each shard's incomplete-data budget and total
 * outgoing budget are set to a {@code 1/N} share of a single host's defaults (at least 64 KiB),
 * so the process as a whole holds what one host would; the callback may set others.
 *
 * <p>Thread-safety: see above; the class's own methods are safe from any thread, the shards'
 * connections are not.
 */
public final class ENetShardedHost implements AutoCloseable {
    /** What a shard's thread does with each of its events. */
    @FunctionalInterface
    public interface EventHandler {
        /**
         * Handles one event, as a service loop over one {@link ENetConnection} would.
         *
         * <p>Thread-safety: called on the shard's thread; {@code connection}, the event's peer and
         * its packets belong to that thread.
         *
         * @param shard the shard's index, 0 … {@link #getShardCount()} - 1
         * @param connection the shard's connection
         * <p>The handler may be called before {@link Builder#start} returns; to reach the server
         * from it, use {@link ENetShardedHost#current()}.
         *
         * @param event the event ({@code EVENT_CONNECT}, {@code EVENT_DISCONNECT},
         *              {@code EVENT_RECEIVE} with the packet queued on the peer, or
         *              {@code EVENT_ERROR}); never {@code EVENT_NONE}
         */
        void onEvent(int shard, ENetConnection connection, ENetEvent event);
    }

    /** Told about exceptions from the event handler and from tasks. */
    @FunctionalInterface
    public interface ErrorHandler {
        /**
         * Reports a failure; the shard goes on unless {@code error} is a
         * {@link VirtualMachineError} or the connection itself failed.
         *
         * <p>Thread-safety: called on the shard's thread; shards may call it at the same time.
         *
         * @param shard the shard's index
         * @param error what was thrown
         */
        void onError(int shard, Throwable error);
    }

    /** Configures one shard's connection, right after its host is created. */
    @FunctionalInterface
    public interface ShardSetup {
        /**
         * Applies settings to a shard (compression, limits, DTLS, metrics interval, …).
         *
         * <p>Thread-safety: called on the thread that calls {@link Builder#start}, for each shard in
         * turn, before any shard's thread starts.
         *
         * @param shard the shard's index
         * @param connection its connection, with its host created and bound
         * @throws IOException to make {@link Builder#start} fail (every shard is then destroyed)
         */
        void setUp(int shard, ENetConnection connection) throws IOException;
    }

    /** The largest shard count {@link #builder} takes. */
    public static final int MAX_SHARDS = 1024;

    private static final System.Logger LOG = System.getLogger("io.jenet");
    /** How long an idle shard waits in {@code service}; a task or a stop wakes it sooner. */
    private static final int SERVICE_WAIT_MS = 100;
    /** Tasks a shard runs between two service calls at most, so the network is not starved. */
    private static final int TASKS_PER_PASS = 1024;
    /** How long {@link #destroy()} waits for the shards' threads. */
    private static final long DESTROY_TIMEOUT_MS = 10_000;

    private final Shard[] shards;
    private final int localPort;
    private final int maxChannels;
    private final EventHandler handler;
    private final ErrorHandler errors;
    /** Set once by {@link #destroy}: every shard leaves its loop at the next pass. */
    private volatile boolean stopping;
    /** Serialises {@link #destroy} callers; a shard thread never takes it. */
    private final Object lifecycle = new Object();
    /** {@link #drain} waits on it; shard threads notify it when they are drained or end. */
    private final Object drainMonitor = new Object();

    /**
     * Starts building a server of {@code shards} shards (one host and one thread each). A good
     * count is the number of cores the server may use; see docs/BENCHMARKS.md for what more
     * shards than cores, and a client load shared with the server, do.
     *
     * @param shards 1 … {@link #MAX_SHARDS}
     * @return the builder
     * @throws IllegalArgumentException for a count out of range
     */
    public static Builder builder(int shards) {
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException("shards must be 1.." + MAX_SHARDS + ", got " + shards);
        }
        return new Builder(shards);
    }

    /**
     * Collects the server's settings; {@link #start} binds the shards and starts their threads.
     *
     * <p>Thread-safety: not thread-safe; use it from one thread.
     */
    public static final class Builder {
        private final int shardCount;
        private String bindAddress = "*";
        private int bindPort;
        private int peersPerShard = 32;
        private int channels;
        private int inBandwidth;
        private int outBandwidth;
        private ShardSetup setup;
        private ErrorHandler errors;

        private Builder(int shards) {
            this.shardCount = shards;
        }

        /**
         * Where every shard binds (default every address, port 0).
         *
         * @param address an IP address, or {@code "*"} for all addresses (IPv4 and IPv6)
         * @param port 0 … 65535; 0 picks a free port, which every shard then binds
         * @return this builder
         */
        public Builder bind(String address, int port) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.bindPort = port;
            return this;
        }

        /**
         * Peer slots of each shard (default 32). The kernel spreads clients over the shards
         * about as evenly as a random draw, so allow a margin over clients / shards.
         *
         * @param maxPeers 1 … 4095
         * @return this builder
         */
        public Builder peersPerShard(int maxPeers) {
            this.peersPerShard = maxPeers;
            return this;
        }

        /**
         * Channels per peer (default 0, meaning 255), as {@code createHostBound}'s {@code maxChannels}.
         *
         * @param maxChannels 0 … 255
         * @return this builder
         */
        public Builder channels(int maxChannels) {
            this.channels = maxChannels;
            return this;
        }

        /**
         * Bandwidth limits of each shard's host, as {@code createHostBound}'s (default unlimited).
         *
         * @param inBandwidth bytes/s, 0 = unlimited
         * @param outBandwidth bytes/s, 0 = unlimited
         * @return this builder
         */
        public Builder bandwidthPerShard(int inBandwidth, int outBandwidth) {
            this.inBandwidth = inBandwidth;
            this.outBandwidth = outBandwidth;
            return this;
        }

        /**
         * Settings for every shard, applied right after its host is created (see {@link ShardSetup}).
         *
         * @param setup the callback, or null for none
         * @return this builder
         */
        public Builder setup(ShardSetup setup) {
            this.setup = setup;
            return this;
        }

        /**
         * Where exceptions of the event handler and of tasks go (default: logged at WARNING).
         *
         * @param errors the callback, or null for the default
         * @return this builder
         */
        public Builder onError(ErrorHandler errors) {
            this.errors = errors;
            return this;
        }

        /**
         * Binds every shard to the address and port, applies the setup to each, and starts one
         * thread per shard that services it and calls {@code handler} with its events.
         *
         * @param handler what each shard's thread does with each event
         * @return the running server
         * @throws BindException if the port is in use (by any socket, also one that would share it)
         * @throws IOException if a shard cannot be bound (the platform cannot share ports, say) or
         *         the setup failed; nothing is left bound
         * @throws IllegalArgumentException for a value out of range
         */
        public ENetShardedHost start(EventHandler handler) throws IOException {
            Objects.requireNonNull(handler, "handler");
            return new ENetShardedHost(this, handler);
        }
    }

    private ENetShardedHost(Builder b, EventHandler handler) throws IOException {
        this.handler = handler;
        this.errors = b.errors != null ? b.errors : ENetShardedHost::logError;
        this.maxChannels = b.channels == 0 ? 255 : b.channels;
        int port = freePort(b.bindAddress, b.bindPort);
        List<ENetConnection> connections = new ArrayList<>();
        try {
            long incomplete = Math.max(64 << 10, Host.defaultIncompleteDataLimit() / b.shardCount);
            long outgoing = Math.max(64 << 10, Host.defaultOutgoingDataLimit() / b.shardCount);
            for (int i = 0; i < b.shardCount; i++) {
                ENetConnection c = new ENetConnection();
                connections.add(c);
                c.setIncompleteDataLimit(incomplete);
                c.setOutgoingDataLimits(0, outgoing);
                c.createHostBoundShared(b.bindAddress, port, b.peersPerShard, b.channels, b.inBandwidth, b.outBandwidth);
            }
            if (b.setup != null) {
                for (int i = 0; i < b.shardCount; i++) {
                    b.setup.setUp(i, connections.get(i));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            connections.forEach(ENetConnection::close);
            throw e;
        }
        this.localPort = port;
        this.shards = new Shard[b.shardCount];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(i, connections.get(i));
        }
        try {
            for (Shard s : shards) {
                s.thread.start();
            }
        } catch (RuntimeException | Error e) {
            destroy(DESTROY_TIMEOUT_MS); // a thread could not start: stop those that did, destroy every host
            throw e;
        }
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "jenet: {0} shards on port {1}, {2} peers each", shards.length, port, b.peersPerShard);
        }
    }

    /**
     * Finds the port to share and checks that no socket holds it: a plain bind succeeds only then
     * (Linux lets a socket that shares a port pick, for port 0, one that another sharing group holds).
     */
    private static int freePort(String bindAddress, int bindPort) throws IOException {
        InetSocketAddress bind = ENetConnection.bindAddress(bindAddress, bindPort);
        try (DatagramChannel probe = DatagramChannel.open()) {
            try {
                probe.bind(bind);
            } catch (BindException e) {
                BindException b = new BindException("cannot share " + bind + ": the port is in use (a socket holds it, "
                        + "perhaps one of another server sharing it with SO_REUSEPORT)");
                b.initCause(e);
                throw b;
            }
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    // ---- what a shard is ----

    /** A shard's thread knows its server and index, for {@link #current()} and {@link #currentShard()}. */
    private static final class ShardThread extends Thread {
        final ENetShardedHost owner;
        final int index;

        ShardThread(Runnable run, String name, ENetShardedHost owner, int index) {
            super(run, name);
            this.owner = owner;
            this.index = index;
        }
    }

    /** A queued task and the future it completes. */
    private static final class Task {
        final Function<ENetConnection, ?> work;
        final CompletableFuture<Object> done;

        Task(Function<ENetConnection, ?> work, CompletableFuture<Object> done) {
            this.work = work;
            this.done = done;
        }

        void cancel(String why) {
            done.completeExceptionally(new CancellationException(why));
        }
    }

    /** One shard: its connection, mailbox and thread. Fields marked "thread" are its thread's alone. */
    private final class Shard implements Runnable {
        final int index;
        final ENetConnection connection;
        final Runnable waker;
        final ConcurrentLinkedQueue<Task> mailbox = new ConcurrentLinkedQueue<>();
        final ShardThread thread;
        /** Connected peers as of the last pass, for any thread. */
        volatile int connected;
        /** Occupied peer slots as of the last pass while draining, -1 before. */
        volatile int occupied = -1;
        /** True until the thread leaves its loop (stopped, or failed). */
        volatile boolean running = true;
        /** Whether the host was destroyed (by the thread, or by {@link #destroy} after it ended). */
        volatile boolean hostClosed;
        /** Thread: a drain began on this shard. */
        boolean draining;

        Shard(int index, ENetConnection connection) {
            this.index = index;
            this.connection = connection;
            this.waker = connection.waker();
            this.thread = new ShardThread(this, "jenet-shard-" + localPort + "-" + index, ENetShardedHost.this, index);
        }

        @Override
        public void run() {
            boolean stopped = false;
            try {
                while (!stopping) {
                    runTasks();
                    if (stopping) {
                        break;
                    }
                    ENetEvent e = connection.service(SERVICE_WAIT_MS);
                    while (e.type() != ENetConnection.EventType.EVENT_NONE) {
                        dispatch(e);
                        e = connection.checkEvents();
                    }
                    publish();
                }
                stopped = true;
            } catch (Throwable t) {
                report(index, t);
            } finally {
                running = false;
                if (stopped) {
                    // Every shard stops before any socket closes (see "What the kernel does").
                    try {
                        connection.close();
                    } catch (RuntimeException e) {
                        report(index, e);
                    }
                    hostClosed = true;
                }
                cancelQueued("the shard stopped before the task ran");
                synchronized (drainMonitor) {
                    drainMonitor.notifyAll();
                }
            }
        }

        private void dispatch(ENetEvent e) {
            try {
                handler.onEvent(index, connection, e);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable t) {
                report(index, t);
            }
        }

        private void runTasks() {
            for (int i = 0; i < TASKS_PER_PASS; i++) {
                Task t = mailbox.poll();
                if (t == null) {
                    return;
                }
                try {
                    t.done.complete(t.work.apply(connection));
                } catch (VirtualMachineError fatal) {
                    t.done.completeExceptionally(fatal);
                    throw fatal;
                } catch (Throwable x) {
                    t.done.completeExceptionally(x);
                    report(index, x);
                }
            }
            if (!mailbox.isEmpty()) {
                waker.run(); // more than a pass's worth: the next service returns after one pass
            }
        }

        private void publish() {
            int c = connection.connectedPeerCount();
            if (c != connected) {
                connected = c; // written on change only: the shards' counters may share a cache line
            }
            if (draining) {
                int o = connection.occupiedPeerSlots();
                boolean drainedNow = o == 0 && occupied != 0;
                occupied = o;
                if (drainedNow) {
                    synchronized (drainMonitor) {
                        drainMonitor.notifyAll();
                    }
                }
            }
        }

        void enqueue(Task t) {
            if (!running) {
                t.cancel("shard " + index + " is not running");
                return;
            }
            mailbox.add(t);
            if (!running && mailbox.remove(t)) {
                t.cancel("shard " + index + " stopped before the task ran"); // it ended meanwhile
            } else {
                waker.run();
            }
        }

        void cancelQueued(String why) {
            for (Task t; (t = mailbox.poll()) != null; ) {
                t.cancel(why);
            }
        }
    }

    private void report(int shard, Throwable error) {
        try {
            errors.onError(shard, error);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "jenet: shard " + shard + ": the error handler failed", t);
        }
    }

    private static void logError(int shard, Throwable error) {
        LOG.log(System.Logger.Level.WARNING, "jenet: shard " + shard + ": " + error, error);
    }

    private Shard shard(int index) {
        if (index < 0 || index >= shards.length) {
            throw new IndexOutOfBoundsException("shard " + index + " of " + shards.length);
        }
        return shards[index];
    }

    private void checkNotDestroyed() {
        if (stopping) {
            throw new IllegalStateException("the sharded host is destroyed");
        }
    }

    // ---- queries ----

    /**
     * @return the number of shards
     */
    public int getShardCount() {
        return shards.length;
    }

    /** @return the UDP port every shard is bound to */
    public int getLocalPort() {
        return localPort;
    }

    /**
     * A shard's connection. Use it only on that shard's thread (in the handler, a task for that
     * shard, or the setup); the reference may be kept, e.g. to compare with the handler's argument.
     *
     * <p>Thread-safety: the call is safe from any thread; the connection is not (see the class
     * comment), except its {@link ENetConnection#getMetrics()}.
     *
     * @param shard 0 … {@link #getShardCount()} - 1
     * @return its connection
     * @throws IndexOutOfBoundsException for a bad index
     */
    public ENetConnection getConnection(int shard) {
        return shard(shard).connection;
    }

    /**
     * Which shard's thread is calling, so code shared by handlers and other threads can tell
     * whether it may touch a connection directly.
     *
     * <p>Thread-safety: safe from any thread.
     *
     * @return the index of the shard whose thread this is, or -1 on any other thread
     */
    public int currentShard() {
        return Thread.currentThread() instanceof ShardThread t && t.owner == this ? t.index : -1;
    }

    /**
     * The server whose shard's thread is calling, or null on any other thread. A handler may run
     * before {@link Builder#start} has returned the server to its caller, so this is how a
     * handler reaches it from its first event on (to broadcast, or to {@link #execute} on
     * another shard).
     *
     * <p>Thread-safety: safe from any thread.
     *
     * @return the calling shard's server, or null
     */
    public static ENetShardedHost current() {
        return Thread.currentThread() instanceof ShardThread t ? t.owner : null;
    }

    /**
     * Whether a shard's thread is still servicing it: false after {@link #destroy} and after the
     * thread ended on a {@link VirtualMachineError} or a failure of the connection itself.
     *
     * <p>Thread-safety: safe from any thread.
     *
     * @param shard the index
     * @return whether it runs
     */
    public boolean isRunning(int shard) {
        return shard(shard).running;
    }

    /**
     * Connected peers of all shards, as each shard's thread counted them after its last service
     * pass (a connection counts from its completed handshake until it is gone, also while it is
     * leaving with data still queued, as ENet counts them).
     *
     * <p>Thread-safety: safe from any thread; never blocks.
     *
     * @return the sum over the shards
     */
    public int getConnectedPeerCount() {
        int sum = 0;
        for (Shard s : shards) {
            sum += s.connected;
        }
        return sum;
    }

    /**
     * Connected peers of one shard (see {@link #getConnectedPeerCount()}).
     *
     * <p>Thread-safety: safe from any thread; never blocks.
     *
     * @param shard the index
     * @return its count after its last service pass
     */
    public int getConnectedPeerCount(int shard) {
        return shard(shard).connected;
    }

    /**
     * The latest metrics snapshot of one shard ({@link ENetConnection#getMetrics()}); a shard
     * publishes them once the setup has called {@link ENetConnection#setMetricsInterval}. Add them
     * up for the server (e.g. in Prometheus, with a {@code shard} tag per connection).
     *
     * <p>Thread-safety: safe from any thread; never blocks.
     *
     * @param shard the index
     * @return its snapshot
     */
    public HostMetrics getMetrics(int shard) {
        return shard(shard).connection.getMetrics();
    }

    // ---- work on a shard's thread ----

    /**
     * Runs {@code task} on a shard's thread with its connection, between two service calls. Tasks
     * for one shard run in the order they were queued; the shard wakes from its wait for them.
     *
     * <p>Thread-safety: safe from any thread, shard threads included (a task queued from a shard's
     * own thread runs after the current handler returns).
     *
     * @param shard the index
     * @param task what to do; it may use the connection, its peers and their packets
     * @return completes when the task has run: normally, or exceptionally with what it threw (also
     *         reported to the error handler), or with a {@link CancellationException} if the shard
     *         stopped before running it
     * @throws IllegalStateException if the server was destroyed
     * @throws IndexOutOfBoundsException for a bad index
     */
    public CompletableFuture<Void> execute(int shard, Consumer<ENetConnection> task) {
        Objects.requireNonNull(task, "task");
        return submit(shard, c -> {
            task.accept(c);
            return null;
        });
    }

    /**
     * {@link #execute} with a result: reads or computes something on a shard's thread (a peer's
     * round trip, a count of players in a room) for another thread.
     *
     * <p>Thread-safety: safe from any thread; a shard thread must not wait for the future of a
     * task on another shard (two shards waiting for each other would stall both).
     *
     * @param shard the index
     * @param task what to compute with the connection
     * @param <T> the result's type
     * @return completes with the result, as {@link #execute}'s future
     * @throws IllegalStateException if the server was destroyed
     * @throws IndexOutOfBoundsException for a bad index
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> submit(int shard, Function<ENetConnection, T> task) {
        Objects.requireNonNull(task, "task");
        Shard s = shard(shard);
        checkNotDestroyed();
        CompletableFuture<Object> done = new CompletableFuture<>();
        s.enqueue(new Task(task, done));
        return (CompletableFuture<T>) (CompletableFuture<?>) done;
    }

    // ---- operations on every shard ----

    /**
     * Queues a packet to every connected peer of every shard: each shard's thread runs
     * {@link ENetConnection#broadcast} for its own peers (never another thread), so every peer
     * connected on its shard when that shard runs the task gets it once. The payload is copied
     * once now and shared by the shards. Shards that are not running are skipped.
     *
     * <p>Thread-safety: safe from any thread, shard threads included (the calling shard's part
     * runs after its current handler returns).
     *
     * @param channel channel, below the server's channel limit
     * @param packet payload
     * @param flags packet flags, as {@link ENetConnection#broadcast}
     * @return completes with the number of peers it was queued to, over all shards, once every
     *         shard has queued it (exceptionally if a shard's broadcast threw, e.g. for a packet
     *         over a shard's maximum packet size)
     * @throws IllegalArgumentException for bad flags or a channel out of range
     * @throws IllegalStateException if the server was destroyed
     */
    public CompletableFuture<Integer> broadcast(int channel, byte[] packet, int flags) {
        Objects.requireNonNull(packet, "packet");
        if ((flags & ~(ENetPacketPeer.FLAG_RELIABLE | ENetPacketPeer.FLAG_UNSEQUENCED | ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT)) != 0) {
            throw new IllegalArgumentException("flags " + flags + " not allowed: use FLAG_RELIABLE, FLAG_UNSEQUENCED, FLAG_UNRELIABLE_FRAGMENT");
        }
        if (channel < 0 || channel >= maxChannels) {
            throw new IllegalArgumentException("invalid channel " + channel + ": the channel limit is " + maxChannels);
        }
        checkNotDestroyed();
        byte[] copy = packet.clone();
        List<CompletableFuture<Integer>> parts = new ArrayList<>();
        for (Shard s : shards) {
            if (s.running) {
                parts.add(submit(s.index, c -> c.broadcastCounted(channel, copy, flags)));
            }
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> parts.stream().mapToInt(CompletableFuture::join).sum());
    }

    /**
     * Refuses (or again accepts) connection attempts from new peers on every shard, as
     * {@link ENetConnection#refuseNewConnections} does for one host: each shard's thread applies
     * it. Wait for the future before counting on it; connections already made are untouched.
     *
     * <p>Thread-safety: safe from any thread.
     *
     * @param refuse whether to refuse
     * @return completes when every running shard applies it
     * @throws IllegalStateException if the server was destroyed
     */
    public CompletableFuture<Void> refuseNewConnections(boolean refuse) {
        checkNotDestroyed();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (Shard s : shards) {
            if (s.running) {
                parts.add(execute(s.index, c -> c.refuseNewConnections(refuse)));
            }
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Drains every shard and destroys the server, for a graceful shutdown (as
     * {@link ENetConnection#drain} for one host): each shard's thread calls
     * {@link ENetConnection#beginDrain(int) beginDrain(data)} (new connections refused, every peer
     * told to leave after what was queued for it) and goes on servicing and handing events to the
     * handler (the {@code EVENT_DISCONNECT}s, packets still arriving); this call waits until every
     * shard's peers are gone or the deadline passes, then {@link #destroy()}s (peers still there
     * get an unacknowledged DISCONNECT with {@code data}).
     *
     * <p>Thread-safety: safe from any thread except a shard's own; blocks up to
     * {@code timeoutMillis} plus {@link #destroy()}'s wait.
     *
     * @param data the disconnect data every peer receives, e.g. {@link ENetConnection#DRAIN_DISCONNECT_DATA}
     * @param timeoutMillis the deadline, at least 0
     * @return how many peers were still there at the deadline (0: every one left in time)
     * @throws IllegalStateException if called on a shard's thread or after destroy
     * @throws IllegalArgumentException for a negative timeout
     */
    public int drain(int data, int timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeoutMillis);
        }
        if (currentShard() >= 0) {
            throw new IllegalStateException("drain waits for every shard: call it from another thread than a shard's");
        }
        checkNotDestroyed();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (Shard s : shards) {
            s.enqueue(new Task(c -> {
                c.beginDrain(data);
                s.draining = true;
                s.publish();
                return null;
            }, new CompletableFuture<>()));
        }
        synchronized (drainMonitor) {
            long left;
            while (peersLeft(false) > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    drainMonitor.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int left = peersLeft(true);
        destroy();
        return left;
    }

    /** Peers still there while draining: a shard that has not begun counts as not drained. */
    private int peersLeft(boolean count) {
        int sum = 0;
        for (Shard s : shards) {
            int o = s.occupied;
            if (!s.running || o < 0) {
                sum += count ? s.connected : (s.running ? 1 : 0);
            } else {
                sum += o;
            }
        }
        return sum;
    }

    // ---- teardown ----

    /**
     * {@link #destroy(long)} waiting up to 10 s; a shard whose thread does not end by then is
     * logged at WARNING.
     *
     * <p>Thread-safety: safe from any thread; idempotent.
     */
    public void destroy() {
        if (!destroy(DESTROY_TIMEOUT_MS) && currentShard() < 0) {
            LOG.log(System.Logger.Level.WARNING, "jenet: a shard''s thread did not end within {0} ms (a handler that does not return?)",
                    DESTROY_TIMEOUT_MS);
        }
    }

    /**
     * Stops every shard and destroys its host: each shard's thread leaves its loop at its next
     * pass (after the event or task at hand) and destroys its own connection (every peer gets a
     * DISCONNECT, as {@link ENetConnection#destroy()}); the port is free once every thread has
     * ended. Tasks not yet run are cancelled. This call waits for the threads up to
     * {@code timeoutMillis}, then interrupts those still running (each still destroys its host
     * when its handler returns). Called again, it does the waiting that is left, if any.
     *
     * <p>Thread-safety: safe from any thread. Called on a shard's thread (say, by a handler), it
     * only asks every shard to stop and returns false at once: that shard stops when the handler
     * returns.
     *
     * @param timeoutMillis how long to wait for the threads, at least 0
     * @return whether every shard's thread has ended and every host is destroyed
     * @throws IllegalArgumentException for a negative timeout
     */
    public boolean destroy(long timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout must be >= 0, got " + timeoutMillis);
        }
        stopping = true;
        for (Shard s : shards) {
            s.waker.run();
        }
        if (currentShard() >= 0) {
            return false;
        }
        synchronized (lifecycle) {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            boolean interrupted = false;
            for (Shard s : shards) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                try {
                    if (!interrupted && left > 0) {
                        s.thread.join(left);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            boolean all = true;
            for (Shard s : shards) {
                if (s.thread.isAlive()) {
                    all = false;
                    s.thread.interrupt();
                } else if (!s.hostClosed) {
                    // Its thread ended on a failure: the socket was kept bound until now (see the class comment).
                    s.connection.close();
                    s.hostClosed = true;
                }
                s.cancelQueued("the sharded host was destroyed");
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return all;
        }
    }

    /** {@link #destroy()}. */
    @Override
    public void close() {
        destroy();
    }

    /** @return the shard's thread, for tests */
    Thread thread(int shard) {
        return shard(shard).thread;
    }
}

package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ENetShardedHost} on real loopback sockets: shards share one port, each client (its own
 * host and socket) stays on one shard, and the operations that span shards reach every shard once.
 * Clients are serviced by the test thread; the shards by their own threads.
 */
class ENetShardedHostTest {
    private static final int SHARDS = 4;
    private static final int CHANNELS = 2;
    private static final long DEADLINE_MS = 20_000;

    private ENetShardedHost server;
    private Fleet fleet;
    /** Client id (its CONNECT data) → the shard where its CONNECT arrived, for every CONNECT. */
    private final Map<Integer, Queue<Integer>> connectedOn = new ConcurrentHashMap<>();
    /** Client id → (shard, sequence number) of every packet the server received from it, in order. */
    private final Map<Integer, Queue<int[]>> arrivals = new ConcurrentHashMap<>();
    /** Client id → its peer on the server, with the shard it is on. */
    private final Map<Integer, Object[]> serverPeers = new ConcurrentHashMap<>();
    private final Queue<int[]> serverDisconnects = new ConcurrentLinkedQueue<>();
    /** What the error handler was given: shard and exception. */
    private final Queue<Object[]> errors = new ConcurrentLinkedQueue<>();
    /** Shards whose handler ran on a thread other than their own (must stay empty). */
    private final Queue<String> wrongThread = new ConcurrentLinkedQueue<>();

    @AfterEach
    void closeAll() {
        if (fleet != null) {
            fleet.close();
        }
        if (server != null) {
            server.close();
        }
        assertThat(wrongThread).isEmpty();
    }

    /** Client {@code id}'s packet {@code seq}: id, seq, then 32 bytes that depend on both. */
    private static byte[] packet(int id, int seq) {
        ByteBuffer b = ByteBuffer.allocate(40).putInt(id).putInt(seq);
        for (int i = 8; i < 40; i++) {
            b.put((byte) (id * 31 + seq * 7 + i));
        }
        return b.array();
    }

    /**
     * The echo server of these tests: records where each CONNECT and packet arrived, echoes packets
     * on their channel, and throws for packets whose sequence number is {@code throwAt}.
     */
    private ENetShardedHost.EventHandler echo(int throwAt) {
        return (shard, connection, event) -> {
            if (server != null && (server.currentShard() != shard || ENetShardedHost.current() != server
                    || server.getConnection(shard) != connection)) {
                wrongThread.add("shard " + shard + " on " + Thread.currentThread().getName());
            }
            ENetPacketPeer peer = event.peer();
            switch (event.type()) {
                case EVENT_CONNECT -> {
                    connectedOn.computeIfAbsent(event.data(), k -> new ConcurrentLinkedQueue<>()).add(shard);
                    serverPeers.put(event.data(), new Object[] {shard, peer});
                }
                case EVENT_DISCONNECT -> serverDisconnects.add(new int[] {shard, event.data()});
                case EVENT_RECEIVE -> {
                    byte[] p = peer.getPacket();
                    ByteBuffer b = ByteBuffer.wrap(p);
                    int id = b.getInt(0);
                    int seq = b.getInt(4);
                    arrivals.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).add(new int[] {shard, seq});
                    if (seq == throwAt) {
                        throw new IllegalStateException("boom " + id);
                    }
                    peer.send(event.channel(), p, ENetPacketPeer.FLAG_RELIABLE);
                }
                default -> { }
            }
        };
    }

    private ENetShardedHost.Builder builder(int peersPerShard) {
        return ENetShardedHost.builder(SHARDS).bind("127.0.0.1", 0).peersPerShard(peersPerShard).channels(CHANNELS)
                .onError((shard, error) -> errors.add(new Object[] {shard, error}));
    }

    /** Client hosts, each with its own socket, serviced by the test thread. */
    private static final class Fleet implements AutoCloseable {
        final List<ENetConnection> hosts = new ArrayList<>();
        final ENetPacketPeer[] peers;
        final boolean[] connected;
        final List<List<byte[]>> received = new ArrayList<>();
        final List<List<Integer>> receivedChannels = new ArrayList<>();
        final int[] disconnectData;

        Fleet(int n, ENetConnection.CompressionMode mode) throws Exception {
            peers = new ENetPacketPeer[n];
            connected = new boolean[n];
            disconnectData = new int[n];
            Arrays.fill(disconnectData, -1);
            for (int i = 0; i < n; i++) {
                ENetConnection c = new ENetConnection();
                c.compress(mode);
                hosts.add(c);
                c.createHost(1, CHANNELS);
                received.add(new ArrayList<>());
                receivedChannels.add(new ArrayList<>());
            }
        }

        void connectAll(int port) {
            for (int i = 0; i < peers.length; i++) {
                connect(i, port);
            }
        }

        void connect(int i, int port) {
            connected[i] = false;
            disconnectData[i] = -1;
            peers[i] = hosts.get(i).connectToHost("127.0.0.1", port, CHANNELS, i);
        }

        /** Services every client once, recording its events. */
        void pump() {
            for (int i = 0; i < peers.length; i++) {
                ENetConnection c = hosts.get(i);
                for (ENetEvent e = c.service(0); e.type() != ENetConnection.EventType.EVENT_NONE; e = c.checkEvents()) {
                    switch (e.type()) {
                        case EVENT_CONNECT -> connected[i] = true;
                        case EVENT_DISCONNECT -> {
                            connected[i] = false;
                            disconnectData[i] = e.data();
                        }
                        case EVENT_RECEIVE -> {
                            receivedChannels.get(i).add(e.channel());
                            received.get(i).add(e.peer().getPacket());
                        }
                        default -> { }
                    }
                }
            }
        }

        /** Services the clients until {@code condition} holds; fails after the deadline. */
        void until(BooleanSupplier condition, String what) {
            long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000L;
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not within " + DEADLINE_MS + " ms: " + what);
                }
                pump();
            }
        }

        boolean allConnected() {
            for (boolean c : connected) {
                if (!c) {
                    return false;
                }
            }
            return true;
        }

        /** Packets client {@code i} received on {@code channel}, in order. */
        List<byte[]> on(int i, int channel) {
            List<byte[]> out = new ArrayList<>();
            for (int k = 0; k < received.get(i).size(); k++) {
                if (receivedChannels.get(i).get(k) == channel) {
                    out.add(received.get(i).get(k));
                }
            }
            return out;
        }

        @Override
        public void close() {
            hosts.forEach(ENetConnection::close);
        }
    }

    /** Starts the fleet, connects it, and waits until the server counts every client. */
    private void connectFleet(int clients, ENetConnection.CompressionMode mode) throws Exception {
        fleet = new Fleet(clients, mode);
        fleet.connectAll(server.getLocalPort());
        fleet.until(() -> fleet.allConnected() && server.getConnectedPeerCount() == clients, "every client connected");
    }

    /** The shard each client connected on; each must have connected exactly once. */
    private int[] shardOfEachClient(int clients) {
        int[] shardOf = new int[clients];
        for (int id = 0; id < clients; id++) {
            assertThat(connectedOn.get(id)).as("CONNECTs of client %d", id).hasSize(1);
            shardOf[id] = connectedOn.get(id).peek();
        }
        return shardOf;
    }

    @Test
    void everyClientStaysOnOneShardItsEchoesComeBackInOrderAndBroadcastReachesEveryPeerOnce() throws Exception {
        int clients = 200;
        int packets = 20;
        List<Integer> setUp = new ArrayList<>();
        server = builder(clients).setup((shard, c) -> {
            setUp.add(shard);
            c.compress(ENetConnection.CompressionMode.COMPRESS_RANGE_CODER); // the clients' mode: every shard must have it
        }).start(echo(-1));
        assertThat(setUp).containsExactly(0, 1, 2, 3);
        connectFleet(clients, ENetConnection.CompressionMode.COMPRESS_RANGE_CODER);

        int[] shardOf = shardOfEachClient(clients);
        for (int k = 0; k < SHARDS; k++) {
            int shard = k;
            long here = Arrays.stream(shardOf).filter(s -> s == shard).count();
            assertThat(here).as("clients on shard %d", k).isPositive();
            assertThat(server.getConnectedPeerCount(k)).as("peer count of shard %d", k).isEqualTo((int) here);
        }
        assertThat(server.getConnectedPeerCount()).isEqualTo(clients);

        for (int i = 0; i < clients; i++) {
            for (int seq = 0; seq < packets; seq++) {
                fleet.peers[i].send(1, packet(i, seq), ENetPacketPeer.FLAG_RELIABLE);
            }
        }
        fleet.until(() -> IntStream.range(0, clients).allMatch(i -> fleet.received.get(i).size() == packets), "every echo");
        List<Integer> sequence = IntStream.range(0, packets).boxed().toList();
        for (int i = 0; i < clients; i++) {
            List<byte[]> echoes = fleet.on(i, 1);
            assertThat(echoes).hasSize(packets);
            for (int seq = 0; seq < packets; seq++) {
                assertThat(echoes.get(seq)).as("echo %d of client %d", seq, i).isEqualTo(packet(i, seq));
            }
            List<int[]> seen = new ArrayList<>(arrivals.get(i));
            assertThat(seen.stream().map(a -> a[1]).toList()).as("packets of client %d on the server", i).isEqualTo(sequence);
            int home = shardOf[i];
            assertThat(seen).as("shards that saw client %d", i).allMatch(a -> a[0] == home);
        }

        // Two broadcasts on the reliable channel 0: a shard that sent the first twice (or not at
        // all) shows in the order its peers receive them.
        byte[] first = "broadcast one".getBytes(StandardCharsets.UTF_8);
        byte[] second = "broadcast two".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Integer> one = server.broadcast(0, first, ENetPacketPeer.FLAG_RELIABLE);
        first[0] = 'X'; // the payload was copied when broadcast returned
        CompletableFuture<Integer> two = server.broadcast(0, second, ENetPacketPeer.FLAG_RELIABLE);
        assertThat(one.get(DEADLINE_MS, TimeUnit.MILLISECONDS)).isEqualTo(clients);
        assertThat(two.get(DEADLINE_MS, TimeUnit.MILLISECONDS)).isEqualTo(clients);
        fleet.until(() -> IntStream.range(0, clients).allMatch(i -> fleet.on(i, 0).size() >= 2), "both broadcasts at every client");
        for (int i = 0; i < clients; i++) {
            assertThat(fleet.on(i, 0)).as("broadcasts at client %d", i)
                    .containsExactly("broadcast one".getBytes(StandardCharsets.UTF_8), second);
        }
        assertThat(errors).isEmpty();
    }

    /**
     * Garbage from many source ports (so the kernel spreads it over the shards, as it spreads
     * clients) between every service of the clients: empty, cut-short ENet headers and commands,
     * random bytes, 5 000 and 60 000 bytes. Every honest echo comes back once, whole, in order; the
     * oversized datagrams are dropped and counted by the shards they reached, more than one.
     */
    @Test
    void garbageFromManySourcesCostsTheHonestClientsOnNoShardAnything() throws Exception {
        int clients = 32;
        int packets = 30;
        server = builder(clients).start(echo(-1));
        List<DatagramChannel> attackers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            DatagramChannel a = DatagramChannel.open();
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            attackers.add(a);
        }
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.getLocalPort());
        GarbageDatagrams garbage = new GarbageDatagrams(attackers, target, 7);
        fleet = new Fleet(clients, ENetConnection.CompressionMode.COMPRESS_NONE);
        fleet.connectAll(server.getLocalPort());
        fleet.until(() -> {
            garbage.burst();
            return fleet.allConnected() && server.getConnectedPeerCount() == clients;
        }, "every client connected among garbage");
        for (int i = 0; i < clients; i++) {
            for (int seq = 0; seq < packets; seq++) {
                fleet.peers[i].send(1, packet(i, seq), ENetPacketPeer.FLAG_RELIABLE);
            }
        }
        fleet.until(() -> {
            garbage.burst();
            return IntStream.range(0, clients).allMatch(i -> fleet.received.get(i).size() >= packets);
        }, "every echo among garbage");
        for (int i = 0; i < clients; i++) {
            List<byte[]> echoes = fleet.on(i, 1);
            assertThat(echoes).as("echoes of client %d", i).hasSize(packets);
            for (int seq = 0; seq < packets; seq++) {
                assertThat(echoes.get(seq)).as("echo %d of client %d", seq, i).isEqualTo(packet(i, seq));
            }
            assertThat(arrivals.get(i).stream().map(a -> a[1]).toList()).as("packets of client %d on the server", i)
                    .isEqualTo(IntStream.range(0, packets).boxed().toList());
        }
        assertThat(server.getConnectedPeerCount()).isEqualTo(clients);
        long dropped = 0;
        int shardsHit = 0;
        for (int k = 0; k < SHARDS; k++) {
            long d = server.submit(k, ENetConnection::getDroppedDatagrams).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            dropped += d;
            shardsHit += d > 0 ? 1 : 0;
        }
        assertThat(garbage.oversized()).isPositive();
        assertThat(dropped).as("datagrams dropped and counted over the shards").isGreaterThanOrEqualTo(garbage.oversized());
        assertThat(shardsHit).as("shards the garbage reached").isGreaterThan(1);
        assertThat(errors).isEmpty();
        for (DatagramChannel a : attackers) {
            a.close();
        }
    }

    @Test
    void refuseNewConnectionsRefusesANewcomerOnEveryShardAndAcceptsAgainWhenLifted() throws Exception {
        int clients = 64; // a shard without a client: 4 × (3/4)^64 ≈ 4e-8
        server = builder(clients).start(echo(-1));
        connectFleet(clients, ENetConnection.CompressionMode.COMPRESS_NONE);
        int[] shardOf = shardOfEachClient(clients);
        // One client per shard leaves; from the same socket it is a newcomer on that same shard.
        int[] pick = new int[SHARDS];
        for (int k = 0; k < SHARDS; k++) {
            int shard = k;
            pick[k] = IntStream.range(0, clients).filter(i -> shardOf[i] == shard).findFirst().orElseThrow();
            fleet.peers[pick[k]].peerDisconnect(0);
        }
        fleet.until(() -> Arrays.stream(pick).allMatch(i -> fleet.disconnectData[i] == 0)
                && server.getConnectedPeerCount() == clients - SHARDS, "the four left");

        server.refuseNewConnections(true).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        long[] refusedBefore = refusedPerShard();
        for (int i : pick) {
            fleet.connect(i, server.getLocalPort());
        }
        fleet.until(() -> {
            long[] now = refusedPerShard();
            return IntStream.range(0, SHARDS).allMatch(k -> now[k] > refusedBefore[k]);
        }, "a refused CONNECT on every shard");
        fleet.pump();
        for (int i : pick) {
            assertThat(fleet.connected[i]).isFalse();
            assertThat(fleet.peers[i].getState()).isEqualTo(ENetPacketPeer.PeerState.STATE_CONNECTING);
            assertThat(connectedOn.get(i)).hasSize(1);
        }
        assertThat(server.getConnectedPeerCount()).isEqualTo(clients - SHARDS);

        server.refuseNewConnections(false).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
        fleet.until(() -> fleet.allConnected() && server.getConnectedPeerCount() == clients, "the four back");
        for (int k = 0; k < SHARDS; k++) {
            assertThat(new ArrayList<>(connectedOn.get(pick[k]))).as("shards client %d connected on", pick[k]).containsExactly(k, k);
        }
    }

    /** Each shard's REFUSED drop counter, read on the shard's own thread. */
    private long[] refusedPerShard() {
        long[] out = new long[SHARDS];
        for (int k = 0; k < SHARDS; k++) {
            out[k] = server.submit(k, c -> c.publishMetrics().droppedDatagrams(HostMetrics.DatagramDrop.REFUSED))
                    .orTimeout(DEADLINE_MS, TimeUnit.MILLISECONDS).join();
        }
        return out;
    }

    @Test
    void destroyStopsEveryThreadTellsEveryPeerAndFreesThePort() throws Exception {
        int clients = 16;
        server = builder(clients).start(echo(-1));
        int port = server.getLocalPort();
        connectFleet(clients, ENetConnection.CompressionMode.COMPRESS_NONE);
        List<Thread> threads = IntStream.range(0, SHARDS).mapToObj(server::thread).toList();
        assertThat(threads).allMatch(Thread::isAlive);
        assertThat(threads.stream().map(Thread::getName).toList())
                .containsExactly("jenet-shard-" + port + "-0", "jenet-shard-" + port + "-1", "jenet-shard-" + port + "-2",
                        "jenet-shard-" + port + "-3");
        // While it runs, nothing else may take the port, not even a socket that would share it.
        assertThatThrownBy(() -> builder(1).bind("127.0.0.1", port).start(echo(-1))).isInstanceOf(BindException.class);

        assertThat(server.destroy(DEADLINE_MS)).isTrue();
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("jenet-shard-" + port + "-"));
        assertThat(IntStream.range(0, SHARDS).mapToObj(server::isRunning)).containsOnly(false);
        fleet.until(() -> Arrays.stream(fleet.disconnectData).allMatch(d -> d == 0), "a DISCONNECT at every client");
        try (DatagramChannel again = DatagramChannel.open()) {
            again.bind(new InetSocketAddress("127.0.0.1", port)); // no socket of the group is left
        }
        assertThat(server.destroy(0)).isTrue(); // idempotent
        server.close();
        assertThatThrownBy(() -> server.execute(0, c -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.broadcast(0, new byte[1], 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.refuseNewConnections(true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aHandlerOrTaskThatThrowsIsReportedAndItsShardGoesOn() throws Exception {
        int clients = 16;
        int packets = 8;
        int throwAt = 3;
        server = builder(clients).start(echo(throwAt));
        connectFleet(clients, ENetConnection.CompressionMode.COMPRESS_NONE);
        int[] shardOf = shardOfEachClient(clients);
        for (int i = 0; i < clients; i++) {
            for (int seq = 0; seq < packets; seq++) {
                fleet.peers[i].send(1, packet(i, seq), ENetPacketPeer.FLAG_RELIABLE);
            }
        }
        fleet.until(() -> IntStream.range(0, clients).allMatch(i -> fleet.received.get(i).size() == packets - 1), "every echo but one");
        for (int i = 0; i < clients; i++) {
            int id = i;
            assertThat(fleet.on(i, 1)).as("echoes of client %d", i)
                    .containsExactlyElementsOf(IntStream.range(0, packets).filter(s -> s != throwAt).mapToObj(s -> packet(id, s)).toList());
        }
        assertThat(errors).hasSize(clients);
        Map<Integer, Integer> failedOn = new HashMap<>();
        for (Object[] e : errors) {
            assertThat(e[1]).isInstanceOf(IllegalStateException.class);
            int id = Integer.parseInt(((Throwable) e[1]).getMessage().substring("boom ".length()));
            failedOn.put(id, (Integer) e[0]);
        }
        assertThat(failedOn).isEqualTo(IntStream.range(0, clients).boxed().collect(Collectors.toMap(i -> i, i -> shardOf[i])));

        errors.clear();
        RuntimeException thrown = new RuntimeException("task failed");
        CompletableFuture<Void> failing = server.execute(2, c -> {
            throw thrown;
        });
        assertThatThrownBy(() -> failing.get(DEADLINE_MS, TimeUnit.MILLISECONDS)).isInstanceOf(ExecutionException.class).hasCause(thrown);
        assertThat(server.submit(2, c -> server.currentShard()).get(DEADLINE_MS, TimeUnit.MILLISECONDS)).isEqualTo(2);
        assertThat(errors).hasSize(1);
        assertThat(errors.peek()).containsExactly(2, thrown);
        assertThat(IntStream.range(0, SHARDS).mapToObj(server::isRunning)).containsOnly(true);
        assertThat(server.currentShard()).isEqualTo(-1);
        assertThat(ENetShardedHost.current()).isNull();
    }

    @Test
    void aTaskSendsToAPeerOfAnotherShardOnThatShardsThread() throws Exception {
        int clients = 16;
        // A packet with sequence number 99 is for client `to`: its shard hands it to the shard
        // of that client, whose thread sends it; every other packet is echoed.
        AtomicInteger to = new AtomicInteger(-1);
        AtomicReference<String> taskThread = new AtomicReference<>();
        ENetShardedHost.EventHandler echo = echo(-1);
        server = builder(clients).start((shard, connection, event) -> {
            if (event.type() == EVENT_RECEIVE && event.peer().getAvailablePacketCount() > 0) {
                byte[] p = event.peer().getPacket();
                if (ByteBuffer.wrap(p).getInt(4) == 99) {
                    Object[] target = serverPeers.get(to.get());
                    ENetPacketPeer peer = (ENetPacketPeer) target[1];
                    server.execute((Integer) target[0], c -> {
                        taskThread.set(Thread.currentThread().getName());
                        peer.send(1, p, ENetPacketPeer.FLAG_RELIABLE);
                    });
                } else {
                    event.peer().send(event.channel(), p, ENetPacketPeer.FLAG_RELIABLE);
                }
                return;
            }
            echo.onEvent(shard, connection, event);
        });
        connectFleet(clients, ENetConnection.CompressionMode.COMPRESS_NONE);
        int[] shardOf = shardOfEachClient(clients);
        int a = 0;
        int b = IntStream.range(0, clients).filter(i -> shardOf[i] != shardOf[a]).findFirst().orElseThrow();
        to.set(b);
        fleet.peers[a].send(1, packet(a, 98), ENetPacketPeer.FLAG_RELIABLE);
        fleet.peers[a].send(1, packet(a, 99), ENetPacketPeer.FLAG_RELIABLE);
        fleet.until(() -> !fleet.on(b, 1).isEmpty() && !fleet.on(a, 1).isEmpty(), "the message at B and the echo at A");
        assertThat(fleet.on(b, 1)).containsExactly(packet(a, 99));
        assertThat(fleet.on(a, 1)).containsExactly(packet(a, 98));
        assertThat(taskThread.get()).isEqualTo(server.thread(shardOf[b]).getName());
        for (int k = 0; k < SHARDS; k++) {
            assertThat(server.submit(k, c -> c.getPeers().size()).get(DEADLINE_MS, TimeUnit.MILLISECONDS))
                    .isEqualTo(server.getConnectedPeerCount(k));
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void drainTellsEveryPeerOnEveryShardThenDestroys() throws Exception {
        int clients = 16;
        server = builder(clients).start(echo(-1));
        connectFleet(clients, ENetConnection.CompressionMode.COMPRESS_NONE);
        AtomicInteger left = new AtomicInteger(-1);
        Thread drainer = new Thread(() -> left.set(server.drain(ENetConnection.DRAIN_DISCONNECT_DATA, 10_000)), "drainer");
        drainer.start();
        fleet.until(() -> !drainer.isAlive(), "the drain to end");
        assertThat(left.get()).isZero();
        assertThat(fleet.disconnectData).containsOnly(ENetConnection.DRAIN_DISCONNECT_DATA);
        assertThat(serverDisconnects).hasSize(clients);
        assertThat(IntStream.range(0, SHARDS).mapToObj(server::thread)).noneMatch(Thread::isAlive);
    }

    @Test
    void everyShardServesDtlsWhenTheSetupAsksForIt() throws Exception {
        TestCertificates authority = new TestCertificates("jenet shard CA");
        TestCertificates.Issued localhost = authority.server("localhost");
        int clients = 6;
        server = ENetShardedHost.builder(2).bind("127.0.0.1", 0).peersPerShard(clients).channels(CHANNELS)
                .setup((shard, c) -> c.dtlsServerSetup(localhost.serverOptions()))
                .onError((shard, error) -> errors.add(new Object[] {shard, error}))
                .start(echo(-1));
        fleet = new Fleet(clients, ENetConnection.CompressionMode.COMPRESS_NONE);
        for (ENetConnection c : fleet.hosts) {
            c.dtlsClientSetup("localhost", TlsOptions.client(List.of(authority.ca), null));
        }
        fleet.connectAll(server.getLocalPort());
        fleet.until(() -> fleet.allConnected() && server.getConnectedPeerCount() == clients, "every DTLS client connected");
        for (int i = 0; i < clients; i++) {
            for (int seq = 0; seq < 5; seq++) {
                fleet.peers[i].send(1, packet(i, seq), ENetPacketPeer.FLAG_RELIABLE);
            }
        }
        fleet.until(() -> IntStream.range(0, clients).allMatch(i -> fleet.received.get(i).size() == 5), "every DTLS echo");
        for (int i = 0; i < clients; i++) {
            int id = i;
            assertThat(fleet.on(i, 1)).containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(s -> packet(id, s)).toList());
        }
        int sessions = 0;
        for (int k = 0; k < 2; k++) {
            int shard = k;
            int here = server.submit(k, ENetConnection::getDtlsSessions).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            assertThat(here).as("sessions of shard %d", k).isEqualTo(server.getConnectedPeerCount(shard));
            sessions += here;
        }
        assertThat(sessions).isEqualTo(clients);
        assertThat(errors).isEmpty();
    }

    @Test
    void aWakeupEndsAServiceWaitAtOnce() throws Exception {
        try (ENetConnection c = new ENetConnection()) {
            c.createHostBound("127.0.0.1", 0, 1, 1);
            AtomicReference<ENetEvent> result = new AtomicReference<>();
            Thread waiter = new Thread(() -> result.set(c.service(60_000)), "waiter");
            long start = System.nanoTime();
            waiter.start();
            c.waker().run();
            waiter.join(DEADLINE_MS);
            assertThat(waiter.isAlive()).as("service(60 s) still waiting after a wakeup").isFalse();
            assertThat(result.get().type()).isEqualTo(ENetConnection.EventType.EVENT_NONE);
            assertThat(System.nanoTime() - start).isLessThan(DEADLINE_MS * 1_000_000L);
        }
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        assertThatThrownBy(() -> ENetShardedHost.builder(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ENetShardedHost.builder(ENetShardedHost.MAX_SHARDS + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ENetShardedHost.builder(2).bind("*", 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ENetShardedHost.builder(2).peersPerShard(0).start(echo(-1))).isInstanceOf(IllegalArgumentException.class);
        server = builder(2).start(echo(-1));
        assertThatThrownBy(() -> server.broadcast(CHANNELS, new byte[1], ENetPacketPeer.FLAG_RELIABLE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.broadcast(0, new byte[1], 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.execute(SHARDS, c -> { })).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(server.broadcast(0, new byte[1], ENetPacketPeer.FLAG_RELIABLE).get(DEADLINE_MS, TimeUnit.MILLISECONDS)).isZero();
    }
}

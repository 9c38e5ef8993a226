package io.jenet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jenet serve --shards N} on loopback: clients (each its own host and socket) spread over
 * the shards, echoes and the relay cross them, the metrics carry one {@code shard} tag per host,
 * and a drain tells every client on every shard.
 */
class ServeShardsTest {
    private static final int SHARDS = 3;
    private static final long DEADLINE_NS = 20_000_000_000L;

    private final ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
    private ServeCommand.EchoServer server;
    private Thread serverThread;
    private final List<ENetConnection> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(ENetConnection::close);
        if (server != null) {
            server.stop();
            serverThread.join(10_000);
            assertThat(serverThread.isAlive()).isFalse();
        }
    }

    private int start(boolean echo, boolean relay) throws Exception {
        server = new ServeCommand.EchoServer("127.0.0.1", 0, 16, 0, ENetConnection.CompressionMode.COMPRESS_NONE, false, echo,
                new PrintStream(serverOut, true, StandardCharsets.UTF_8));
        server.shards = SHARDS;
        server.relay = relay;
        server.metricsPort = 0;
        server.drainTimeoutMs = 5000;
        serverThread = new Thread(server, "serve");
        serverThread.start();
        int port = server.awaitBound(10_000);
        assertThat(port).isPositive();
        assertThat(out()).contains("listening on port " + port + ", " + SHARDS + " shards sharing it");
        return port;
    }

    private String out() {
        return serverOut.toString(StandardCharsets.UTF_8);
    }

    /** Client hosts: their peers, what each received, how each was disconnected (-1: not yet). */
    private ENetPacketPeer[] peers;
    private List<List<byte[]>> received;
    private int[] disconnected;

    private void connect(int n, int port) throws Exception {
        peers = new ENetPacketPeer[n];
        received = new ArrayList<>();
        disconnected = new int[n];
        Arrays.fill(disconnected, -1);
        for (int i = 0; i < n; i++) {
            ENetConnection c = new ENetConnection();
            c.createHost(1, 1);
            clients.add(c);
            peers[i] = c.connectToHost("127.0.0.1", port, 1, i);
            received.add(new ArrayList<>());
        }
        until(() -> Arrays.stream(peers).allMatch(p -> p.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED), "every client connected");
    }

    private void pump() {
        for (int i = 0; i < clients.size(); i++) {
            ENetConnection c = clients.get(i);
            for (ENetEvent e = c.service(0); e.type() != ENetConnection.EventType.EVENT_NONE; e = c.checkEvents()) {
                if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                    received.get(i).add(e.peer().getPacket());
                } else if (e.type() == ENetConnection.EventType.EVENT_DISCONNECT) {
                    disconnected[i] = e.data();
                }
            }
        }
    }

    private void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within 20 s: %s", what).isLessThan(deadline);
            pump();
        }
    }

    /** The shard of each client, from the server's connect lines ("connect ADDR:PORT data=ID shard K"). */
    private Map<Integer, Integer> shardOfEachClient() {
        Map<Integer, Integer> shardOf = new HashMap<>();
        Matcher m = Pattern.compile("connect \\S+ data=(\\d+) shard (\\d+)").matcher(out());
        while (m.find()) {
            assertThat(shardOf.put(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))).as("one connect per client").isNull();
        }
        return shardOf;
    }

    @Test
    void echoesOnEveryShardShowEachShardInTheMetricsAndDrainTellsEveryClient() throws Exception {
        int port = start(true, false);
        int n = 24;
        connect(n, port);
        until(() -> shardOfEachClient().size() == n, "a connect line per client");
        Map<Integer, Integer> shardOf = shardOfEachClient();
        for (int i = 0; i < n; i++) {
            for (int seq = 0; seq < 10; seq++) {
                peers[i].send(0, new byte[] {(byte) i, (byte) seq, 42}, ENetPacketPeer.FLAG_RELIABLE);
            }
        }
        until(() -> received.stream().allMatch(r -> r.size() == 10), "every echo");
        for (int i = 0; i < n; i++) {
            for (int seq = 0; seq < 10; seq++) {
                assertThat(received.get(i).get(seq)).containsExactly((byte) i, (byte) seq, 42);
            }
        }

        // One series per shard; their connected peers add up to the clients, shard by shard.
        String body = "";
        long deadline = System.nanoTime() + DEADLINE_NS;
        while (true) {
            assertThat(System.nanoTime()).as("metrics within 20 s; last scrape:\n%s", body).isLessThan(deadline);
            body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            String scrape = body;
            if (IntStream.range(0, SHARDS).allMatch(k -> ServeMetricsAndDrainTest.sample(scrape, "jenet_peers{shard=\"" + k + "\",state=\"connected\"}")
                    == shardOf.values().stream().filter(s -> s == k).count())) {
                break;
            }
            pump();
        }
        assertThat(ServeMetricsAndDrainTest.sample(body, "jenet_peer_slots{shard=\"0\"}")).isEqualTo(16.0);

        assertThat(server.requestDrain()).isTrue();
        until(() -> Arrays.stream(disconnected).allMatch(d -> d >= 0), "a DISCONNECT at every client");
        assertThat(disconnected).containsOnly(ENetConnection.DRAIN_DISCONNECT_DATA);
        serverThread.join(10_000);
        assertThat(serverThread.isAlive()).isFalse();
        assertThat(server.drained()).isTrue();
        assertThat(out()).contains("drain begin: " + n + " peers on " + SHARDS + " shards, disconnect data 1001, timeout 5000 ms");
        assertThat(out()).containsPattern("drain done in \\d+ ms: every peer left");
        assertThat(Pattern.compile("drain \\+\\d+ ms: 127\\.0\\.0\\.1:\\d+ left \\(shard \\d\\)").matcher(out()).results().count()).isEqualTo(n);
    }

    @Test
    void theRelayReachesThePeersOfEveryShardOnce() throws Exception {
        int port = start(false, true);
        int n = 12;
        connect(n, port);
        until(() -> shardOfEachClient().size() == n, "a connect line per client");
        Map<Integer, Integer> shardOf = shardOfEachClient();
        assertThat(shardOf.values().stream().distinct().count()).as("shards with clients").isGreaterThan(1);
        for (int round = 0; round < 3; round++) {
            peers[0].send(0, new byte[] {7, (byte) round}, ENetPacketPeer.FLAG_RELIABLE);
        }
        until(() -> IntStream.range(1, n).allMatch(i -> received.get(i).size() >= 3), "the relay at every other client");
        // The relay goes through each shard's own thread; anything sent twice would be here by now,
        // ahead of a packet that went out after it on the same reliable channel.
        peers[0].send(0, new byte[] {8}, ENetPacketPeer.FLAG_RELIABLE);
        until(() -> IntStream.range(1, n).allMatch(i -> received.get(i).size() >= 4), "the last relay at every other client");
        for (int i = 1; i < n; i++) {
            assertThat(received.get(i)).as("client %d on shard %d", i, shardOf.get(i))
                    .containsExactly(new byte[] {7, 0}, new byte[] {7, 1}, new byte[] {7, 2}, new byte[] {8});
        }
        assertThat(received.get(0)).isEmpty();
    }

    @Test
    void badShardCountsAreUsageErrors() {
        assertThat(CliTest.run("serve", "--port", "0", "--shards", "-1").status()).isEqualTo(2);
        assertThat(CliTest.run("serve", "--port", "0", "--shards", "1025").status()).isEqualTo(2);
    }
}

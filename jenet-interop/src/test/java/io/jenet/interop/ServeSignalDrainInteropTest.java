package io.jenet.interop;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code jenet serve} in a process of its own, stopped by a real signal from {@code kill}: its
 * peers — a C ENet 1.3.17 client and a jenet client — each see a DISCONNECT carrying 1001
 * ({@link ENetConnection#DRAIN_DISCONNECT_DATA}), within a fraction of ENet's 5-second minimum
 * timeout, so it is the server telling them and not a timeout; packets the server had queued
 * arrive first; the process prints its drain timeline and exits 0.
 */
class ServeSignalDrainInteropTest {
    /** ENet's timeout cannot fire before its minimum: a DISCONNECT sooner than this was sent. */
    private static final long WELL_BEFORE_ANY_TIMEOUT_MS = 3000;

    private static JenetProcess serve(String... extra) throws Exception {
        String[] base = {"serve", "--port", "0", "--bind", "127.0.0.1", "--echo", "--drain-timeout", "10"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return new JenetProcess("128m", args);
    }

    private static int port(JenetProcess server) throws InterruptedException {
        String line = server.await(0, l -> l.startsWith("listening on port "), 30_000);
        return Integer.parseInt(line.substring("listening on port ".length()).trim());
    }

    @Test
    void sigtermTellsACEnetClientAndAJenetClientAndExitsZero() throws Exception {
        try (CPeer c = new CPeer(); JenetProcess server = serve(); ENetConnection client = new ENetConnection()) {
            int port = port(server);
            c.host(0, 1, 1, 0, 0);
            int cId = c.connect("127.0.0.1", port, 1, 0);
            client.createHost(1, 0);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 1, 0);
            JenetSide side = new JenetSide(client);
            side.until(() -> side.count(EVENT_CONNECT) == 1 && !c.linesStartingWith("connect ").isEmpty(), 10_000);
            server.await(0, l -> l.startsWith("connect ") && server.lines().stream().filter(x -> x.startsWith("connect ")).count() == 2, 10_000);
            // Traffic in flight when the signal comes: 30 echoes queued for each client.
            for (int i = 0; i < 30; i++) {
                peer.send(0, Payloads.fill(2000, i), ENetPacketPeer.FLAG_RELIABLE);
                c.cmd("send " + cId + " 0 1 2000 " + i);
            }
            side.pump(0);
            long signalled = System.nanoTime();
            server.signal("TERM");
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 10_000);
            long jenetTold = (System.nanoTime() - signalled) / 1_000_000L;
            c.awaitCount("disconnect ", 1, 10_000);
            long cTold = (System.nanoTime() - signalled) / 1_000_000L;
            int status = server.awaitExit(20_000);

            assertThat(side.of(EVENT_DISCONNECT).get(0).event().data()).isEqualTo(ENetConnection.DRAIN_DISCONNECT_DATA);
            assertThat(c.linesStartingWith("disconnect ")).containsExactly("disconnect " + cId + " 1001");
            assertThat(jenetTold).as("jenet client told, ms after the signal").isLessThan(WELL_BEFORE_ANY_TIMEOUT_MS);
            assertThat(cTold).as("C client told, ms after the signal").isLessThan(WELL_BEFORE_ANY_TIMEOUT_MS);
            // Whatever the server echoed before the DISCONNECT arrived intact and in order.
            List<JenetSide.Seen> echoes = side.of(EVENT_RECEIVE);
            for (int i = 0; i < echoes.size(); i++) {
                assertThat(echoes.get(i).packet()).isEqualTo(Payloads.fill(2000, i));
            }
            assertThat(side.seen.get(side.seen.size() - 1).event().type()).isEqualTo(EVENT_DISCONNECT);
            List<String> cLines = c.lines();
            List<String> cEchoes = cLines.stream().filter(l -> l.startsWith("receive ")).toList();
            for (int i = 0; i < cEchoes.size(); i++) {
                assertThat(cEchoes.get(i)).isEqualTo("receive " + cId + " 0 1 2000 " + Payloads.crc(Payloads.fill(2000, i)));
            }
            assertThat(cLines.indexOf("disconnect " + cId + " 1001")).as("C: echoes before the DISCONNECT")
                    .isGreaterThan(cEchoes.isEmpty() ? -1 : cLines.indexOf(cEchoes.get(cEchoes.size() - 1)));
            List<String> out = server.lines();
            System.out.println("jenet serve after SIGTERM (jenet client told after " + jenetTold + " ms, C client after " + cTold
                    + " ms, exit " + status + "):");
            out.stream().filter(l -> l.startsWith("drain")).forEach(l -> System.out.println("  " + l));
            assertThat(status).as("exit status after the drain; output: %s", out).isZero();
            assertThat(out).contains("drain begin: 2 peers, disconnect data 1001, timeout 10000 ms");
            assertThat(out.stream().filter(l -> l.matches("drain \\+\\d+ ms: 127\\.0\\.0\\.1:\\d+ left, [01] to go"))).hasSize(2);
            assertThat(out.stream().filter(l -> l.matches("drain done in \\d+ ms: every peer left"))).hasSize(1);
        }
    }

    @Test
    void sigintDrainsTooAndExitsZero() throws Exception {
        try (JenetProcess server = serve(); ENetConnection client = new ENetConnection()) {
            int port = port(server);
            client.createHost(1, 0);
            client.connectToHost("127.0.0.1", port, 1, 0);
            JenetSide side = new JenetSide(client);
            side.until(() -> side.count(EVENT_CONNECT) == 1, 10_000);
            server.signal("INT");
            side.until(() -> side.count(EVENT_DISCONNECT) == 1, 10_000);
            assertThat(side.of(EVENT_DISCONNECT).get(0).event().data()).isEqualTo(ENetConnection.DRAIN_DISCONNECT_DATA);
            assertThat(server.awaitExit(20_000)).isZero();
            assertThat(server.lines()).contains("drain begin: 1 peers, disconnect data 1001, timeout 10000 ms");
        }
    }
}

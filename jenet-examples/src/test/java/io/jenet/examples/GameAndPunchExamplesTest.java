package io.jenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The 60 Hz game-state example and the NAT punch-through pair, run as a user would. */
class GameAndPunchExamplesTest {
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5); // polling a condition with a deadline, not synchronising on time
        }
    }

    @Test
    void threePlayersGetOrderedSnapshotsAndReliableEventsAndMoveAsTheyAsk() throws Exception {
        GameServer server = new GameServer(0);
        Thread serverThread = new Thread(server, "game-server");
        serverThread.start();
        float[][] speeds = {{6f, 0f}, {0f, -4f}, {0f, 0f}};
        List<GameClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (float[] v : speeds) {
            GameClient c = new GameClient();
            clients.add(c);
            Thread t = new Thread(() -> {
                try {
                    c.run("127.0.0.1", server.port(), v[0], v[1]);
                } catch (Exception e) {
                    c.events().add("error " + e);
                }
            });
            threads.add(t);
            t.start();
            await(() -> c.id() > 0, "welcome");
        }
        // Two seconds of play: at 60 Hz, well over 60 snapshots each.
        GameClient last = clients.get(2);
        int start = last.lastTick();
        await(() -> last.lastTick() >= start + 120 && clients.stream().allMatch(c -> c.snapshots() >= 100), "120 ticks");
        for (GameClient c : clients) {
            assertThat(c.sawOutOfOrder()).as("snapshots never go back in time").isFalse();
        }
        // Movement is the server's integration of each input: direction and rough distance.
        assertThat(clients.get(0).position()[0]).isGreaterThan(6f * 1.5f);
        assertThat(clients.get(0).position()[1]).isZero();
        assertThat(clients.get(1).position()[1]).isLessThan(-4f * 1.5f);
        assertThat(clients.get(2).position()).containsExactly(0f, 0f);
        // Reliable events, in order: the first player saw both later joins.
        assertThat(clients.get(0).events()).startsWith("welcome 1", "join 2", "join 3");
        assertThat(clients.get(1).events()).startsWith("welcome 2", "join 3");
        clients.get(2).stop();
        threads.get(2).join(5_000);
        await(() -> clients.get(0).events().contains("leave 3"), "leave announced");
        clients.get(0).stop();
        clients.get(1).stop();
        for (Thread t : threads) {
            t.join(5_000);
        }
        server.stop();
        serverThread.join(5_000);
        assertThat(serverThread.isAlive()).isFalse();
    }

    @Test
    void twoClientsMeetThroughTheRendezvousAndTalkDirectly() throws Exception {
        Rendezvous rendezvous = new Rendezvous(0);
        Thread rt = new Thread(rendezvous, "rendezvous");
        rt.start();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<PunchClient.Result> alice = pool.submit(() -> PunchClient.meet("127.0.0.1", rendezvous.port(), 42, "alice", 15_000));
            Future<PunchClient.Result> bob = pool.submit(() -> PunchClient.meet("127.0.0.1", rendezvous.port(), 42, "bob", 15_000));
            PunchClient.Result a = alice.get(20, TimeUnit.SECONDS);
            PunchClient.Result b = bob.get(20, TimeUnit.SECONDS);
            assertThat(a.greeting()).isEqualTo("hello from bob");
            assertThat(b.greeting()).isEqualTo("hello from alice");
            // Each learned the other's own port, not the rendezvous server's.
            assertThat(a.otherPort()).isNotEqualTo(rendezvous.port()).isNotEqualTo(b.otherPort());
            assertThat(b.otherPort()).isNotEqualTo(rendezvous.port());
            assertThat(a.otherAddress()).isEqualTo("127.0.0.1");
        } finally {
            pool.shutdownNow();
            rendezvous.stop();
            rt.join(5_000);
        }
    }
}

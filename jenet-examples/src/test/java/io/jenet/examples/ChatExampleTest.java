package io.jenet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Two chat clients through the chat server, as a user would run them. */
class ChatExampleTest {
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5); // polling a condition with a deadline, not synchronising on time
        }
    }

    @Test
    void messagesReachTheOtherClientAndLeavingIsAnnounced() throws Exception {
        ChatServer server = new ChatServer(0);
        Thread serverThread = new Thread(server, "chat-server");
        serverThread.start();
        List<String> aliceSaw = new CopyOnWriteArrayList<>();
        List<String> bobSaw = new CopyOnWriteArrayList<>();
        ChatClient alice = new ChatClient();
        ChatClient bob = new ChatClient();
        Thread a = new Thread(() -> run(alice, server.port(), aliceSaw));
        Thread b = new Thread(() -> run(bob, server.port(), bobSaw));
        a.start();
        await(() -> aliceSaw.contains("* connected"), "alice connected");
        b.start();
        await(() -> bobSaw.contains("* connected") && aliceSaw.stream().anyMatch(l -> l.endsWith(" joined")), "bob joined");
        alice.say("hello bob");
        alice.say("second line");
        await(() -> bobSaw.stream().filter(l -> l.contains(": ")).count() == 2, "bob got both lines");
        List<String> lines = bobSaw.stream().filter(l -> l.contains(": ")).toList();
        assertThat(lines.get(0)).endsWith(": hello bob");
        assertThat(lines.get(1)).endsWith(": second line");
        bob.quit();
        await(() -> aliceSaw.stream().anyMatch(l -> l.endsWith(" left")), "bob's leaving announced");
        alice.quit();
        a.join(10_000);
        b.join(10_000);
        server.stop();
        serverThread.join(10_000);
        assertThat(serverThread.isAlive()).isFalse();
    }

    private static void run(ChatClient client, int port, List<String> saw) {
        try {
            client.run("127.0.0.1", port, saw::add);
        } catch (Exception e) {
            saw.add("error " + e);
        }
    }
}

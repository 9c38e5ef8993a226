package io.jenet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.ENetConnection;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** `jenet serve --relay` with two `jenet client` sessions: what one types, the other prints. */
class RelayClientTest {
    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5); // polling a condition with a deadline
        }
    }

    @Test
    void linesTypedInOneClientArePrintedByTheOther() throws Exception {
        ByteArrayOutputStream serverOut = new ByteArrayOutputStream();
        ServeCommand.EchoServer server = new ServeCommand.EchoServer("127.0.0.1", 0, 8, 0,
                ENetConnection.CompressionMode.COMPRESS_NONE, false, false, new PrintStream(serverOut, true, StandardCharsets.UTF_8));
        server.relay = true;
        Thread serverThread = new Thread(server, "relay");
        serverThread.start();
        int port = server.awaitBound(10_000);

        PipedOutputStream aliceKeys = new PipedOutputStream();
        PipedInputStream aliceIn = new PipedInputStream(aliceKeys);
        PipedOutputStream bobKeys = new PipedOutputStream();
        PipedInputStream bobIn = new PipedInputStream(bobKeys);
        ByteArrayOutputStream aliceOut = new ByteArrayOutputStream();
        ByteArrayOutputStream bobOut = new ByteArrayOutputStream();
        boolean[] results = new boolean[2];
        Thread alice = new Thread(() -> results[0] = ClientCommand.session("127.0.0.1", port, 1, false, aliceIn,
                new PrintStream(aliceOut, true, StandardCharsets.UTF_8)));
        Thread bob = new Thread(() -> results[1] = ClientCommand.session("127.0.0.1", port, 1, false, bobIn,
                new PrintStream(bobOut, true, StandardCharsets.UTF_8)));
        alice.start();
        bob.start();
        await(() -> aliceOut.toString(StandardCharsets.UTF_8).contains("* connected")
                && bobOut.toString(StandardCharsets.UTF_8).contains("* connected"), "both connected");
        aliceKeys.write("hello from alice\nsecond line\n".getBytes(StandardCharsets.UTF_8));
        aliceKeys.flush();
        await(() -> bobOut.toString(StandardCharsets.UTF_8).contains("second line"), "bob prints alice's lines");
        String bobSaw = bobOut.toString(StandardCharsets.UTF_8);
        assertThat(bobSaw.indexOf("hello from alice")).isLessThan(bobSaw.indexOf("second line"));
        assertThat(aliceOut.toString(StandardCharsets.UTF_8)).doesNotContain("hello from alice");
        aliceKeys.close();
        bobKeys.close();
        alice.join(10_000);
        bob.join(10_000);
        assertThat(results).containsExactly(true, true);
        assertThat(ClientCommand.render(new byte[] {(byte) 0xFF, 0x00}, false)).isEqualTo("0xff00");
        server.stop();
        serverThread.join(10_000);
    }
}

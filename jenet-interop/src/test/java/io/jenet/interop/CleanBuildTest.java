package io.jenet.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A new user's first hour, from a clean copy of the sources (no {@code target} directories): the
 * {@code ./jenet} commands (demo, serve, bench, relay, client) and every example through
 * {@code jenet-examples/run}, each as its own process, talking over loopback.
 */
class CleanBuildTest {
    private final List<Running> started = new ArrayList<>();
    private Path copy;

    /** A started process whose output lines are kept. */
    private static final class Running {
        final Process process;
        final List<String> lines = new ArrayList<>();
        final String name;

        Running(String name, Process process) {
            this.name = name;
            this.process = process;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(l);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // process ended
                }
            }, name + "-stdout");
            t.setDaemon(true);
            t.start();
        }

        String await(Predicate<String> match, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + millis * 1_000_000L;
            synchronized (lines) {
                int i = 0;
                while (true) {
                    for (; i < lines.size(); i++) {
                        if (match.test(lines.get(i))) {
                            return lines.get(i);
                        }
                    }
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        throw new AssertionError(name + ": no matching line within " + millis + " ms; output: " + lines);
                    }
                    lines.wait(Math.min(left, 100));
                }
            }
        }

        void type(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        int exit(long millis) throws InterruptedException {
            assertThat(process.waitFor(millis, TimeUnit.MILLISECONDS)).as(name + " finished; output " + lines).isTrue();
            synchronized (lines) {
                return process.exitValue();
            }
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    private Running start(String name, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true).start();
        Running r = new Running(name, p);
        started.add(r);
        return r;
    }

    private static int portFrom(String line) {
        String digits = line.replaceAll(".*port (\\d+).*", "$1");
        return Integer.parseInt(digits);
    }

    /** The repository's files as a fresh clone has them (tracked and new, not ignored): no build output. */
    private static void copySources(Path root, Path to) throws Exception {
        Process git = new ProcessBuilder("git", "ls-files", "--cached", "--others", "--exclude-standard")
                .directory(root.toFile()).redirectErrorStream(true).start();
        List<String> files = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(git.waitFor()).as("git ls-files in " + root).isZero();
        for (String f : files) {
            Path source = root.resolve(f);
            if (!Files.isRegularFile(source)) {
                continue; // deleted in the work tree
            }
            Path target = to.resolve(f);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Running r : started) {
            r.process.descendants().forEach(ProcessHandle::destroy);
            r.process.destroy();
            r.process.waitFor(10, TimeUnit.SECONDS);
        }
        if (copy != null) {
            try (Stream<Path> walk = Files.walk(copy)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theCommandsAndExamplesWorkFromACleanCopy() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        copy = Files.createTempDirectory("jenet-clean-");
        copySources(root, copy);
        assertThat(copy.resolve("jenet-core/target")).doesNotExist();

        // 1. The README's first command builds what it needs and runs the showcase.
        Running demo = start("demo", "./jenet", "demo", "--seconds", "2", "--clients", "2");
        assertThat(demo.exit(600_000)).as(demo.output()).isZero();
        assertThat(demo.output()).contains("demo ok").contains("compression").contains("all intact, in order");

        // 2. serve, bench, relay and client, each its own process.
        Running serve = start("serve", "./jenet", "serve", "--port", "0", "--echo");
        int port = portFrom(serve.await(l -> l.startsWith("listening on port "), 60_000));
        Running bench = start("bench", "./jenet", "bench", "127.0.0.1:" + port, "--count", "2000");
        assertThat(bench.exit(60_000)).as(bench.output()).isZero();
        assertThat(bench.output()).containsPattern("(?m)^ok 2000 msgs");
        Running relay = start("relay", "./jenet", "relay", "127.0.0.1:" + port, "--loss", "5", "--seed", "3");
        int relayPort = portFrom(relay.await(l -> l.startsWith("relaying on port "), 60_000));
        Running client = start("client", "./jenet", "client", "127.0.0.1:" + relayPort);
        client.await(l -> l.startsWith("* connected"), 30_000);
        client.type("hello through a lossy relay");
        client.await(l -> l.equals("hello through a lossy relay"), 30_000);

        // 3. Every example with its one command: chat, game, NAT punch-through, DTLS.
        Running chat = start("chat-server", "jenet-examples/run", "ChatServer", "0");
        int chatPort = portFrom(chat.await(l -> l.startsWith("chat server on port "), 600_000));
        Running alice = start("alice", "jenet-examples/run", "ChatClient", "127.0.0.1", String.valueOf(chatPort));
        alice.await(l -> l.contains("connected"), 60_000);
        Running bob = start("bob", "jenet-examples/run", "ChatClient", "127.0.0.1", String.valueOf(chatPort));
        bob.await(l -> l.contains("connected"), 60_000);
        alice.await(l -> l.endsWith(" joined"), 30_000);
        alice.type("hello bob");
        bob.await(l -> l.endsWith(": hello bob"), 30_000);

        Running game = start("game-server", "jenet-examples/run", "GameServer", "0");
        int gamePort = portFrom(game.await(l -> l.startsWith("game server on port "), 60_000));
        Running player = start("game-client", "jenet-examples/run", "GameClient", "127.0.0.1", String.valueOf(gamePort));
        assertThat(player.exit(60_000)).as(player.output()).isZero();
        String played = player.await(l -> l.matches("id \\d+, \\d+ snapshots up to tick \\d+.*"), 1000);
        assertThat(Integer.parseInt(played.replaceAll("id \\d+, (\\d+) snapshots.*", "$1"))).as("snapshots in 3 s at 60 Hz").isGreaterThan(60);

        Running rendezvous = start("rendezvous", "jenet-examples/run", "Rendezvous", "0");
        int meetPort = portFrom(rendezvous.await(l -> l.startsWith("rendezvous on port "), 60_000));
        Running ann = start("ann", "jenet-examples/run", "PunchClient", "127.0.0.1", String.valueOf(meetPort), "42", "ann");
        Running ben = start("ben", "jenet-examples/run", "PunchClient", "127.0.0.1", String.valueOf(meetPort), "42", "ben");
        assertThat(ann.exit(60_000)).as(ann.output()).isZero();
        assertThat(ben.exit(60_000)).as(ben.output()).isZero();
        assertThat(ann.output()).containsPattern("direct from 127\\.0\\.0\\.1:\\d+: .*ben");
        assertThat(ben.output()).containsPattern("direct from 127\\.0\\.0\\.1:\\d+: .*ann");

        Path key = copy.resolve("key.pem");
        Path cert = copy.resolve("cert.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost")
                .redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor()).as("openssl req (Debian openssl; installed by .ci/run)").isZero();
        Running dtls = start("dtls-server", "jenet-examples/run", "DtlsEchoServer", cert.toString(), key.toString(), "0");
        int dtlsPort = portFrom(dtls.await(l -> l.startsWith("DTLS echo server on port "), 60_000));
        Running dtlsBench = start("dtls-bench", "./jenet", "bench", "127.0.0.1:" + dtlsPort, "--count", "500", "--dtls", "--ca",
                cert.toString(), "--server-name", "localhost");
        assertThat(dtlsBench.exit(60_000)).as(dtlsBench.output()).isZero();
        assertThat(dtlsBench.output()).containsPattern("(?m)^ok 500 msgs");
    }
}

package io.jenet.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code jenet} command in a JVM of its own (this test's class path, a heap size of the test's
 * choosing), its standard output kept line by line. A separate process, so that an
 * {@code OutOfMemoryError} or a crash is the server's, and its heap and RSS are its own.
 */
final class JenetProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    JenetProcess(String heap, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED",
                "-Djenet.datagrams=" + System.getProperty("jenet.datagrams", "auto"),
                "-cp", System.getProperty("java.class.path"), "io.jenet.cli.Main"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "jenet-process-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for a line matching {@code match} after the first {@code from} lines; fails after {@code millis}. */
    String await(int from, Predicate<String> match, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (lines) {
            int i = from;
            while (true) {
                for (; i < lines.size(); i++) {
                    if (match.test(lines.get(i))) {
                        return lines.get(i);
                    }
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("no matching line within " + millis + " ms (alive " + process.isAlive() + "): " + tail());
                }
                lines.wait(Math.min(left, 200));
            }
        }
    }

    int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    String tail() {
        List<String> all = lines();
        return String.join(" | ", all.subList(Math.max(0, all.size() - 10), all.size()));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /**
     * Sends the process a signal with the system's {@code kill} command, as an operator or a
     * container runtime would.
     *
     * @param name the signal's name, e.g. "TERM" or "INT"
     */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        String log = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed: " + log);
        }
    }

    /** @return the exit status, once the process has ended and all its output is in {@link #lines()}; fails after {@code millis} */
    int awaitExit(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + millis + " ms: " + tail());
        }
        reader.join(5000);
        return process.exitValue();
    }

    /** @return the resident set size of {@code pid} in bytes (Linux /proc), or -1 */
    static long rss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        stop(process, 5);
    }

    /** Ends a process politely (SIGTERM), forcibly if it is still there after {@code seconds}. */
    static void stop(Process process, int seconds) {
        process.destroy();
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

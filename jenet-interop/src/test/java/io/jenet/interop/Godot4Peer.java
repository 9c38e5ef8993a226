package io.jenet.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Godot 4.6 process (Debian sid's {@code godot}, in the chroot that
 * {@code jenet-interop/godot4/make-chroot.sh} builds) running {@code src/test/gdscript4/godot4_peer.gd}.
 *
 * <p>Each instance gets its own directory inside the chroot ({@code /tmp/jenet-<random>}) holding
 * the script, the payload files the script sends ({@link #writePayload}) and the signal files the
 * test creates to move the script on ({@link #signal}). Its output lines are collected as they
 * come and can be awaited with a deadline.
 *
 * <p>The chroot is {@code $JENET_GODOT4_ROOT}, else {@code /var/cache/jenet/godot4-sid}. Without it
 * (or without root, which {@code chroot} needs) the Godot 4 tests are skipped with one loud
 * warning, or fail when {@code CI=true}.
 */
final class Godot4Peer implements AutoCloseable {
    private static final Path ROOT = Paths.get(System.getenv().getOrDefault("JENET_GODOT4_ROOT", "/var/cache/jenet/godot4-sid"));
    private static final Path SCRIPT = Paths.get("src/test/gdscript4/godot4_peer.gd").toAbsolutePath();
    private static boolean warned;

    private final Path dir;
    private final String chrootDir;
    private final List<String> lines = new ArrayList<>();
    private Process process;

    /** Skips (locally) or fails (with {@code CI=true}) the calling test when Godot 4 cannot run. */
    static synchronized void requireGodot4() {
        String missing = null;
        if (!Files.isExecutable(ROOT.resolve("usr/bin/godot"))) {
            missing = ROOT.resolve("usr/bin/godot") + " not found";
        } else if (!isRoot()) {
            missing = "not running as root (chroot needs it)";
        }
        if (missing == null) {
            return;
        }
        String fix = "run jenet-interop/godot4/make-chroot.sh as root";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but Godot 4 is unavailable: " + missing + " (" + fix + ")");
        }
        if (!warned) {
            warned = true;
            System.err.println("WARNING: Godot 4 interop tests SKIPPED: " + missing + " — " + fix + " to run them");
        }
        Assumptions.abort("Godot 4 unavailable: " + missing);
    }

    private static boolean isRoot() {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (l.startsWith("Uid:")) {
                    return l.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Prepares a fresh directory in the chroot; {@link #start} runs Godot. */
    Godot4Peer() throws IOException {
        requireGodot4();
        String name = "jenet-" + UUID.randomUUID().toString().substring(0, 8);
        chrootDir = "/tmp/" + name;
        dir = ROOT.resolve("tmp").resolve(name);
        Files.createDirectories(dir);
        Files.copy(SCRIPT, dir.resolve("godot4_peer.gd"));
    }

    /** @return the directory, as seen from inside the chroot (the script's {@code dir=} option) */
    String chrootDir() {
        return chrootDir;
    }

    /** Writes {@code Payloads.fill(size, seed)} as the file the script reads as payload(seed, size). */
    void writePayload(int seed, int size) throws IOException {
        Path f = dir.resolve(seed + "-" + size + ".bin");
        if (!Files.exists(f)) {
            Files.write(f, Payloads.fill(size, seed));
        }
    }

    /** Writes a text file (such as plan.txt) into the directory. */
    void writeFile(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    /** Creates the signal file {@code name}, which the script polls for. */
    void signal(String name) {
        try {
            Files.writeString(dir.resolve(name), "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Starts Godot running the script with {@code mode} and {@code key=value} options; {@code dir=}
     * is added.
     */
    Godot4Peer start(String mode, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("chroot", ROOT.toString(), "env", "HOME=" + chrootDir, "LANG=C.UTF-8",
                "godot", "--headless", "-s", chrootDir + "/godot4_peer.gd", "--", mode, "dir=" + chrootDir));
        cmd.addAll(List.of(options));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line.strip());
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "godot4-stdout");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** @return the output lines so far that start with {@code prefix} */
    List<String> lines(String prefix) {
        List<String> out = new ArrayList<>();
        synchronized (lines) {
            for (String l : lines) {
                if (l.startsWith(prefix)) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    /** @return the script's own lines so far (events and mode lines), without Godot's messages */
    List<String> scriptLines() {
        List<String> out = new ArrayList<>();
        synchronized (lines) {
            for (String l : lines) {
                if (!l.isEmpty() && Character.isLowerCase(l.charAt(0)) && !l.startsWith("at: ")) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    /** @return whether Godot printed a line containing {@code text} (its own errors included) */
    boolean printed(String text) {
        synchronized (lines) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }
    }

    /** Waits for the first line starting with {@code prefix} and returns it. */
    String awaitLine(String prefix, long millis) {
        return awaitLine(prefix, millis, () -> { });
    }

    /**
     * Waits for the first line starting with {@code prefix}, running {@code meanwhile} (e.g. servicing
     * a jenet host) between checks, and returns it.
     */
    String awaitLine(String prefix, long millis, Runnable meanwhile) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            List<String> found = lines(prefix);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Godot 4 printed no line starting with '" + prefix + "' within " + millis
                        + " ms; output: " + tail());
            }
            meanwhile.run();
            if (!isAlive() && lines(prefix).isEmpty()) {
                throw new AssertionError("Godot 4 exited without a line starting with '" + prefix + "'; output: " + tail());
            }
            waitForOutput(1);
        }
    }

    /** Runs {@code meanwhile} until {@code condition} holds, failing after {@code millis}. */
    void until(BooleanSupplier condition, long millis, Runnable meanwhile) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + millis + " ms; Godot 4 output: " + tail());
            }
            meanwhile.run();
        }
    }

    private void waitForOutput(long millis) {
        synchronized (lines) {
            try {
                lines.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The {@code port=} value of the server's "listening" line, once it is printed. */
    int awaitListeningPort() {
        return Integer.parseInt(value(awaitLine("listening ", 20_000), "port"));
    }

    /** @return the value of {@code key=} in a line of {@code key=value} words */
    static String value(String line, String key) {
        for (String w : line.split(" ")) {
            if (w.startsWith(key + "=")) {
                return w.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + "= in '" + line + "'");
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** @return the last output lines, for assertion messages */
    String tail() {
        synchronized (lines) {
            List<String> shown = lines.stream().filter(l -> !l.isBlank()).toList();
            return String.join(" | ", shown.subList(Math.max(0, shown.size() - 15), shown.size()));
        }
    }

    /** Waits for the script to print "exit" and the process to end. */
    void awaitExit(long millis, Runnable meanwhile) {
        awaitLine("exit", millis, meanwhile);
        try {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Godot 4 did not end after its script finished");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the directory is under the chroot's /tmp
        }
    }
}

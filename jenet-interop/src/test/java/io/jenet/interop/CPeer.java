package io.jenet.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A running C ENet peer process (enetpeer.c): send it commands, wait for the lines it prints.
 * Every line is kept, so a test can assert on the whole transcript (order and counts).
 */
final class CPeer implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    CPeer() throws IOException {
        process = new ProcessBuilder(NativePeers.enetPeer().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        stdin = process.getOutputStream();
        reader = new Thread(this::readLines, "enetpeer-stdout");
        reader.setDaemon(true);
        reader.start();
        await(l -> l.equals("ready"), 10_000);
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Sends one command line. */
    CPeer cmd(String command) {
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("enetpeer is gone: " + e.getMessage() + "; transcript: " + tail());
        }
        return this;
    }

    /** Creates the C host; returns its port. */
    int host(int port, int peers, int channels, int inBandwidth, int outBandwidth) {
        int before = size();
        cmd("host " + port + " " + peers + " " + channels + " " + inBandwidth + " " + outBandwidth);
        String line = awaitFrom(before, l -> l.startsWith("host ") || l.startsWith("error"), 10_000);
        if (!line.startsWith("host ")) {
            throw new AssertionError("C host not created: " + line);
        }
        return Integer.parseInt(line.substring(5).trim());
    }

    /** Connects; returns the C peer id. */
    int connect(String ip, int port, int channels, int data) {
        int before = size();
        cmd("connect " + ip + " " + port + " " + channels + " " + data);
        String line = awaitFrom(before, l -> l.startsWith("peer ") || l.startsWith("error"), 10_000);
        if (!line.startsWith("peer ")) {
            throw new AssertionError("C connect failed: " + line);
        }
        return Integer.parseInt(line.substring(5).trim());
    }

    int size() {
        synchronized (lines) {
            return lines.size();
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** Lines starting with the prefix, in order. */
    List<String> linesStartingWith(String prefix) {
        List<String> out = new ArrayList<>();
        for (String l : lines()) {
            if (l.startsWith(prefix)) {
                out.add(l);
            }
        }
        return out;
    }

    String await(Predicate<String> match, long millis) {
        return awaitFrom(0, match, millis);
    }

    /** Waits for a line at index ≥ from that matches. */
    String awaitFrom(int from, Predicate<String> match, long millis) {
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
                if (left <= 0 || !process.isAlive() && i >= lines.size()) {
                    throw new AssertionError("no matching line from enetpeer within " + millis + " ms; tail: " + tail());
                }
                try {
                    lines.wait(Math.min(left, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** Waits until {@code count} lines with the prefix exist. */
    void awaitCount(String prefix, int count, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (linesStartingWith(prefix).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " '" + prefix + "' lines, got "
                        + linesStartingWith(prefix).size() + "; tail: " + tail());
            }
            synchronized (lines) {
                try {
                    lines.wait(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    String tail() {
        List<String> all = lines();
        return String.join(" | ", all.subList(Math.max(0, all.size() - 15), all.size()));
    }

    /** Kills the process at once (a peer that vanishes mid-transfer). */
    /** @return the operating-system process id */
    long pid() {
        return process.pid();
    }

    void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                cmd("quit");
            } catch (AssertionError ignored) {
                // already gone
            }
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}

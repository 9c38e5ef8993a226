package io.jenet.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A running mbedTLS DTLS proxy (src/test/c/mbedtls_dtls_proxy.c), Godot's ENet DTLS framing on
 * the DTLS stack Godot uses: as a DTLS server in front of a plain C ENet server, or as a DTLS
 * client behind a plain C ENet client. Every line it prints is kept for assertions.
 */
final class MbedTlsProxy implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final List<String> lines = new ArrayList<>();
    private final int port;

    private MbedTlsProxy(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(NativePeers.mbedTlsProxy().toString());
        command.addAll(args);
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        stdin = process.getOutputStream();
        Thread reader = new Thread(this::readLines, "mbedtls-proxy-stdout");
        reader.setDaemon(true);
        reader.start();
        String ready = await(l -> l.startsWith("ready ") || l.startsWith("error"), 10_000);
        if (!ready.startsWith("ready ")) {
            close();
            throw new AssertionError("mbedTLS proxy did not start: " + ready);
        }
        port = Integer.parseInt(ready.substring(6).trim());
    }

    /** A DTLS server on a free loopback port, forwarding each session to the plain ENet host at {@code enetPort}. */
    static MbedTlsProxy server(int enetPort, Path certificate, Path key) throws IOException {
        return new MbedTlsProxy(List.of("server", "0", "127.0.0.1", Integer.toString(enetPort), certificate.toString(), key.toString()));
    }

    /**
     * A plain UDP port for one local ENet client, carried by one DTLS client session to
     * {@code serverPort}; the server must present a chain {@code ca} trusts naming
     * {@code serverName}, or nothing is verified when {@code ca} is null.
     */
    static MbedTlsProxy client(int serverPort, String serverName, Path ca) throws IOException {
        return client(serverPort, serverName, ca, 0);
    }

    /**
     * As {@link #client(int, String, Path)}, discarding the first {@code dropServerHellos}
     * datagrams that carry the server's ServerHello (the server must retransmit its flight).
     */
    static MbedTlsProxy client(int serverPort, String serverName, Path ca, int dropServerHellos) throws IOException {
        return new MbedTlsProxy(List.of("client", "0", "127.0.0.1", Integer.toString(serverPort), serverName,
                ca == null ? "none" : ca.toString(), Integer.toString(dropServerHellos)));
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** @return the UDP port it listens on (DTLS for a server, plain for a client) */
    int port() {
        return port;
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    List<String> linesStartingWith(String prefix) {
        List<String> out = new ArrayList<>();
        for (String l : lines()) {
            if (l.startsWith(prefix)) {
                out.add(l);
            }
        }
        return out;
    }

    int size() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** @return the first line matching, waiting up to {@code millis} */
    String await(Predicate<String> match, long millis) {
        return awaitFrom(0, match, millis);
    }

    /** @return the first line at index ≥ {@code from} matching, waiting up to {@code millis} */
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
                    throw new AssertionError("no matching line from the mbedTLS proxy within " + millis + " ms; lines: " + lines);
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

    /** @return the first line starting with {@code prefix}, or null, without waiting */
    String first(String prefix) {
        List<String> l = linesStartingWith(prefix);
        return l.isEmpty() ? null : l.get(0);
    }

    /**
     * Asks for the counters: "stats sessions N established E hello-verify H records-in I
     * records-out O multi-record-datagrams M dropped D".
     *
     * @return name → value
     */
    java.util.Map<String, Long> stats() {
        int before = size();
        cmd("stats");
        String[] f = awaitFrom(before, l -> l.startsWith("stats "), 10_000).split(" ");
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 1; i + 1 < f.length; i += 2) {
            m.put(f[i], Long.parseLong(f[i + 1]));
        }
        return m;
    }

    private void cmd(String command) {
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("mbedTLS proxy is gone: " + e.getMessage() + "; lines: " + lines());
        }
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
                    process.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}

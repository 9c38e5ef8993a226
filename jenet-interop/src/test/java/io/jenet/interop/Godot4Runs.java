package io.jenet.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs one client mode of {@code godot4_peer.gd} (the actor) against the script's server mode (the
 * observer), each side either Godot 4 or its jenet mirror, and returns what each printed. The same
 * scenario run with a Godot actor and with a jenet actor against the same kind of observer is a
 * differential test of the API.
 */
final class Godot4Runs {
    private Godot4Runs() {}

    /** Who runs a side. */
    enum Side { GODOT, JENET }

    /**
     * What the actor and the observer printed (Godot's own messages and "exit" left out), and the
     * observer's whole output (Godot's messages included).
     */
    record Run(List<String> actor, List<String> observer, List<String> observerOutput) {}

    /**
     * Runs {@code mode} as {@code actor} against a server run by {@code observer}; the observer
     * exits after {@code disconnects} DISCONNECT events, and the actor gets its "stop" signal once
     * the observer has seen them.
     *
     * @param payloads {seed, size} pairs the Godot actor reads as payload files
     */
    static Run run(Side actor, Side observer, String mode, List<String> serverOptions, List<String> actorOptions,
                   int disconnects, int[]... payloads) throws Exception {
        List<String> serverOpts = new ArrayList<>(serverOptions);
        serverOpts.add("disconnects=" + disconnects);
        if (observer == Side.GODOT) {
            try (Godot4Peer server = new Godot4Peer()) {
                server.start("server", serverOpts.toArray(new String[0]));
                int port = server.awaitListeningPort();
                List<String> actorLines = runActor(actor, mode, port, actorOptions, () -> { },
                        () -> server.lines("event disconnect ").size() >= disconnects, payloads);
                server.awaitExit(20_000, () -> { });
                return new Run(actorLines, withoutExit(server.scriptLines()), server.lines(""));
            }
        }
        try (JenetMirror server = new JenetMirror(serverOpts.toArray(new String[0]))) {
            server.server();
            List<String> actorLines = runActor(actor, mode, server.conn.getLocalPort(), actorOptions, server::step,
                    () -> server.disconnects() >= disconnects, payloads);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.disconnects() < disconnects) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("jenet server saw " + server.disconnects() + " of " + disconnects
                            + " disconnects: " + server.lines);
                }
                server.step();
            }
            return new Run(actorLines, server.lines, server.lines);
        }
    }

    private static List<String> runActor(Side actor, String mode, int port, List<String> actorOptions, Runnable meanwhile,
                                         BooleanSupplier observerDone, int[]... payloads) throws Exception {
        List<String> opts = new ArrayList<>(actorOptions);
        opts.add("port=" + port);
        if (actor == Side.GODOT) {
            try (Godot4Peer godot = new Godot4Peer()) {
                for (int[] p : payloads) {
                    godot.writePayload(p[0], p[1]);
                }
                godot.start(mode, opts.toArray(new String[0]));
                boolean[] stopped = {false};
                godot.awaitExit(60_000, () -> {
                    meanwhile.run();
                    if (!stopped[0] && observerDone.getAsBoolean()) {
                        stopped[0] = true;
                        godot.signal("stop");
                    }
                });
                return withoutExit(godot.scriptLines());
            }
        }
        try (JenetMirror jenet = new JenetMirror(opts.toArray(new String[0]))) {
            jenet.meanwhile(meanwhile).signal("stop", observerDone);
            switch (mode) {
                case "connect" -> jenet.connect();
                case "disconnect-later" -> jenet.disconnectLater();
                case "stats" -> jenet.stats();
                case "reset" -> jenet.reset();
                default -> throw new IllegalArgumentException("no jenet mirror for mode " + mode);
            }
            return jenet.lines;
        }
    }

    static List<String> withoutExit(List<String> lines) {
        return lines.stream().filter(l -> !l.equals("exit")).toList();
    }

    /** @return the lines that start with {@code prefix} */
    static List<String> starting(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }
}

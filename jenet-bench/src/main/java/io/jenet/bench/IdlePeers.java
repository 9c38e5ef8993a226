package io.jenet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of keeping many idle peers connected: a fresh echo server (C ENet's, then jenet's) is
 * given N connected peers by one C ENet client host ({@code enetbench idle}), which then only
 * keeps them alive (ENet's pings, every 500 ms per peer). Reported per server: CPU time spent per
 * wall-clock second while idle (from {@code /proc/PID/stat}), and memory growth per peer — resident
 * set for both, and for jenet also the live heap after a full GC ({@code jcmd GC.run},
 * {@code GC.heap_info}). Linux only.
 */
final class IdlePeers {
    private IdlePeers() {}

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    static void run(Path cBench, String jar, int[] peerCounts, int seconds, PrintStream out) throws Exception {
        out.printf("Idle peers: one C ENet client host keeps N peers connected to a fresh server for %d s.%n%n", seconds);
        out.println("| peers | server | CPU ms per s | RSS growth per peer | live heap growth per peer |");
        out.println("|---|---|---|---|---|");
        for (int n : peerCounts) {
            for (boolean jenet : new boolean[] {false, true}) {
                Process server = jenet
                        ? LoopbackHarness.start(List.of(LoopbackHarness.java(), "-jar", jar, "serve", "--port", "0", "--echo", "--peers", "4000"))
                        : LoopbackHarness.start(List.of(cBench.toString(), "serve", "0"));
                Process driver = null;
                try {
                    int port = LoopbackHarness.awaitPort(server, "listening on port ");
                    long pid = server.pid();
                    Thread.sleep(jenet ? 2000 : 200); // let the JVM finish starting up
                    long rssBefore = rssKb(pid);
                    long heapBefore = jenet ? liveHeapKb(pid) : 0;
                    driver = new ProcessBuilder(cBench.toString(), "idle", "127.0.0.1", "" + port, "" + n)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    BufferedReader r = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
                    String line = r.readLine();
                    if (line == null || !line.equals("connected " + n)) {
                        throw new IllegalStateException("idle driver: " + line);
                    }
                    Thread.sleep(2000); // settle: handshakes done, first pings out
                    long cpuBefore = cpuTicks(pid);
                    long start = System.nanoTime();
                    Thread.sleep(seconds * 1000L);
                    long cpu = cpuTicks(pid) - cpuBefore;
                    double wall = (System.nanoTime() - start) / 1e9;
                    double cpuMsPerSecond = cpu * 1000.0 / ticksPerSecond() / wall;
                    long rssAfter = rssKb(pid);
                    long heapAfter = jenet ? liveHeapKb(pid) : 0;
                    if (!driver.isAlive()) {
                        throw new IllegalStateException("idle driver exited: " + r.readLine());
                    }
                    out.printf("| %d | %s | %.1f | %.0f B | %s |%n", n, jenet ? "jenet" : "C ENet", cpuMsPerSecond,
                            (rssAfter - rssBefore) * 1024.0 / n, jenet ? String.format("%.0f B", (heapAfter - heapBefore) * 1024.0 / n) : "n/a");
                } finally {
                    if (driver != null) {
                        LoopbackHarness.stop(driver);
                    }
                    LoopbackHarness.stop(server);
                }
            }
        }
    }

    /** utime + stime of the process, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long ticksPerSecond() {
        return 100; // USER_HZ on Linux
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** Live heap after a full GC, from the JDK's jcmd. */
    static long liveHeapKb(long pid) throws IOException, InterruptedException {
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        jcmdOutput(jcmd, pid, "GC.run");
        String info = jcmdOutput(jcmd, pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("cannot read heap use: " + info);
        }
        return Long.parseLong(m.group(1));
    }

    private static String jcmdOutput(String jcmd, long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd, "" + pid, command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }
}

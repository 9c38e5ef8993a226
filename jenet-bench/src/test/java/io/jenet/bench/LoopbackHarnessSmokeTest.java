package io.jenet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Runs the side-by-side harness in smoke mode (seconds) so it cannot rot. */
class LoopbackHarnessSmokeTest {
    @Test
    void smokeRunProducesARowPerWorkload() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!Files.exists(Paths.get("/usr/include/enet/enet.h"))) {
            if (ci) {
                throw new AssertionError("CI=true but libenet-dev is missing for the C side of the harness");
            }
            System.err.println("WARNING: benchmark harness smoke test SKIPPED: libenet-dev not installed");
            Assumptions.abort("libenet-dev missing");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.nio.file.Path chart = Files.createTempFile("ratios", ".svg");
        LoopbackHarness.run(new String[] {"--smoke", "--chart", chart.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        // One row per workload, each with numbers in every cell: msg/s for the four pairings and a ratio.
        java.util.List<String> rows = table.lines().filter(l -> l.startsWith("| ") && l.split(" \\| ")[0].contains("window")).toList();
        assertThat(rows).extracting(l -> l.split(" \\| ")[0].substring(2)).containsExactly(
                "64 B reliable, window 1000", "64 B unreliable, window 1000", "64 B unsequenced, window 1000",
                "100 kB reliable, window 16", "64 B ping-pong, window 1", "256 B reliable, window 100",
                "1 kB reliable, window 100", "8 kB reliable, window 32", "64 clients, 64 B reliable, window 16",
                "1000 clients, 64 B reliable, window 4", "64 B reliable, window 100, 5 % loss",
                "64 B reliable, window 1000, 2 000 echoes, fresh processes, java -jar",
                "64 B reliable, window 1000, 2 000 echoes, fresh processes, jenet command",
                "64 B reliable, window 1000, 2 000 echoes, fresh processes, jenet command, JENET_JAVA_OPTS=quick");
        assertThat(rows.subList(0, 11)).allSatisfy(l -> assertThat(l).matches("\\| [^|]+ \\| \\d+ \\| \\d+ \\| \\d+\\.\\d\\d \\| \\d+ \\| \\d+ \\|.*"));
        // Fresh processes: C and jenet each measured, no mixed pairs.
        assertThat(rows.subList(11, 14)).allSatisfy(l -> assertThat(l).matches("\\| [^|]+ \\| \\d+ \\| \\d+ \\| \\d+\\.\\d\\d \\| – \\| – \\|.*"));
        // The chart: an SVG naming every row.
        String svg = Files.readString(chart);
        assertThat(svg).contains("<svg").endsWith("</svg>\n").contains("1000 clients, 64 B reliable, window 4").contains("fresh processes, jenet command, JENET_JAVA_OPTS=quick");
        Files.delete(chart);
        // The idle-peers table: both servers, CPU and memory figures.
        assertThat(table.lines().filter(l -> l.matches("\\| 200 \\| (C ENet|jenet) \\| [0-9.]+ \\| -?\\d+ B \\| .*"))).hasSize(2);
    }
}

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
        LoopbackHarness.run(new String[] {"--smoke"}, new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table.lines().filter(l -> l.startsWith("| 64 B") || l.startsWith("| 100 kB"))).hasSize(5);
        assertThat(table).contains("64 B reliable, window 1000").contains("ping-pong");
    }
}

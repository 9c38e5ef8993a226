package io.jenet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Runs the DTLS cost measurement in smoke mode (seconds) so it cannot rot. */
class DtlsCostSmokeTest {
    @Test
    void smokeRunReportsHandshakesAndTheThroughputRatio() throws Exception {
        boolean openssl;
        try {
            openssl = new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (java.io.IOException e) {
            openssl = false;
        }
        if (!openssl) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but openssl is missing");
            }
            Assumptions.abort("openssl missing");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DtlsCost.run(1, 5, 2_000, new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).containsPattern("jenet: DTLS handshakes \\(ENet connect included\\), one after another: \\d+ per second \\(5 measured\\)");
        // build, plain and DTLS msg/s (median, least–most), their ratio, server CPU per echo for
        // each, the client's datagrams per echo for each
        assertThat(text).containsPattern("\\| jenet \\| \\d+ \\(\\d+–\\d+\\) \\| \\d+ \\(\\d+–\\d+\\) \\| \\d+\\.\\d\\d "
                + "\\| \\d+\\.\\d\\d / \\d+\\.\\d\\d \\| \\d+\\.\\d\\d / \\d+\\.\\d\\d \\| \\d+\\.\\d{3} / \\d+\\.\\d{3} \\|");
    }
}

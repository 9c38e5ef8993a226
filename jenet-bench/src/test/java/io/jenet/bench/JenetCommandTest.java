package io.jenet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The repository's {@code jenet} script, run against the built jar (JENET_NO_BUILD=1). */
class JenetCommandTest {
    private static final Path SCRIPT = script();

    private static Path script() {
        Path here = Paths.get("jenet").toAbsolutePath();
        return Files.exists(here.resolveSibling("jenet-cli")) ? here : Paths.get("..", "jenet").toAbsolutePath().normalize();
    }

    private record Run(int exit, String output) {
    }

    private static Run run(String... env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("env", "JENET_NO_BUILD=1", "JAVA_HOME=" + System.getProperty("java.home")));
        cmd.addAll(List.of(env));
        cmd.addAll(List.of(SCRIPT.toString(), "--version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void quickInJenetJavaOptsStandsForTheQuickCompilerAloneAndOtherOptionsPassThrough() throws Exception {
        Run r = run("JENET_JAVA_OPTS=-XX:+PrintFlagsFinal quick -Dunused=1");
        assertThat(r.exit()).isZero();
        assertThat(r.output()).containsPattern("TieredStopAtLevel\\s+= 1\\s+\\{product\\} \\{command line\\}")
                .containsPattern("CompileThresholdScaling\\s+= 0\\.1\\d*\\s+\\{product\\} \\{command line\\}")
                .contains("jenet 0.");
    }

    @Test
    void withoutJenetJavaOptsTheJitKeepsItsDefaults() throws Exception {
        Run r = run("JENET_JAVA_OPTS=-XX:+PrintFlagsFinal");
        assertThat(r.exit()).isZero();
        assertThat(r.output()).containsPattern("TieredStopAtLevel\\s+= 4\\s").doesNotContain("{command line}\n     intx TieredStopAtLevel");
    }

    @Test
    void aJavaHomeWithoutJavaIsNamedInAClearError() throws Exception {
        Run r = run("JAVA_HOME=/nonexistent-jdk");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("no Java at '/nonexistent-jdk/bin/java'").contains("JAVA_HOME");
    }
}

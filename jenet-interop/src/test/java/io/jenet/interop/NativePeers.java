package io.jenet.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds the C peers with gcc, once per JVM: src/test/c/enetpeer.c (and rangecoder.c) against
 * Debian's libenet-dev, src/test/c/mbedtls_dtls_proxy.c against Debian's libmbedtls-dev.
 * Outside CI a missing gcc or library skips the tests that need it with one loud warning; with
 * {@code CI=true} it fails them, so CI cannot pass without the real peer.
 */
final class NativePeers {
    private NativePeers() {}

    /** What a program needs: a header that proves the library is installed, its libraries, its package. */
    private record Needs(String label, String header, List<String> libraries, String packages) {}

    private static final Needs ENET = new Needs("C ENet", "/usr/include/enet/enet.h", List.of("-lenet"), "gcc libenet-dev");
    private static final Needs MBEDTLS = new Needs("mbedTLS DTLS", "/usr/include/mbedtls/ssl.h",
            List.of("-lmbedtls", "-lmbedx509", "-lmbedcrypto"), "gcc libmbedtls-dev");

    private static final java.util.Map<String, Path> BUILT = new java.util.HashMap<>();
    /** Why a program cannot be built, by program name. */
    private static final java.util.Map<String, String> UNAVAILABLE = new java.util.HashMap<>();
    private static final java.util.Set<String> WARNED = new java.util.HashSet<>();

    /** @return the path of the built C peer; skips or fails the test when it cannot be built */
    static Path enetPeer() {
        return program("enetpeer", ENET);
    }

    /** @return the path of the built mbedTLS DTLS proxy (src/test/c/mbedtls_dtls_proxy.c) */
    static Path mbedTlsProxy() {
        return program("mbedtls_dtls_proxy", MBEDTLS);
    }

    /** @return the path of the built C range-coder driver (src/test/c/rangecoder.c) */
    static Path rangeCoder() {
        return program("rangecoder", ENET);
    }

    private static synchronized Path program(String name, Needs needs) {
        if (!BUILT.containsKey(name) && !UNAVAILABLE.containsKey(name)) {
            String why = build(name, needs);
            if (why != null) {
                UNAVAILABLE.put(name, why);
            }
        }
        String unavailable = UNAVAILABLE.get(name);
        if (unavailable != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but the " + needs.label() + " peer is unavailable: " + unavailable
                        + " (install with: apt-get install -y " + needs.packages() + ")");
            }
            if (WARNED.add(needs.label())) {
                System.err.println("WARNING: " + needs.label() + " interop tests SKIPPED: " + unavailable
                        + " — install " + needs.packages() + " (apt-get install -y " + needs.packages() + ") to run them");
            }
            Assumptions.abort(needs.label() + " peer unavailable: " + unavailable);
        }
        return BUILT.get(name);
    }

    /** @return null when built, else why not */
    private static String build(String name, Needs needs) {
        Path source = Paths.get("src/test/c/" + name + ".c").toAbsolutePath();
        Path out = Paths.get("target/native/" + name).toAbsolutePath();
        if (!Files.exists(Paths.get(needs.header()))) {
            return needs.packages().replace("gcc ", "") + " headers (" + needs.header() + ") not found";
        }
        try {
            if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) > 0) {
                BUILT.put(name, out);
                return null;
            }
            Files.createDirectories(out.getParent());
            List<String> command = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-o", out.toString(), source.toString()));
            command.addAll(needs.libraries());
            Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(gcc.getInputStream().readAllBytes());
            if (!gcc.waitFor(120, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                return "gcc failed to build " + name + ": " + log;
            }
            BUILT.put(name, out);
            return null;
        } catch (IOException e) {
            return "gcc not runnable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while building " + name;
        }
    }
}

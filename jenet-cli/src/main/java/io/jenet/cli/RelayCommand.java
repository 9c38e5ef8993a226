package io.jenet.cli;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jenet relay}: a seeded UDP impairment relay on loopback, in front of a server. */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Relay UDP to a server through a lossy, jittery link (for testing ENet over bad networks).")
final class RelayCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The server datagrams are relayed to.")
    String target;

    @Option(names = "--loss", defaultValue = "0", description = "Percent of datagrams dropped, each direction (default: ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--duplicate", defaultValue = "0", description = "Percent of datagrams sent twice (default: ${DEFAULT-VALUE}).")
    double duplicate;

    @Option(names = "--latency", defaultValue = "0", description = "One-way delay in ms (default: ${DEFAULT-VALUE}).")
    int latencyMs;

    @Option(names = "--jitter", defaultValue = "0", description = "Extra random delay 0..N ms, which reorders (default: ${DEFAULT-VALUE}).")
    int jitterMs;

    @Option(names = "--bandwidth", defaultValue = "0",
            description = "Cap each direction at this many KB/s, queueing up to 1 s then dropping (default: ${DEFAULT-VALUE} = none).")
    long bandwidthKBps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public void run() {
        if (loss < 0 || loss > 100 || duplicate < 0 || duplicate > 100 || latencyMs < 0 || jitterMs < 0 || bandwidthKBps < 0) {
            throw new Main.CliFailure(2, "--loss and --duplicate must be 0..100, --latency, --jitter and --bandwidth at least 0");
        }
        InetSocketAddress server = Options.address(target);
        try (ImpairmentRelay relay = new ImpairmentRelay(server, loss / 100, duplicate / 100, latencyMs, jitterMs, seed)) {
            relay.bandwidth(bandwidthKBps * 1024);
            System.out.println("relaying on port " + relay.port() + " to " + target);
            System.out.flush();
            CountDownLatch forever = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown, "jenet-relay-shutdown"));
            forever.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException e) {
            throw new Main.CliFailure(1, "relay failed: " + e.getMessage());
        }
    }
}

/**
 * jenet's testkit: a seeded, virtual-time simulated network on which real {@code ENetConnection}s
 * run, for testing netcode against loss, latency, jitter, duplication and bandwidth limits
 * deterministically. See {@link io.jenet.testkit.SimulatedNetwork}.
 */
module io.jenet.testkit {
    // ENetConnection appears in the testkit's API, so users of the testkit read io.jenet too.
    requires transitive io.jenet;

    exports io.jenet.testkit;
}

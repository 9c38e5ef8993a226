/**
 * jenet's testkit: {@link io.jenet.testkit.SimulatedNetwork}, a seeded, virtual-time network on
 * which real {@code io.jenet.ENetConnection}s run over simulated {@link io.jenet.testkit.Link}s,
 * so netcode can be tested against bad networks deterministically and fast.
 */
package io.jenet.testkit;

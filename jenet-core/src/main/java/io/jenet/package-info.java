/**
 * jenet's public API: {@link io.jenet.ENetConnection} (an ENet host) and
 * {@link io.jenet.ENetPacketPeer} (a peer), mirroring Godot 4's classes of the same names in Java
 * naming, speaking ENet 1.3 on the wire. Everything is single-threaded per connection, as in ENet.
 */
package io.jenet;

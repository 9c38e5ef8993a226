/**
 * jenet: ENet 1.3 for Java, wire-compatible with C ENet and Godot. The public API, package
 * {@code io.jenet}, mirrors Godot 4's ENetConnection and ENetPacketPeer.
 */
module io.jenet {
    requires com.github.luben.zstd_jni;
    requires jdk.jfr;

    exports io.jenet;
}

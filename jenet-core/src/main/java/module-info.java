/**
 * jenet: ENet 1.3 for Java, wire-compatible with C ENet and Godot. The public API, package
 * {@code io.jenet}, mirrors Godot 4's ENetConnection and ENetPacketPeer.
 */
module io.jenet {
    requires com.github.luben.zstd_jni;
    requires jdk.jfr;
    // Optional: only to read PKCS#1 / SEC1 PEM keys (TlsOptions.loadPrivateKey).
    requires static org.bouncycastle.pkix;
    requires static org.bouncycastle.provider;

    exports io.jenet;
    // The simulated network (jenet-testkit) runs real connections over a virtual endpoint and
    // clock; nothing else may reach the transport internals.
    exports io.jenet.internal.transport to io.jenet.testkit;
}

package io.jenet.internal.engine;

import java.net.InetSocketAddress;

/**
 * Told when a peer slot is taken for a remote address and when it is given up, so that state kept
 * per address below the engine (a DTLS session) lives exactly as long as the ENet peer, as in
 * Godot. Called from inside the engine's calls, on the thread that drives the host.
 */
public interface PeerObserver {
    /**
     * A peer now exists for {@code address} (an outgoing connect, or an accepted CONNECT).
     *
     * @param address the remote address
     */
    void attached(InetSocketAddress address);

    /**
     * The peer for {@code address} is gone: disconnected, reset, timed out or evicted.
     *
     * @param address the remote address
     */
    void released(InetSocketAddress address);
}

package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.MAXIMUM_WINDOW_SIZE;
import static io.jenet.internal.protocol.Protocol.MINIMUM_WINDOW_SIZE;

/**
 * ENet's reliable window size from bandwidth limits, written once: a window of
 * {@link #MINIMUM_WINDOW_SIZE} bytes per 64 KiB/s of bandwidth, unlimited bandwidth giving the
 * largest window, always within ENet's bounds.
 *
 * <p>Thread-safety: stateless.
 */
final class Window {
    private Window() {}

    /** @return {@code w} within ENet's window bounds (4 096 … 65 536) */
    static long clamp(long w) {
        return Math.max(MINIMUM_WINDOW_SIZE, Math.min(MAXIMUM_WINDOW_SIZE, w));
    }

    /** @return the window for one bandwidth limit in bytes/s (0 = unlimited) */
    static long of(long bandwidth) {
        return clamp(bandwidth == 0 ? MAXIMUM_WINDOW_SIZE : (bandwidth / Peer.WINDOW_SIZE_SCALE) * MINIMUM_WINDOW_SIZE);
    }

    /**
     * @return the window between two ends limited to {@code a} and {@code b} bytes/s (0 =
     *         unlimited): the tighter limit decides, an unlimited end defers to the other
     */
    static long between(long a, long b) {
        if (a == 0 && b == 0) {
            return MAXIMUM_WINDOW_SIZE;
        }
        return of(a == 0 || b == 0 ? Math.max(a, b) : Math.min(a, b));
    }
}

package io.jenet.internal.engine;

/**
 * Recycled packets with their payload arrays, by power-of-two size class (64 B to 64 KiB), so the
 * steady-state send and receive paths allocate nothing. Each class keeps at most about 4 MiB;
 * larger packets are allocated and left to the GC.
 *
 * <p>Only packets the engine alone holds are returned here: outgoing packets once every command
 * carrying them is done, incoming ones discarded before delivery, and delivered ones after the
 * application has copied them out.
 *
 * <p>Thread-safety: none; owned by one engine host.
 */
final class PacketPool {
    private static final int MIN_SHIFT = 6;
    private static final int MAX_SHIFT = 16;
    private static final int BYTES_PER_CLASS = 4 << 20;

    private final Packet[][] stacks = new Packet[MAX_SHIFT - MIN_SHIFT + 1][];
    private final int[] counts = new int[MAX_SHIFT - MIN_SHIFT + 1];

    PacketPool() {
        for (int shift = MIN_SHIFT; shift <= MAX_SHIFT; shift++) {
            stacks[shift - MIN_SHIFT] = new Packet[Math.max(16, BYTES_PER_CLASS >> shift)];
        }
    }

    private static int sizeClass(int length) {
        if (length > (1 << MAX_SHIFT)) {
            return -1;
        }
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, length) - 1));
        return shift - MIN_SHIFT;
    }

    /** @return the size of the array {@link #take} gives for {@code length} bytes */
    static int capacity(int length) {
        int c = sizeClass(length);
        return c >= 0 ? 1 << (c + MIN_SHIFT) : length;
    }

    /** A packet whose array holds at least {@code length} bytes (contents undefined). */
    Packet take(int length, int flags) {
        int c = sizeClass(length);
        Packet p;
        if (c >= 0 && counts[c] > 0) {
            p = stacks[c][--counts[c]];
            stacks[c][counts[c]] = null;
        } else {
            p = new Packet(new byte[c >= 0 ? 1 << (c + MIN_SHIFT) : length], length, flags);
        }
        p.length = length;
        p.flags = flags;
        p.referenceCount = 0;
        return p;
    }

    /** Returns a packet nobody references any more. */
    void give(Packet p) {
        int c = sizeClass(p.data.length);
        if (c < 0 || p.data.length != 1 << (c + MIN_SHIFT) || counts[c] == stacks[c].length) {
            return;
        }
        stacks[c][counts[c]++] = p;
    }
}

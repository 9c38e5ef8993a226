package io.jenet.internal.engine;

/**
 * A packet's payload as the engine holds it: one copy of the user's bytes, shared by all the
 * outgoing commands (fragments, broadcast copies) that carry it, with ENet's reference count.
 *
 * <p>Thread-safety: none; owned by one engine host.
 */
public final class Packet {
    /** ENet's packet flags. */
    public static final int FLAG_RELIABLE = 1;
    public static final int FLAG_UNSEQUENCED = 2;
    public static final int FLAG_NO_ALLOCATE = 4;
    public static final int FLAG_UNRELIABLE_FRAGMENT = 8;
    public static final int FLAG_SENT = 256;

    byte[] data;
    int length;
    int flags;
    int referenceCount;

    Packet(byte[] data, int length, int flags) {
        this.data = data;
        this.length = length;
        this.flags = flags;
    }

    /** @return the payload array; only the first {@link #length()} bytes are the packet */
    public byte[] data() {
        return data;
    }

    /** @return the payload length */
    public int length() {
        return length;
    }

    /** @return ENet packet flags */
    public int flags() {
        return flags;
    }
}

package io.jenet;

/**
 * What {@link ENetConnection#service(int)} returns: Godot's four-element array as a value —
 * event type, the peer concerned, the event data and the channel.
 *
 * <p>For {@link ENetConnection.EventType#EVENT_RECEIVE} the packet itself is queued on the peer;
 * take it with {@link ENetPacketPeer#getPacket()}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param type what happened
 * @param peer the peer concerned, or null for NONE and ERROR
 * @param data connect or disconnect data (0 if none): ENet's unsigned 32-bit value in an int;
 *             {@link #dataUnsigned()} gives it as Godot shows it (0 … 4 294 967 295)
 * @param channel the channel of a received packet (0 otherwise)
 */
public record ENetEvent(ENetConnection.EventType type, ENetPacketPeer peer, int data, int channel) {
    static final ENetEvent NONE = new ENetEvent(ENetConnection.EventType.EVENT_NONE, null, 0, 0);
    static final ENetEvent ERROR = new ENetEvent(ENetConnection.EventType.EVENT_ERROR, null, 0, 0);

    /**
     * The event data as the unsigned 32-bit value it is on the wire (Godot's {@code service()}
     * returns it so: a peer disconnecting with data -1 in Java or 4294967295 in GDScript shows
     * 4294967295 here).
     *
     * @return 0 … 4 294 967 295
     */
    public long dataUnsigned() {
        return Integer.toUnsignedLong(data);
    }
}

package io.jenet.internal.engine;

/**
 * An engine event (ENet's ENetEvent), reused by the caller across {@link Host#checkEvents} calls.
 *
 * <p>Thread-safety: none.
 */
public final class Event {
    public static final int TYPE_NONE = 0;
    public static final int TYPE_CONNECT = 1;
    public static final int TYPE_DISCONNECT = 2;
    public static final int TYPE_RECEIVE = 3;

    /** One of the TYPE_ constants. */
    public int type;
    /** The peer concerned, or null for NONE. */
    public Peer peer;
    /** Connect or disconnect data. */
    public int data;
    /** Channel of a received packet. */
    public int channelID;
    /** The received packet for RECEIVE. */
    public Packet packet;
    /** The peer's {@link Peer#userData} as it was when the event was raised (reset clears it). */
    public Object peerData;

    void clear() {
        type = TYPE_NONE;
        peer = null;
        data = 0;
        channelID = 0;
        packet = null;
        peerData = null;
    }
}

package io.jenet.internal.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JDK Flight Recorder events for what an operator wants on a timeline: connections, disconnections,
 * timeouts and retransmissions. Disabled events cost a branch; enable them with
 * {@code -XX:StartFlightRecording} or a recording that turns on {@code io.jenet.*}.
 */
final class JenetEvents {
    private JenetEvents() {}

    /** A connection completed. */
    @Name("io.jenet.Connect")
    @Label("ENet Connect")
    @Category({"jenet", "Connections"})
    @Description("An ENet connection completed")
    static final class Connect extends Event {
        @Label("Remote")
        String remote;
        @Label("Peer ID")
        int peerID;
        @Label("Channels")
        int channels;
    }

    /** A connection ended: disconnected by either side, or timed out (then a Timeout event came first). */
    @Name("io.jenet.Disconnect")
    @Label("ENet Disconnect")
    @Category({"jenet", "Connections"})
    @Description("An ENet connection ended (the DISCONNECT event was raised)")
    static final class Disconnect extends Event {
        @Label("Remote")
        String remote;
        @Label("Peer ID")
        int peerID;
        @Label("Data")
        int data;
    }

    /** A peer timed out: no acknowledgement within the peer's timeout bounds. */
    @Name("io.jenet.Timeout")
    @Label("ENet Timeout")
    @Category({"jenet", "Connections"})
    @Description("An ENet peer timed out")
    static final class Timeout extends Event {
        @Label("Remote")
        String remote;
        @Label("Peer ID")
        int peerID;
        @Label("Round Trip Time (ms)")
        long roundTripTime;
    }

    /** A reliable command was resent after its timer expired. */
    @Name("io.jenet.Retransmission")
    @Label("ENet Retransmission")
    @Category({"jenet", "Reliability"})
    @Description("A reliable ENet command was resent")
    static final class Retransmission extends Event {
        @Label("Remote")
        String remote;
        @Label("Channel")
        int channel;
        @Label("Reliable Sequence Number")
        int reliableSequenceNumber;
        @Label("Send Attempts")
        int sendAttempts;
    }

    /** The memory budget dropped a peer's data or disconnected it (see MemoryBudget). */
    @Name("io.jenet.MemoryBudget")
    @Label("ENet Memory Budget")
    @Category({"jenet", "Limits"})
    @Description("A peer's data was dropped, or the peer disconnected, to keep the host within its memory budget")
    static final class MemoryBudgetEvent extends Event {
        @Label("Remote")
        String remote;
        @Label("Peer ID")
        int peerID;
        @Label("Action")
        String action;
        @Label("Bytes")
        long bytes;
    }

    /**
     * Touching a JFR event class starts JFR's own initialisation (about 130 ms here), which would
     * land in the middle of the first handshake and delay its acknowledgement: the remote ENet
     * peer then keeps an inflated round-trip estimate for good, because ENet's integer smoothing
     * cannot bring it back down. So the event classes are left alone until a recording exists.
     */
    private static boolean recording() {
        return FlightRecorder.isInitialized();
    }

    static void connect(Peer peer) {
        if (!recording()) {
            return;
        }
        Connect e = new Connect();
        if (e.isEnabled()) {
            e.remote = String.valueOf(peer.address);
            e.peerID = peer.incomingPeerID;
            e.channels = peer.channelCount;
            e.commit();
        }
    }

    static void disconnect(Peer peer) {
        if (!recording()) {
            return;
        }
        Disconnect e = new Disconnect();
        if (e.isEnabled()) {
            e.remote = String.valueOf(peer.address);
            e.peerID = peer.incomingPeerID;
            e.data = peer.eventData;
            e.commit();
        }
    }

    static void timeout(Peer peer) {
        if (!recording()) {
            return;
        }
        Timeout e = new Timeout();
        if (e.isEnabled()) {
            e.remote = String.valueOf(peer.address);
            e.peerID = peer.incomingPeerID;
            e.roundTripTime = peer.roundTripTime;
            e.commit();
        }
    }

    static void memoryBudget(Peer peer, String action, long bytes) {
        if (!recording()) {
            return;
        }
        MemoryBudgetEvent e = new MemoryBudgetEvent();
        if (e.isEnabled()) {
            e.remote = String.valueOf(peer.address);
            e.peerID = peer.incomingPeerID;
            e.action = action;
            e.bytes = bytes;
            e.commit();
        }
    }

    static void retransmission(Peer peer, OutgoingCommand c) {
        if (!recording()) {
            return;
        }
        Retransmission e = new Retransmission();
        if (e.isEnabled()) {
            e.remote = String.valueOf(peer.address);
            e.channel = c.channelID();
            e.reliableSequenceNumber = c.reliableSequenceNumber;
            e.sendAttempts = c.sendAttempts;
            e.commit();
        }
    }
}

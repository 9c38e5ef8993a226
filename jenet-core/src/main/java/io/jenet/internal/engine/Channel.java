package io.jenet.internal.engine;

/** Per-channel sequencing state (ENet's ENetChannel). */
final class Channel {
    int outgoingReliableSequenceNumber;
    int outgoingUnreliableSequenceNumber;
    int usedReliableWindows;
    final int[] reliableWindows = new int[Peer.RELIABLE_WINDOWS];
    int incomingReliableSequenceNumber;
    int incomingUnreliableSequenceNumber;
    final NodeList<IncomingCommand> incomingReliableCommands = new NodeList<>();
    final NodeList<IncomingCommand> incomingUnreliableCommands = new NodeList<>();

    /**
     * Whether a reliable sequence number falls outside the windows this channel accepts now: behind
     * the current window, or past the free windows ahead of it (ENet's repeated window test).
     */
    boolean outsideReceiveWindow(int reliableSequenceNumber) {
        int reliableWindow = reliableSequenceNumber / Peer.RELIABLE_WINDOW_SIZE;
        int currentWindow = incomingReliableSequenceNumber / Peer.RELIABLE_WINDOW_SIZE;
        if (reliableSequenceNumber < incomingReliableSequenceNumber) {
            reliableWindow += Peer.RELIABLE_WINDOWS;
        }
        return reliableWindow < currentWindow || reliableWindow >= currentWindow + Peer.FREE_RELIABLE_WINDOWS - 1;
    }

    void reset() {
        outgoingReliableSequenceNumber = 0;
        outgoingUnreliableSequenceNumber = 0;
        incomingReliableSequenceNumber = 0;
        incomingUnreliableSequenceNumber = 0;
        usedReliableWindows = 0;
        java.util.Arrays.fill(reliableWindows, 0);
    }
}

package io.jenet.engine;

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

    void reset() {
        outgoingReliableSequenceNumber = 0;
        outgoingUnreliableSequenceNumber = 0;
        incomingReliableSequenceNumber = 0;
        incomingUnreliableSequenceNumber = 0;
        usedReliableWindows = 0;
        java.util.Arrays.fill(reliableWindows, 0);
    }
}

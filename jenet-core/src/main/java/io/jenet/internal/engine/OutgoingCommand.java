package io.jenet.internal.engine;

import io.jenet.internal.protocol.Protocol;

/** A command queued for sending or awaiting acknowledgement (ENet's ENetOutgoingCommand). */
final class OutgoingCommand extends Node {
    final byte[] command = new byte[Protocol.MAXIMUM_COMMAND_SIZE];
    int reliableSequenceNumber;
    int unreliableSequenceNumber;
    int sentTime;
    int roundTripTimeout;
    int queueTime;
    int fragmentOffset;
    int fragmentLength;
    int sendAttempts;
    /** Copies of its latest transmission sent since (see {@link LossRecovery}). */
    int copies;
    /** When its latest copy was sent (copies leave {@link #sentTime}, the timers' origin, alone). */
    int lastCopyAt;
    Packet packet;
    /** The peer whose queue holds this command (for the outgoing budget). */
    Peer peer;

    int commandByte() {
        return command[0] & 0xFF;
    }

    int channelID() {
        return command[1] & 0xFF;
    }
}

package io.jenet.internal.engine;

/** A pending acknowledgement of a received reliable command (ENet's ENetAcknowledgement). */
final class Acknowledgement extends Node {
    int sentTime;
    int command;
    int channelID;
    int reliableSequenceNumber;
}

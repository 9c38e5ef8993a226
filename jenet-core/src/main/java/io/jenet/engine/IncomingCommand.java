package io.jenet.engine;

/** A received data command awaiting in-order dispatch or reassembly (ENet's ENetIncomingCommand). */
final class IncomingCommand extends Node {
    int reliableSequenceNumber;
    int unreliableSequenceNumber;
    int command;
    int channelID;
    int fragmentCount;
    int fragmentsRemaining;
    int[] fragments;
    Packet packet;

    int number() {
        return command & io.jenet.protocol.Protocol.COMMAND_MASK;
    }
}

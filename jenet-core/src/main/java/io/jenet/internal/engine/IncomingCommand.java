package io.jenet.internal.engine;

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
    /** Bytes counted against the host's incomplete-data budget while this command waits. */
    long held;
    /** A large fragmented packet's bytes as they arrive ({@link MemoryBudget#CHUNK} each), or null. */
    byte[][] chunks;

    /** @return whether the command is part of the reliable stream (reliable data and its fragments) */
    boolean isReliable() {
        int n = number();
        return n == io.jenet.internal.protocol.Protocol.COMMAND_SEND_RELIABLE || n == io.jenet.internal.protocol.Protocol.COMMAND_SEND_FRAGMENT;
    }

    int number() {
        return command & io.jenet.internal.protocol.Protocol.COMMAND_MASK;
    }
}

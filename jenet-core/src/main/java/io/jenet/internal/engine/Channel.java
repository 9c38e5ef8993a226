package io.jenet.internal.engine;

import static io.jenet.internal.protocol.Protocol.COMMAND_MASK;
import static io.jenet.internal.protocol.Protocol.COMMAND_SEND_FRAGMENT;
import static io.jenet.internal.protocol.Protocol.COMMAND_SEND_RELIABLE;
import static io.jenet.internal.protocol.Protocol.COMMAND_SEND_UNRELIABLE;
import static io.jenet.internal.protocol.Protocol.COMMAND_SEND_UNRELIABLE_FRAGMENT;
import static io.jenet.internal.protocol.Protocol.COMMAND_SEND_UNSEQUENCED;
import static io.jenet.internal.protocol.Protocol.MAXIMUM_FRAGMENT_COUNT;

import java.util.Arrays;

/**
 * One channel of a peer (ENet's {@code ENetChannel}): the sequence numbers and reliable windows
 * of both directions, and the whole incoming side — where a received command goes in the
 * channel's order, how fragments become a packet, and what is ready to hand to the application.
 * Written against ENet's {@code enet_peer_queue_incoming_command}, the two
 * {@code enet_peer_dispatch_incoming_*_commands} and the two fragment handlers of
 * {@code protocol.c}; the peer keeps the connection, the timing and the outgoing queues.
 *
 * <p>Thread-safety: none; used from its host's thread only.
 */
final class Channel {
    /** Sentinel for commands that are silently discarded (ENet's {@code dummyCommand}). */
    static final IncomingCommand DISCARDED = new IncomingCommand();
    private static final byte[] NO_BYTES = new byte[0];

    private final Peer peer;
    private final int id;
    int outgoingReliableSequenceNumber;
    int outgoingUnreliableSequenceNumber;
    int usedReliableWindows;
    final int[] reliableWindows = new int[Peer.RELIABLE_WINDOWS];
    int incomingReliableSequenceNumber;
    int incomingUnreliableSequenceNumber;
    final NodeList<IncomingCommand> incomingReliableCommands = new NodeList<>();
    final NodeList<IncomingCommand> incomingUnreliableCommands = new NodeList<>();
    /** Where the last {@code find…} stopped: a new command goes right after it. */
    private Node insertAfter;

    Channel(Peer peer, int id) {
        this.peer = peer;
        this.id = id;
    }

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
        Arrays.fill(reliableWindows, 0);
    }

    // ---- finding a command's place (ENet searches each list backwards, wrap-aware) ----

    /**
     * Searches the reliable list, newest first, for {@code reliableSequenceNumber}.
     *
     * @return the command with that number, or null; either way {@link #insertAfter} is where a new
     *         one with that number belongs
     */
    private IncomingCommand findReliable(int reliableSequenceNumber) {
        NodeList<IncomingCommand> list = incomingReliableCommands;
        Node current = list.end().prev;
        for (; current != list.end(); current = current.prev) {
            IncomingCommand ic = (IncomingCommand) current;
            if (reliableSequenceNumber >= incomingReliableSequenceNumber) {
                if (ic.reliableSequenceNumber < incomingReliableSequenceNumber) {
                    continue;
                }
            } else if (ic.reliableSequenceNumber >= incomingReliableSequenceNumber) {
                break;
            }
            if (ic.reliableSequenceNumber <= reliableSequenceNumber) {
                if (ic.reliableSequenceNumber < reliableSequenceNumber) {
                    break;
                }
                insertAfter = current;
                return ic;
            }
        }
        insertAfter = current;
        return null;
    }

    /**
     * Searches the unreliable list, newest first, for the pair of sequence numbers. ENet's queue
     * skips unsequenced commands on the way; its unreliable-fragment handler does not.
     *
     * @return the command with both numbers, or null; either way {@link #insertAfter} is where a new
     *         one belongs
     */
    private IncomingCommand findUnreliable(int reliableSequenceNumber, int unreliableSequenceNumber, boolean skipUnsequenced) {
        NodeList<IncomingCommand> list = incomingUnreliableCommands;
        Node current = list.end().prev;
        for (; current != list.end(); current = current.prev) {
            IncomingCommand ic = (IncomingCommand) current;
            if (skipUnsequenced && ic.number() == COMMAND_SEND_UNSEQUENCED) {
                continue;
            }
            if (reliableSequenceNumber >= incomingReliableSequenceNumber) {
                if (ic.reliableSequenceNumber < incomingReliableSequenceNumber) {
                    continue;
                }
            } else if (ic.reliableSequenceNumber >= incomingReliableSequenceNumber) {
                break;
            }
            if (ic.reliableSequenceNumber < reliableSequenceNumber) {
                break;
            }
            if (ic.reliableSequenceNumber > reliableSequenceNumber) {
                continue;
            }
            if (ic.unreliableSequenceNumber <= unreliableSequenceNumber) {
                if (ic.unreliableSequenceNumber < unreliableSequenceNumber) {
                    break;
                }
                insertAfter = current;
                return ic;
            }
        }
        insertAfter = current;
        return null;
    }

    // ---- queueing (ENet's enet_peer_queue_incoming_command) ----

    private static IncomingCommand discard(int fragmentCount) {
        return fragmentCount > 0 ? null : DISCARDED;
    }

    /**
     * Queues a received data command in this channel's order and dispatches what became ready.
     *
     * @param data the payload, or null for the start of a fragmented packet (fragments fill it in)
     * @return the queued command, {@link #DISCARDED}, or null on error (the datagram is abandoned)
     */
    IncomingCommand queueIncoming(int command, int reliableSequenceNumber, int unreliableSequenceNumberField,
                                  byte[] data, int dataOffset, int dataLength, int packetFlags, int fragmentCount) {
        int unreliableSequenceNumber = 0;
        int number = command & COMMAND_MASK;
        if (peer.state == Peer.STATE_DISCONNECT_LATER) {
            return discard(fragmentCount);
        }
        if (number != COMMAND_SEND_UNSEQUENCED && outsideReceiveWindow(reliableSequenceNumber)) {
            return discard(fragmentCount);
        }
        switch (number) {
            case COMMAND_SEND_FRAGMENT:
            case COMMAND_SEND_RELIABLE:
                if (reliableSequenceNumber == incomingReliableSequenceNumber || findReliable(reliableSequenceNumber) != null) {
                    return discard(fragmentCount);
                }
                break;
            case COMMAND_SEND_UNRELIABLE:
            case COMMAND_SEND_UNRELIABLE_FRAGMENT:
                unreliableSequenceNumber = unreliableSequenceNumberField;
                if ((reliableSequenceNumber == incomingReliableSequenceNumber
                        && unreliableSequenceNumber <= incomingUnreliableSequenceNumber)
                        || findUnreliable(reliableSequenceNumber, unreliableSequenceNumber, true) != null) {
                    return discard(fragmentCount);
                }
                break;
            case COMMAND_SEND_UNSEQUENCED:
                // As ENet: after the list's sentinel, which puts it first.
                insertAfter = incomingUnreliableCommands.end();
                break;
            default:
                return discard(fragmentCount);
        }
        Host host = peer.host;
        // Over the limit, ENet refuses everything. The next reliable command in order is still taken
        // when later ones wait for it: refusing it would keep them (and the limit) full for good, a
        // deadlock a sender whose resends arrive out of order can cause. It only releases data
        // already admitted, so the limit is passed by at most the one packet.
        if (peer.totalWaitingData >= host.maximumWaitingData
                && !(reliableSequenceNumber == ((incomingReliableSequenceNumber + 1) & 0xFFFF)
                     && (number == COMMAND_SEND_RELIABLE || number == COMMAND_SEND_FRAGMENT)
                     && !incomingReliableCommands.isEmpty())) {
            host.droppedCommands++;
            return null;
        }
        IncomingCommand ic = host.allocIncoming();
        ic.command = command;
        // A fragmented packet's bytes are held as they arrive: what a peer announces costs nothing
        // until it sends it (see MemoryBudget).
        boolean chunked = data == null && dataLength > MemoryBudget.CONTIGUOUS_LIMIT;
        int chunkCount = chunked ? (dataLength + MemoryBudget.CHUNK - 1) / MemoryBudget.CHUNK : 0;
        long bitmap = fragmentCount > 0 ? 4L * ((fragmentCount + 31) / 32) : 0;
        long bytes = bitmap + (chunked ? 8L * chunkCount : PacketPool.capacity(dataLength));
        if (!host.budget.hold(peer, ic, bytes)) {
            host.freeIncoming(ic);
            return null;
        }
        Packet packet;
        if (chunked) {
            packet = new Packet(NO_BYTES, dataLength, packetFlags);
            ic.chunks = new byte[chunkCount][];
        } else {
            packet = host.packets.take(dataLength, packetFlags);
            if (data != null) {
                System.arraycopy(data, dataOffset, packet.data, 0, dataLength);
            } else {
                // Fragments fill it in; a recycled buffer must not show another packet's bytes where
                // a malformed fragment set leaves a gap.
                Arrays.fill(packet.data, 0, dataLength, (byte) 0);
            }
        }
        ic.reliableSequenceNumber = reliableSequenceNumber;
        ic.unreliableSequenceNumber = unreliableSequenceNumber & 0xFFFF;
        ic.channelID = id;
        ic.fragmentCount = fragmentCount;
        ic.fragmentsRemaining = fragmentCount;
        ic.packet = packet;
        ic.fragments = fragmentCount > 0 ? new int[(fragmentCount + 31) / 32] : null;
        packet.referenceCount++;
        peer.totalWaitingData += packet.length;
        NodeList.insert(insertAfter.next, ic);
        if (number == COMMAND_SEND_FRAGMENT || number == COMMAND_SEND_RELIABLE) {
            dispatchReliable(ic);
        } else {
            dispatchUnreliable(ic);
        }
        return ic;
    }

    // ---- fragments (ENet's handle_send_fragment and handle_send_unreliable_fragment) ----

    /**
     * One fragment of a reliable (SEND_FRAGMENT) or unreliable (SEND_UNRELIABLE_FRAGMENT) packet.
     * ENet's two handlers differ only in which sequence numbers place the packet: a reliable
     * packet is known by its start sequence number in the reliable list, an unreliable one by its
     * reliable sequence number and its start sequence number in the unreliable list.
     *
     * @param data the datagram; the fragment's bytes start at {@code payload}
     * @return 0 (taken, or ignored as ENet ignores it), or -1 if the datagram is to be abandoned
     */
    int receiveFragment(boolean reliable, int command, int reliableSequenceNumber, int startSequenceNumber,
                        long fragmentNumber, long fragmentCount, long fragmentOffset, long totalLength,
                        byte[] data, int payload, int fragmentLength) {
        if (reliable) {
            if (outsideReceiveWindow(startSequenceNumber)) {
                return 0;
            }
        } else {
            if (outsideReceiveWindow(reliableSequenceNumber)) {
                return 0;
            }
            if (reliableSequenceNumber == incomingReliableSequenceNumber
                    && startSequenceNumber <= incomingUnreliableSequenceNumber) {
                return 0;
            }
        }
        if (fragmentCount > MAXIMUM_FRAGMENT_COUNT || fragmentNumber >= fragmentCount || totalLength > peer.host.maximumPacketSize
                || totalLength < fragmentCount || fragmentOffset >= totalLength || fragmentLength > totalLength - fragmentOffset) {
            return -1;
        }
        IncomingCommand startCommand = reliable
                ? findReliable(startSequenceNumber)
                : findUnreliable(reliableSequenceNumber, startSequenceNumber, false);
        if (startCommand != null) {
            int expected = reliable ? COMMAND_SEND_FRAGMENT : COMMAND_SEND_UNRELIABLE_FRAGMENT;
            if (startCommand.number() != expected || totalLength != startCommand.packet.length
                    || fragmentCount != startCommand.fragmentCount) {
                return -1;
            }
        } else {
            // The unreliable sequence number of an unreliable fragment is its start sequence number.
            startCommand = reliable
                    ? queueIncoming(command, startSequenceNumber, 0, null, 0, (int) totalLength, Packet.FLAG_RELIABLE, (int) fragmentCount)
                    : queueIncoming(command, reliableSequenceNumber, startSequenceNumber, null, 0, (int) totalLength,
                            Packet.FLAG_UNRELIABLE_FRAGMENT, (int) fragmentCount);
            if (startCommand == null) {
                return -1;
            }
        }
        return copyFragment(startCommand, (int) fragmentNumber, (int) fragmentOffset, fragmentLength, data, payload, reliable) ? 0 : -1;
    }

    /** @return false if the fragment could not be kept (no room under the memory budget) */
    private boolean copyFragment(IncomingCommand startCommand, int fragmentNumber, int fragmentOffset, int fragmentLength,
                                 byte[] data, int payload, boolean reliable) {
        if (startCommand == DISCARDED || startCommand.fragments == null) {
            return true;
        }
        int word = fragmentNumber / 32;
        int bit = 1 << (fragmentNumber % 32);
        if ((startCommand.fragments[word] & bit) != 0) {
            return true;
        }
        if (fragmentOffset + fragmentLength > startCommand.packet.length) {
            fragmentLength = startCommand.packet.length - fragmentOffset;
        }
        if (startCommand.chunks == null) {
            System.arraycopy(data, payload, startCommand.packet.data, fragmentOffset, fragmentLength);
        } else if (!storeInChunks(startCommand, fragmentOffset, fragmentLength, data, payload)) {
            // No room under the budget: the fragment is not kept (nor acknowledged, so a reliable
            // sender resends it), or the peer was disconnected to make room.
            return false;
        }
        --startCommand.fragmentsRemaining;
        startCommand.fragments[word] |= bit;
        if (startCommand.fragmentsRemaining <= 0) {
            if (startCommand.chunks != null) {
                join(startCommand);
            }
            if (reliable) {
                dispatchReliable(null);
            } else {
                dispatchUnreliable(null);
            }
        }
        return true;
    }

    /** Copies a fragment into the chunks it touches, taking (and accounting) the missing ones. */
    private boolean storeInChunks(IncomingCommand ic, int offset, int length, byte[] data, int payload) {
        MemoryBudget budget = peer.host.budget;
        int chunk = MemoryBudget.CHUNK;
        int first = offset / chunk;
        int last = (offset + length - 1) / chunk;
        long missing = 0;
        for (int i = first; i <= last; i++) {
            if (ic.chunks[i] == null) {
                missing += chunk;
            }
        }
        if (missing > 0) {
            if (!budget.hold(peer, ic, missing)) {
                return false;
            }
            for (int i = first; i <= last; i++) {
                if (ic.chunks[i] == null) {
                    ic.chunks[i] = budget.chunk();
                }
            }
        }
        for (int done = 0; done < length; ) {
            int at = offset + done;
            int n = Math.min(length - done, chunk - at % chunk);
            System.arraycopy(data, payload + done, ic.chunks[at / chunk], at % chunk, n);
            done += n;
        }
        return true;
    }

    /** The last fragment arrived: the chunks become one array, as the application receives it. */
    private void join(IncomingCommand ic) {
        MemoryBudget budget = peer.host.budget;
        Packet p = ic.packet;
        byte[] whole = new byte[p.length];
        int chunk = MemoryBudget.CHUNK;
        for (int i = 0; i < ic.chunks.length; i++) {
            if (ic.chunks[i] != null) {
                System.arraycopy(ic.chunks[i], 0, whole, i * chunk, Math.min(chunk, p.length - i * chunk));
            }
        }
        budget.release(peer, ic);
        p.data = whole;
        budget.force(peer, ic, whole.length);
    }

    // ---- dispatch (ENet's enet_peer_dispatch_incoming_*_commands) ----

    /** Hands the peer the unreliable commands now in order; drops those overtaken by reliable ones. */
    void dispatchUnreliable(IncomingCommand queuedCommand) {
        NodeList<IncomingCommand> list = incomingUnreliableCommands;
        Node droppedCommand = list.begin();
        Node startCommand = droppedCommand;
        Node currentCommand = droppedCommand;
        for (; currentCommand != list.end(); currentCommand = currentCommand.next) {
            IncomingCommand ic = (IncomingCommand) currentCommand;
            if (ic.number() == COMMAND_SEND_UNSEQUENCED) {
                continue;
            }
            if (ic.reliableSequenceNumber == incomingReliableSequenceNumber) {
                if (ic.fragmentsRemaining <= 0) {
                    incomingUnreliableSequenceNumber = ic.unreliableSequenceNumber;
                    continue;
                }
                if (startCommand != currentCommand) {
                    peer.moveToDispatched(startCommand, currentCommand.prev);
                    peer.markForDispatch();
                    droppedCommand = currentCommand;
                } else if (droppedCommand != currentCommand) {
                    droppedCommand = currentCommand.prev;
                }
            } else {
                if (!outsideReceiveWindow(ic.reliableSequenceNumber)) {
                    break;
                }
                droppedCommand = currentCommand.next;
                if (startCommand != currentCommand) {
                    peer.moveToDispatched(startCommand, currentCommand.prev);
                    peer.markForDispatch();
                }
            }
            startCommand = currentCommand.next;
        }
        if (startCommand != currentCommand) {
            peer.moveToDispatched(startCommand, currentCommand.prev);
            peer.markForDispatch();
            droppedCommand = currentCommand;
        }
        peer.removeIncomingCommands(list.begin(), droppedCommand, queuedCommand);
    }

    /** Hands the peer the reliable commands now in sequence, then the unreliable ones they freed. */
    void dispatchReliable(IncomingCommand queuedCommand) {
        NodeList<IncomingCommand> list = incomingReliableCommands;
        Node currentCommand = list.begin();
        for (; currentCommand != list.end(); currentCommand = currentCommand.next) {
            IncomingCommand ic = (IncomingCommand) currentCommand;
            if (ic.fragmentsRemaining > 0 || ic.reliableSequenceNumber != ((incomingReliableSequenceNumber + 1) & 0xFFFF)) {
                break;
            }
            incomingReliableSequenceNumber = ic.reliableSequenceNumber;
            if (ic.fragmentCount > 0) {
                incomingReliableSequenceNumber = (incomingReliableSequenceNumber + ic.fragmentCount - 1) & 0xFFFF;
            }
        }
        if (currentCommand == list.begin()) {
            return;
        }
        incomingUnreliableSequenceNumber = 0;
        peer.moveToDispatched(list.begin(), currentCommand.prev);
        peer.markForDispatch();
        if (!incomingUnreliableCommands.isEmpty()) {
            dispatchUnreliable(queuedCommand);
        }
    }
}

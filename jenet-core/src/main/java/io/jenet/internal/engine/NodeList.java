package io.jenet.internal.engine;

/**
 * An intrusive circular list with a sentinel, mirroring ENet's {@code ENetList}: insertion before
 * any position, removal of any node and moving a run of nodes are O(1) and allocate nothing, which
 * the reliable queues need (commands are inserted in sequence order and retransmitted in place).
 * The list is its own sentinel, as ENet's is a node inside its list: a separate sentinel object
 * was 24 B more for each of a peer slot's five lists and a used channel's two.
 *
 * <p>Thread-safety: none; owned by one engine host.
 */
final class NodeList<T extends Node> extends Node {
    NodeList() {
        next = this;
        prev = this;
    }

    Node begin() {
        return next;
    }

    Node end() {
        return this;
    }

    boolean isEmpty() {
        return next == this;
    }

    @SuppressWarnings("unchecked")
    T front() {
        return (T) next;
    }

    @SuppressWarnings("unchecked")
    T back() {
        return (T) prev;
    }

    /** Inserts {@code node} before {@code position}. */
    static void insert(Node position, Node node) {
        node.prev = position.prev;
        node.next = position;
        position.prev.next = node;
        position.prev = node;
    }

    void addLast(T node) {
        insert(this, node);
    }

    /** Unlinks {@code node}; returns it. */
    static <N extends Node> N remove(N node) {
        node.prev.next = node.next;
        node.next.prev = node.prev;
        node.next = null;
        node.prev = null;
        return node;
    }

    @SuppressWarnings("unchecked")
    T removeFirst() {
        return (T) remove(next);
    }

    /** Moves the run {@code first..last} (inclusive, linked in order) before {@code position}. */
    static void move(Node position, Node first, Node last) {
        first.prev.next = last.next;
        last.next.prev = first.prev;
        first.prev = position.prev;
        last.next = position;
        first.prev.next = first;
        position.prev = last;
    }

    int size() {
        int n = 0;
        for (Node c = next; c != this; c = c.next) {
            n++;
        }
        return n;
    }
}

package io.jenet.internal.engine;

/** A link in an intrusive, circular, doubly linked {@link NodeList}, as ENet's ENetListNode. */
class Node {
    Node prev;
    Node next;
}

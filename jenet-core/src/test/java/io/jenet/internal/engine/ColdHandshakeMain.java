package io.jenet.internal.engine;

/** Run in a fresh JVM by {@link JfrEventsTest}: one handshake and a few retransmissions, no recording. */
final class ColdHandshakeMain {
    private ColdHandshakeMain() {}

    public static void main(String[] args) {
        Pair p = new Pair(5, new SimulatedNetwork.Link().latency(10).loss(0.3)).connect(1, 0);
        for (int i = 0; i < 50; i++) {
            p.send(p.client, p.clientPeer, 0, Traffic.payload(0, i, 10), Packet.FLAG_RELIABLE);
        }
        p.net.runUntil(() -> false, 5_000);
        System.out.println("handshake done");
    }
}

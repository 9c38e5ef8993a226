package io.jenet.examples;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * NAT punch-through, part two: a client that meets another through {@link Rendezvous} and then
 * connects to it directly. From the one host (so the public port the server saw is the one the
 * other side must reach) it sends a few raw datagrams to the other's public address with
 * {@link ENetConnection#socketSend} — they open this side's NAT mapping and are dropped by the
 * other ENet host — then the side the server names connects and the other accepts.
 * Finally each sends the other a greeting over the direct connection.
 *
 * <pre>java -cp "jenet-examples/target/classes:jenet-cli/target/lib/*" io.jenet.examples.PunchClient RENDEZVOUS_HOST 7000 ROOM NAME</pre>
 *
 * <p>Thread-safety: one thread per client.
 */
public final class PunchClient {
    private PunchClient() {}

    /** What one client saw. */
    public record Result(String otherAddress, int otherPort, String greeting) {}

    /**
     * Meets the other client of {@code room} and greets it directly.
     *
     * @param rendezvousHost rendezvous server address
     * @param rendezvousPort its port
     * @param room room number (both clients use the same)
     * @param name this client's name, sent in the greeting
     * @param timeoutMs give up after this long
     * @return the other side's address as learned, and its greeting
     * @throws IOException if no socket can be opened
     */
    public static Result meet(String rendezvousHost, int rendezvousPort, int room, String name, long timeoutMs) throws IOException {
        try (ENetConnection host = new ENetConnection()) {
            host.createHost(2, 1); // one slot for the rendezvous server, one for the other client
            ENetPacketPeer server = host.connectToHost(rendezvousHost, rendezvousPort, 1, room);
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            String otherAddress = null;
            int otherPort = 0;
            ENetPacketPeer direct = null;
            while (System.nanoTime() < deadline) {
                ENetEvent e = host.service(10);
                if (e.type() == ENetConnection.EventType.EVENT_RECEIVE) {
                    String text = new String(e.peer().getPacket(), StandardCharsets.UTF_8);
                    if (e.peer() == server && text.startsWith("peer ")) {
                        String[] f = text.split(" ");
                        otherAddress = f[1];
                        otherPort = Integer.parseInt(f[2]);
                        for (int i = 0; i < 3; i++) {
                            host.socketSend(otherAddress, otherPort, "punch".getBytes(StandardCharsets.US_ASCII));
                        }
                        if (f[3].equals("connect")) {
                            direct = host.connectToHost(otherAddress, otherPort, 1, 0);
                        }
                    } else if (e.peer() != server) {
                        // Leave only after our own greeting is delivered: a later disconnect waits for it.
                        e.peer().peerDisconnectLater(0);
                        long end = System.nanoTime() + 2_000_000_000L;
                        while (e.peer().isActive() && System.nanoTime() < end) {
                            host.service(10);
                        }
                        return new Result(otherAddress, otherPort, text);
                    }
                } else if (e.type() == ENetConnection.EventType.EVENT_CONNECT && e.peer() != server) {
                    direct = e.peer();
                    direct.send(0, ("hello from " + name).getBytes(StandardCharsets.UTF_8), ENetPacketPeer.FLAG_RELIABLE);
                }
            }
            throw new IOException("no direct greeting within " + timeoutMs + " ms (other side: " + otherAddress + ":" + otherPort
                    + ", direct peer " + direct + ")");
        }
    }

    /**
     * Meets the other client and prints its greeting.
     *
     * @param args rendezvous host, port, room, name
     * @throws IOException on failure
     */
    public static void main(String[] args) throws IOException {
        Result r = meet(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], 30_000);
        System.out.println("direct from " + r.otherAddress() + ":" + r.otherPort() + ": " + r.greeting());
    }
}

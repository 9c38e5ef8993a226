package io.jenet.examples;

import io.jenet.ENetConnection;
import io.jenet.ENetEvent;
import io.jenet.ENetPacketPeer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * A chat client: lines typed become reliable packets; lines from the server are printed. The
 * network loop runs on the calling thread (ENet hosts are single-threaded); typed lines reach it
 * through a queue.
 *
 * <pre>java -cp … io.jenet.examples.ChatClient 127.0.0.1 7777</pre>
 *
 * <p>Thread-safety: {@link #say(String)} and {@link #quit()} from any thread; {@link #run} on one.
 */
public final class ChatClient {
    private final BlockingQueue<String> outgoing = new LinkedBlockingQueue<>();
    private volatile boolean quit;

    /** @param line a line to send */
    public void say(String line) {
        outgoing.add(line);
    }

    /** Disconnects and makes {@link #run} return. */
    public void quit() {
        quit = true;
    }

    /**
     * Connects and runs until {@link #quit()} or the server goes away.
     *
     * @param host server address
     * @param port server port
     * @param incoming receives every line from the server, and status lines
     * @throws IOException if no socket can be opened
     */
    public void run(String host, int port, Consumer<String> incoming) throws IOException {
        try (ENetConnection connection = new ENetConnection()) {
            connection.createHost(1, 1);
            ENetPacketPeer server = connection.connectToHost(host, port, 1, 0);
            boolean connected = false;
            while (true) {
                ENetEvent e = connection.service(20);
                switch (e.type()) {
                    case EVENT_CONNECT -> {
                        connected = true;
                        incoming.accept("* connected");
                    }
                    case EVENT_RECEIVE -> incoming.accept(new String(e.peer().getPacket(), StandardCharsets.UTF_8));
                    case EVENT_DISCONNECT -> {
                        incoming.accept("* disconnected");
                        return;
                    }
                    default -> { }
                }
                if (connected) {
                    for (String line; (line = outgoing.poll()) != null; ) {
                        server.send(0, line.getBytes(StandardCharsets.UTF_8), ENetPacketPeer.FLAG_RELIABLE);
                    }
                }
                if (quit && server.isActive() && server.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                    server.peerDisconnectLater(0);
                }
            }
        }
    }

    /**
     * Reads lines from standard input and chats until end of input.
     *
     * @param args host and port (default 127.0.0.1 7777)
     * @throws IOException if no socket can be opened
     */
    public static void main(String[] args) throws IOException {
        ChatClient client = new ChatClient();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    client.say(line);
                }
            } catch (IOException ignored) {
                // end of input
            }
            client.quit();
        }, "stdin");
        reader.setDaemon(true);
        reader.start();
        client.run(args.length > 0 ? args[0] : "127.0.0.1", args.length > 1 ? Integer.parseInt(args[1]) : 7777, System.out::println);
    }
}

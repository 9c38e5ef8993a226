package io.jenet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

/** A server at 10.0.0.1:7777 and a client at 10.0.0.2, connected over whatever the links are. */
final class Pairs {
    static final String SERVER = "10.0.0.1";
    static final String CLIENT = "10.0.0.2";

    private Pairs() {}

    /** @return {server, client}, connected, each with its peer set */
    static Endpoint[] connect(SimulatedNetwork net, int channels) throws Exception {
        Endpoint server = new Endpoint(net, "server");
        server.connection.createHostBound(SERVER, 7777, 8, channels, 0, 0);
        Endpoint client = new Endpoint(net, "client", CLIENT);
        client.connection.createHost(1, channels, 0, 0);
        client.peer = client.connection.connectToHost(SERVER, 7777, channels, 0);
        assertThat(net.runUntil(() -> {
            client.pump();
            server.pump();
            return client.connects == 1 && server.connects == 1;
        }, 20_000)).as("connected").isTrue();
        return new Endpoint[] {server, client};
    }

    /** Pumps both, client first, every virtual millisecond until the condition holds or time runs out. */
    static boolean run(SimulatedNetwork net, Endpoint server, Endpoint client, java.util.function.BooleanSupplier done, long maxMillis) {
        return net.runUntil(() -> {
            client.pump();
            server.pump();
            return done.getAsBoolean();
        }, maxMillis);
    }
}

package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** Connect, disconnect, retransmission and timeout events reach a flight recording. */
class JfrEventsTest {
    @Test
    void connectRetransmissionAndTimeoutAreRecorded() throws Exception {
        Path file = Files.createTempFile("jenet", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.jenet.Connect");
            recording.enable("io.jenet.Retransmission");
            recording.enable("io.jenet.Timeout");
            recording.enable("io.jenet.Disconnect");
            recording.start();
            Pair p = new Pair(3, new SimulatedNetwork.Link().latency(10)).connect(1, 0);
            p.clientPeer.timeout(4, 500, 1500);
            p.net.blackholed.add(p.serverAddress);
            p.send(p.client, p.clientPeer, 0, Traffic.payload(0, 0, 10), Packet.FLAG_RELIABLE);
            assertThat(p.net.runUntil(() -> p.count(p.client, Event.TYPE_DISCONNECT) == 1, 60_000)).isTrue();
            // And a graceful one, with its data: a second pair disconnects with 77.
            Pair q = new Pair(4, new SimulatedNetwork.Link().latency(10)).connect(1, 0);
            q.clientPeer.disconnect(77);
            assertThat(q.net.runUntil(() -> q.count(q.server, Event.TYPE_DISCONNECT) == 1 && q.count(q.client, Event.TYPE_DISCONNECT) == 1, 10_000)).isTrue();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.delete(file);
        assertThat(events).extracting(e -> e.getEventType().getName())
                .contains("io.jenet.Connect", "io.jenet.Retransmission", "io.jenet.Timeout");
        assertThat(events.stream().filter(e -> e.getEventType().getName().equals("io.jenet.Connect")).count()).as("both ends of both pairs").isEqualTo(4);
        assertThat(events.stream().filter(e -> e.getEventType().getName().equals("io.jenet.Timeout")).count()).isEqualTo(1);
        List<RecordedEvent> disconnects = events.stream().filter(e -> e.getEventType().getName().equals("io.jenet.Disconnect")).toList();
        // The timed-out client, then both ends of the graceful disconnect (data 77 on the server's side).
        assertThat(disconnects).hasSize(3);
        assertThat(disconnects.stream().filter(e -> e.getInt("data") == 77).count()).isEqualTo(1);
    }

    /**
     * Without a recording the engine must not touch JFR: JFR's start-up (~130 ms) used to run
     * inside the first handshake, so the remote peer's first round-trip sample was 100+ ms and,
     * by ENet's integer smoothing, its estimate never came back below sample + 7 ms.
     */
    @Test
    void aHandshakeWithoutARecordingDoesNotStartJfr() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"),
                ColdHandshakeMain.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).contains("handshake done").contains("io.jenet.internal.engine.Incoming ")
                .doesNotContain("jdk.jfr.internal.").doesNotContain("JenetEvents$Connect");
    }
}

package io.jenet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** Connect, retransmission and timeout events reach a flight recording. */
class JfrEventsTest {
    @Test
    void connectRetransmissionAndTimeoutAreRecorded() throws Exception {
        Path file = Files.createTempFile("jenet", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.jenet.Connect");
            recording.enable("io.jenet.Retransmission");
            recording.enable("io.jenet.Timeout");
            recording.start();
            Pair p = new Pair(3, new SimulatedNetwork.Link().latency(10)).connect(1, 0);
            p.clientPeer.timeout(4, 500, 1500);
            p.net.blackholed.add(p.serverAddress);
            p.send(p.client, p.clientPeer, 0, Traffic.payload(0, 0, 10), Packet.FLAG_RELIABLE);
            assertThat(p.net.runUntil(() -> p.count(p.client, Event.TYPE_DISCONNECT) == 1, 60_000)).isTrue();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.delete(file);
        assertThat(events).extracting(e -> e.getEventType().getName())
                .contains("io.jenet.Connect", "io.jenet.Retransmission", "io.jenet.Timeout");
        assertThat(events.stream().filter(e -> e.getEventType().getName().equals("io.jenet.Connect")).count()).isEqualTo(2);
        assertThat(events.stream().filter(e -> e.getEventType().getName().equals("io.jenet.Timeout")).count()).isEqualTo(1);
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
        assertThat(out).contains("handshake done").contains("io.jenet.engine.Incoming ")
                .doesNotContain("jdk.jfr.internal.").doesNotContain("JenetEvents$Connect");
    }
}

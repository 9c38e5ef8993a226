package io.jenet.engine;

import static org.assertj.core.api.Assertions.assertThat;

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
}

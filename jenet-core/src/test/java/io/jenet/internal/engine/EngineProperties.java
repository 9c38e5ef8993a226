package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Arbitrary impairment schedules and traffic mixes: reliable delivery holds for all of them. */
class EngineProperties {
    @Property(tries = 60)
    void reliableDeliveryIsExactlyOnceAndInOrder(@ForAll long seed,
                                                 @ForAll @DoubleRange(min = 0, max = 0.3) double loss,
                                                 @ForAll @DoubleRange(min = 0, max = 0.2) double duplicate,
                                                 @ForAll @IntRange(min = 0, max = 300) int latency,
                                                 @ForAll @IntRange(min = 0, max = 100) int jitter,
                                                 @ForAll @IntRange(min = 1, max = 60) int packets) {
        Pair p = new Pair(seed, new SimulatedNetwork.Link().loss(loss).duplicate(duplicate).latency(latency).jitter(jitter)).connect(4, 0).patient();
        Random r = new Random(seed);
        int[] sent = new int[4];
        int reliableCount = 0;
        for (int i = 0; i < packets; i++) {
            int ch = r.nextInt(4);
            int size = r.nextInt(8) == 0 ? r.nextInt(20_000) : r.nextInt(400);
            int kind = r.nextInt(4);
            int flags = kind == 0 ? 0 : kind == 1 ? Packet.FLAG_UNSEQUENCED : kind == 2 ? Packet.FLAG_UNRELIABLE_FRAGMENT : Packet.FLAG_RELIABLE;
            // Reliable packets are numbered per channel; the others carry sequence -1.
            boolean reliable = flags == Packet.FLAG_RELIABLE;
            p.send(p.client, p.clientPeer, ch, Traffic.payload(ch, reliable ? sent[ch]++ : -1, size), flags);
            if (reliable) {
                reliableCount++;
            }
            if (r.nextInt(5) == 0) {
                p.net.runFor(r.nextInt(200));
            }
        }
        int expected = reliableCount;
        assertThat(p.net.runUntil(() -> p.events(p.server, Event.TYPE_RECEIVE).stream()
                .filter(s -> Traffic.seq(s.packet()) >= 0).count() >= expected, 900_000)).isTrue();
        p.net.runFor(3_000);
        assertThat(p.count(p.client, Event.TYPE_DISCONNECT) + p.count(p.server, Event.TYPE_DISCONNECT)).isZero();
        List<SimulatedNetwork.Seen> got = p.events(p.server, Event.TYPE_RECEIVE);
        int[] next = new int[4];
        for (SimulatedNetwork.Seen s : got) {
            assertThat(Traffic.intact(s.packet())).isTrue();
            int seq = Traffic.seq(s.packet());
            if (seq >= 0) {
                int ch = Traffic.channel(s.packet());
                assertThat(seq).isEqualTo(next[ch]++);
            }
        }
        assertThat(next).containsExactly(sent);
    }
}

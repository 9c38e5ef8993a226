package io.jenet.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The engine's small parts, exactly: ENet's wrapping clock, the packet pool and the node pool. */
class EngineUtilitiesTest {
    @Test
    void timeComparesAsEnetWithADayOfWrap() {
        assertThat(Time.less(0, 1)).isTrue();
        assertThat(Time.less(1, 0)).isFalse();
        assertThat(Time.less(5, 5)).isFalse();
        assertThat(Time.greaterEqual(5, 5)).isTrue();
        assertThat(Time.greaterEqual(0, 1)).isFalse();
        assertThat(Time.less(0xFFFF_FFF0, 0x10)).as("across the wrap").isTrue();
        assertThat(Time.less(0x10, 0xFFFF_FFF0)).isFalse();
        // A day apart is "the other way round"; one ms less is not.
        assertThat(Time.less(86_399_999, 0)).isFalse();
        assertThat(Time.less(86_400_000, 0)).isTrue();
        assertThat(Time.difference(10, 3)).isEqualTo(7);
        assertThat(Time.difference(3, 10)).isEqualTo(7);
        assertThat(Time.difference(0x10, 0xFFFF_FFF0)).isEqualTo(0x20);
        assertThat(Time.difference(0xFFFF_FFF0, 0x10)).isEqualTo(0x20);
        assertThat(Time.difference(86_399_999, 0)).isEqualTo(86_399_999);
        assertThat(Time.difference(86_400_000, 0)).isEqualTo(0x1_0000_0000L - 86_400_000);
        assertThat(Time.difference(7, 7)).isZero();
    }

    @Test
    void thePacketPoolRecyclesBySizeClass() {
        assertThat(PacketPool.capacity(0)).isEqualTo(64);
        assertThat(PacketPool.capacity(1)).isEqualTo(64);
        assertThat(PacketPool.capacity(64)).isEqualTo(64);
        assertThat(PacketPool.capacity(65)).isEqualTo(128);
        assertThat(PacketPool.capacity(1 << 16)).isEqualTo(1 << 16);
        assertThat(PacketPool.capacity((1 << 16) + 1)).isEqualTo((1 << 16) + 1);
        PacketPool pool = new PacketPool();
        Packet a = pool.take(100, Packet.FLAG_RELIABLE);
        assertThat(a.data()).hasSize(128);
        assertThat(a.length()).isEqualTo(100);
        assertThat(a.flags()).isEqualTo(Packet.FLAG_RELIABLE);
        a.referenceCount = 3;
        pool.give(a);
        Packet b = pool.take(120, 0);
        assertThat(b).isSameAs(a);
        assertThat(b.length()).isEqualTo(120);
        assertThat(b.flags()).isZero();
        assertThat(b.referenceCount).isZero();
        assertThat(pool.take(120, 0)).isNotSameAs(a);
        // Another class does not hand it out.
        pool.give(b);
        assertThat(pool.take(200, 0)).isNotSameAs(b);
        assertThat(pool.take(64, 0)).isNotSameAs(b);
        assertThat(pool.take(128, 0)).isSameAs(b);
        // Beyond 64 KiB nothing is pooled.
        Packet big = pool.take(70_000, 0);
        assertThat(big.data()).hasSize(70_000);
        pool.give(big);
        assertThat(pool.take(70_000, 0)).isNotSameAs(big);
        // Each class holds at most 4 MiB: 64 packets of 64 KiB.
        Packet[] many = new Packet[65];
        for (int i = 0; i < many.length; i++) {
            many[i] = pool.take(1 << 16, 0);
        }
        for (Packet p : many) {
            pool.give(p);
        }
        java.util.Set<Packet> back = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < 65; i++) {
            back.add(pool.take(1 << 16, 0));
        }
        assertThat(back.stream().filter(p -> java.util.Arrays.stream(many).anyMatch(m -> m == p)).count()).isEqualTo(64);
    }

    @Test
    void theNodePoolIsABoundedStack() {
        NodePool<Acknowledgement> pool = new NodePool<>(2);
        assertThat(pool.poll()).isNull();
        Acknowledgement a = new Acknowledgement();
        Acknowledgement b = new Acknowledgement();
        Acknowledgement c = new Acknowledgement();
        pool.offer(a);
        pool.offer(b);
        pool.offer(c); // over the limit: dropped
        Acknowledgement first = pool.poll();
        assertThat(first).isSameAs(b);
        assertThat(first.next).isNull();
        assertThat(first.prev).isNull();
        assertThat(pool.poll()).isSameAs(a);
        assertThat(pool.poll()).isNull();
        pool.offer(c);
        assertThat(pool.poll()).isSameAs(c);
    }
}

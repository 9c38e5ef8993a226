package io.jenet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** IdlePeers reads the live heap from {@code jcmd GC.heap_info}, whose wording changed between JDKs. */
class HeapInfoTest {
    @Test
    void g1OnJava17AndJava25() {
        assertThat(IdlePeers.heapUsedKb(" garbage-first heap   total 397312K, used 17435K [0x0000000687400000, 0x0000000800000000)\n"
                + "  region size 4096K, 4 young (16384K), 0 survivors (0K)\n Metaspace       used 4251K, committed 4352K, reserved 1114112K\n"))
                .isEqualTo(17435);
        assertThat(IdlePeers.heapUsedKb("garbage-first heap   total reserved 6172672K, committed 393216K, used 11611K [0x0000000687400000, 0x0000000800000000)\n"
                + " region size 4096K, 3 young (12288K), 1 survivors (4096K)\nMetaspace       used 4300K, committed 4416K, reserved 1114112K\n"))
                .isEqualTo(11611);
    }

    @Test
    void theSerialCollectorsGenerationsAreSummedAndMetaspaceIsNot() {
        assertThat(IdlePeers.heapUsedKb("DefNew     total 116160K, used 29655K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)\n"
                + " eden space 103296K,  28% used [0x0000000687400000, 0x00000006890f5c70, 0x000000068d8e0000)\n"
                + "Tenured    total 258048K, used 1024K [0x0000000704d50000, 0x0000000714a50000, 0x0000000800000000)\n"
                + "Metaspace       used 4251K, committed 4352K, reserved 1114112K\n")).isEqualTo(29655 + 1024);
    }

    @Test
    void outputWithoutAHeapLineIsAnError() {
        assertThatThrownBy(() -> IdlePeers.heapUsedKb("28896:\nsomething else\n")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot read heap use");
    }
}

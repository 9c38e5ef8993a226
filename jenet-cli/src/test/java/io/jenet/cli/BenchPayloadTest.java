package io.jenet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bench payload's four-lane generator must give exactly the serial LCG's bytes (enetbench.c relies on it). */
class BenchPayloadTest {
    private static byte[] serial(int seq, int size) {
        byte[] b = new byte[size];
        b[0] = (byte) (seq >>> 24);
        b[1] = (byte) (seq >>> 16);
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        int x = seq * 0x9E3779B9 + 1;
        for (int i = 4; i < size; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
        return b;
    }

    @Test
    void fillEqualsTheSerialGeneratorForEverySizeAndTail() {
        for (int size = 4; size <= 80; size++) {
            for (int seq : new int[] {0, 1, 7, 1_000_003, -5, Integer.MAX_VALUE}) {
                byte[] b = new byte[size];
                BenchCommand.fill(b, seq, size);
                assertThat(b).as("seq %d size %d", seq, size).isEqualTo(serial(seq, size));
                assertThat(BenchCommand.matches(b, size, seq, size, new byte[size])).isTrue();
            }
        }
    }

    @Test
    void matchesRejectsAnyChangedByteAndWrongLengths() {
        for (int size : new int[] {4, 5, 6, 7, 8, 64, 67}) {
            byte[] good = serial(42, size);
            for (int i = 0; i < size; i++) {
                byte[] bad = good.clone();
                bad[i] ^= 0x10;
                assertThat(BenchCommand.matches(bad, size, 42, size, new byte[size])).as("size %d byte %d", size, i).isFalse();
            }
            assertThat(BenchCommand.matches(good, size, 43, size, new byte[size])).isFalse();
            assertThat(BenchCommand.matches(good, size - 1, 42, size, new byte[size])).isFalse();
        }
    }
}

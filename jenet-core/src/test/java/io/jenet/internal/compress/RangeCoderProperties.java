package io.jenet.internal.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The range coder reuses one symbol pool across calls and clears only what the last call used;
 * these hold it to giving every call the result a fresh coder gives, whatever came before:
 * corrupt streams, calls that ended early, calls that threw.
 */
class RangeCoderProperties {
    private static byte[] compressFresh(byte[] in) {
        byte[] out = new byte[3 * in.length + 16];
        return Arrays.copyOf(out, new RangeCoder().compress(in, 0, in.length, out, 0, out.length));
    }

    @Property(tries = 300)
    void corruptStreamsFailCleanlyAndLeaveTheCoderSound(@ForAll @Size(min = 1, max = 3000) byte[] input, @ForAll long seed) {
        RangeCoder coder = new RangeCoder();
        byte[] packed = compressFresh(input);
        Random r = new Random(seed);
        byte[] broken = packed.clone();
        switch (r.nextInt(3)) {
            case 0 -> broken = Arrays.copyOf(broken, r.nextInt(broken.length)); // truncated
            case 1 -> broken[r.nextInt(broken.length)] ^= (byte) (1 << r.nextInt(8)); // one bit flipped
            default -> {
                for (int k = 0; k < 1 + r.nextInt(8); k++) {
                    broken[r.nextInt(broken.length)] = (byte) r.nextInt(256);
                }
            }
        }
        byte[] out = new byte[4097];
        out[4096] = 0x5A;
        int n = coder.decompress(broken, 0, broken.length, out, 0, 4096);
        assertThat(n).isBetween(0, 4096);
        assertThat(out[4096]).as("wrote past the limit").isEqualTo((byte) 0x5A);
        int k = coder.decompress(packed, 0, packed.length, out, 0, 4096);
        assertThat(Arrays.copyOf(out, k)).isEqualTo(input);
        byte[] again = new byte[packed.length + 16];
        assertThat(Arrays.copyOf(again, coder.compress(input, 0, input.length, again, 0, again.length))).isEqualTo(packed);
    }

    @Property(tries = 200)
    void everyCallMatchesAFreshCoder(@ForAll @Size(min = 1, max = 6) java.util.List<@Size(max = 5000) byte[]> inputs,
            @ForAll @IntRange(min = 0, max = 2) int limitKind) {
        RangeCoder coder = new RangeCoder();
        for (byte[] in : inputs) {
            byte[] expected = in.length == 0 ? new byte[0] : compressFresh(in);
            // Output limits that make the call stop early (result 0) leave the pool part-used.
            int limit = switch (limitKind) {
                case 0 -> 3 * in.length + 16;
                case 1 -> in.length;
                default -> in.length / 3;
            };
            byte[] out = new byte[3 * in.length + 16];
            int m = coder.compress(in, 0, in.length, out, 0, limit);
            if (m == 0) {
                assertThat(expected.length == 0 || expected.length > limit).isTrue();
            } else {
                assertThat(Arrays.copyOf(out, m)).isEqualTo(expected);
            }
            byte[] back = new byte[in.length];
            if (expected.length > 0) {
                assertThat(coder.decompress(expected, 0, expected.length, back, 0, back.length)).isEqualTo(in.length);
                assertThat(back).isEqualTo(in);
            }
        }
    }

    @Property(tries = 50)
    void aCallThatThrowsLeavesTheCoderSound(@ForAll @Size(min = 200, max = 4000) byte[] input) {
        RangeCoder coder = new RangeCoder();
        // A caller's bug: the limit says 1000 bytes, the array holds 4, so the coder throws
        // part-way with its pool half-written.
        assertThatThrownBy(() -> coder.compress(input, 0, input.length, new byte[4], 0, 1000))
                .isInstanceOf(ArrayIndexOutOfBoundsException.class);
        byte[] expected = compressFresh(input);
        byte[] out = new byte[expected.length + 16];
        assertThat(Arrays.copyOf(out, coder.compress(input, 0, input.length, out, 0, out.length))).isEqualTo(expected);
        assertThatThrownBy(() -> coder.decompress(expected, 0, expected.length, new byte[4], 0, 1000))
                .isInstanceOf(ArrayIndexOutOfBoundsException.class);
        byte[] back = new byte[input.length];
        assertThat(coder.decompress(expected, 0, expected.length, back, 0, back.length)).isEqualTo(input.length);
        assertThat(back).isEqualTo(input);
    }
}

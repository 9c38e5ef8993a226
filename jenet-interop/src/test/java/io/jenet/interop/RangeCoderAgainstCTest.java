package io.jenet.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.compress.RangeCoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * jenet's range coder against C ENet's on inputs chosen to break it: every single byte, runs of
 * one value, incompressible bytes, values in rising and falling order (C's deepest trees), sizes
 * up to twice the 4 KiB that makes the symbol pool start over mid-datagram. Each input is
 * compressed as ENet does (output no larger than the input) and with room for any output; both
 * must be byte-identical to C's, and each side must decode the other's.
 */
class RangeCoderAgainstCTest {

    static List<byte[]> adversarial() {
        List<byte[]> out = new ArrayList<>();
        for (int v = 0; v < 256; v++) {
            out.add(new byte[] {(byte) v});
        }
        Random r = new Random(18);
        for (int n : new int[] {2, 3, 15, 16, 17, 63, 64, 255, 256, 257, 511, 512, 1399, 1400, 4095, 4096, 8192}) {
            for (int v : new int[] {0, 0x55, 0xFF}) {
                byte[] same = new byte[n];
                Arrays.fill(same, (byte) v);
                out.add(same);
            }
            byte[] random = new byte[n];
            r.nextBytes(random);
            out.add(random);
            byte[] rising = new byte[n];
            byte[] falling = new byte[n];
            byte[] twoValues = new byte[n];
            byte[] words = new byte[n];
            for (int i = 0; i < n; i++) {
                rising[i] = (byte) i;
                falling[i] = (byte) (255 - i);
                twoValues[i] = (byte) (r.nextInt(50) == 0 ? 0xFF : 0);
                words[i] = (byte) (i % 4 == 0 ? r.nextInt(256) : i / 64);
            }
            out.add(rising);
            out.add(falling);
            out.add(twoValues);
            out.add(words);
        }
        return out;
    }

    /** Compares both directions on one batch of inputs (one C process per direction and mode). */
    static void agreeWithC(List<byte[]> inputs) throws Exception {
        RangeCoder coder = new RangeCoder();
        List<byte[]> ours = new ArrayList<>();
        List<byte[]> oursAsEnet = new ArrayList<>();
        byte[] out = new byte[3 * 8192];
        for (byte[] in : inputs) {
            ours.add(Arrays.copyOf(out, coder.compress(in, 0, in.length, out, 0, out.length)));
            oursAsEnet.add(Arrays.copyOf(out, coder.compress(in, 0, in.length, out, 0, in.length)));
        }
        List<byte[]> fromC = RangeCoderInteropTest.runC("C", inputs);
        List<byte[]> fromCAsEnet = RangeCoderInteropTest.runC("c", inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(ours.get(i)).as("input %d (%d bytes), any output size", i, inputs.get(i).length).isEqualTo(fromC.get(i));
            assertThat(oursAsEnet.get(i)).as("input %d (%d bytes), output no larger than the input", i, inputs.get(i).length)
                    .isEqualTo(fromCAsEnet.get(i));
        }
        // A non-empty input always compresses to something when the output has room.
        List<byte[]> decodedByC = RangeCoderInteropTest.runC("D", ours);
        byte[] back = new byte[inputs.stream().mapToInt(b -> b.length).max().orElse(0) + 1];
        for (int i = 0; i < inputs.size(); i++) {
            byte[] in = inputs.get(i);
            if (in.length == 0) {
                continue;
            }
            assertThat(decodedByC.get(i)).as("C decodes jenet's input %d", i).isEqualTo(in);
            int n = coder.decompress(fromC.get(i), 0, fromC.get(i).length, back, 0, back.length);
            assertThat(Arrays.copyOf(back, n)).as("jenet decodes C's input %d", i).isEqualTo(in);
            // Exactly the original's length fits; one byte less is refused.
            assertThat(coder.decompress(fromC.get(i), 0, fromC.get(i).length, back, 0, in.length)).isEqualTo(in.length);
            assertThat(coder.decompress(fromC.get(i), 0, fromC.get(i).length, back, 0, in.length - 1)).isZero();
        }
    }

    @Test
    void adversarialInputsMatchCByteForByte() throws Exception {
        agreeWithC(adversarial());
    }

    @Provide
    Arbitrary<List<byte[]>> batches() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(4096);
        Arbitrary<byte[]> fewValues = Arbitraries.bytes().between((byte) 0, (byte) 5).array(byte[].class).ofMinSize(1).ofMaxSize(4096);
        Arbitrary<byte[]> runs = Arbitraries.integers().between(1, 5000).flatMap(n ->
                Arbitraries.bytes().list().ofMinSize(1).ofMaxSize(12).map(values -> {
                    byte[] b = new byte[n];
                    for (int i = 0; i < n; i++) {
                        b[i] = values.get(i / 97 % values.size());
                    }
                    return b;
                }));
        return Arbitraries.oneOf(random, fewValues, runs).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 25)
    void arbitraryInputsMatchC(@ForAll("batches") List<byte[]> inputs) throws Exception {
        agreeWithC(inputs);
    }
}

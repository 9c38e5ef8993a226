package io.jenet.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Datagram-like inputs for the compressor benchmarks: game-state snapshots (entity ids, positions
 * that change slowly, flags), chat text, and random bytes, of a given size. Seeded, so every run
 * and every codec sees the same bytes.
 */
final class Corpus {
    private Corpus() {}

    static List<byte[]> of(int size, int count) {
        Random r = new Random(size * 31L + 7);
        List<byte[]> out = new ArrayList<>(count);
        String chat = "gg wp! meet at the north bridge, bring potions. player_42 joined the game. ";
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[size];
            switch (i % 4) {
                case 0, 1 -> {
                    ByteBuffer bb = ByteBuffer.wrap(b);
                    int entity = 0;
                    while (bb.remaining() >= 16) {
                        bb.putShort((short) (entity++));
                        bb.putFloat(100f + entity * 0.5f + r.nextInt(3));
                        bb.putFloat(50f + (i % 10));
                        bb.putShort((short) (r.nextInt(8) == 0 ? r.nextInt(100) : 100));
                        bb.putInt(entity % 3 == 0 ? 1 : 0);
                    }
                }
                case 2 -> {
                    for (int j = 0; j < size; j++) {
                        b[j] = (byte) chat.charAt((j + i) % chat.length());
                    }
                }
                default -> r.nextBytes(b);
            }
            out.add(b);
        }
        return out;
    }
}

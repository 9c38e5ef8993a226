package io.jenet.internal.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Self-describing test payloads: channel, sequence, length and a pattern, so content is checkable. */
final class Traffic {
    private Traffic() {}

    static final int HEADER = 12;

    static byte[] payload(int channel, int seq, int length) {
        int n = Math.max(HEADER, length);
        byte[] b = new byte[n];
        ByteBuffer.wrap(b).putInt(channel).putInt(seq).putInt(n);
        for (int i = HEADER; i < n; i++) {
            b[i] = (byte) (seq * 131 + i * 7 + channel);
        }
        return b;
    }

    static int channel(byte[] b) {
        return ByteBuffer.wrap(b).getInt(0);
    }

    static int seq(byte[] b) {
        return ByteBuffer.wrap(b).getInt(4);
    }

    /** @return whether the payload is intact (its declared length and pattern match) */
    static boolean intact(byte[] b) {
        if (b == null || b.length < HEADER) {
            return false;
        }
        return Arrays.equals(b, payload(channel(b), seq(b), ByteBuffer.wrap(b).getInt(8)));
    }
}

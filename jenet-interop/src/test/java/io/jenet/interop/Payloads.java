package io.jenet.interop;

import java.util.zip.CRC32;

/** The payload generator shared with enetpeer.c ({@code fill}), and the CRC it reports. */
final class Payloads {
    private Payloads() {}

    static byte[] fill(int size, int seed) {
        byte[] b = new byte[size];
        int x = seed * (int) 2654435761L + 1;
        for (int i = 0; i < size; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
        return b;
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }
}

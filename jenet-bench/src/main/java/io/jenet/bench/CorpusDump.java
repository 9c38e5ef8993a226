package io.jenet.bench;

import java.io.DataOutputStream;
import java.io.IOException;

/** Writes the compressor corpus of one size to stdout as [u32 length][bytes] records (for the C bench). */
public final class CorpusDump {
    private CorpusDump() {}

    /**
     * Entry point.
     *
     * @param args the datagram size
     * @throws IOException on a write error
     */
    public static void main(String[] args) throws IOException {
        int size = Integer.parseInt(args[0]);
        DataOutputStream out = new DataOutputStream(System.out);
        for (byte[] b : Corpus.of(size, 64)) {
            out.writeInt(b.length);
            out.write(b);
        }
        out.flush();
    }
}

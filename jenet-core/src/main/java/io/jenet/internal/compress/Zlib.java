package io.jenet.internal.compress;

import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * zlib as Godot uses it for {@code COMPRESS_ZLIB}: deflate with the zlib wrapper (window bits 15)
 * at the default level, one self-contained stream per datagram, through {@code java.util.zip}.
 *
 * <p>Thread-safety: not thread-safe (the deflater and inflater are reused); use one instance per
 * host.
 */
public final class Zlib implements Compressor {
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, false);
    private final Inflater inflater = new Inflater(false);

    /** Creates a codec. */
    public Zlib() {}

    @Override
    public int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        deflater.reset();
        deflater.setInput(in, inOffset, inLength);
        deflater.finish();
        int n = 0;
        while (!deflater.finished()) {
            if (n >= outLimit) {
                return 0;
            }
            n += deflater.deflate(out, outOffset + n, outLimit - n);
        }
        return n;
    }

    @Override
    public int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        inflater.reset();
        inflater.setInput(in, inOffset, inLength);
        try {
            int n = 0;
            while (!inflater.finished()) {
                if (n >= outLimit) {
                    // More output than a datagram can hold: a bomb or a corrupt stream.
                    return 0;
                }
                int k = inflater.inflate(out, outOffset + n, outLimit - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return 0;
                }
                n += k;
            }
            return n;
        } catch (DataFormatException e) {
            return 0;
        }
    }
}

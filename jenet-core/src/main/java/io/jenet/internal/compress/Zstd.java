package io.jenet.internal.compress;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * Zstandard as Godot uses it for {@code COMPRESS_ZSTD}: one standard zstd frame per datagram at
 * level 3, no length prefix. Backed by zstd-jni (the reference C library): on datagram-sized
 * inputs it compressed 1.1–2.6× faster than the pure-Java aircompressor with the same ratio (see
 * docs/BENCHMARKS.md).
 *
 * <p>Decompression is bounded by the output limit; a frame that would expand further, or a corrupt
 * one, yields 0.
 *
 * <p>Thread-safety: not thread-safe (native contexts are reused); use one instance per host.
 */
public final class Zstd implements Compressor {
    /** Godot's default zstd level. */
    public static final int LEVEL = 3;

    private final ZstdCompressCtx compressContext;
    private final ZstdDecompressCtx decompressContext;

    /**
     * Creates a codec.
     *
     * @throws UnsupportedOperationException if zstd-jni's native library cannot be loaded here
     */
    public Zstd() {
        try {
            compressContext = new ZstdCompressCtx().setLevel(LEVEL);
            decompressContext = new ZstdDecompressCtx();
        } catch (LinkageError e) {
            throw new UnsupportedOperationException("zstd is unavailable on this platform: " + e, e);
        }
    }

    @Override
    public int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        try {
            return compressContext.compressByteArray(out, outOffset, outLimit, in, inOffset, inLength);
        } catch (RuntimeException e) {
            // dstSize_tooSmall and friends: not worth compressing.
            return 0;
        }
    }

    @Override
    public int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
        if (inLength <= 0) {
            return 0;
        }
        try {
            return decompressContext.decompressByteArray(out, outOffset, outLimit, in, inOffset, inLength);
        } catch (ZstdException e) {
            // zstd's own report of a corrupt frame, or one that expands past outLimit. Nothing
            // else is caught: any other exception would be a bug here, and the fuzz target
            // ReceiveFuzzTest#decompressorsNeverThrowNorOverrun is there to find it.
            return 0;
        }
    }
}

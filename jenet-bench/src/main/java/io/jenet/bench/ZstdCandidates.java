package io.jenet.bench;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.jenet.internal.compress.Compressor;

/**
 * The two zstd libraries measured for {@code COMPRESS_ZSTD} (level 3, standard frames, as Godot):
 * zstd-jni (JNI binding of the reference C library) and aircompressor (pure Java).
 */
final class ZstdCandidates {
    private ZstdCandidates() {}

    /** zstd-jni with reusable contexts. */
    static final class Jni implements Compressor {
        private final ZstdCompressCtx cctx = new ZstdCompressCtx().setLevel(3);
        private final ZstdDecompressCtx dctx = new ZstdDecompressCtx();

        @Override
        public int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
            try {
                return cctx.compressByteArray(out, outOffset, outLimit, in, inOffset, inLength);
            } catch (RuntimeException e) {
                return 0;
            }
        }

        @Override
        public int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
            try {
                return dctx.decompressByteArray(out, outOffset, outLimit, in, inOffset, inLength);
            } catch (RuntimeException e) {
                return 0;
            }
        }

        static boolean isError(long code) {
            return Zstd.isError(code);
        }
    }

    /** aircompressor's pure-Java zstd. */
    static final class Air implements Compressor {
        private final io.airlift.compress.zstd.ZstdCompressor compressor = new io.airlift.compress.zstd.ZstdCompressor();
        private final io.airlift.compress.zstd.ZstdDecompressor decompressor = new io.airlift.compress.zstd.ZstdDecompressor();
        private final byte[] scratch = new byte[compressor.maxCompressedLength(8192)];

        @Override
        public int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
            int n = compressor.compress(in, inOffset, inLength, scratch, 0, scratch.length);
            if (n > outLimit) {
                return 0;
            }
            System.arraycopy(scratch, 0, out, outOffset, n);
            return n;
        }

        @Override
        public int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit) {
            try {
                return decompressor.decompress(in, inOffset, inLength, out, outOffset, outLimit);
            } catch (RuntimeException e) {
                return 0;
            }
        }
    }
}

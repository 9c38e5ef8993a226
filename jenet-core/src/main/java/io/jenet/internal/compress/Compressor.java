package io.jenet.internal.compress;

/**
 * A datagram compressor as ENet's {@code ENetCompressor}: it sees only the command area of a
 * datagram (the header and checksum stay plain) and must be deterministic and self-contained per
 * datagram.
 *
 * <p>Thread-safety: implementations may keep scratch state; use one instance per host.
 */
public interface Compressor {
    /**
     * Compresses {@code in[inOffset, inOffset+inLength)} into {@code out}.
     *
     * @param in source
     * @param inOffset source start
     * @param inLength source length
     * @param out destination
     * @param outOffset destination start
     * @param outLimit at most this many bytes may be written
     * @return the compressed length, or 0 if the result would not fit in {@code outLimit}
     */
    int compress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit);

    /**
     * Decompresses into {@code out}, writing at most {@code outLimit} bytes; never throws on bad input.
     *
     * @param in source
     * @param inOffset source start
     * @param inLength source length
     * @param out destination
     * @param outOffset destination start
     * @param outLimit at most this many bytes may be written
     * @return the decompressed length, or 0 if the input is corrupt or too large
     */
    int decompress(byte[] in, int inOffset, int inLength, byte[] out, int outOffset, int outLimit);
}

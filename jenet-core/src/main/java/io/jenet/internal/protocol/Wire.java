package io.jenet.internal.protocol;

import java.util.zip.CRC32;

/**
 * Big-endian reads and writes on byte arrays, and ENet's CRC-32 checksum.
 *
 * <p>Reads return unsigned values widened to {@code int} (u8, u16) or the raw 32 bits (u32).
 *
 * <p>Thread-safety: the static accessors are pure; {@link #crc32} uses a thread-local CRC state.
 */
public final class Wire {
    private Wire() {}

    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);

    /** @param b array @param off offset @return the unsigned byte at {@code off} */
    public static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    /** @param b array @param off offset @return the unsigned big-endian 16-bit value at {@code off} */
    public static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    /** @param b array @param off offset @return the big-endian 32-bit value at {@code off} (raw bits) */
    public static int u32(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** @param b array @param off offset @return the big-endian 32-bit value at {@code off}, unsigned */
    public static long u32Unsigned(byte[] b, int off) {
        return u32(b, off) & 0xFFFFFFFFL;
    }

    /** @param b array @param off offset @param v value whose low 8 bits are written */
    public static void put8(byte[] b, int off, int v) {
        b[off] = (byte) v;
    }

    /** @param b array @param off offset @param v value whose low 16 bits are written big-endian */
    public static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    /** @param b array @param off offset @param v value written big-endian */
    public static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /**
     * ENet's {@code enet_crc32}: the reflected CRC-32 (polynomial 0xEDB88320, init and final xor
     * 0xFFFFFFFF), which ENet stores in network byte order, so the value is written with
     * {@link #put32}.
     *
     * @param b array
     * @param off start
     * @param len length
     * @return the checksum value
     */
    public static int crc32(byte[] b, int off, int len) {
        CRC32 crc = CRC.get();
        crc.reset();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /**
     * ENet's datagram checksum, the one way jenet computes it: {@link #crc32} of the datagram
     * {@code d[start, start+length)} as if its 4-byte checksum field at {@code fieldOffset} held
     * {@code connectID} (big-endian; the peer's connect id, or 0 before there is one). The buffer
     * is not modified and nothing is allocated.
     *
     * @param crc a CRC state of the caller's (reset here)
     * @return the checksum value, to compare with or write into the field with {@link #put32}
     */
    public static int datagramChecksum(CRC32 crc, byte[] d, int start, int length, int fieldOffset, int connectID) {
        crc.reset();
        crc.update(d, start, fieldOffset - start);
        crc.update(connectID >>> 24);
        crc.update(connectID >>> 16);
        crc.update(connectID >>> 8);
        crc.update(connectID);
        crc.update(d, fieldOffset + 4, start + length - fieldOffset - 4);
        return (int) crc.getValue();
    }
}

package io.jenet.internal.transport;

/**
 * The few DTLS 1.2 record facts the transport reads itself (RFC 6347 §4.1, §4.2.2): record header
 * of 13 bytes (type, version, epoch, sequence number, length), handshake header of 12 (type,
 * length, message_seq, fragment offset and length), then the ClientHello body (version, random,
 * session id, cookie, …).
 */
final class DtlsRecords {
    private DtlsRecords() {}

    static final int RECORD_HEADER = 13;
    static final int HANDSHAKE_HEADER = 12;
    static final int CONTENT_HANDSHAKE = 22;
    static final int CLIENT_HELLO = 1;
    static final int HELLO_VERIFY_REQUEST = 3;

    /** @return whether the datagram starts with an epoch-0, unfragmented ClientHello record */
    static boolean isClientHello(byte[] d, int off, int len) {
        if (len < RECORD_HEADER + HANDSHAKE_HEADER + 2 + 32 + 2 || (d[off] & 0xFF) != CONTENT_HANDSHAKE
                || d[off + 3] != 0 || d[off + 4] != 0 || (d[off + RECORD_HEADER] & 0xFF) != CLIENT_HELLO) {
            return false;
        }
        int recordLength = u16(d, off + 11);
        int h = off + RECORD_HEADER;
        int bodyLength = u24(d, h + 1);
        return recordLength <= len - RECORD_HEADER && u24(d, h + 6) == 0 && u24(d, h + 9) == bodyLength
                && bodyLength + HANDSHAKE_HEADER <= recordLength;
    }

    /** @return the offset of the cookie-length byte of a ClientHello checked by {@link #isClientHello}, or -1 */
    private static int cookieAt(byte[] d, int off, int len) {
        int p = off + RECORD_HEADER + HANDSHAKE_HEADER + 2 + 32;
        if (p >= off + len) {
            return -1;
        }
        p += 1 + (d[p] & 0xFF);
        return p < off + len ? p : -1;
    }

    /**
     * @return whether two datagrams checked by {@link #isClientHello} carry the same client random,
     *         that is, belong to the same handshake (a retransmission, or the cookie-bearing second
     *         hello) rather than a client that started over
     */
    static boolean sameClientRandom(byte[] a, byte[] b, int bOff, int bLen) {
        int at = RECORD_HEADER + HANDSHAKE_HEADER + 2;
        return a.length >= at + 32 && bLen >= at + 32 && java.util.Arrays.equals(a, at, at + 32, b, bOff + at, bOff + at + 32);
    }

    /** @return the ClientHello's cookie length, or -1 if malformed */
    static int cookieLength(byte[] d, int off, int len) {
        int p = cookieAt(d, off, len);
        if (p < 0 || p + 1 + (d[p] & 0xFF) > off + len) {
            return -1;
        }
        return d[p] & 0xFF;
    }

    /**
     * The first ClientHello as the client sent it before its cookie: the same record with the
     * cookie removed, message_seq 0 and record sequence number 0. Fed to a fresh server engine, it
     * brings that engine to the state in which it accepts the cookie-bearing second ClientHello,
     * so no per-client state is kept before the client has proved its address.
     *
     * @return the record, or null if malformed
     */
    static byte[] withoutCookie(byte[] d, int off, int len) {
        int p = cookieAt(d, off, len);
        if (p < 0) {
            return null;
        }
        int cookie = d[p] & 0xFF;
        int recordLength = u16(d, off + 11);
        int total = RECORD_HEADER + recordLength;
        if (p + 1 + cookie > off + total) {
            return null;
        }
        byte[] out = new byte[total - cookie];
        int head = p - off;
        System.arraycopy(d, off, out, 0, head);
        out[head] = 0;
        System.arraycopy(d, p + 1 + cookie, out, head + 1, total - head - 1 - cookie);
        for (int i = 5; i < 11; i++) {
            out[i] = 0;
        }
        put16(out, 11, recordLength - cookie);
        int bodyLength = u24(d, off + RECORD_HEADER + 1) - cookie;
        put24(out, RECORD_HEADER + 1, bodyLength);
        put16(out, RECORD_HEADER + 4, 0);
        put24(out, RECORD_HEADER + 9, bodyLength);
        return out;
    }

    /** @return whether the record at {@code off} is a HelloVerifyRequest */
    static boolean isHelloVerifyRequest(byte[] d, int off, int len) {
        return len > RECORD_HEADER && (d[off] & 0xFF) == CONTENT_HANDSHAKE && (d[off + RECORD_HEADER] & 0xFF) == HELLO_VERIFY_REQUEST;
    }

    private static int u16(byte[] d, int i) {
        return (d[i] & 0xFF) << 8 | (d[i + 1] & 0xFF);
    }

    private static int u24(byte[] d, int i) {
        return (d[i] & 0xFF) << 16 | (d[i + 1] & 0xFF) << 8 | (d[i + 2] & 0xFF);
    }

    private static void put16(byte[] d, int i, int v) {
        d[i] = (byte) (v >>> 8);
        d[i + 1] = (byte) v;
    }

    private static void put24(byte[] d, int i, int v) {
        d[i] = (byte) (v >>> 16);
        d[i + 1] = (byte) (v >>> 8);
        d[i + 2] = (byte) v;
    }
}

package io.jenet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Datagrams that are not ENet, sent in bursts of eight from raw sockets taking turns: empty, 5 000
 * and 60 000 bytes, an ENet header cut short, a command cut short, and three of random bytes.
 * Counts the oversized ones that left (more than a host's largest datagram, which it must drop and
 * count).
 */
final class GarbageDatagrams {
    private final List<DatagramChannel> from;
    private final InetSocketAddress to;
    private final SplittableRandom random;
    private long oversized;
    private int bursts;

    GarbageDatagrams(List<DatagramChannel> from, InetSocketAddress to, long seed) {
        this.from = from;
        this.to = to;
        this.random = new SplittableRandom(seed);
    }

    /** Sends one burst of eight. */
    void burst() {
        for (int k = 0; k < 8; k++) {
            byte[] g = switch (k) {
                case 0 -> new byte[0];
                case 1 -> new byte[5000];
                case 2 -> new byte[60_000];
                case 3 -> new byte[] {(byte) 0x80, 0x00, 0x12}; // an ENet header cut short
                case 4 -> new byte[] {0x00, 0x00, 0x00, 0x01, 0x06, 0x00}; // a command cut short
                default -> new byte[1 + random.nextInt(1400)];
            };
            if (k >= 5) {
                random.nextBytes(g);
            }
            try {
                DatagramChannel source = from.get((bursts * 8 + k) % from.size());
                if (source.send(ByteBuffer.wrap(g), to) == g.length && g.length > 4160) {
                    oversized++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        bursts++;
    }

    /** @return oversized datagrams sent so far */
    long oversized() {
        return oversized;
    }
}

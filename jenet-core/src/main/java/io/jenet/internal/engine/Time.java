package io.jenet.internal.engine;

/**
 * ENet's 32-bit millisecond clock arithmetic ({@code ENET_TIME_LESS} and friends): times wrap, and
 * a difference of more than a day is read as "the other way round".
 */
final class Time {
    private Time() {}

    static final long OVERFLOW = 86_400_000L;

    static boolean less(int a, int b) {
        return Integer.toUnsignedLong(a - b) >= OVERFLOW;
    }

    static boolean greaterEqual(int a, int b) {
        return !less(a, b);
    }

    /** @return |a - b| in ENet's sense, as an unsigned value in a long */
    static long difference(int a, int b) {
        return Integer.toUnsignedLong(a - b) >= OVERFLOW ? Integer.toUnsignedLong(b - a) : Integer.toUnsignedLong(a - b);
    }
}

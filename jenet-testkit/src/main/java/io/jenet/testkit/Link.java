package io.jenet.testkit;

/**
 * How a simulated link treats the datagrams that cross it in one direction: loss, duplication,
 * latency, jitter and a bandwidth cap with a bounded queue. Immutable; build one from
 * {@link #perfect()} with the {@code with*} methods:
 *
 * <pre>{@code
 * Link mobile = Link.perfect().withLatency(100).withJitter(30).withLoss(0.05).withBandwidth(64_000);
 * }</pre>
 *
 * <p>What happens to a datagram handed to a link, in this order:
 * <ol>
 *   <li>Bandwidth ({@link #withBandwidth}): the datagram waits behind those sent before it on the
 *       same path and takes {@code size / bandwidth} seconds to leave; if more than
 *       {@link #withQueue queue} bytes would be waiting, it is dropped (drop-tail, as a router's
 *       full buffer does).</li>
 *   <li>Loss ({@link #withLoss}): dropped with that probability.</li>
 *   <li>Duplication ({@link #withDuplicate}): with that probability a second copy is sent too.</li>
 *   <li>Delay: each copy arrives {@code latency} ms plus a uniformly random {@code 0 … jitter} ms
 *       after it left, so datagrams sent closer together than the jitter can arrive out of order.</li>
 * </ol>
 * Sizes count the datagram's bytes as ENet hands them over (no IP or UDP header).
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class Link {
    /** Default queue of a capped link: 64 KiB, a small router buffer. */
    public static final int DEFAULT_QUEUE_BYTES = 64 * 1024;

    private static final Link PERFECT = new Link(0, 0, 0, 0, 0, DEFAULT_QUEUE_BYTES);

    private final double loss;
    private final double duplicate;
    private final int latency;
    private final int jitter;
    private final long bandwidth;
    private final int queue;

    private Link(double loss, double duplicate, int latency, int jitter, long bandwidth, int queue) {
        this.loss = loss;
        this.duplicate = duplicate;
        this.latency = latency;
        this.jitter = jitter;
        this.bandwidth = bandwidth;
        this.queue = queue;
    }

    /** @return a link that delivers every datagram at once, in order, without a cap */
    public static Link perfect() {
        return PERFECT;
    }

    /** @return a link that drops every datagram: a cable pulled, a host gone silent */
    public static Link down() {
        return PERFECT.withLoss(1.0);
    }

    /**
     * @param probability chance that a datagram is lost, 0 … 1
     * @return a copy with that loss
     */
    public Link withLoss(double probability) {
        return new Link(checkProbability(probability, "loss"), duplicate, latency, jitter, bandwidth, queue);
    }

    /**
     * @param probability chance that a datagram is delivered twice, 0 … 1
     * @return a copy with that duplication
     */
    public Link withDuplicate(double probability) {
        return new Link(loss, checkProbability(probability, "duplicate"), latency, jitter, bandwidth, queue);
    }

    /**
     * @param millis one-way delay every datagram has, at least 0
     * @return a copy with that latency
     */
    public Link withLatency(int millis) {
        return new Link(loss, duplicate, checkNonNegative(millis, "latency"), jitter, bandwidth, queue);
    }

    /**
     * @param millis largest extra one-way delay, drawn uniformly per datagram; at least 0
     * @return a copy with that jitter
     */
    public Link withJitter(int millis) {
        return new Link(loss, duplicate, latency, checkNonNegative(millis, "jitter"), bandwidth, queue);
    }

    /**
     * @param bytesPerSecond the cap, or 0 for none
     * @return a copy with that bandwidth
     */
    public Link withBandwidth(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth must be >= 0 bytes/s (0 = no cap), got " + bytesPerSecond);
        }
        return new Link(loss, duplicate, latency, jitter, bytesPerSecond, queue);
    }

    /**
     * @param bytes how many bytes may wait behind a bandwidth cap before new datagrams are dropped,
     *              at least 1; without a cap it has no effect
     * @return a copy with that queue
     */
    public Link withQueue(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("queue must be >= 1 byte, got " + bytes);
        }
        return new Link(loss, duplicate, latency, jitter, bandwidth, bytes);
    }

    /** @return the loss probability */
    public double loss() {
        return loss;
    }

    /** @return the duplication probability */
    public double duplicate() {
        return duplicate;
    }

    /** @return the one-way latency, ms */
    public int latency() {
        return latency;
    }

    /** @return the jitter, ms */
    public int jitter() {
        return jitter;
    }

    /** @return the bandwidth cap, bytes/s, 0 for none */
    public long bandwidth() {
        return bandwidth;
    }

    /** @return the queue bound behind the cap, bytes */
    public int queue() {
        return queue;
    }

    @Override
    public String toString() {
        return "Link[loss=" + loss + ", duplicate=" + duplicate + ", latency=" + latency + "ms, jitter=" + jitter
                + "ms, bandwidth=" + (bandwidth == 0 ? "uncapped" : bandwidth + "B/s") + ", queue=" + queue + "B]";
    }

    private static double checkProbability(double p, String what) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " must be a probability in [0, 1], got " + p);
        }
        return p;
    }

    private static int checkNonNegative(int millis, String what) {
        if (millis < 0) {
            throw new IllegalArgumentException(what + " must be >= 0 ms, got " + millis);
        }
        return millis;
    }
}

package io.jenet.internal.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One DTLS association with one remote address and port, around a JDK {@link SSLEngine}: drives
 * the handshake (coalescing each flight's records into as few datagrams as fit), retransmits it on
 * a doubling timer, and turns each ENet datagram into exactly one application-data record and back.
 *
 * <p>Thread-safety: none; used by its connection's thread only.
 */
final class DtlsSession {
    /** Handshake records go out in datagrams of at most this many bytes (a record larger goes alone). */
    static final int FLIGHT_DATAGRAM = 1400;

    /** @return how many of {@code sessions} have completed their handshake */
    static int countEstablished(java.util.Collection<DtlsSession> sessions) {
        int n = 0;
        for (DtlsSession s : sessions) {
            if (s.isEstablished()) {
                n++;
            }
        }
        return n;
    }

    static final int FIRST_RETRANSMIT_MS = 1000;
    private static final byte CONTENT_TYPE_HANDSHAKE = 22;
    static final int LAST_RETRANSMIT_MS = 16_000;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /**
     * The buffers a session works in, shared by every session of one DTLS layer: a session keeps
     * nothing in them between calls (a flight is sent before its call returns), and the layer is
     * driven by one thread, so a server pays for one set rather than 50 KiB per remote. Also the
     * reusable views of the caller's arrays, so that sealing and opening a record allocates
     * nothing of jenet's (the JDK's engine still allocates per record; see docs/BENCHMARKS.md).
     */
    static final class Buffers {
        /** One record as the engine writes it. */
        private ByteBuffer record;
        /** Handshake records coalesced into one datagram. */
        private ByteBuffer datagram;
        /** Decrypted data that is not delivered to the caller's array (an extra record), and handshake output. */
        private ByteBuffer application;
        /** The one-element arrays of the engine's array-taking wrap and unwrap (the one-buffer forms allocate one per call). */
        private final ByteBuffer[] sources = new ByteBuffer[1];
        private final ByteBuffer[] destinations = new ByteBuffer[1];
        /** Views of the caller's arrays, rebuilt only when the caller passes another array. */
        private ByteBuffer input;
        private ByteBuffer output;
        private ByteBuffer plaintext;

        Buffers() {
            allocate(16_384 + 512, 16_384 + 512);
        }

        private void allocate(int packet, int applicationSize) {
            record = ByteBuffer.allocate(packet);
            datagram = ByteBuffer.allocate(packet);
            application = ByteBuffer.allocate(applicationSize);
        }

        /** Grows the buffers if {@code engine} needs larger ones than the sessions before it. */
        void fit(SSLEngine engine) {
            int packet = engine.getSession().getPacketBufferSize();
            int applicationSize = engine.getSession().getApplicationBufferSize();
            if (packet > record.capacity() || applicationSize > application.capacity()) {
                allocate(Math.max(packet, record.capacity()), Math.max(applicationSize, application.capacity()));
            }
        }

        private static ByteBuffer view(ByteBuffer cached, byte[] array, int offset, int length) {
            ByteBuffer v = cached != null && cached.array() == array ? cached : ByteBuffer.wrap(array);
            v.clear();
            v.limit(offset + length);
            v.position(offset);
            return v;
        }

        /** @return {@code array[offset, offset + length)} as the engine's input */
        ByteBuffer input(byte[] array, int offset, int length) {
            return input = view(input, array, offset, length);
        }

        /** @return {@code array[offset, offset + length)} as the data to seal */
        ByteBuffer plaintext(byte[] array, int offset, int length) {
            return plaintext = view(plaintext, array, offset, length);
        }

        /** @return all of {@code array}, where the engine writes an opened record */
        ByteBuffer output(byte[] array) {
            return output = view(output, array, 0, array.length);
        }
    }

    final InetSocketAddress remote;
    private final SSLEngine engine;
    private final RawSender raw;
    private final Buffers buffers;
    private boolean established;
    /** The record size the session was set up with (the JDK lowers it while it retransmits). */
    private final int maximumPacketSize;
    private String failure;
    private boolean heardFromPeer;
    private long lastActivity;
    /** When the last datagram came from the remote (or the session was created). */
    private long lastHeardAt;
    /** When the session was created. */
    final long createdAt;
    /** When the handshake completed. */
    long establishedAt;
    /** Whether the session has delivered any application data (an ENet datagram) from the peer. */
    boolean carriedData;
    /**
     * Handshake datagrams that came after this end finished its handshake: the remote is still
     * retransmitting its flight, so it never got ours (the JDK does not answer a retransmitted
     * flight once its own handshake is over).
     */
    int lateFlights;
    /** Live ENet peers at this session's address (engine peers that were attached and not yet released). */
    int enetPeers;
    /** Whether an ENet peer was ever attached to this session (its lifetime is then the peer's). */
    boolean bound;
    /** Its last ENet peer is gone: the layer drops it at its next poll (after the peer's last datagram went out). */
    boolean released;
    private long retransmitAt = Long.MAX_VALUE;
    private boolean discardOutput;
    private boolean sentHelloVerifyRequest;
    private int retransmitInterval = FIRST_RETRANSMIT_MS;
    long droppedRecords;
    /**
     * ENet datagrams sent while the handshake runs (a client's CONNECT), sent as soon as it ends so
     * the connection does not wait for ENet's next retransmission (about a second at first).
     */
    private final java.util.ArrayDeque<byte[]> early = new java.util.ArrayDeque<>();
    static final int EARLY_LIMIT = 16;

    /**
     * Prepares an engine for a session: records of at most {@code maximumPacketSize} bytes, and,
     * before Java 21, no ChaCha20-Poly1305: the JDK then fails a session when the same record
     * arrives twice with that cipher (JDK-8305091, fixed in 21), and UDP duplicates datagrams.
     * mbedTLS, Godot's DTLS stack, picks ChaCha20 when it is offered.
     */
    static void configure(SSLEngine engine, int maximumPacketSize, boolean verifyHostName) {
        javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
        parameters.setMaximumPacketSize(maximumPacketSize);
        if (verifyHostName) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (Runtime.version().feature() < 21) {
            parameters.setCipherSuites(java.util.Arrays.stream(parameters.getCipherSuites())
                    .filter(s -> !s.contains("CHACHA20")).toArray(String[]::new));
        }
        engine.setSSLParameters(parameters);
    }

    DtlsSession(InetSocketAddress remote, SSLEngine engine, RawSender raw, Buffers buffers, long now) {
        this.remote = remote;
        this.engine = engine;
        this.maximumPacketSize = engine.getSSLParameters().getMaximumPacketSize();
        this.raw = raw;
        buffers.fit(engine);
        this.buffers = buffers;
        this.lastActivity = now;
        this.lastHeardAt = now;
        this.createdAt = now;
    }

    /** @return the JDK engine (for tests that compare jenet's record handling with the engine alone) */
    SSLEngine engine() {
        return engine;
    }

    /** Starts the handshake (a client sends its ClientHello). */
    void begin(long now) {
        try {
            engine.beginHandshake();
            drive(now);
        } catch (SSLException | RuntimeException e) {
            fail(e);
        }
    }

    /**
     * Server side: brings a fresh engine to the state it would be in after answering
     * {@code firstHello} (the cookie-less ClientHello) with a HelloVerifyRequest, without sending
     * that answer, so that it accepts the client's cookie-bearing second ClientHello.
     */
    void prime(byte[] firstHello, long now) {
        discardOutput = true;
        try {
            engine.beginHandshake();
            receive(firstHello, 0, firstHello.length, new byte[0], now);
        } catch (SSLException | RuntimeException e) {
            fail(e);
        } finally {
            discardOutput = false;
            sentHelloVerifyRequest = false;
            heardFromPeer = false;
            retransmitAt = Long.MAX_VALUE;
            retransmitInterval = FIRST_RETRANSMIT_MS;
        }
    }

    /** Takes over the datagrams queued on a session that is being replaced. */
    void adoptEarlyDatagrams(DtlsSession previous) {
        early.addAll(previous.early);
        previous.early.clear();
    }

    /** @return whether this session answered with a HelloVerifyRequest (its cookie was missing or stale) */
    boolean sentHelloVerifyRequest() {
        return sentHelloVerifyRequest;
    }

    boolean isEstablished() {
        return established;
    }

    boolean hasFailed() {
        return failure != null;
    }

    String failure() {
        return failure;
    }

    boolean heardFromPeer() {
        return heardFromPeer;
    }

    long lastActivity() {
        return lastActivity;
    }

    long lastHeardAt() {
        return lastHeardAt;
    }

    /**
     * Feeds one datagram from the remote. The first record of application data is opened straight
     * into {@code out} (Godot's framing: one ENet datagram per record), so a datagram costs no copy
     * of jenet's; {@code out} must not be {@code data}'s array.
     *
     * @return the length of the application data written to {@code out}, 0 if none, -1 if the
     *         session failed
     */
    int receive(byte[] data, int offset, int length, byte[] out, long now) {
        if (failure != null) {
            return -1;
        }
        heardFromPeer = true;
        lastActivity = now;
        lastHeardAt = now;
        if (established && length > 0 && data[offset] == CONTENT_TYPE_HANDSHAKE) {
            lateFlights++;
        }
        int delivered = 0;
        try {
            ByteBuffer src = buffers.input(data, offset, length);
            // The engine's status after each step, as its result reports it: asking the engine
            // (getHandshakeStatus) takes its lock, twice per record on the steady path otherwise.
            SSLEngineResult.HandshakeStatus status = src.hasRemaining() ? null : engine.getHandshakeStatus();
            while (src.hasRemaining() || status == SSLEngineResult.HandshakeStatus.NEED_UNWRAP_AGAIN) {
                ByteBuffer dst = delivered == 0 && out != data ? buffers.output(out) : cleared(buffers.application);
                SSLEngineResult r = unwrap(src, dst);
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && dst != buffers.application) {
                    // Less room in out than the engine asks for: open the record in our own buffer,
                    // which always has room, and drop it below if it does not fit out.
                    dst = cleared(buffers.application);
                    r = unwrap(src, dst);
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    fail(new SSLException("closed by the peer"));
                    return -1;
                }
                int produced = r.bytesProduced();
                if (produced > 0) {
                    // Godot's framing: one ENet datagram per record; any further record is extra.
                    if (delivered == 0 && dst != buffers.application) {
                        delivered = produced;
                        carriedData = true;
                    } else if (delivered == 0 && produced <= out.length) {
                        dst.flip();
                        dst.get(out, 0, produced);
                        delivered = produced;
                        carriedData = true;
                    } else {
                        droppedRecords++;
                    }
                }
                status = r.getHandshakeStatus();
                if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks();
                    status = engine.getHandshakeStatus();
                }
                if (r.bytesConsumed() == 0 && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_UNWRAP_AGAIN) {
                    break;
                }
            }
            // The peer answered: a flight sent now is a new one, whose timer starts afresh
            // (RFC 6347 4.2.4); only retransmissions of one flight back off.
            retransmitInterval = FIRST_RETRANSMIT_MS;
            if (!steady(status)) {
                drive(now);
            }
        } catch (SSLException | RuntimeException e) {
            fail(e);
            return -1;
        }
        return failure != null ? -1 : delivered;
    }

    /**
     * @return whether an established session whose engine reported {@code status} has nothing for
     *         {@link #drive} to do (it would only ask the engine for its status and find it idle)
     */
    private boolean steady(SSLEngineResult.HandshakeStatus status) {
        return established && status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
    }

    private static ByteBuffer cleared(ByteBuffer b) {
        b.clear();
        return b;
    }

    private SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        buffers.destinations[0] = dst;
        return engine.unwrap(src, buffers.destinations, 0, 1);
    }

    /**
     * Sends one ENet datagram as one application-data record; before the handshake has finished it
     * is held (up to {@link #EARLY_LIMIT}) and sent when it does.
     *
     * @return 1 if sent, 0 if held or dropped (the session cannot carry data yet, or has failed),
     *         -1 if the socket refused it
     */
    int send(byte[] data, int offset, int length, long now) {
        if (failure != null) {
            return 0;
        }
        if (!established) {
            if (early.size() < EARLY_LIMIT) {
                early.addLast(java.util.Arrays.copyOfRange(data, offset, offset + length));
            } else {
                droppedRecords++;
            }
            return 0;
        }
        try {
            buffers.record.clear();
            buffers.sources[0] = buffers.plaintext(data, offset, length);
            SSLEngineResult r = engine.wrap(buffers.sources, 0, 1, buffers.record);
            if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() != length) {
                droppedRecords++;
                return 0;
            }
            buffers.record.flip();
            int sent = raw.send(remote, buffers.record.array(), 0, buffers.record.limit());
            lastActivity = now;
            if (!steady(r.getHandshakeStatus())) {
                drive(now);
            }
            return sent < 0 ? -1 : 1;
        } catch (SSLException | RuntimeException e) {
            fail(e);
            return 0;
        }
    }

    /**
     * Retransmits the last handshake flight when its timer is due.
     *
     * @return false if nothing could be retransmitted although the peer has never answered (the
     *         JDK does not resend a client's first ClientHello; the caller starts over instead)
     */
    boolean poll(long now) {
        if (established || failure != null || now < retransmitAt) {
            return true;
        }
        retransmitInterval = Math.min(retransmitInterval * 2, LAST_RETRANSMIT_MS);
        retransmitAt = now + retransmitInterval;
        try {
            buffers.record.clear();
            engine.wrap(EMPTY, buffers.record);
            buffers.record.flip();
            boolean resent = buffers.record.hasRemaining();
            buffers.datagram.clear();
            append(buffers.record);
            drive(now);
            return resent || heardFromPeer;
        } catch (SSLException | RuntimeException e) {
            fail(e);
            return true;
        }
    }

    /** @return the time at which {@link #poll} has work, or {@code Long.MAX_VALUE} */
    long dueAt() {
        return established || failure != null ? Long.MAX_VALUE : retransmitAt;
    }

    /** Runs the handshake as far as it goes without input; flight records are coalesced into datagrams. */
    private void drive(long now) throws SSLException {
        boolean sent = false;
        if (buffers.datagram.position() == 0) {
            buffers.datagram.clear();
        }
        while (true) {
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runTasks();
            } else if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                buffers.record.clear();
                SSLEngineResult r = engine.wrap(EMPTY, buffers.record);
                buffers.record.flip();
                if (buffers.record.hasRemaining()) {
                    append(buffers.record);
                    sent = true;
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    flush();
                    fail(new SSLException("closed"));
                    return;
                }
            } else if (hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP_AGAIN) {
                buffers.application.clear();
                SSLEngineResult r = engine.unwrap(EMPTY, buffers.application);
                if (r.bytesProduced() > 0) {
                    droppedRecords++;
                }
            } else {
                break;
            }
        }
        flush();
        if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            if (!established) {
                established = true;
                establishedAt = now;
                // The JDK halves its record size limit on every third handshake retransmission and
                // never raises it again; left so, every ENet datagram larger than the lowered limit
                // would be dropped for good. The handshake is over: restore the size we set.
                javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
                parameters.setMaximumPacketSize(maximumPacketSize);
                engine.setSSLParameters(parameters);
                while (!early.isEmpty() && failure == null) {
                    byte[] d = early.pollFirst();
                    send(d, 0, d.length, now);
                }
            }
        } else if (sent) {
            retransmitAt = now + retransmitInterval;
        }
    }

    private void append(ByteBuffer rec) {
        if (!rec.hasRemaining()) {
            return;
        }
        if (DtlsRecords.isHelloVerifyRequest(rec.array(), rec.position(), rec.remaining())) {
            sentHelloVerifyRequest = true;
        }
        if (discardOutput) {
            rec.position(rec.limit());
            return;
        }
        if (buffers.datagram.position() > 0 && buffers.datagram.position() + rec.remaining() > FLIGHT_DATAGRAM) {
            flush();
        }
        buffers.datagram.put(rec);
    }

    private void flush() {
        if (buffers.datagram.position() > 0) {
            raw.send(remote, buffers.datagram.array(), 0, buffers.datagram.position());
            buffers.datagram.clear();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private void fail(Exception e) {
        // A flight this session was coalescing when it failed is not sent: the buffer is shared
        // with the layer's other sessions, whose next flight must not carry it.
        buffers.datagram.clear();
        if (failure == null) {
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        engine.closeOutbound();
        // Tell the peer (a fatal alert, or close_notify) so that it drops its side at once rather
        // than holding a half-done handshake until it expires; best effort, as UDP is.
        try {
            buffers.record.clear();
            engine.wrap(EMPTY, buffers.record);
            buffers.record.flip();
            if (buffers.record.hasRemaining() && !discardOutput) {
                raw.send(remote, buffers.record.array(), 0, buffers.record.limit());
            }
        } catch (SSLException | RuntimeException ignored) {
            // the engine is done; nothing more to say
        }
    }

    /** The first ClientHello of this session's handshake (server side), to tell a client that started over. */
    byte[] clientHello;
}

package io.jenet.internal.transport;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The client end of Godot's DTLS extension: one DTLS session per host, as Godot. The first
 * datagram the host sends starts a handshake with its destination, and every later datagram goes
 * inside that session; ENet datagrams sent while the handshake runs are held and sent when it
 * completes (Godot drops them and waits for ENet's retransmission). With verification on, the
 * server's chain must be trusted and name {@code serverName}.
 *
 * <p>A handshake that fails (an untrusted or misnamed certificate, a protocol error) is reported
 * once through {@link #takeFailure()}, which the connection turns into {@code EVENT_ERROR} as
 * Godot does, and the session is dropped: the next datagram ENet sends (its CONNECT
 * retransmission) starts a new handshake, until ENet gives up on the connection. The session also
 * ends with the host's ENet peer, so a later connection starts a fresh one. A session whose
 * handshake has not finished {@link #HANDSHAKE_RESTART_MS} after it began, or through which
 * nothing has come back for {@link #UNADOPTED_IDLE_MS} after it finished (by then a jenet server
 * has dropped its side), is started over; Godot's client keeps sending into it until ENet or
 * mbedTLS gives up.
 *
 * <p>Thread-safety: none; driven by its connection's thread.
 */
public final class DtlsClient implements DtlsLayer {
    private final SSLContext context;
    private final RawSender raw;
    private final String serverName;
    private final boolean verify;
    private final int maximumPacketSize;
    private DtlsSession session;
    /** The host's peer is gone: {@link #session} is dropped at the next {@link #poll} (see {@link #peerReleased}). */
    private boolean released;
    /** The work buffers of this client's sessions (the next one reuses them). */
    private final DtlsSession.Buffers buffers = new DtlsSession.Buffers();
    /** ENet peers of this host that are alive (a DTLS client host has at most one). */
    private int enetPeers;
    private boolean failurePending;
    private long droppedDatagrams;
    private long failedHandshakes;
    private long restartedSessions;
    private String lastFailure;

    /**
     * @param context a {@code DTLSv1.2} context with the trust settings
     * @param raw the socket
     * @param serverName the name the server's certificate must carry (also sent as SNI)
     * @param verify false to skip certificate and name verification (Godot's unsafe client)
     * @param maximumPacketSize largest datagram to produce
     */
    public DtlsClient(SSLContext context, RawSender raw, String serverName, boolean verify, int maximumPacketSize) {
        this.context = context;
        this.raw = raw;
        this.serverName = serverName;
        this.verify = verify;
        this.maximumPacketSize = maximumPacketSize;
    }

    @Override
    public int send(InetSocketAddress to, byte[] data, int offset, int length, long now) {
        if (session == null) {
            session = start(to, now, null);
            if (session == null) {
                return 0;
            }
        }
        int sent = session.send(data, offset, length, now);
        if (sent > 0) {
            return length;
        }
        if (session.hasFailed()) {
            fail();
        }
        return sent;
    }

    @Override
    public int receive(InetSocketAddress from, byte[] data, int length, byte[] out, long now) {
        if (session == null || !session.remote.equals(from)) {
            droppedDatagrams++;
            return -1;
        }
        int n = session.receive(data, 0, length, out, now);
        if (n < 0) {
            fail();
            return -1;
        }
        return n > 0 ? n : -1;
    }

    @Override
    public void poll(long now) {
        if (released) {
            released = false;
            session = null;
        }
        if (session == null || now < dueAt()) {
            return;
        }
        if (!session.poll(now)) {
            // The first ClientHello got no answer and the JDK will not resend it: start over.
            DtlsSession previous = session;
            session = start(previous.remote, now, previous);
        } else if (session.hasFailed()) {
            fail();
        } else if (abandonedByServer(now)) {
            // The server (jenet or Godot) has dropped its side of a session that no ENet peer
            // adopted in time, so this one would carry datagrams into the void: start over. The
            // server gets a new handshake, then ENet's CONNECT retransmission.
            DtlsSession previous = session;
            restartedSessions++;
            session = start(previous.remote, now, previous);
        } else if (enetPeers == 0 && !session.bound && now - session.createdAt >= UNADOPTED_IDLE_MS) {
            session = null;
        }
    }

    /** @return the current session, or null (for tests) */
    DtlsSession session() {
        return session;
    }

    @Override
    public long dueAt() {
        if (released) {
            return Long.MIN_VALUE;
        }
        if (session == null) {
            return Long.MAX_VALUE;
        }
        long due = session.dueAt();
        if (enetPeers > 0) {
            due = Math.min(due, abandonAt());
        }
        if (enetPeers == 0 && !session.bound) {
            due = Math.min(due, session.createdAt + UNADOPTED_IDLE_MS);
        }
        return due;
    }

    @Override
    public void peerAttached(InetSocketAddress address) {
        if (released) {
            // The session ended with the previous peer: this one starts a new one.
            released = false;
            session = null;
        }
        enetPeers++;
        if (session != null) {
            session.bound = true;
        }
    }

    /**
     * The session ends with the host's peer, but at the next {@link #poll}, not at once: the engine
     * releases a peer as it resets it, before the host sends what the reset queued (the DISCONNECT
     * of {@code peerDisconnectNow} and of {@code destroy}), and that datagram must still go out
     * through the session, as it does through Godot's DTLS connection, which outlives the peer.
     * Dropped at once, it started a new handshake instead, and the server kept the peer until
     * ENet's timeout.
     */
    @Override
    public void peerReleased(InetSocketAddress address) {
        if (enetPeers > 0) {
            enetPeers--;
        }
        if (enetPeers == 0 && session != null) {
            released = true;
        }
    }

    @Override
    public boolean takeFailure() {
        boolean failed = failurePending;
        failurePending = false;
        return failed;
    }

    /** Starts a handshake with {@code to}, taking over the datagrams queued on {@code previous}; null if it failed at once. */
    private DtlsSession start(InetSocketAddress to, long now, DtlsSession previous) {
        SSLEngine engine = context.createSSLEngine(serverName, to.getPort());
        engine.setUseClientMode(true);
        DtlsSession.configure(engine, maximumPacketSize, verify);
        DtlsSession fresh = new DtlsSession(to, engine, raw, buffers, now);
        fresh.bound = enetPeers > 0;
        if (previous != null) {
            fresh.adoptEarlyDatagrams(previous);
        }
        session = fresh;
        fresh.begin(now);
        if (fresh.hasFailed()) {
            fail();
            return null;
        }
        return fresh;
    }

    /**
     * A client whose handshake is unfinished {@link #HANDSHAKE_RESTART_MS} after it began, that
     * has heard nothing for {@link #UNADOPTED_IDLE_MS} since it finished without any data coming
     * back, or whose server keeps retransmitting its flight after ours finished (an abbreviated
     * handshake whose last flight, ours, was lost), is talking to a session that is gone.
     */
    /** Retransmitted server flights after our handshake finished that make us start over. */
    static final int LATE_FLIGHTS_TO_RESTART = 3;

    private boolean abandonedByServer(long now) {
        return enetPeers > 0 && now >= abandonAt();
    }

    private long abandonAt() {
        if (!session.isEstablished()) {
            return session.createdAt + HANDSHAKE_RESTART_MS;
        }
        if (session.carriedData) {
            return Long.MAX_VALUE;
        }
        // A server that keeps retransmitting its last flight after ours is done never got our
        // Finished, and never will: its session stays in its handshake while ours sends data.
        return session.lateFlights >= LATE_FLIGHTS_TO_RESTART ? session.lastHeardAt() : session.lastHeardAt() + UNADOPTED_IDLE_MS;
    }

    /** @return sessions started over because the server never answered through them (see {@link #poll}) */
    public long restartedSessions() {
        return restartedSessions;
    }

    private void fail() {
        lastFailure = session.failure();
        failedHandshakes++;
        failurePending = true;
        session = null;
    }

    /** @return handshakes that failed since the host was set up */
    public long failedHandshakes() {
        return failedHandshakes;
    }

    @Override
    public long droppedDatagrams() {
        return droppedDatagrams;
    }

    @Override
    public int establishedSessions() {
        return session != null && session.isEstablished() ? 1 : 0;
    }

    @Override
    public int sessions() {
        return session == null ? 0 : 1;
    }

    @Override
    public String lastFailure() {
        return lastFailure;
    }
}

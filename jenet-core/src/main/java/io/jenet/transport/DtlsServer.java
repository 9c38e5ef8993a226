package io.jenet.transport;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The server end of Godot's DTLS extension: one DTLS session per remote address and port.
 *
 * <p>A client proves its address before the server keeps anything for it: a ClientHello without a
 * cookie is answered with a HelloVerifyRequest by a throw-away engine; only a ClientHello carrying
 * a valid cookie creates a session (JDK cookies depend on the ClientHello and a secret of the
 * {@link SSLContext}, so any engine of the context can check them). At most
 * {@link #MAX_PENDING_HANDSHAKES} handshakes are in progress at once (when full, one silent for
 * {@link #STALLED_HANDSHAKE_MS} makes room for the newcomer); sessions that fail are
 * dropped (their ENet peers time out), handshakes that stall and sessions that fall silent are
 * forgotten.
 *
 * <p>Thread-safety: none; driven by its connection's thread.
 */
public final class DtlsServer implements DtlsLayer {
    /** Handshakes in progress at once, as Godot. */
    public static final int MAX_PENDING_HANDSHAKES = 16;
    /** A handshake not finished after this long is dropped. */
    public static final long HANDSHAKE_TIMEOUT_MS = 30_000;
    /** A pending handshake silent this long may be forgotten to make room for a newcomer. */
    public static final long STALLED_HANDSHAKE_MS = 2_000;
    /** A session silent this long is dropped (ENet peers ping every 500 ms, and time out after 30 s). */
    public static final long IDLE_TIMEOUT_MS = 120_000;

    private final SSLContext context;
    private final RawSender raw;
    private final int maximumPacketSize;
    private final Map<InetSocketAddress, DtlsSession> sessions = new HashMap<>();
    private boolean refuseNewConnections;
    private long droppedDatagrams;
    private long helloVerifyRequests;
    private long evictedHandshakes;
    private String lastFailure;

    /**
     * @param context a {@code DTLSv1.2} context with the server's key
     * @param raw the socket
     * @param maximumPacketSize largest datagram to produce (ENet's MTU plus DTLS overhead)
     */
    public DtlsServer(SSLContext context, RawSender raw, int maximumPacketSize) {
        this.context = context;
        this.raw = raw;
        this.maximumPacketSize = maximumPacketSize;
    }

    /**
     * While true, datagrams from addresses without a session are dropped; existing sessions go on.
     *
     * @param refuse whether to refuse
     */
    public void refuseNewConnections(boolean refuse) {
        this.refuseNewConnections = refuse;
    }

    @Override
    public int receive(InetSocketAddress from, byte[] data, int length, byte[] out, long now) {
        DtlsSession session = sessions.get(from);
        if (session != null) {
            if (session.isEstablished() && DtlsRecords.isClientHello(data, 0, length)) {
                // The client started over (a restarted game on the same address and port).
                sessions.remove(from);
            } else {
                int n = session.receive(data, 0, length, out, now);
                if (n < 0) {
                    drop(from, session);
                    return -1;
                }
                return n > 0 ? n : -1;
            }
        }
        if (refuseNewConnections || !DtlsRecords.isClientHello(data, 0, length)) {
            droppedDatagrams++;
            return -1;
        }
        int cookie = DtlsRecords.cookieLength(data, 0, length);
        if (cookie < 0) {
            droppedDatagrams++;
            return -1;
        }
        if (cookie == 0) {
            // Stateless: the engine that writes the HelloVerifyRequest is forgotten at once.
            DtlsSession once = new DtlsSession(from, newEngine(), raw, now);
            once.begin(now);
            once.receive(data, 0, length, out, now);
            helloVerifyRequests++;
            return -1;
        }
        if (pendingHandshakes() >= MAX_PENDING_HANDSHAKES && !evictStalledHandshake(now)) {
            // Full of handshakes that are moving: the newcomer's ClientHello is dropped and its
            // retransmission (1 s later) tries again, so a burst of honest clients queues up
            // rather than thrashing each other out.
            droppedDatagrams++;
            return -1;
        }
        byte[] firstHello = DtlsRecords.withoutCookie(data, 0, length);
        if (firstHello == null) {
            droppedDatagrams++;
            return -1;
        }
        DtlsSession fresh = new DtlsSession(from, newEngine(), raw, now);
        fresh.prime(firstHello, now);
        fresh.receive(data, 0, length, out, now);
        if (fresh.hasFailed() || fresh.sentHelloVerifyRequest()) {
            // A stale or forged cookie: the client got a new HelloVerifyRequest, we keep nothing.
            if (fresh.hasFailed()) {
                lastFailure = fresh.failure();
            }
            droppedDatagrams++;
            return -1;
        }
        sessions.put(from, fresh);
        return -1;
    }

    @Override
    public int send(InetSocketAddress to, byte[] data, int offset, int length, long now) {
        DtlsSession session = sessions.get(to);
        if (session == null || !session.send(data, offset, length, now)) {
            if (session != null && session.hasFailed()) {
                drop(to, session);
            }
            return 0;
        }
        return length;
    }

    @Override
    public void poll(long now) {
        Iterator<Map.Entry<InetSocketAddress, DtlsSession>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            DtlsSession s = it.next().getValue();
            s.poll(now);
            long silent = now - s.lastActivity();
            if (s.hasFailed() || (!s.isEstablished() && silent > HANDSHAKE_TIMEOUT_MS) || silent > IDLE_TIMEOUT_MS) {
                if (s.hasFailed()) {
                    lastFailure = s.failure();
                }
                it.remove();
            }
        }
    }

    @Override
    public long dueAt() {
        long due = Long.MAX_VALUE;
        for (DtlsSession s : sessions.values()) {
            due = Math.min(due, s.dueAt());
        }
        return due;
    }

    private void drop(InetSocketAddress from, DtlsSession session) {
        lastFailure = session.failure();
        sessions.remove(from);
    }

    /**
     * Makes room by forgetting the pending handshake that has been silent longest, if it has been
     * silent for more than {@link #STALLED_HANDSHAKE_MS}: 16 clients that prove their address and
     * then stall cannot lock everyone out until the handshake timeout, while handshakes that are
     * moving (a peer in a handshake answers within a retransmission interval) are never touched.
     */
    private boolean evictStalledHandshake(long now) {
        InetSocketAddress stalest = null;
        long oldest = now - STALLED_HANDSHAKE_MS;
        for (Map.Entry<InetSocketAddress, DtlsSession> e : sessions.entrySet()) {
            if (!e.getValue().isEstablished() && e.getValue().lastActivity() < oldest) {
                oldest = e.getValue().lastActivity();
                stalest = e.getKey();
            }
        }
        if (stalest == null) {
            return false;
        }
        sessions.remove(stalest);
        evictedHandshakes++;
        return true;
    }

    /** @return pending handshakes dropped to make room for newer ones */
    public long evictedHandshakes() {
        return evictedHandshakes;
    }

    private int pendingHandshakes() {
        return sessions.size() - establishedSessions();
    }

    private SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setMaximumPacketSize(maximumPacketSize);
        engine.setSSLParameters(parameters);
        return engine;
    }

    @Override
    public long droppedDatagrams() {
        return droppedDatagrams;
    }

    /** @return HelloVerifyRequests sent (cookie exchanges started) */
    public long helloVerifyRequests() {
        return helloVerifyRequests;
    }

    @Override
    public int establishedSessions() {
        return DtlsSession.countEstablished(sessions.values());
    }

    /** @return sessions kept, established or handshaking */
    public int sessions() {
        return sessions.size();
    }

    @Override
    public String lastFailure() {
        return lastFailure;
    }
}

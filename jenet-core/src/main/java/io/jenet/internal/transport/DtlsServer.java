package io.jenet.internal.transport;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The server end of Godot's DTLS extension: one DTLS session per remote address and port.
 *
 * <p>Lifetime, as Godot: a session lives as long as the ENet peer at its address (it is dropped
 * when the peer disconnects, is reset or times out, and with the host); there are never more
 * sessions than the host has peer slots. Beyond Godot, which keeps a session no ENet peer adopts
 * for as long as the host lives, such a session is dropped once its remote has been silent for
 * {@link DtlsLayer#UNADOPTED_IDLE_MS}.
 *
 * <p>Beyond Godot, a client proves its address before the server keeps anything for it: a
 * ClientHello without a cookie is answered with a HelloVerifyRequest by a throw-away engine; only
 * a ClientHello carrying a valid cookie creates a session (JDK cookies depend on the ClientHello
 * and a secret of the {@link SSLContext}, so any engine of the context can check them). And at
 * most {@link #MAX_PENDING_HANDSHAKES} handshakes run at once, because each costs an
 * {@code SSLEngine} and key-exchange CPU: address-proving clients that stall cannot make the
 * server hold more, and one silent for {@link #STALLED_HANDSHAKE_MS} makes room for a newcomer.
 * (Godot's "16" is the queue of new source addresses its UDP server keeps between polls, not a
 * handshake limit.)
 *
 * <p>Thread-safety: none; driven by its connection's thread.
 */
public final class DtlsServer implements DtlsLayer {
    /** Handshakes in progress at once (jenet's own bound; see the class comment). */
    public static final int MAX_PENDING_HANDSHAKES = 16;
    /** A pending handshake silent this long may be forgotten to make room for a newcomer. */
    public static final long STALLED_HANDSHAKE_MS = 2_000;

    private final SSLContext context;
    private final RawSender raw;
    private final int maximumPacketSize;
    private final int maximumSessions;
    private final Map<InetSocketAddress, DtlsSession> sessions = new HashMap<>();
    /** The work buffers of every session (one thread drives them all). */
    private final DtlsSession.Buffers buffers = new DtlsSession.Buffers();
    private boolean refuseNewConnections;
    private long droppedDatagrams;
    private long helloVerifyRequests;
    private long evictedHandshakes;
    private long expiredSessions;
    private String lastFailure;
    /** Earliest time {@link #poll} has work; recomputed by a poll once {@link #dirty}. */
    private long nextDue = Long.MAX_VALUE;
    private boolean dirty;

    /**
     * @param context a {@code DTLSv1.2} context with the server's key
     * @param raw the socket
     * @param maximumPacketSize largest datagram to produce (ENet's MTU plus DTLS overhead)
     * @param maximumSessions sessions kept at most: the host's peer slots
     */
    public DtlsServer(SSLContext context, RawSender raw, int maximumPacketSize, int maximumSessions) {
        this.context = context;
        this.raw = raw;
        this.maximumPacketSize = maximumPacketSize;
        this.maximumSessions = maximumSessions;
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
        boolean clientHello = DtlsRecords.isClientHello(data, 0, length);
        if (session != null && !(clientHello && startedOver(session, data, length))) {
            if (!session.isEstablished()) {
                dirty = true;
            }
            int n = session.receive(data, 0, length, out, now);
            if (n < 0) {
                drop(from, session);
                return -1;
            }
            return n > 0 ? n : -1;
        }
        // A client that started over (a restarted game on the same address and port) goes through
        // the cookie exchange again; its old session is replaced only once the new one is proven.
        if ((refuseNewConnections && session == null) || !clientHello) {
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
            DtlsSession once = new DtlsSession(from, newEngine(), raw, buffers, now);
            once.begin(now);
            once.receive(data, 0, length, out, now);
            helloVerifyRequests++;
            return -1;
        }
        boolean full = (session == null && sessions.size() >= maximumSessions) || pendingHandshakes() >= MAX_PENDING_HANDSHAKES;
        if (full && !evictStalledHandshake(now)) {
            // Full of sessions, or of handshakes that are moving: the newcomer's ClientHello is
            // dropped and its retransmission (1 s later) tries again, so a burst of honest clients
            // queues up rather than thrashing each other out.
            droppedDatagrams++;
            return -1;
        }
        byte[] firstHello = DtlsRecords.withoutCookie(data, 0, length);
        if (firstHello == null) {
            droppedDatagrams++;
            return -1;
        }
        DtlsSession fresh = new DtlsSession(from, newEngine(), raw, buffers, now);
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
        fresh.clientHello = firstHello;
        DtlsSession replaced = sessions.put(from, fresh);
        if (replaced != null) {
            // The old ENet peer lives on until it times out: the new session inherits the count,
            // so that the old peer's release does not take the new session with it.
            fresh.enetPeers = replaced.enetPeers;
            fresh.bound = replaced.enetPeers > 0;
        }
        dirty = true;
        return -1;
    }

    /** @return whether a ClientHello on an existing session starts a new handshake (a new client random) */
    private static boolean startedOver(DtlsSession session, byte[] data, int length) {
        return session.clientHello == null || !DtlsRecords.sameClientRandom(session.clientHello, data, 0, length);
    }

    @Override
    public int send(InetSocketAddress to, byte[] data, int offset, int length, long now) {
        DtlsSession session = sessions.get(to);
        if (session == null) {
            // No session (never made, failed, or dropped with its peer): as Godot, the datagram
            // is dropped and ENet's own timeout ends the peer.
            droppedDatagrams++;
            return 0;
        }
        int sent = session.send(data, offset, length, now);
        if (sent > 0) {
            return length;
        }
        if (session.hasFailed()) {
            drop(to, session);
        }
        return sent;
    }

    @Override
    public void poll(long now) {
        if (!dirty && now < nextDue) {
            return;
        }
        dirty = false;
        long due = Long.MAX_VALUE;
        Iterator<Map.Entry<InetSocketAddress, DtlsSession>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            DtlsSession s = it.next().getValue();
            if (s.released) {
                it.remove();
                continue;
            }
            s.poll(now);
            if (s.hasFailed()) {
                lastFailure = s.failure();
                it.remove();
                continue;
            }
            if (!s.bound) {
                long expiry = s.lastHeardAt() + UNADOPTED_IDLE_MS;
                if (now >= expiry) {
                    expiredSessions++;
                    it.remove();
                    continue;
                }
                due = Math.min(due, expiry);
            }
            due = Math.min(due, s.dueAt());
        }
        nextDue = due;
    }

    /** @return the session with {@code remote}, or null (for tests) */
    DtlsSession session(InetSocketAddress remote) {
        return sessions.get(remote);
    }

    @Override
    public long dueAt() {
        return dirty ? Long.MIN_VALUE : nextDue;
    }

    @Override
    public void peerAttached(InetSocketAddress address) {
        DtlsSession s = sessions.get(address);
        if (s != null) {
            s.enetPeers++;
            s.bound = true;
            s.released = false;
        }
    }

    /**
     * Once no ENet peer is left at {@code address}, its session is dropped at the next
     * {@link #poll}, not at once: the engine releases a peer as it resets it, before the host sends
     * what the reset queued (the DISCONNECT of {@code peerDisconnectNow} and of {@code destroy}),
     * and that datagram must still reach the client. Dropped at once, it was dropped with the
     * session, and the client kept its peer until ENet's timeout.
     */
    @Override
    public void peerReleased(InetSocketAddress address) {
        DtlsSession s = sessions.get(address);
        if (s == null || s.enetPeers == 0) {
            return;
        }
        s.enetPeers--;
        if (s.enetPeers == 0 && s.bound) {
            s.released = true;
            dirty = true;
        }
    }

    @Override
    public boolean takeFailure() {
        // Godot's DTLS server never fails its host for one client's session: the session goes.
        return false;
    }

    private void drop(InetSocketAddress from, DtlsSession session) {
        lastFailure = session.failure();
        sessions.remove(from);
    }

    /**
     * Makes room by forgetting the pending handshake that has been silent longest, if it has been
     * silent for more than {@link #STALLED_HANDSHAKE_MS}: clients that prove their address and
     * then stall cannot lock everyone out, while handshakes that are moving (a peer in a handshake
     * answers within a retransmission interval) are never touched.
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

    /** @return sessions no ENet peer adopted, dropped after {@link DtlsLayer#UNADOPTED_IDLE_MS} of silence */
    public long expiredSessions() {
        return expiredSessions;
    }

    private int pendingHandshakes() {
        return sessions.size() - establishedSessions();
    }

    private SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        DtlsSession.configure(engine, maximumPacketSize, false);
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

    @Override
    public int sessions() {
        return sessions.size();
    }

    @Override
    public String lastFailure() {
        return lastFailure;
    }
}

package io.jenet.transport;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The client end of Godot's DTLS extension: the first ENet datagram to a server starts a DTLS
 * handshake with it, and ENet datagrams are dropped until the handshake completes (ENet's own
 * retransmission of its CONNECT covers the handshake time, as in Godot). With verification on,
 * the server's chain must be trusted and name {@code serverName}.
 *
 * <p>Thread-safety: none; driven by its connection's thread.
 */
public final class DtlsClient implements DtlsLayer {
    /** After a failed handshake (e.g. an untrusted certificate) the next attempt waits this long. */
    public static final long RETRY_AFTER_FAILURE_MS = 5_000;

    private final SSLContext context;
    private final RawSender raw;
    private final String serverName;
    private final boolean verify;
    private final int maximumPacketSize;
    private final Map<InetSocketAddress, DtlsSession> sessions = new HashMap<>();
    private final Map<InetSocketAddress, Long> failedAt = new HashMap<>();
    private long droppedDatagrams;
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
        DtlsSession session = sessions.get(to);
        if (session == null) {
            Long failed = failedAt.get(to);
            if (failed != null && now - failed < RETRY_AFTER_FAILURE_MS) {
                droppedDatagrams++;
                return 0;
            }
            failedAt.remove(to);
            session = start(to, now, null);
            if (session == null) {
                return 0;
            }
        }
        if (session.send(data, offset, length, now)) {
            return length;
        }
        if (session.hasFailed()) {
            fail(to, session, now);
        }
        return 0;
    }

    @Override
    public int receive(InetSocketAddress from, byte[] data, int length, byte[] out, long now) {
        DtlsSession session = sessions.get(from);
        if (session == null) {
            droppedDatagrams++;
            return -1;
        }
        int n = session.receive(data, 0, length, out, now);
        if (n < 0) {
            fail(from, session, now);
            return -1;
        }
        return n > 0 ? n : -1;
    }

    @Override
    public void poll(long now) {
        Iterator<Map.Entry<InetSocketAddress, DtlsSession>> it = sessions.entrySet().iterator();
        Map<InetSocketAddress, DtlsSession> restart = null;
        while (it.hasNext()) {
            Map.Entry<InetSocketAddress, DtlsSession> e = it.next();
            DtlsSession s = e.getValue();
            if (!s.poll(now)) {
                // The first ClientHello got no answer and the JDK will not resend it: start over.
                it.remove();
                if (restart == null) {
                    restart = new HashMap<>();
                }
                restart.put(e.getKey(), s);
            } else if (s.hasFailed()) {
                lastFailure = s.failure();
                failedAt.put(e.getKey(), now);
                it.remove();
            } else if (now - s.lastActivity() > DtlsServer.IDLE_TIMEOUT_MS) {
                it.remove();
            }
        }
        if (restart != null) {
            for (Map.Entry<InetSocketAddress, DtlsSession> e : restart.entrySet()) {
                start(e.getKey(), now, e.getValue());
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

    /** Starts a handshake with {@code to}, taking over the datagrams queued on {@code previous}; null if it failed at once. */
    private DtlsSession start(InetSocketAddress to, long now, DtlsSession previous) {
        SSLEngine engine = context.createSSLEngine(serverName, to.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setMaximumPacketSize(maximumPacketSize);
        if (verify) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(parameters);
        DtlsSession session = new DtlsSession(to, engine, raw, now);
        if (previous != null) {
            session.adoptEarlyDatagrams(previous);
        }
        sessions.put(to, session);
        session.begin(now);
        if (session.hasFailed()) {
            fail(to, session, now);
            return null;
        }
        return session;
    }

    private void fail(InetSocketAddress to, DtlsSession session, long now) {
        lastFailure = session.failure();
        failedAt.put(to, now);
        sessions.remove(to);
    }

    @Override
    public long droppedDatagrams() {
        return droppedDatagrams;
    }

    @Override
    public int establishedSessions() {
        return DtlsSession.countEstablished(sessions.values());
    }

    @Override
    public String lastFailure() {
        return lastFailure;
    }
}

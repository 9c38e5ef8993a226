package io.jenet.bench;

import io.jenet.TlsOptions;
import io.jenet.internal.transport.DtlsClient;
import io.jenet.internal.transport.DtlsServer;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where a DTLS datagram's time goes, in memory (no sockets): one operation = one ENet datagram of
 * {@code size} bytes sealed by the client and opened by the server, then one sealed by the server
 * and opened by the client (an echo's two records).
 *
 * <ul>
 *   <li>{@code jdkEngines}: the two JDK {@link SSLEngine}s of an established session alone,
 *       wrapping into and unwrapping from preallocated buffers: the floor no DTLS layer on the
 *       JDK can go below (AES-GCM, the record header, the replay window, the JDK's own objects).
 *   <li>{@code jenetLayer}: the same two engines driven through jenet's {@link DtlsClient} and
 *       {@link DtlsServer} as the host driver calls them ({@code send}, {@code receive} with the
 *       sender's address): the difference to {@code jdkEngines} is jenet's own record handling
 *       (session lookup, buffers, copies, state checks).
 * </ul>
 *
 * Run with {@code -prof gc} for the bytes each allocates per operation. Needs {@code openssl} to
 * make the server's certificate.
 *
 * <pre>
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" org.openjdk.jmh.Main DtlsRecordBenchmark -prof gc
 * </pre>
 *
 * On a machine shared with other work, wall-clock throughput moves with everything else; {@link
 * #main} runs the two side by side instead, alternating rounds in one thread, and reports the
 * thread's CPU time and allocation per operation (median, least and most of the rounds):
 *
 * <pre>
 * java -cp "jenet-bench/target/classes:jenet-bench/target/lib/*" io.jenet.bench.DtlsRecordBenchmark [rounds] [operations per round]
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DtlsRecordBenchmark {
    /** ENet datagram sizes: one small packet, and a full datagram (ENet's default MTU, 1392). */
    @Param({"80", "1392"})
    public int size;

    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 7777);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final int MAXIMUM_PACKET = 4352;

    private DtlsServer server;
    private DtlsClient client;
    private final Wire toServer = new Wire();
    private final Wire toClient = new Wire();
    private final byte[] out = new byte[65536];
    private byte[] payload;
    private long now = 1_000;

    private SSLEngine clientEngine;
    private SSLEngine serverEngine;
    private final ByteBuffer[] one = new ByteBuffer[1];
    private ByteBuffer net;
    private ByteBuffer app;
    private ByteBuffer src;

    /**
     * Where each side's datagrams land: a ring of preallocated slots (a handshake flight can be
     * several datagrams), which starts again at its first slot whenever it is emptied, so that
     * the steady state passes one array, as a host driver does.
     */
    private static final class Wire {
        final byte[][] slots = new byte[8][20_000];
        final int[] lengths = new int[8];
        int head;
        int tail;

        int put(InetSocketAddress to, byte[] d, int off, int len) {
            System.arraycopy(d, off, slots[tail & 7], 0, len);
            lengths[tail & 7] = len;
            tail++;
            return len;
        }

        boolean isEmpty() {
            return head == tail;
        }

        byte[] data() {
            return slots[head & 7];
        }

        int take() {
            int n = lengths[head++ & 7];
            if (head == tail) {
                head = 0;
                tail = 0;
            }
            return n;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("jenet-dtls-record");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=localhost")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IllegalStateException("openssl failed: " + log);
        }
        SSLContext serverContext = TlsOptions.server(TlsOptions.loadPrivateKey(dir.resolve("key.pem")),
                TlsOptions.loadCertificates(dir.resolve("cert.pem"))).sslContext();
        SSLContext clientContext = TlsOptions.clientUnsafe(null).sslContext();
        server = new DtlsServer(serverContext, toClient::put, MAXIMUM_PACKET, 16);
        client = new DtlsClient(clientContext, toServer::put, "localhost", false, MAXIMUM_PACKET);
        payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) i;
        }
        // The handshake, in memory: the client's first send starts it; pass datagrams until the
        // held first datagram reaches the server.
        client.send(SERVER, payload, 0, size, now);
        for (int i = 0; i < 100 && client.establishedSessions() + server.establishedSessions() < 2; i++) {
            deliver();
        }
        deliver();
        if (client.establishedSessions() != 1 || server.establishedSessions() != 1) {
            throw new IllegalStateException("no DTLS session");
        }
        clientEngine = engineOf(field(client, "session"));
        serverEngine = engineOf(((Map<?, ?>) field(server, "sessions")).get(CLIENT));
        net = ByteBuffer.allocate(MAXIMUM_PACKET + 1024);
        app = ByteBuffer.allocate(65536);
        src = ByteBuffer.wrap(payload);
    }

    private void deliver() {
        now++;
        for (int round = 0; round < 8; round++) {
            while (!toServer.isEmpty()) {
                byte[] d = toServer.data();
                server.receive(CLIENT, d, toServer.take(), out, now);
            }
            while (!toClient.isEmpty()) {
                byte[] d = toClient.data();
                client.receive(SERVER, d, toClient.take(), out, now);
            }
            server.poll(now);
            client.poll(now);
        }
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static SSLEngine engineOf(Object session) throws ReflectiveOperationException {
        return (SSLEngine) field(session, "engine");
    }

    /** One record each way through the bare JDK engines. */
    @Benchmark
    public int jdkEngines() throws SSLException {
        return seal(clientEngine) + open(serverEngine) + seal(serverEngine) + open(clientEngine);
    }

    private int seal(SSLEngine engine) throws SSLException {
        src.clear();
        net.clear();
        one[0] = src;
        SSLEngineResult r = engine.wrap(one, 0, 1, net);
        net.flip();
        return r.bytesProduced();
    }

    private int open(SSLEngine engine) throws SSLException {
        app.clear();
        one[0] = app;
        SSLEngineResult r = engine.unwrap(net, one, 0, 1);
        return r.bytesProduced();
    }

    /**
     * Alternating rounds of {@link #jdkEngines} and {@link #jenetLayer} in this thread, per size;
     * prints CPU ns and bytes allocated per operation.
     *
     * @param args rounds (default 11), operations per round (default 20000)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        int operations = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.println("| size | path | CPU ns per operation | bytes allocated per operation |");
        System.out.println("|---|---|---|---|");
        for (int size : new int[] {80, 1392}) {
            DtlsRecordBenchmark b = new DtlsRecordBenchmark();
            b.size = size;
            b.setUp();
            double[][] cpu = new double[2][rounds];
            double[][] bytes = new double[2][rounds];
            for (int warm = 0; warm < 3; warm++) {
                for (int i = 0; i < operations; i++) {
                    b.jdkEngines();
                    b.jenetLayer();
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    int path = (r + k) % 2;
                    long t = threads.getCurrentThreadCpuTime();
                    long a = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < operations; i++) {
                        if (path == 0) {
                            b.jdkEngines();
                        } else {
                            b.jenetLayer();
                        }
                    }
                    cpu[path][r] = (threads.getCurrentThreadCpuTime() - t) / (double) operations;
                    bytes[path][r] = (threads.getCurrentThreadAllocatedBytes() - a) / (double) operations;
                }
            }
            for (int path = 0; path < 2; path++) {
                System.out.printf("| %d | %s | %s | %s |%n", size, path == 0 ? "JDK engines alone" : "jenet's layer", spread(cpu[path]),
                        spread(bytes[path]));
            }
        }
    }

    private static String spread(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return String.format("%.0f (%.0f–%.0f)", s[s.length / 2], s[0], s[s.length - 1]);
    }

    /** One record each way through jenet's DTLS layer, as the host driver calls it. */
    @Benchmark
    public int jenetLayer() {
        now++;
        client.send(SERVER, payload, 0, size, now);
        byte[] d = toServer.data();
        int a = server.receive(CLIENT, d, toServer.take(), out, now);
        server.send(CLIENT, payload, 0, size, now);
        d = toClient.data();
        int b = client.receive(SERVER, d, toClient.take(), out, now);
        return a + b;
    }
}

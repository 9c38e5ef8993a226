package io.jenet.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenet.internal.compress.RangeCoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** jenet's range coder against C ENet's: byte-identical output, and each decodes the other. */
class RangeCoderInteropTest {

    static List<byte[]> corpus() {
        Random r = new Random(20261124);
        List<byte[]> out = new ArrayList<>();
        String text = "the quick brown fox jumps over the lazy dog; player 12 moved to (104.5, 33.25) ";
        for (int t = 0; t < 600; t++) {
            int n = 1 + (t < 300 ? r.nextInt(256) : r.nextInt(4096));
            byte[] b = new byte[n];
            switch (t % 5) {
                case 0 -> r.nextBytes(b);
                case 1 -> { for (int i = 0; i < n; i++) b[i] = (byte) (i % 7); }
                case 2 -> { for (int i = 0; i < n; i++) b[i] = (byte) text.charAt(i % text.length()); }
                case 3 -> { for (int i = 0; i < n; i++) b[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : (i % 16 < 4 ? 0 : i / 16)); }
                default -> { for (int i = 0; i < n; i++) b[i] = (byte) (i % 12 == 0 ? r.nextInt(3) : 0); }
            }
            out.add(b);
        }
        return out;
    }

    static List<byte[]> runC(String mode, List<byte[]> records) throws Exception {
        Process p = new ProcessBuilder(NativePeers.rangeCoder().toString(), mode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        for (byte[] r : records) {
            out.writeInt(r.length);
            out.write(r);
        }
        Thread writer = new Thread(() -> {
            try (var os = p.getOutputStream()) {
                os.write(buf.toByteArray());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        List<byte[]> result = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(p.getInputStream())) {
            for (int i = 0; i < records.size(); i++) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                result.add(b);
            }
        }
        writer.join();
        assertThat(p.waitFor()).isZero();
        return result;
    }

    /** The command areas of the datagrams of a real session (jenet client, C server, mixed traffic). */
    static List<byte[]> sessionDatagrams() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (CPeer c = new CPeer(); io.jenet.ENetConnection client = new io.jenet.ENetConnection()) {
            c.cmd("capture 1");
            c.cmd("echo 1");
            int port = c.host(0, 4, 0, 0, 0);
            client.createHost(1, 0);
            JenetSide side = new JenetSide(client);
            io.jenet.ENetPacketPeer peer = client.connectToHost("127.0.0.1", port, 3, 0);
            side.until(() -> side.count(io.jenet.ENetConnection.EventType.EVENT_CONNECT) == 1, 5000);
            StringBuilder state = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                state.setLength(0);
                state.append("{\"tick\":").append(i).append(",\"players\":[{\"id\":1,\"x\":").append(100 + i).append(",\"y\":20}]}");
                peer.send(i % 3, state.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        i % 2 == 0 ? io.jenet.ENetPacketPeer.FLAG_RELIABLE : 0);
                if (i % 10 == 0) {
                    peer.send(0, Payloads.fill(3000, i), io.jenet.ENetPacketPeer.FLAG_RELIABLE);
                }
                side.pump(2);
            }
            side.until(() -> c.linesStartingWith("rx ").size() >= 40, 5000);
            for (String line : c.linesStartingWith("rx ")) {
                byte[] d = java.util.HexFormat.of().parseHex(line.split(" ")[2]);
                int header = (d[0] & 0x80) != 0 ? 4 : 2;
                if (d.length > header) {
                    out.add(java.util.Arrays.copyOfRange(d, header, d.length));
                }
            }
        }
        return out;
    }

    @Test
    void realSessionDatagramsCompressByteIdentically() throws Exception {
        List<byte[]> corpus = sessionDatagrams();
        assertThat(corpus).hasSizeGreaterThan(40);
        List<byte[]> fromC = runC("c", corpus);
        RangeCoder coder = new RangeCoder();
        byte[] out = new byte[8192];
        byte[] back = new byte[4096];
        for (int i = 0; i < corpus.size(); i++) {
            byte[] in = corpus.get(i);
            int n = coder.compress(in, 0, in.length, out, 0, in.length);
            assertThat(Arrays.copyOf(out, n)).as("session datagram %d", i).isEqualTo(fromC.get(i));
            if (n > 0) {
                int k = coder.decompress(fromC.get(i), 0, n, back, 0, back.length);
                assertThat(Arrays.copyOf(back, k)).isEqualTo(in);
            }
        }
    }

    @Test
    void compressedOutputIsByteIdenticalToCEnet() throws Exception {
        List<byte[]> corpus = corpus();
        List<byte[]> fromC = runC("c", corpus);
        RangeCoder coder = new RangeCoder();
        byte[] out = new byte[8192];
        int compressible = 0;
        for (int i = 0; i < corpus.size(); i++) {
            byte[] in = corpus.get(i);
            int n = coder.compress(in, 0, in.length, out, 0, in.length);
            assertThat(Arrays.copyOf(out, n)).as("record %d (%d bytes)", i, in.length).isEqualTo(fromC.get(i));
            if (n > 0) {
                compressible++;
            }
        }
        assertThat(compressible).isGreaterThan(300);
    }

    @Test
    void eachDecodesTheOther() throws Exception {
        List<byte[]> corpus = corpus();
        RangeCoder coder = new RangeCoder();
        List<byte[]> ours = new ArrayList<>();
        List<byte[]> originals = new ArrayList<>();
        byte[] out = new byte[8192];
        for (byte[] in : corpus) {
            int n = coder.compress(in, 0, in.length, out, 0, 8192);
            ours.add(Arrays.copyOf(out, n));
            originals.add(in);
        }
        List<byte[]> decodedByC = runC("d", ours);
        for (int i = 0; i < originals.size(); i++) {
            assertThat(decodedByC.get(i)).as("C decodes record %d", i).isEqualTo(originals.get(i));
        }
        List<byte[]> fromC = runC("c", corpus);
        byte[] back = new byte[4096];
        for (int i = 0; i < corpus.size(); i++) {
            if (fromC.get(i).length == 0) {
                continue;
            }
            int n = coder.decompress(fromC.get(i), 0, fromC.get(i).length, back, 0, back.length);
            assertThat(Arrays.copyOf(back, n)).as("jenet decodes C record %d", i).isEqualTo(corpus.get(i));
        }
    }
}

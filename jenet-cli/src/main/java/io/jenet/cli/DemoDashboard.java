package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The demo's live view, drawn once a second from the server's thread: progress, the server's
 * compression ratio, throughput per channel, and one line per peer (RTT, loss, throughput). On a
 * terminal each frame replaces the previous one (ANSI cursor movement); when the output is a pipe
 * or a file, frames are printed one after the other so logs and tests read them as plain lines.
 *
 * <p>Thread-safety: used by the server thread only.
 */
final class DemoDashboard {
    static final int CHANNELS = 4;
    private static final String[] CHANNEL_KINDS = {"reliable", "unreliable", "unsequenced", "unrel. fragments"};

    private final PrintStream out;
    private final boolean redraw;
    private final int seconds;
    private final long startNanos = System.nanoTime();
    /** Bytes received and sent per channel since the last frame. */
    final long[] channelIn = new long[CHANNELS];
    final long[] channelOut = new long[CHANNELS];
    private int linesDrawn;

    DemoDashboard(PrintStream out, boolean redraw, int seconds) {
        this.out = out;
        this.redraw = redraw;
        this.seconds = seconds;
    }

    /** Draws a frame and starts the next interval's counts. */
    void draw(ENetConnection host, double intervalSeconds, java.util.Map<String, long[]> peerBytes) {
        java.util.List<ENetPacketPeer> peers = host.getPeers();
        StringBuilder f = new StringBuilder();
        double elapsed = Math.min(seconds, (System.nanoTime() - startNanos) / 1e9);
        int filled = (int) Math.round(20 * elapsed / seconds);
        f.append(String.format(Locale.ROOT, "[%s%s] %4.1f / %d s   peers %d   compression %.2f (wire / plain)%n",
                "#".repeat(filled), "-".repeat(20 - filled), elapsed, seconds, peers.size(),
                host.getCompressionRatio()));
        f.append(String.format(Locale.ROOT, "  %-3s %-17s %12s %12s%n", "ch", "kind", "in KB/s", "out KB/s"));
        for (int c = 0; c < CHANNELS; c++) {
            f.append(String.format(Locale.ROOT, "  %-3d %-17s %12.1f %12.1f%n", c, CHANNEL_KINDS[c],
                    channelIn[c] / 1024.0 / intervalSeconds, channelOut[c] / 1024.0 / intervalSeconds));
            channelIn[c] = 0;
            channelOut[c] = 0;
        }
        for (ENetPacketPeer p : peers) {
            if (p.getState() != ENetPacketPeer.PeerState.STATE_CONNECTED) {
                continue;
            }
            String key = DemoCommand.key(p);
            long[] b = peerBytes.getOrDefault(key, new long[2]);
            f.append(String.format(Locale.ROOT, "  peer %-21s rtt %6.1f ms  resent %6d  loss %5.2f %%  in %8.1f KB/s  out %8.1f KB/s%n", key,
                    p.getRoundTripTimeMillis(), p.getRetransmissions(),
                    100.0 * p.getStatistic(ENetPacketPeer.PeerStatistic.PEER_PACKET_LOSS) / ENetPacketPeer.PACKET_LOSS_SCALE,
                    b[0] / 1024.0 / intervalSeconds, b[1] / 1024.0 / intervalSeconds));
            b[0] = 0;
            b[1] = 0;
        }
        String frame = f.toString();
        if (redraw && linesDrawn > 0) {
            // Up to the first line of the previous frame, and clear from there down.
            out.print("\033[" + linesDrawn + "F\033[J");
        }
        out.print(frame);
        out.flush();
        linesDrawn = (int) frame.chars().filter(ch -> ch == '\n').count();
    }
}

package io.jenet;

import static io.jenet.ENetConnection.EventType.EVENT_CONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_DISCONNECT;
import static io.jenet.ENetConnection.EventType.EVENT_RECEIVE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two ends with different compression modes, as ENet and Godot behave: a host drops datagrams it
 * cannot decompress (and counts them). Small handshake datagrams do not shrink, so they travel
 * uncompressed and the connection may complete; the first compressible datagram is then dropped
 * over and over, and the sender times out. Nothing corrupt is ever delivered, nothing throws.
 */
class MismatchedCompressionTest {
    @ParameterizedTest
    @CsvSource({"COMPRESS_ZLIB, COMPRESS_NONE", "COMPRESS_RANGE_CODER, COMPRESS_ZSTD", "COMPRESS_FASTLZ, COMPRESS_ZLIB",
        "COMPRESS_ZSTD, COMPRESS_RANGE_CODER"})
    void mismatchedModesEndInATimeoutNeverInCorruptData(ENetConnection.CompressionMode clientMode,
                                                         ENetConnection.CompressionMode serverMode) throws Exception {
        try (ENetConnection server = new ENetConnection(); ENetConnection client = new ENetConnection()) {
            server.compress(serverMode);
            client.compress(clientMode);
            server.createHostBound("127.0.0.1", 0, 4, 0);
            client.createHost(1, 0);
            Loop loop = new Loop(server, client);
            ENetPacketPeer peer = client.connectToHost("127.0.0.1", server.getLocalPort(), 1, 0);
            peer.setTimeout(4, 500, 1500);
            loop.until(() -> loop.count(client, EVENT_CONNECT) == 1 || loop.count(client, EVENT_DISCONNECT) == 1, 10_000);
            byte[] compressible = new byte[3000];
            Arrays.fill(compressible, (byte) 'x');
            if (peer.isActive() && peer.getState() == ENetPacketPeer.PeerState.STATE_CONNECTED) {
                peer.setTimeout(4, 500, 1500);
                peer.send(0, compressible, ENetPacketPeer.FLAG_RELIABLE);
            }
            loop.until(() -> loop.count(client, EVENT_DISCONNECT) == 1, 15_000);
            assertThat(loop.count(server, EVENT_RECEIVE)).isZero();
            assertThat(server.getDroppedDatagrams()).isPositive();
        }
    }
}

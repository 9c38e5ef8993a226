package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.TlsOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options that several commands take, declared once (picocli mixins). */
final class SharedOptions {
    private SharedOptions() {}

    /** {@code --compress} and {@code --checksum}: how datagrams look on the wire; both ends must agree. */
    static final class Wire {
        @Option(names = "--compress", paramLabel = "MODE",
                description = "none, range-coder, fastlz, zlib or zstd; both ends must agree (default: none; demo: range-coder).")
        String compress;

        @Option(names = "--checksum", description = "Use ENet's CRC-32 datagram checksum (both ends must).")
        boolean checksum;

        @Option(names = "--enet-timing", description = "Time retransmissions exactly as ENet 1.3 instead of jenet's faster recovery on lossy links (this side only; the wire is the same).")
        boolean enetTiming;

        /** @return the chosen mode, or {@code fallback}'s when none was given */
        ENetConnection.CompressionMode compression(String fallback) {
            return Options.compression(compress != null ? compress : fallback);
        }

        /** @return the mode's name as given, or {@code fallback} */
        String compressionName(String fallback) {
            return compress != null ? compress : fallback;
        }

        /** Applies both to a connection (before its host is created or at any time). */
        void applyTo(ENetConnection connection, String fallback) {
            connection.setChecksumEnabled(checksum);
            connection.setExactEnetTiming(enetTiming);
            connection.compress(compression(fallback));
        }
    }

    /** The DTLS client options: {@code --dtls}, {@code --insecure}, {@code --ca}, {@code --server-name}. */
    static final class DtlsClient {
        @Option(names = "--dtls", description = "Connect with DTLS (Godot's ENet extension).")
        boolean dtls;

        @Option(names = "--insecure", description = "With --dtls: do not verify the server's certificate.")
        boolean insecure;

        @Option(names = "--ca", paramLabel = "PEM", description = "With --dtls: trust these certificates instead of the JDK's authorities.")
        Path ca;

        @Option(names = "--server-name", description = "With --dtls: the name the server's certificate must carry (default: HOST).")
        String serverName;

        /** @return the client options, or null without {@code --dtls}; a usage error for options without it */
        TlsOptions tls() {
            if (!dtls && (insecure || ca != null || serverName != null)) {
                throw new Main.CliFailure(2, "--insecure, --ca and --server-name need --dtls");
            }
            return dtls ? Options.clientTls(insecure, ca) : null;
        }

        /** @return the name to verify: {@code --server-name}, or the host connected to */
        String serverName(String host) {
            return serverName != null ? serverName : host;
        }
    }

    /** The DTLS server options: {@code --dtls-cert} and {@code --dtls-key}. */
    static final class DtlsServer {
        @Option(names = "--dtls-cert", paramLabel = "PEM", description = "Serve DTLS (Godot's ENet extension) with this certificate chain.")
        Path cert;

        @Option(names = "--dtls-key", paramLabel = "PEM", description = "Private key of --dtls-cert (PKCS#8, PKCS#1 or SEC1 PEM).")
        Path key;

        /** @return the server options, or null without {@code --dtls-cert}; a usage error for one without the other */
        TlsOptions tls() {
            if ((cert == null) != (key == null)) {
                throw new Main.CliFailure(2, "--dtls-cert and --dtls-key go together");
            }
            return cert == null ? null : Options.serverTls(cert, key);
        }
    }
}

package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;

/** Parsing shared by the subcommands. */
final class Options {
    private Options() {}

    /** A parsed {@code HOST:PORT} (IPv6 literals in brackets). */
    record HostPort(String host, int port) {}

    static HostPort hostPort(String target) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new Main.CliFailure(2, "target must be HOST:PORT, got '" + target + "'");
        }
        String host = target.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(target.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new Main.CliFailure(2, "bad port in '" + target + "'");
        }
        if (port < 1 || port > 65535) {
            throw new Main.CliFailure(2, "port must be 1..65535 in '" + target + "'");
        }
        return new HostPort(host, port);
    }

    static java.net.InetSocketAddress address(String target) {
        HostPort hp = hostPort(target);
        java.net.InetSocketAddress a = new java.net.InetSocketAddress(hp.host(), hp.port());
        if (a.isUnresolved()) {
            throw new Main.CliFailure(2, "cannot resolve '" + hp.host() + "'");
        }
        return a;
    }

    static io.jenet.TlsOptions serverTls(java.nio.file.Path cert, java.nio.file.Path key) {
        try {
            return io.jenet.TlsOptions.server(io.jenet.TlsOptions.loadPrivateKey(key), io.jenet.TlsOptions.loadCertificates(cert));
        } catch (java.io.IOException | RuntimeException e) {
            throw new Main.CliFailure(2, "cannot use --dtls-cert/--dtls-key: " + e.getMessage());
        }
    }

    static io.jenet.TlsOptions clientTls(boolean insecure, java.nio.file.Path ca) {
        if (insecure) {
            return io.jenet.TlsOptions.clientUnsafe(null);
        }
        try {
            return io.jenet.TlsOptions.client(ca == null ? null : io.jenet.TlsOptions.loadCertificates(ca), null);
        } catch (java.io.IOException | RuntimeException e) {
            throw new Main.CliFailure(2, "cannot use --ca: " + e.getMessage());
        }
    }

    static ENetConnection.CompressionMode compression(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "none": return ENetConnection.CompressionMode.COMPRESS_NONE;
            case "range-coder": case "range_coder": case "range": return ENetConnection.CompressionMode.COMPRESS_RANGE_CODER;
            case "fastlz": return ENetConnection.CompressionMode.COMPRESS_FASTLZ;
            case "zlib": return ENetConnection.CompressionMode.COMPRESS_ZLIB;
            case "zstd": return ENetConnection.CompressionMode.COMPRESS_ZSTD;
            default:
                throw new Main.CliFailure(2, "unknown compression mode '" + name + "': use none, range-coder, fastlz, zlib or zstd");
        }
    }

    static int flags(String mode, int size, int mtuPayload) {
        switch (mode) {
            case "reliable": return ENetPacketPeer.FLAG_RELIABLE;
            // Unreliable packets larger than a fragment would be sent reliably without this flag.
            case "unreliable": return size > mtuPayload ? ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT : 0;
            case "unsequenced": return size > mtuPayload ? ENetPacketPeer.FLAG_UNRELIABLE_FRAGMENT | ENetPacketPeer.FLAG_UNSEQUENCED
                    : ENetPacketPeer.FLAG_UNSEQUENCED;
            default: throw new Main.CliFailure(2, "unknown mode '" + mode + "': use reliable, unreliable or unsequenced");
        }
    }
}

package io.jenet.cli;

import io.jenet.ENetConnection;
import io.jenet.ENetPacketPeer;

/** Parsing shared by the subcommands. */
final class Options {
    private Options() {}

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

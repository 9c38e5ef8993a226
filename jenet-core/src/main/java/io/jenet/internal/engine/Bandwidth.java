package io.jenet.internal.engine;

import io.jenet.internal.protocol.CommandWriter;

/**
 * ENet's once-a-second bandwidth throttle ({@code enet_host_bandwidth_throttle}): shares the host's
 * outgoing bandwidth among peers by lowering their packet throttle limits, and when limits changed
 * tells every peer its share of our incoming bandwidth with BANDWIDTH_LIMIT.
 * Arithmetic is done in 64 bits, so large limits do not overflow as they can in C.
 */
final class Bandwidth {
    private Bandwidth() {}

    private static boolean active(Peer p) {
        return p.state == Peer.STATE_CONNECTED || p.state == Peer.STATE_DISCONNECT_LATER;
    }

    static void throttle(Host host) {
        int timeCurrent = host.serviceTime;
        long elapsedTime = Integer.toUnsignedLong(timeCurrent - host.bandwidthThrottleEpoch);
        long peersRemaining = host.connectedPeers;
        long dataTotal = 0xFFFFFFFFL;
        long bandwidth = 0xFFFFFFFFL;
        long throttle;
        long bandwidthLimit = 0;
        boolean needsAdjustment = host.bandwidthLimitedPeers > 0;

        if (elapsedTime < Host.BANDWIDTH_THROTTLE_INTERVAL) {
            return;
        }
        host.bandwidthThrottleEpoch = timeCurrent;
        if (peersRemaining == 0) {
            return;
        }
        if (host.outgoingBandwidth != 0) {
            dataTotal = 0;
            bandwidth = (host.outgoingBandwidth * elapsedTime) / 1000;
            for (Peer peer : host.peers) {
                if (active(peer)) {
                    dataTotal += peer.outgoingDataTotal;
                }
            }
        }
        while (peersRemaining > 0 && needsAdjustment) {
            needsAdjustment = false;
            throttle = dataTotal <= bandwidth ? Peer.PACKET_THROTTLE_SCALE : (bandwidth * Peer.PACKET_THROTTLE_SCALE) / dataTotal;
            for (Peer peer : host.peers) {
                if (!active(peer) || peer.incomingBandwidth == 0 || peer.outgoingBandwidthThrottleEpoch == timeCurrent) {
                    continue;
                }
                long peerBandwidth = (peer.incomingBandwidth * elapsedTime) / 1000;
                if ((throttle * peer.outgoingDataTotal) / Peer.PACKET_THROTTLE_SCALE <= peerBandwidth) {
                    continue;
                }
                peer.packetThrottleLimit = (peerBandwidth * Peer.PACKET_THROTTLE_SCALE) / peer.outgoingDataTotal;
                if (peer.packetThrottleLimit == 0) {
                    peer.packetThrottleLimit = 1;
                }
                if (peer.packetThrottle > peer.packetThrottleLimit) {
                    peer.packetThrottle = peer.packetThrottleLimit;
                }
                peer.outgoingBandwidthThrottleEpoch = timeCurrent;
                peer.incomingDataTotal = 0;
                peer.outgoingDataTotal = 0;
                needsAdjustment = true;
                --peersRemaining;
                bandwidth = Math.max(0, bandwidth - peerBandwidth);
                dataTotal = Math.max(0, dataTotal - peerBandwidth);
            }
        }
        if (peersRemaining > 0) {
            throttle = dataTotal <= bandwidth ? Peer.PACKET_THROTTLE_SCALE
                    : (dataTotal == 0 ? Peer.PACKET_THROTTLE_SCALE : (bandwidth * Peer.PACKET_THROTTLE_SCALE) / dataTotal);
            for (Peer peer : host.peers) {
                if (!active(peer) || peer.outgoingBandwidthThrottleEpoch == timeCurrent) {
                    continue;
                }
                peer.packetThrottleLimit = throttle;
                if (peer.packetThrottle > peer.packetThrottleLimit) {
                    peer.packetThrottle = peer.packetThrottleLimit;
                }
                peer.incomingDataTotal = 0;
                peer.outgoingDataTotal = 0;
            }
        }
        if (host.recalculateBandwidthLimits) {
            host.recalculateBandwidthLimits = false;
            peersRemaining = host.connectedPeers;
            bandwidth = host.incomingBandwidth;
            needsAdjustment = true;
            if (bandwidth == 0) {
                bandwidthLimit = 0;
            } else {
                while (peersRemaining > 0 && needsAdjustment) {
                    needsAdjustment = false;
                    bandwidthLimit = bandwidth / peersRemaining;
                    for (Peer peer : host.peers) {
                        if (!active(peer) || peer.incomingBandwidthThrottleEpoch == timeCurrent) {
                            continue;
                        }
                        if (peer.outgoingBandwidth > 0 && peer.outgoingBandwidth >= bandwidthLimit) {
                            continue;
                        }
                        peer.incomingBandwidthThrottleEpoch = timeCurrent;
                        needsAdjustment = true;
                        --peersRemaining;
                        bandwidth = Math.max(0, bandwidth - peer.outgoingBandwidth);
                    }
                }
            }
            for (Peer peer : host.peers) {
                if (!active(peer)) {
                    continue;
                }
                long incoming = peer.incomingBandwidthThrottleEpoch == timeCurrent ? peer.outgoingBandwidth : bandwidthLimit;
                OutgoingCommand c = host.allocOutgoing();
                CommandWriter.bandwidthLimit(c.command, 0, (int) incoming, (int) host.outgoingBandwidth);
                peer.queueOutgoingCommand(c, null, 0, 0);
            }
        }
    }
}

/*
 * enetpeer: a C ENet 1.3 peer driven by line commands on stdin, reporting what it sees on stdout.
 * jenet's interop tests run it against jenet; it links Debian's libenet-dev and nothing of ours.
 *
 * Commands (one per line; ID = peer index in the host):
 *   host PORT PEERS CHANNELS INBW OUTBW      create the host (PORT 0 = any) -> "host PORT"
 *   checksum | rangecoder | mtu N | channellimit N | bandwidth IN OUT | echo 0|1 | capture 0|1 | flush | quit
 *   connect IP PORT CHANNELS DATA            -> "peer ID"
 *   send ID CHANNEL FLAGS SIZE SEED          payload made by fill(SEED)
 *   broadcast CHANNEL FLAGS SIZE SEED
 *   disconnect|later|now ID DATA, reset ID, ping ID
 *   throttle ID INTERVAL ACC DEC, pinginterval ID MS, timeout ID LIMIT MIN MAX
 *   stats ID                                  -> "stats ID state S rtt R loss L channels C mtu M window W"
 *   load N IP PORT CHANNELS COUNT SIZE       N extra client hosts, each sends COUNT reliable
 *                                            packets of SIZE bytes and checks the echoes arrive
 *                                            in order -> "load ok N" or "load fail REASON"
 * Events: "connect ID DATA CHANNELS", "disconnect ID DATA",
 *         "receive ID CHANNEL FLAGS LENGTH CRC32", and with capture on "rx LENGTH HEX".
 */
#include <enet/enet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

static ENetHost *host;
static int echo_mode;
static int capture;
static int use_checksum;
static int use_range_coder;
static int host_mtu;

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_of(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* The payload generator the Java side mirrors (Payloads.fill). */
static void fill(uint8_t *p, size_t n, uint32_t seed) {
    uint32_t x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t) (x >> 16);
    }
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int ENET_CALLBACK intercept(ENetHost *h, ENetEvent *e) {
    (void) e;
    if (!capture) return 0;
    static const char hex[] = "0123456789abcdef";
    printf("rx %zu ", h->receivedDataLength);
    for (size_t i = 0; i < h->receivedDataLength; i++) {
        putchar(hex[h->receivedData[i] >> 4]);
        putchar(hex[h->receivedData[i] & 15]);
    }
    putchar('\n');
    fflush(stdout);
    return 0;
}

static ENetPeer *peer_of(int id) {
    if (host == NULL || id < 0 || (size_t) id >= host->peerCount) return NULL;
    return &host->peers[id];
}

static void handle_event(ENetEvent *e) {
    int id = (int) (e->peer - host->peers);
    switch (e->type) {
    case ENET_EVENT_TYPE_CONNECT:
        out("connect %d %u %zu", id, e->data, e->peer->channelCount);
        break;
    case ENET_EVENT_TYPE_DISCONNECT:
        out("disconnect %d %u", id, e->data);
        break;
    case ENET_EVENT_TYPE_RECEIVE: {
        enet_uint32 flags = e->packet->flags & (ENET_PACKET_FLAG_RELIABLE | ENET_PACKET_FLAG_UNSEQUENCED | ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT);
        out("receive %d %u %u %zu %u", id, e->channelID, flags, e->packet->dataLength,
            crc32_of(e->packet->data, e->packet->dataLength));
        if (echo_mode) {
            ENetPacket *p = enet_packet_create(e->packet->data, e->packet->dataLength, flags);
            if (enet_peer_send(e->peer, e->channelID, p) < 0) enet_packet_destroy(p);
        }
        enet_packet_destroy(e->packet);
        break;
    }
    default:
        break;
    }
}

static ENetHost *make_host(ENetAddress *bind, size_t peers, size_t channels, enet_uint32 in, enet_uint32 outbw) {
    ENetHost *h = enet_host_create(bind, peers, channels, in, outbw);
    if (h == NULL) return NULL;
    if (use_checksum) h->checksum = enet_crc32;
    if (use_range_coder) enet_host_compress_with_range_coder(h);
    if (host_mtu) {
        /* ENet 1.3.17 copies host->mtu into each peer only when the peer is reset (at creation),
           so reset them again for the new MTU to apply to outgoing connections. */
        h->mtu = (enet_uint32) host_mtu;
        for (size_t i = 0; i < h->peerCount; i++) enet_peer_reset(&h->peers[i]);
    }
    return h;
}

/* Many client hosts, each sending COUNT reliable packets and checking the echoes. */
static void load(int n, const char *ip, int port, int channels, int count, int size) {
    ENetHost **hosts = calloc((size_t) n, sizeof *hosts);
    ENetPeer **peers = calloc((size_t) n, sizeof *peers);
    int *sent = calloc((size_t) n, sizeof(int)), *got = calloc((size_t) n, sizeof(int)), *up = calloc((size_t) n, sizeof(int));
    uint8_t *buf = malloc((size_t) size < 8 ? 8 : (size_t) size);
    ENetAddress addr;
    enet_address_set_host_ip(&addr, ip);
    addr.port = (enet_uint16) port;
    for (int i = 0; i < n; i++) {
        hosts[i] = make_host(NULL, 1, (size_t) channels, 0, 0);
        if (hosts[i] == NULL) { out("load fail host %d", i); return; }
        peers[i] = enet_host_connect(hosts[i], &addr, (size_t) channels, (enet_uint32) i);
    }
    int done = 0, failed = 0;
    enet_uint32 start = enet_time_get();
    while (done < n && !failed) {
        if (enet_time_get() - start > 120000) { out("load fail timeout done=%d", done); failed = 1; break; }
        for (int i = 0; i < n && !failed; i++) {
            ENetEvent e;
            while (enet_host_service(hosts[i], &e, 0) > 0) {
                if (e.type == ENET_EVENT_TYPE_CONNECT) up[i] = 1;
                else if (e.type == ENET_EVENT_TYPE_DISCONNECT) { out("load fail disconnect client %d after %d", i, got[i]); failed = 1; break; }
                else if (e.type == ENET_EVENT_TYPE_RECEIVE) {
                    uint32_t seq = e.packet->dataLength >= 4 ? ((uint32_t) e.packet->data[0] << 24 | (uint32_t) e.packet->data[1] << 16 | (uint32_t) e.packet->data[2] << 8 | e.packet->data[3]) : 0xFFFFFFFFu;
                    if (seq != (uint32_t) got[i] || e.packet->dataLength != (size_t) size) {
                        out("load fail client %d expected %d got %u", i, got[i], seq); failed = 1;
                    } else {
                        fill(buf + 4, (size_t) size - 4, (uint32_t) i * 100000u + seq);
                        if (memcmp(buf + 4, e.packet->data + 4, (size_t) size - 4) != 0) { out("load fail client %d content %u", i, seq); failed = 1; }
                    }
                    got[i]++;
                    if (got[i] == count) done++;
                    enet_packet_destroy(e.packet);
                }
            }
            /* Keep a window of 32 packets in flight per client. */
            while (up[i] && sent[i] < count && sent[i] - got[i] < 32) {
                uint32_t seq = (uint32_t) sent[i];
                buf[0] = (uint8_t) (seq >> 24); buf[1] = (uint8_t) (seq >> 16); buf[2] = (uint8_t) (seq >> 8); buf[3] = (uint8_t) seq;
                fill(buf + 4, (size_t) size - 4, (uint32_t) i * 100000u + seq);
                ENetPacket *p = enet_packet_create(buf, (size_t) size, ENET_PACKET_FLAG_RELIABLE);
                enet_peer_send(peers[i], (enet_uint8) (seq % (uint32_t) channels), p);
                sent[i]++;
            }
        }
        usleep(200);
    }
    if (!failed) out("load ok %d", n);
    for (int i = 0; i < n; i++) {
        if (hosts[i] == NULL) continue;
        enet_peer_disconnect_now(peers[i], 0);
        enet_host_destroy(hosts[i]);
    }
    free(hosts); free(peers); free(sent); free(got); free(up); free(buf);
}

static void command(char *line) {
    char cmd[32];
    if (sscanf(line, "%31s", cmd) != 1) return;
    int a = 0, b = 0, c = 0, d = 0, f = 0;
    char ip[128];
    if (!strcmp(cmd, "quit")) {
        if (host) enet_host_destroy(host);
        exit(0);
    } else if (!strcmp(cmd, "checksum")) {
        use_checksum = 1;
        if (host) host->checksum = enet_crc32;
    } else if (!strcmp(cmd, "rangecoder")) {
        use_range_coder = 1;
        if (host) enet_host_compress_with_range_coder(host);
    } else if (!strcmp(cmd, "mtu") && sscanf(line, "%*s %d", &a) == 1) {
        host_mtu = a;
        if (host) host->mtu = (enet_uint32) a;
    } else if (!strcmp(cmd, "host") && sscanf(line, "%*s %d %d %d %d %d", &a, &b, &c, &d, &f) == 5) {
        ENetAddress addr;
        addr.host = ENET_HOST_ANY;
        addr.port = (enet_uint16) a;
        host = make_host(&addr, (size_t) b, (size_t) c, (enet_uint32) d, (enet_uint32) f);
        if (host == NULL) { out("error host"); return; }
        host->intercept = intercept;
        ENetAddress bound;
        enet_socket_get_address(host->socket, &bound);
        out("host %u", bound.port);
    } else if (!strcmp(cmd, "echo") && sscanf(line, "%*s %d", &a) == 1) {
        echo_mode = a;
    } else if (!strcmp(cmd, "capture") && sscanf(line, "%*s %d", &a) == 1) {
        capture = a;
    } else if (!strcmp(cmd, "flush")) {
        enet_host_flush(host);
    } else if (!strcmp(cmd, "channellimit") && sscanf(line, "%*s %d", &a) == 1) {
        enet_host_channel_limit(host, (size_t) a);
    } else if (!strcmp(cmd, "bandwidth") && sscanf(line, "%*s %d %d", &a, &b) == 2) {
        enet_host_bandwidth_limit(host, (enet_uint32) a, (enet_uint32) b);
    } else if (!strcmp(cmd, "connect") && sscanf(line, "%*s %127s %d %d %d", ip, &a, &b, &c) == 4) {
        ENetAddress addr;
        enet_address_set_host_ip(&addr, ip);
        addr.port = (enet_uint16) a;
        ENetPeer *p = enet_host_connect(host, &addr, (size_t) b, (enet_uint32) c);
        if (p == NULL) out("error connect"); else out("peer %d", (int) (p - host->peers));
    } else if ((!strcmp(cmd, "send") && sscanf(line, "%*s %d %d %d %d %d", &a, &b, &c, &d, &f) == 5)
               || (!strcmp(cmd, "broadcast") && sscanf(line, "%*s %d %d %d %d", &b, &c, &d, &f) == 4)) {
        uint8_t *buf = malloc((size_t) d + 1);
        fill(buf, (size_t) d, (uint32_t) f);
        ENetPacket *p = enet_packet_create(buf, (size_t) d, (enet_uint32) c);
        free(buf);
        if (!strcmp(cmd, "broadcast")) {
            enet_host_broadcast(host, (enet_uint8) b, p);
        } else if (peer_of(a) == NULL || enet_peer_send(peer_of(a), (enet_uint8) b, p) < 0) {
            enet_packet_destroy(p);
            out("error send");
        }
    } else if (!strcmp(cmd, "disconnect") && sscanf(line, "%*s %d %d", &a, &b) == 2 && peer_of(a)) {
        enet_peer_disconnect(peer_of(a), (enet_uint32) b);
    } else if (!strcmp(cmd, "later") && sscanf(line, "%*s %d %d", &a, &b) == 2 && peer_of(a)) {
        enet_peer_disconnect_later(peer_of(a), (enet_uint32) b);
    } else if (!strcmp(cmd, "now") && sscanf(line, "%*s %d %d", &a, &b) == 2 && peer_of(a)) {
        enet_peer_disconnect_now(peer_of(a), (enet_uint32) b);
    } else if (!strcmp(cmd, "reset") && sscanf(line, "%*s %d", &a) == 1 && peer_of(a)) {
        enet_peer_reset(peer_of(a));
    } else if (!strcmp(cmd, "ping") && sscanf(line, "%*s %d", &a) == 1 && peer_of(a)) {
        enet_peer_ping(peer_of(a));
    } else if (!strcmp(cmd, "throttle") && sscanf(line, "%*s %d %d %d %d", &a, &b, &c, &d) == 4 && peer_of(a)) {
        enet_peer_throttle_configure(peer_of(a), (enet_uint32) b, (enet_uint32) c, (enet_uint32) d);
    } else if (!strcmp(cmd, "pinginterval") && sscanf(line, "%*s %d %d", &a, &b) == 2 && peer_of(a)) {
        enet_peer_ping_interval(peer_of(a), (enet_uint32) b);
    } else if (!strcmp(cmd, "timeout") && sscanf(line, "%*s %d %d %d %d", &a, &b, &c, &d) == 4 && peer_of(a)) {
        enet_peer_timeout(peer_of(a), (enet_uint32) b, (enet_uint32) c, (enet_uint32) d);
    } else if (!strcmp(cmd, "stats") && sscanf(line, "%*s %d", &a) == 1 && peer_of(a)) {
        ENetPeer *p = peer_of(a);
        out("stats %d state %d rtt %u loss %u channels %zu mtu %u window %u throttle %u interval %u acceleration %u deceleration %u incoming %u outgoing %u"
            " variance %u intransit %u unacknowledged %zu queued %zu",
            a, (int) p->state, p->roundTripTime, p->packetLoss, p->channelCount, p->mtu, p->windowSize, p->packetThrottle,
            p->packetThrottleInterval, p->packetThrottleAcceleration, p->packetThrottleDeceleration,
            p->incomingBandwidth, p->outgoingBandwidth, p->roundTripTimeVariance, p->reliableDataInTransit,
            enet_list_size(&p->sentReliableCommands), enet_list_size(&p->outgoingCommands));
    } else if (!strcmp(cmd, "load") && sscanf(line, "%*s %d %127s %d %d %d %d", &a, ip, &b, &c, &d, &f) == 6) {
        load(a, ip, b, c, d, f);
    } else {
        out("error unknown command: %s", cmd);
    }
}

int main(void) {
    if (enet_initialize() != 0) { out("error init"); return 1; }
    crc_init();
    out("ready");
    static char line[1 << 16];
    size_t used = 0;
    for (;;) {
        if (host != NULL) {
            ENetEvent e;
            int r;
            while ((r = enet_host_service(host, &e, 0)) > 0) handle_event(&e);
            if (r < 0) out("error service");
        }
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(0, &fds);
        int maxfd = 0;
        if (host != NULL) { FD_SET(host->socket, &fds); maxfd = host->socket; }
        struct timeval tv = {0, 2000};
        int s = select(maxfd + 1, &fds, NULL, NULL, &tv);
        if (s > 0 && FD_ISSET(0, &fds)) {
            ssize_t n = read(0, line + used, sizeof line - used - 1);
            if (n <= 0) { if (host) enet_host_destroy(host); return 0; }
            used += (size_t) n;
            line[used] = 0;
            char *start = line, *nl;
            while ((nl = strchr(start, '\n')) != NULL) {
                *nl = 0;
                command(start);
                start = nl + 1;
            }
            used = strlen(start);
            memmove(line, start, used);
        }
    }
}

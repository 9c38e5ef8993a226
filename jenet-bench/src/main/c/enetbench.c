/*
 * enetbench: C ENet's side of jenet's loopback benchmark, speaking the same echo protocol as
 * `jenet serve --echo` and `jenet bench`, and printing the same result line, so the two can be
 * compared (and mixed) in one run.
 *   enetbench serve PORT
 *   enetbench bench HOST PORT COUNT SIZE reliable|unreliable|unsequenced WINDOW [WARMUP]
 * Build: gcc -O2 -o enetbench enetbench.c -lenet
 */
#include <enet/enet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t running = 1;
static void stop(int s) { (void) s; running = 0; }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* Same payload as jenet's BenchCommand.payload. */
static void payload(uint8_t *b, int size, uint32_t seq) {
    b[0] = (uint8_t) (seq >> 24); b[1] = (uint8_t) (seq >> 16); b[2] = (uint8_t) (seq >> 8); b[3] = (uint8_t) seq;
    uint32_t x = seq * 0x9E3779B9u + 1u;
    for (int i = 4; i < size; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t) (x >> 16);
    }
}

static int serve(int port) {
    ENetAddress a = {.host = ENET_HOST_ANY, .port = (enet_uint16) port};
    ENetHost *h = enet_host_create(&a, 4000, 0, 0, 0);
    if (!h) { fprintf(stderr, "cannot bind %d\n", port); return 1; }
    ENetAddress bound;
    if (enet_socket_get_address(h->socket, &bound) == 0) port = bound.port;
    printf("listening on port %d\n", port);
    fflush(stdout);
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    ENetEvent e;
    while (running) {
        int r = enet_host_service(h, &e, 50);
        while (r > 0) {
            if (e.type == ENET_EVENT_TYPE_RECEIVE) {
                enet_uint32 flags = e.packet->flags & (ENET_PACKET_FLAG_RELIABLE | ENET_PACKET_FLAG_UNSEQUENCED | ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT);
                ENetPacket *p = enet_packet_create(e.packet->data, e.packet->dataLength, flags);
                if (enet_peer_send(e.peer, e.channelID, p) < 0) enet_packet_destroy(p);
                enet_packet_destroy(e.packet);
            }
            r = enet_host_check_events(h, &e);
        }
    }
    enet_host_destroy(h);
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

typedef struct {
    int echoed, lost, rtt_n;
    uint64_t *rtt;
    double seconds;
} phase_result;

/* Sends COUNT packets numbered from BASE keeping WINDOW unanswered; echoes below BASE are stale. */
static int phase(ENetHost *h, ENetPeer *peer, int count, int base, int size, int reliable, int sequenced,
                 enet_uint32 flags, int window, phase_result *res) {
    ENetEvent e;
    uint64_t *sent_at = calloc((size_t) count, sizeof *sent_at);
    char *answered = calloc((size_t) count, 1), *lostmark = calloc((size_t) count, 1);
    uint8_t *buf = malloc((size_t) size), *want = malloc((size_t) size);
    int next_send = 0, next_expected = 0, in_flight = 0, echoed = 0, lost = 0, rtt_n = 0, last = -1;
    res->rtt = calloc((size_t) count, sizeof *res->rtt);
    uint64_t start = now_ns(), last_progress = start;
    while (echoed + lost < count) {
        while (in_flight < window && next_send < count) {
            payload(buf, size, (uint32_t) (base + next_send));
            sent_at[next_send] = now_ns();
            enet_peer_send(peer, 0, enet_packet_create(buf, (size_t) size, flags));
            next_send++;
            in_flight++;
        }
        int r = enet_host_service(h, &e, 1);
        while (r > 0) {
            if (e.type == ENET_EVENT_TYPE_DISCONNECT) { printf("FAIL disconnected\n"); return 1; }
            if (e.type == ENET_EVENT_TYPE_RECEIVE) {
                uint8_t *p = e.packet->data;
                int wire = (int) ((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]);
                int seq = wire - base;
                if (wire >= 0 && seq < 0) { enet_packet_destroy(e.packet); r = enet_host_check_events(h, &e); continue; }
                payload(want, size, (uint32_t) wire);
                if (seq < 0 || seq >= next_send || (int) e.packet->dataLength != size || memcmp(want, p, (size_t) size)) { printf("FAIL corrupt echo %d\n", seq); return 1; }
                if (reliable && seq != next_expected) { printf("FAIL order: got %d expected %d\n", seq, next_expected); return 1; }
                if (answered[seq]) { printf("FAIL duplicate %d\n", seq); return 1; }
                if (sequenced && seq < last) { printf("FAIL out of order %d after %d\n", seq, last); return 1; }
                if (lostmark[seq]) { lost--; in_flight++; }
                answered[seq] = 1;
                if (seq > last) last = seq;
                res->rtt[rtt_n++] = now_ns() - sent_at[seq];
                if (reliable) next_expected++;
                echoed++;
                in_flight--;
                last_progress = now_ns();
                enet_packet_destroy(e.packet);
            }
            r = enet_host_check_events(h, &e);
        }
        if (!reliable) {
            uint64_t t = now_ns();
            while (next_expected < next_send && (answered[next_expected] || lostmark[next_expected] || t - sent_at[next_expected] > 1000000000ull)) {
                if (!answered[next_expected] && !lostmark[next_expected]) { lostmark[next_expected] = 1; lost++; in_flight--; }
                next_expected++;
            }
        }
        if (now_ns() - last_progress > 30000000000ull) { printf("FAIL no progress\n"); return 1; }
    }
    res->seconds = (now_ns() - start) / 1e9;
    res->echoed = echoed;
    res->lost = lost;
    res->rtt_n = rtt_n;
    free(sent_at); free(answered); free(lostmark); free(buf); free(want);
    return 0;
}

static int bench(const char *host, int port, int count, int size, const char *mode, int window, int warmup) {
    int reliable = !strcmp(mode, "reliable"), sequenced = !strcmp(mode, "unreliable");
    enet_uint32 flags = reliable ? ENET_PACKET_FLAG_RELIABLE : sequenced ? 0 : ENET_PACKET_FLAG_UNSEQUENCED;
    if (!reliable && size > 1392 - 28) flags |= ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT;
    ENetHost *h = enet_host_create(NULL, 1, 1, 0, 0);
    ENetAddress a;
    enet_address_set_host(&a, host);
    a.port = (enet_uint16) port;
    ENetPeer *peer = enet_host_connect(h, &a, 1, 0);
    ENetEvent e;
    if (enet_host_service(h, &e, 5000) <= 0 || e.type != ENET_EVENT_TYPE_CONNECT) { printf("FAIL could not connect\n"); return 1; }
    phase_result res;
    if (warmup > 0) {
        if (phase(h, peer, warmup, 0, size, reliable, sequenced, flags, window, &res)) return 1;
        free(res.rtt);
    }
    if (phase(h, peer, count, warmup, size, reliable, sequenced, flags, window, &res)) return 1;
    qsort(res.rtt, (size_t) res.rtt_n, sizeof *res.rtt, cmp_u64);
    uint64_t p50 = res.rtt_n ? res.rtt[(size_t) res.rtt_n * 50 / 100] / 1000 : 0;
    uint64_t p99 = res.rtt_n ? res.rtt[(size_t) res.rtt_n * 99 / 100] / 1000 : 0;
    if (res.lost) fprintf(stderr, "lost %d\n", res.lost);
    printf("ok %d msgs %d bytes %.3f s %ld msg/s p50 %lu us p99 %lu us\n", res.echoed, size, res.seconds,
           (long) (res.echoed / res.seconds), (unsigned long) p50, (unsigned long) p99);
    enet_peer_disconnect(peer, 0);
    uint64_t end = now_ns() + 3000000000ull;
    while (now_ns() < end && enet_host_service(h, &e, 10) >= 0) {
        if (e.type == ENET_EVENT_TYPE_DISCONNECT) break;
    }
    enet_host_destroy(h);
    return 0;
}

int main(int argc, char **argv) {
    if (enet_initialize()) return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "serve")) return serve(atoi(argv[2]));
    if (argc >= 8 && !strcmp(argv[1], "bench"))
        return bench(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), argv[6], atoi(argv[7]), argc >= 9 ? atoi(argv[8]) : 0);
    fprintf(stderr, "usage: enetbench serve PORT | bench HOST PORT COUNT SIZE MODE WINDOW [WARMUP]\n");
    return 2;
}

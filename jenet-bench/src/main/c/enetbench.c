/*
 * enetbench: C ENet's side of jenet's loopback benchmark, speaking the same echo protocol as
 * `jenet serve --echo` and `jenet bench`, and printing the same result line, so the two can be
 * compared (and mixed) in one run.
 *   enetbench serve PORT
 *   enetbench bench HOST PORT COUNT SIZE reliable|unreliable|unsequenced WINDOW [WARMUP [CLIENTS [SOCKETS]]]
 *     CLIENTS peers of one host, each with its own window and COUNT packets; with SOCKETS > 1, the
 *     clients are spread over SOCKETS hosts (each its own UDP socket and port: client i on host
 *     i % SOCKETS), still serviced by this one thread, which waits on all the sockets with epoll and
 *     services the hosts that have datagrams or something to send (and every host each 100 ms, for
 *     ENet's timers). A server whose port is shared with SO_REUSEPORT sees one source port per
 *     socket, which is what the kernel spreads. Before the timed phase the command prints "timing";
 *     the result line adds "cpu-user-ms U cpu-sys-ms S", this process's CPU in the timed phase.
 *   enetbench idle HOST PORT N      N connected peers kept idle until SIGTERM
 *   enetbench stream HOST PORT RATE SECONDS SIZE [TIMEOUT_MS]
 *     a game-like stream: one SIZE-byte reliable message every 1/RATE s for SECONDS, paced by the
 *     clock (not by echoes); latency is the round trip, send to echo received. The result line adds
 *     "max M us sent S"
 *   enetbench bulk HOST PORT BYTES SIZE [TIMEOUT_MS]
 *     BYTES in SIZE-byte reliable packets, all queued at once (as fast as ENet sends them); every
 *     64th and the last are bulk packets asking for a 9-byte reply (see BULK below), so the server
 *     confirms progress and the last byte without echoing the data. The result line adds "MB/s X"
 * Build: gcc -O2 -o enetbench enetbench.c -lenet
 */
#include <enet/enet.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
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

/* Same payload as jenet's BenchCommand.fill: bytes 4.. are successive outputs (bits 16..23) of the
 * LCG x = x*A + C seeded from the sequence number, computed as four interleaved lanes stepping 4 at
 * a time (the same bytes as one serial chain, without its latency). */
#define LCG_A 1103515245u
#define LCG_C 12345u
static void payload(uint8_t *b, int size, uint32_t seq) {
    const uint32_t a4 = LCG_A * LCG_A * LCG_A * LCG_A, c4 = LCG_C * (1u + LCG_A + LCG_A * LCG_A + LCG_A * LCG_A * LCG_A);
    b[0] = (uint8_t) (seq >> 24); b[1] = (uint8_t) (seq >> 16); b[2] = (uint8_t) (seq >> 8); b[3] = (uint8_t) seq;
    uint32_t x1 = (seq * 0x9E3779B9u + 1u) * LCG_A + LCG_C, x2 = x1 * LCG_A + LCG_C, x3 = x2 * LCG_A + LCG_C, x4 = x3 * LCG_A + LCG_C;
    int i = 4;
    for (; i + 3 < size; i += 4) {
        b[i] = (uint8_t) (x1 >> 16); b[i + 1] = (uint8_t) (x2 >> 16); b[i + 2] = (uint8_t) (x3 >> 16); b[i + 3] = (uint8_t) (x4 >> 16);
        x1 = x1 * a4 + c4; x2 = x2 * a4 + c4; x3 = x3 * a4 + c4; x4 = x4 * a4 + c4;
    }
    if (i < size) b[i++] = (uint8_t) (x1 >> 16);
    if (i < size) b[i++] = (uint8_t) (x2 >> 16);
    if (i < size) b[i] = (uint8_t) (x3 >> 16);
}

/* A bulk packet: 0xFF 'B' 'L' 'K', sequence number (4 bytes, big-endian), a flag byte (1 = reply
 * wanted), filler. The echo server answers it with its first 9 bytes when the flag is set and
 * with nothing otherwise; jenet serve --echo does the same. Bench packets never start with 0xFF
 * (their first 4 bytes are a non-negative sequence number). */
#define BULK_HEADER 9
static int is_bulk(const uint8_t *p, size_t n) {
    return n >= BULK_HEADER && p[0] == 0xFF && p[1] == 'B' && p[2] == 'L' && p[3] == 'K';
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
                int bulk = is_bulk(e.packet->data, e.packet->dataLength);
                if (!bulk || e.packet->data[8]) {
                    ENetPacket *p = enet_packet_create(e.packet->data, bulk ? BULK_HEADER : e.packet->dataLength, flags);
                    if (enet_peer_send(e.peer, e.channelID, p) < 0) enet_packet_destroy(p);
                }
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
    uint64_t max_gap; /* longest time without an echo (a stall), ns */
} phase_result;

/* One client's echo stream: a peer of the bench host with its own window and checks. */
typedef struct {
    ENetPeer *peer;
    int next_send, next_expected, in_flight, echoed, lost, last;
    uint64_t *sent_at;
    char *answered, *lostmark;
} stream;

/* The hosts of a bench: one, or SOCKETS of them waited on with epoll (client i on host i % SOCKETS). */
typedef struct {
    ENetHost **h;
    int n, epfd;
    char *dirty;
    int *pending;
    int npending;
    struct epoll_event *ready;
} hosts;

static void mark(hosts *hs, int k) {
    if (!hs->dirty[k]) { hs->dirty[k] = 1; hs->pending[hs->npending++] = k; }
}

/* Each of N streams sends COUNT packets numbered from BASE keeping WINDOW unanswered; echoes below
 * BASE are stale warmup. All streams share one host (or the SOCKETS hosts), serviced by this one
 * thread, as in ENet. */
static int phase(hosts *hs, stream *s, int n, int count, int base, int size, int reliable, int sequenced,
                 enet_uint32 flags, int window, phase_result *res) {
    ENetHost *h = hs->h[0];
    int H = hs->n;
    uint64_t next_sweep = 0;
    ENetEvent e;
    uint8_t *buf = malloc((size_t) size), *want = malloc((size_t) size);
    for (int i = 0; i < n; i++) {
        s[i].next_send = s[i].next_expected = s[i].in_flight = s[i].echoed = s[i].lost = 0;
        s[i].last = -1;
        s[i].sent_at = calloc((size_t) count, sizeof *s[i].sent_at);
        s[i].answered = calloc((size_t) count, 1);
        s[i].lostmark = calloc((size_t) count, 1);
    }
    int rtt_n = 0;
    long total = (long) count * n, finished = 0;
    res->rtt = calloc((size_t) total, sizeof *res->rtt);
    uint64_t start = now_ns(), last_progress = start, max_gap = 0;
    int k = 0, r = 0;
    while (finished < total) {
        for (int i = 0; i < n; i++) {
            stream *c = &s[i];
            while (c->in_flight < window && c->next_send < count) {
                payload(buf, size, (uint32_t) (base + c->next_send));
                c->sent_at[c->next_send] = now_ns();
                enet_peer_send(c->peer, 0, enet_packet_create(buf, (size_t) size, flags));
                c->next_send++;
                c->in_flight++;
                if (H > 1) mark(hs, i % H);
            }
        }
        if (H > 1) {
            /* Wait on every socket (not at all when a host has something to send), then service the
             * hosts with datagrams or queued sends; every 100 ms all of them, for ENet's timers. */
            int ready = epoll_wait(hs->epfd, hs->ready, H, hs->npending ? 0 : 1);
            for (int j = 0; j < ready; j++) mark(hs, (int) hs->ready[j].data.u32);
            uint64_t t = now_ns();
            if (t >= next_sweep) { for (int j = 0; j < H; j++) mark(hs, j); next_sweep = t + 100000000ull; }
            k = 0;
            r = 0;
        } else {
            r = enet_host_service(h, &e, 1);
        }
        /* The events of the host just serviced; with several hosts, then those of the next pending one. */
        for (;;) {
            while (H > 1 && r <= 0 && k < hs->npending) {
                int next = hs->pending[k++];
                hs->dirty[next] = 0;
                h = hs->h[next];
                r = enet_host_service(h, &e, 0);
            }
            if (r <= 0) break;
            while (r > 0) {
                if (e.type == ENET_EVENT_TYPE_DISCONNECT) { printf("FAIL disconnected\n"); return 1; }
                if (e.type == ENET_EVENT_TYPE_RECEIVE) {
                    stream *c = (stream *) e.peer->data;
                    uint8_t *p = e.packet->data;
                    int wire = (int) ((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]);
                    int seq = wire - base;
                    if (wire >= 0 && seq < 0) { enet_packet_destroy(e.packet); r = enet_host_check_events(h, &e); continue; }
                    payload(want, size, (uint32_t) wire);
                    if (seq < 0 || seq >= c->next_send || (int) e.packet->dataLength != size || memcmp(want, p, (size_t) size)) { printf("FAIL corrupt echo %d\n", seq); return 1; }
                    if (reliable && seq != c->next_expected) { printf("FAIL order: got %d expected %d\n", seq, c->next_expected); return 1; }
                    if (c->answered[seq]) { printf("FAIL duplicate %d\n", seq); return 1; }
                    if (sequenced && seq < c->last) { printf("FAIL out of order %d after %d\n", seq, c->last); return 1; }
                    if (c->lostmark[seq]) { c->lost--; c->in_flight++; finished--; }
                    c->answered[seq] = 1;
                    if (seq > c->last) c->last = seq;
                    res->rtt[rtt_n++] = now_ns() - c->sent_at[seq];
                    if (reliable) c->next_expected++;
                    c->echoed++;
                    c->in_flight--;
                    finished++;
                    uint64_t t_echo = now_ns();
                    if (t_echo - last_progress > max_gap) max_gap = t_echo - last_progress;
                    last_progress = t_echo;
                    enet_packet_destroy(e.packet);
                }
                r = enet_host_check_events(h, &e);
            }
        }
        hs->npending = 0;
        if (!reliable) {
            uint64_t t = now_ns();
            for (int i = 0; i < n; i++) {
                stream *c = &s[i];
                while (c->next_expected < c->next_send && (c->answered[c->next_expected] || c->lostmark[c->next_expected] || t - c->sent_at[c->next_expected] > 1000000000ull)) {
                    if (!c->answered[c->next_expected] && !c->lostmark[c->next_expected]) { c->lostmark[c->next_expected] = 1; c->lost++; c->in_flight--; finished++; }
                    c->next_expected++;
                }
            }
        }
        if (now_ns() - last_progress > 30000000000ull) { printf("FAIL no progress\n"); return 1; }
    }
    res->seconds = (now_ns() - start) / 1e9;
    res->echoed = 0;
    res->lost = 0;
    for (int i = 0; i < n; i++) {
        res->echoed += s[i].echoed;
        res->lost += s[i].lost;
        free(s[i].sent_at); free(s[i].answered); free(s[i].lostmark);
    }
    res->rtt_n = rtt_n;
    res->max_gap = max_gap;
    free(buf); free(want);
    return 0;
}

/* Connects N peers of the hosts (client i on host i % hosts) to HOST:PORT; returns 0 once all are connected. */
static int connect_hosts(ENetHost **hs, int H, const char *host, int port, stream *s, int n) {
    ENetAddress a;
    enet_address_set_host(&a, host);
    a.port = (enet_uint16) port;
    for (int i = 0; i < n; i++) {
        s[i].peer = enet_host_connect(hs[i % H], &a, 1, (enet_uint32) i);
        if (!s[i].peer) { printf("FAIL no free peer for client %d\n", i); return 1; }
        s[i].peer->data = &s[i];
    }
    int connected = 0;
    uint64_t deadline = now_ns() + 30000000000ull;
    ENetEvent e;
    while (connected < n) {
        if (now_ns() > deadline) { printf("FAIL could not connect (%d of %d)\n", connected, n); return 1; }
        for (int k = 0; k < H; k++) {
            int r = enet_host_service(hs[k], &e, H > 1 ? 0 : 10);
            while (r > 0) {
                if (e.type == ENET_EVENT_TYPE_CONNECT) connected++;
                else if (e.type == ENET_EVENT_TYPE_DISCONNECT) { printf("FAIL refused (%d of %d connected)\n", connected, n); return 1; }
                else if (e.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(e.packet);
                r = enet_host_check_events(hs[k], &e);
            }
        }
        if (H > 1) { struct timespec ts = {0, 1000000}; nanosleep(&ts, NULL); }
    }
    return 0;
}

static int connect_all(ENetHost *h, const char *host, int port, stream *s, int n) {
    return connect_hosts(&h, 1, host, port, s, n);
}

static void disconnect_hosts(ENetHost **hs, int H, stream *s, int n) {
    for (int i = 0; i < n; i++) enet_peer_disconnect(s[i].peer, 0);
    int left = n;
    ENetEvent e;
    uint64_t end = now_ns() + 3000000000ull;
    while (left > 0 && now_ns() < end) {
        for (int k = 0; k < H; k++) {
            int r = enet_host_service(hs[k], &e, H > 1 ? 0 : 10);
            while (r > 0) {
                if (e.type == ENET_EVENT_TYPE_DISCONNECT) left--;
                else if (e.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(e.packet);
                r = enet_host_check_events(hs[k], &e);
            }
        }
        if (H > 1) { struct timespec ts = {0, 1000000}; nanosleep(&ts, NULL); }
    }
}

static void disconnect_all(ENetHost *h, stream *s, int n) {
    disconnect_hosts(&h, 1, s, n);
}

static uint64_t cpu_ms(int sys) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    struct timeval t = sys ? u.ru_stime : u.ru_utime;
    return (uint64_t) t.tv_sec * 1000u + (uint64_t) t.tv_usec / 1000u;
}

static int bench(const char *host, int port, int count, int size, const char *mode, int window, int warmup, int clients, int sockets) {
    int reliable = !strcmp(mode, "reliable"), sequenced = !strcmp(mode, "unreliable");
    enet_uint32 flags = reliable ? ENET_PACKET_FLAG_RELIABLE : sequenced ? 0 : ENET_PACKET_FLAG_UNSEQUENCED;
    if (!reliable && size > 1392 - 28) flags |= ENET_PACKET_FLAG_UNRELIABLE_FRAGMENT;
    if (sockets < 1 || sockets > clients) { printf("FAIL SOCKETS must be 1..CLIENTS\n"); return 2; }
    hosts hs = {.n = sockets, .epfd = -1};
    hs.h = calloc((size_t) sockets, sizeof *hs.h);
    hs.dirty = calloc((size_t) sockets, 1);
    hs.pending = calloc((size_t) sockets, sizeof *hs.pending);
    hs.ready = calloc((size_t) sockets, sizeof *hs.ready);
    if (sockets > 1 && (hs.epfd = epoll_create1(0)) < 0) { printf("FAIL epoll\n"); return 1; }
    for (int k = 0; k < sockets; k++) {
        hs.h[k] = enet_host_create(NULL, (size_t) ((clients + sockets - 1) / sockets), 1, 0, 0);
        if (!hs.h[k]) { printf("FAIL cannot create host %d (open files?)\n", k); return 1; }
        if (sockets > 1) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t) k};
            if (epoll_ctl(hs.epfd, EPOLL_CTL_ADD, hs.h[k]->socket, &ev)) { printf("FAIL epoll_ctl\n"); return 1; }
        }
    }
    stream *s = calloc((size_t) clients, sizeof *s);
    if (connect_hosts(hs.h, sockets, host, port, s, clients)) return 1;
    phase_result res;
    if (warmup > 0) {
        if (phase(&hs, s, clients, warmup, 0, size, reliable, sequenced, flags, window, &res)) return 1;
        free(res.rtt);
    }
    printf("timing\n");
    uint64_t user0 = cpu_ms(0), sys0 = cpu_ms(1);
    if (phase(&hs, s, clients, count, warmup, size, reliable, sequenced, flags, window, &res)) return 1;
    uint64_t user = cpu_ms(0) - user0, sys = cpu_ms(1) - sys0;
    qsort(res.rtt, (size_t) res.rtt_n, sizeof *res.rtt, cmp_u64);
    uint64_t p50 = res.rtt_n ? res.rtt[(size_t) res.rtt_n * 50 / 100] / 1000 : 0;
    uint64_t p99 = res.rtt_n ? res.rtt[(size_t) res.rtt_n * 99 / 100] / 1000 : 0;
    if (res.lost) fprintf(stderr, "lost %d\n", res.lost);
    printf("ok %d msgs %d bytes %.3f s %ld msg/s p50 %lu us p99 %lu us max-gap %lu ms cpu-user-ms %lu cpu-sys-ms %lu\n", res.echoed, size,
           res.seconds, (long) (res.echoed / res.seconds), (unsigned long) p50, (unsigned long) p99, (unsigned long) (res.max_gap / 1000000),
           (unsigned long) user, (unsigned long) sys);
    disconnect_hosts(hs.h, sockets, s, clients);
    for (int k = 0; k < sockets; k++) enet_host_destroy(hs.h[k]);
    return 0;
}

/* Connects N idle peers, says so, and keeps them alive (ENet's pings only) until SIGTERM. They
 * connect in waves of IDLE_WAVE: all N come from one address and port, and a jenet server admits
 * at most 256 pending handshakes per address (its flood defence), so thousands of CONNECTs at once
 * would be refused, retried and take longer than connect_all's 30 s. */
#define IDLE_WAVE 200
static int idle(const char *host, int port, int n) {
    ENetHost *h = enet_host_create(NULL, (size_t) n, 1, 0, 0);
    stream *s = calloc((size_t) n, sizeof *s);
    if (!h) return 1;
    for (int done = 0; done < n; done += IDLE_WAVE) {
        if (connect_all(h, host, port, s + done, n - done < IDLE_WAVE ? n - done : IDLE_WAVE)) return 1;
    }
    printf("connected %d\n", n);
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    ENetEvent e;
    while (running) {
        int r = enet_host_service(h, &e, 50);
        while (r > 0) {
            if (e.type == ENET_EVENT_TYPE_DISCONNECT) { printf("FAIL peer lost while idle\n"); return 1; }
            if (e.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(e.packet);
            r = enet_host_check_events(h, &e);
        }
    }
    disconnect_all(h, s, n);
    enet_host_destroy(h);
    return 0;
}

static uint64_t percentile(uint64_t *sorted, int n, int pct) {
    return n ? sorted[(size_t) n * (size_t) pct / 100 < (size_t) n ? (size_t) n * (size_t) pct / 100 : (size_t) n - 1] : 0;
}

/* The game-like stream: message i is due at start + i/RATE; the loop services the host with a
 * 1 ms timeout (as the burst does) and sends whatever is due, then waits for the last echo. */
static int stream_bench(const char *host, int port, int rate, double duration, int size, int timeout_ms) {
    if (size < 4 || rate < 1 || duration <= 0) { printf("FAIL bad stream arguments\n"); return 2; }
    int total = (int) (rate * duration + 0.5);
    ENetHost *h = enet_host_create(NULL, 1, 1, 0, 0);
    stream s[1];
    memset(s, 0, sizeof s);
    if (!h || connect_all(h, host, port, s, 1)) return 1;
    uint64_t *sent_at = calloc((size_t) total, sizeof *sent_at), *rtt = calloc((size_t) total, sizeof *rtt);
    uint8_t *buf = malloc((size_t) size), *want = malloc((size_t) size);
    uint64_t interval = (uint64_t) (1e9 / rate), timeout = (uint64_t) timeout_ms * 1000000ull;
    int next_send = 0, next_expected = 0;
    uint64_t start = now_ns(), last_progress = start, max_gap = 0;
    ENetEvent e;
    while (next_expected < total) {
        uint64_t t = now_ns();
        while (next_send < total && start + (uint64_t) next_send * interval <= t) {
            payload(buf, size, (uint32_t) next_send);
            sent_at[next_send] = now_ns();
            enet_peer_send(s[0].peer, 0, enet_packet_create(buf, (size_t) size, ENET_PACKET_FLAG_RELIABLE));
            next_send++;
        }
        int r = enet_host_service(h, &e, 1);
        while (r > 0) {
            if (e.type == ENET_EVENT_TYPE_DISCONNECT) { printf("FAIL disconnected after %d echoes\n", next_expected); return 1; }
            if (e.type == ENET_EVENT_TYPE_RECEIVE) {
                uint8_t *p = e.packet->data;
                int seq = e.packet->dataLength >= 4 ? (int) ((uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3]) : -1;
                if (seq >= 0 && seq < next_send) payload(want, size, (uint32_t) seq);
                if (seq < 0 || seq >= next_send || (int) e.packet->dataLength != size || memcmp(want, p, (size_t) size)) { printf("FAIL corrupt echo %d\n", seq); return 1; }
                if (seq != next_expected) { printf("FAIL order: got %d expected %d\n", seq, next_expected); return 1; }
                uint64_t t_echo = now_ns();
                rtt[next_expected++] = t_echo - sent_at[seq];
                if (t_echo - last_progress > max_gap) max_gap = t_echo - last_progress;
                last_progress = t_echo;
                enet_packet_destroy(e.packet);
            }
            r = enet_host_check_events(h, &e);
        }
        if (now_ns() - last_progress > timeout) { printf("FAIL no progress for %d ms (%d/%d echoed)\n", timeout_ms, next_expected, total); return 1; }
    }
    double seconds = (last_progress - start) / 1e9;
    qsort(rtt, (size_t) total, sizeof *rtt, cmp_u64);
    printf("ok %d msgs %d bytes %.3f s %ld msg/s p50 %lu us p99 %lu us max-gap %lu ms max %lu us sent %d\n", next_expected, size, seconds,
           (long) (next_expected / seconds), (unsigned long) (percentile(rtt, total, 50) / 1000), (unsigned long) (percentile(rtt, total, 99) / 1000),
           (unsigned long) (max_gap / 1000000), (unsigned long) (rtt[total - 1] / 1000), next_send);
    disconnect_all(h, s, 1);
    enet_host_destroy(h);
    return 0;
}

/* The bulk transfer: every packet queued at once; done when the server confirms the last one. */
static int bulk_bench(const char *host, int port, long bytes, int size, int timeout_ms) {
    if (size < BULK_HEADER || bytes < 1) { printf("FAIL bad bulk arguments\n"); return 2; }
    int total = (int) ((bytes + size - 1) / size);
    ENetHost *h = enet_host_create(NULL, 1, 1, 0, 0);
    stream s[1];
    memset(s, 0, sizeof s);
    if (!h || connect_all(h, host, port, s, 1)) return 1;
    uint64_t *sent_at = calloc((size_t) total, sizeof *sent_at), *rtt = calloc((size_t) total, sizeof *rtt);
    uint8_t *buf = malloc((size_t) size);
    uint64_t timeout = (uint64_t) timeout_ms * 1000000ull;
    uint64_t start = now_ns(), last_progress = start, max_gap = 0;
    long sent_bytes = 0;
    for (int i = 0; i < total; i++) {
        int n = (int) (bytes - sent_bytes < size ? bytes - sent_bytes : size);
        if (n < BULK_HEADER) n = BULK_HEADER;
        payload(buf, n, (uint32_t) i);
        buf[0] = 0xFF; buf[1] = 'B'; buf[2] = 'L'; buf[3] = 'K';
        buf[4] = (uint8_t) (i >> 24); buf[5] = (uint8_t) (i >> 16); buf[6] = (uint8_t) (i >> 8); buf[7] = (uint8_t) i;
        buf[8] = (uint8_t) ((i + 1) % 64 == 0 || i == total - 1);
        sent_at[i] = now_ns();
        if (enet_peer_send(s[0].peer, 0, enet_packet_create(buf, (size_t) n, ENET_PACKET_FLAG_RELIABLE)) < 0) { printf("FAIL send %d\n", i); return 1; }
        sent_bytes += n;
    }
    int replies = 0, last = -1;
    ENetEvent e;
    while (last < total - 1) {
        int r = enet_host_service(h, &e, 1);
        while (r > 0) {
            if (e.type == ENET_EVENT_TYPE_DISCONNECT) { printf("FAIL disconnected after %d packets confirmed\n", last + 1); return 1; }
            if (e.type == ENET_EVENT_TYPE_RECEIVE) {
                uint8_t *p = e.packet->data;
                if (!is_bulk(p, e.packet->dataLength) || e.packet->dataLength != BULK_HEADER) { printf("FAIL bad bulk reply\n"); return 1; }
                int seq = (int) ((uint32_t) p[4] << 24 | (uint32_t) p[5] << 16 | (uint32_t) p[6] << 8 | p[7]);
                if (seq <= last || seq >= total) { printf("FAIL bulk reply %d after %d\n", seq, last); return 1; }
                uint64_t t = now_ns();
                rtt[replies++] = t - sent_at[seq];
                last = seq;
                if (t - last_progress > max_gap) max_gap = t - last_progress;
                last_progress = t;
                enet_packet_destroy(e.packet);
            }
            r = enet_host_check_events(h, &e);
        }
        if (now_ns() - last_progress > timeout) { printf("FAIL no progress for %d ms (%d/%d confirmed)\n", timeout_ms, last + 1, total); return 1; }
    }
    double seconds = (last_progress - start) / 1e9;
    qsort(rtt, (size_t) replies, sizeof *rtt, cmp_u64);
    printf("ok %d msgs %d bytes %.3f s %ld msg/s p50 %lu us p99 %lu us max-gap %lu ms MB/s %.3f\n", total, size, seconds, (long) (total / seconds),
           (unsigned long) (percentile(rtt, replies, 50) / 1000), (unsigned long) (percentile(rtt, replies, 99) / 1000),
           (unsigned long) (max_gap / 1000000), sent_bytes / seconds / 1e6);
    disconnect_all(h, s, 1);
    enet_host_destroy(h);
    return 0;
}

int main(int argc, char **argv) {
    if (enet_initialize()) return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "serve")) return serve(atoi(argv[2]));
    if (argc >= 8 && !strcmp(argv[1], "bench"))
        return bench(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), argv[6], atoi(argv[7]), argc >= 9 ? atoi(argv[8]) : 0,
                     argc >= 10 ? atoi(argv[9]) : 1, argc >= 11 ? atoi(argv[10]) : 1);
    if (argc >= 5 && !strcmp(argv[1], "idle")) return idle(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (argc >= 7 && !strcmp(argv[1], "stream"))
        return stream_bench(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]), atoi(argv[6]), argc >= 8 ? atoi(argv[7]) : 30000);
    if (argc >= 6 && !strcmp(argv[1], "bulk")) return bulk_bench(argv[2], atoi(argv[3]), atol(argv[4]), atoi(argv[5]), argc >= 7 ? atoi(argv[6]) : 30000);
    fprintf(stderr, "usage: enetbench serve PORT | bench HOST PORT COUNT SIZE MODE WINDOW [WARMUP [CLIENTS [SOCKETS]]] | idle HOST PORT N\n"
                    "       | stream HOST PORT RATE SECONDS SIZE [TIMEOUT_MS] | bulk HOST PORT BYTES SIZE [TIMEOUT_MS]\n");
    return 2;
}

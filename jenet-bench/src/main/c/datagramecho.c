/*
 * Raw UDP echo: the client and the two C servers of DatagramEchoHarness (issue 18), built by the
 * harness with gcc (no library). No ENet here: only datagrams, to measure what a socket path
 * costs per datagram.
 *
 *   datagramecho client HOST PORT SIZE WINDOW SECONDS WARMUP_SECONDS
 *       Sends SIZE-byte datagrams to HOST:PORT keeping WINDOW unanswered, for WARMUP_SECONDS and
 *       then SECONDS timed, with sendmmsg/recvmmsg (batches of up to 64). Every echo is checked
 *       against what was sent (length, sequence number, send time, payload). Prints one line:
 *       ok size S window W seconds T echoes N rate R p50 X p99 Y total A sent Z lost L late K bad B
 *       rate: echoes per second in the timed part; p50/p99: round trip in us (timed part);
 *       total: echoes in the whole run, warm-up included (the harness divides server CPU by it);
 *       lost: datagrams given up after 20 ms of silence (the window is then refilled);
 *       late: echoes of datagrams already given up; bad: echoes that did not match.
 *   datagramecho serve-plain PORT
 *       Echo server, one blocking recvfrom and one sendto per datagram.
 *   datagramecho serve-mmsg PORT BATCH
 *       Echo server, recvmmsg (MSG_WAITFORONE, up to BATCH) then one sendmmsg for the batch.
 *
 * Servers bind 0.0.0.0:PORT (0: any free port), print "listening on port N" and run until killed.
 * Socket buffers: 256 KiB each way on the servers, as jenet's UdpTransport and C ENet.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DATAGRAM 4096 /* ENet's largest MTU (ENET_PROTOCOL_MAXIMUM_MTU) */
#define MAX_BATCH 1024
#define CLIENT_BATCH 64
#define RING (1u << 20)
#define HIST_US 100000
#define SILENCE_NS 20000000LL
#define SERVER_BUFFER (256 * 1024)

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* Payload after the 16-byte header: a fixed pattern read from an offset that depends on the
 * sequence number, so that every datagram's payload differs and a copy is a memcpy. */
#define PERIOD 251
static uint8_t pattern[MAX_DATAGRAM + PERIOD];

static const uint8_t *payload(uint64_t seq) {
    return pattern + seq % PERIOD;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static int bind_server(int port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int b = SERVER_BUFFER;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof b);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof b);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons((uint16_t) port);
    if (bind(fd, (struct sockaddr *) &a, sizeof a) < 0) die("bind");
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *) &a, &len);
    printf("listening on port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

static _Noreturn void serve_plain(int port) {
    int fd = bind_server(port);
    static uint8_t buf[MAX_DATAGRAM];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &fromlen);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("recvfrom");
        }
        sendto(fd, buf, (size_t) n, 0, (struct sockaddr *) &from, fromlen);
    }
}

static _Noreturn void serve_mmsg(int port, int batch) {
    if (batch < 1 || batch > MAX_BATCH) batch = 64;
    int fd = bind_server(port);
    static uint8_t bufs[MAX_BATCH][MAX_DATAGRAM];
    static struct iovec iov[MAX_BATCH];
    static struct sockaddr_storage addr[MAX_BATCH];
    static struct mmsghdr msgs[MAX_BATCH];
    for (;;) {
        for (int i = 0; i < batch; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = MAX_DATAGRAM;
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &addr[i];
            msgs[i].msg_hdr.msg_namelen = sizeof addr[i];
            msgs[i].msg_hdr.msg_control = NULL;
            msgs[i].msg_hdr.msg_controllen = 0;
            msgs[i].msg_hdr.msg_flags = 0;
        }
        int n = recvmmsg(fd, msgs, (unsigned) batch, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("recvmmsg");
        }
        for (int i = 0; i < n; i++) {
            iov[i].iov_len = msgs[i].msg_len;
        }
        for (int sent = 0; sent < n;) {
            int k = sendmmsg(fd, msgs + sent, (unsigned) (n - sent), 0);
            if (k < 0) {
                if (errno == EINTR) continue;
                break; /* a full buffer drops the rest, as UDP would */
            }
            sent += k;
        }
    }
}

/* The client. */
static uint64_t sent_at[RING];
static uint64_t hist[HIST_US + 1];

static int client(const char *host, int port, int size, int window, double seconds, double warmup) {
    if (size < 16 || size > MAX_DATAGRAM) {
        fprintf(stderr, "size must be 16..%d\n", MAX_DATAGRAM);
        return 2;
    }
    if (window < 1 || window > (int) (RING / 4)) {
        fprintf(stderr, "bad window\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int b = 4 * 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof b);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof b);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) port);
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", host);
        return 2;
    }
    if (connect(fd, (struct sockaddr *) &a, sizeof a) < 0) die("connect");

    static uint8_t sbuf[CLIENT_BATCH][MAX_DATAGRAM];
    static uint8_t rbuf[CLIENT_BATCH][MAX_DATAGRAM];
    static struct iovec siov[CLIENT_BATCH], riov[CLIENT_BATCH];
    static struct mmsghdr smsg[CLIENT_BATCH], rmsg[CLIENT_BATCH];

    uint64_t next_seq = 0;      /* next sequence number to send */
    uint64_t valid_from = 0;    /* echoes of seq below this were given up (lost) */
    long inflight = 0;
    uint64_t echoes = 0, total = 0, lost = 0, late = 0, bad = 0, sent = 0;
    uint64_t start = now_ns();
    uint64_t timed_from = start + (uint64_t) (warmup * 1e9);
    uint64_t end = timed_from + (uint64_t) (seconds * 1e9);
    uint64_t last_echo = start;
    int timing = 0;

    for (int k = 0; k < MAX_DATAGRAM + PERIOD; k++) pattern[k] = (uint8_t) (k * 7 + 1);
    for (int i = 0; i < CLIENT_BATCH; i++) {
        siov[i].iov_base = sbuf[i];
        smsg[i].msg_hdr.msg_iov = &siov[i];
        smsg[i].msg_hdr.msg_iovlen = 1;
        riov[i].iov_base = rbuf[i];
        rmsg[i].msg_hdr.msg_iov = &riov[i];
        rmsg[i].msg_hdr.msg_iovlen = 1;
    }
    for (;;) {
        uint64_t t = now_ns();
        if (t >= end) break;
        if (!timing && t >= timed_from) {
            timing = 1;
            echoes = 0;
            memset(hist, 0, sizeof hist);
        }
        /* Fill the window. */
        while (inflight < window) {
            int k = (int) (window - inflight);
            if (k > CLIENT_BATCH) k = CLIENT_BATCH;
            uint64_t ts = now_ns();
            for (int i = 0; i < k; i++) {
                uint64_t seq = next_seq + (uint64_t) i;
                uint8_t *p = sbuf[i];
                memcpy(p, &seq, 8);
                memcpy(p + 8, &ts, 8);
                memcpy(p + 16, payload(seq), (size_t) (size - 16));
                sent_at[seq & (RING - 1)] = ts;
                siov[i].iov_len = (size_t) size;
            }
            int s = sendmmsg(fd, smsg, (unsigned) k, 0);
            if (s <= 0) {
                if (s < 0 && errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED && errno != EINTR) die("sendmmsg");
                break;
            }
            next_seq += (uint64_t) s;
            inflight += s;
            sent += (uint64_t) s;
        }
        /* Take the echoes that are there; wait only when there are none. */
        for (int i = 0; i < CLIENT_BATCH; i++) {
            riov[i].iov_len = MAX_DATAGRAM;
        }
        int n = recvmmsg(fd, rmsg, CLIENT_BATCH, MSG_DONTWAIT, NULL);
        if (n < 0 && errno != EAGAIN && errno != ECONNREFUSED && errno != EINTR) die("recvmmsg");
        if (n <= 0) {
            uint64_t left = end - now_ns();
            if (now_ns() >= end) break;
            int wait_ms = left > 20000000ull ? 20 : (int) (left / 1000000ull) + 1;
            struct pollfd pfd = {fd, POLLIN, 0};
            int pr = poll(&pfd, 1, wait_ms);
            if (pr < 0 && errno != EINTR) die("poll");
            if (pr == 0 && now_ns() - last_echo >= (uint64_t) SILENCE_NS && inflight > 0) {
                lost += (uint64_t) inflight;
                inflight = 0;
                valid_from = next_seq;
                last_echo = now_ns();
            }
            continue;
        }
        uint64_t rt = now_ns();
        last_echo = rt;
        for (int i = 0; i < n; i++) {
            uint8_t *p = rbuf[i];
            uint64_t seq, ts;
            if ((int) rmsg[i].msg_len != size) {
                bad++;
                continue;
            }
            memcpy(&seq, p, 8);
            memcpy(&ts, p + 8, 8);
            if (!(seq < next_seq && next_seq - seq < RING && sent_at[seq & (RING - 1)] == ts)
                    || memcmp(p + 16, payload(seq), (size_t) (size - 16)) != 0) {
                bad++;
                continue;
            }
            if (seq < valid_from) {
                late++;
                continue;
            }
            inflight--;
            total++;
            if (timing) {
                echoes++;
                uint64_t us = (rt - ts) / 1000u;
                hist[us > HIST_US ? HIST_US : us]++;
            }
        }
    }
    double p50 = -1, p99 = -1;
    uint64_t seen = 0;
    for (int us = 0; us <= HIST_US && echoes > 0; us++) {
        seen += hist[us];
        if (p50 < 0 && seen * 2 >= echoes) p50 = us;
        if (p99 < 0 && seen * 100 >= echoes * 99) p99 = us;
    }
    printf("ok size %d window %d seconds %.3f echoes %llu rate %.0f p50 %.0f p99 %.0f total %llu sent %llu lost %llu late %llu bad %llu\n",
           size, window, seconds, (unsigned long long) echoes, echoes / seconds, p50, p99, (unsigned long long) total,
           (unsigned long long) sent, (unsigned long long) lost, (unsigned long long) late, (unsigned long long) bad);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 8 && strcmp(argv[1], "client") == 0) {
        return client(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atof(argv[6]), atof(argv[7]));
    }
    if (argc >= 3 && strcmp(argv[1], "serve-plain") == 0) {
        serve_plain(atoi(argv[2]));
    }
    if (argc >= 4 && strcmp(argv[1], "serve-mmsg") == 0) {
        serve_mmsg(atoi(argv[2]), atoi(argv[3]));
    }
    fprintf(stderr,
            "usage: datagramecho client HOST PORT SIZE WINDOW SECONDS WARMUP_SECONDS\n"
            "       datagramecho serve-plain PORT\n"
            "       datagramecho serve-mmsg PORT BATCH\n");
    return 2;
}

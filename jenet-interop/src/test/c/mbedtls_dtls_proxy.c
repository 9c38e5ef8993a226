/*
 * mbedtls_dtls_proxy: Godot's ENet DTLS framing on mbedTLS (the DTLS stack Godot uses), as a UDP
 * proxy in front of or behind a plain C ENet host, for jenet's interop tests. It links Debian's
 * libmbedtls-dev and nothing of ours. Every ENet datagram crosses the DTLS side as exactly one
 * DTLS 1.2 application-data record, and every record as one plain datagram.
 *
 *   mbedtls_dtls_proxy server LISTEN_PORT ENET_IP ENET_PORT CERT_PEM KEY_PEM
 *       DTLS server on 127.0.0.1:LISTEN_PORT: one session per remote address and port, cookies
 *       (HelloVerifyRequest) before any state is kept, each session forwarding to the ENet host at
 *       ENET_IP:ENET_PORT from its own UDP socket (so the ENet host sees one peer per session).
 *   mbedtls_dtls_proxy client LISTEN_PORT SERVER_IP SERVER_PORT SERVER_NAME CA_PEM|none
 *       plain UDP on 127.0.0.1:LISTEN_PORT from one local ENet client, carried by one DTLS client
 *       session to SERVER_IP:SERVER_PORT. The session starts with the client's first datagram
 *       (datagrams sent during the handshake are dropped; ENet resends its CONNECT). With CA_PEM the
 *       server's chain must be trusted and carry SERVER_NAME; "none" verifies nothing (SERVER_NAME
 *       is still sent as SNI). DROP_SERVER_HELLOS (a test hook, default 0) discards that many
 *       datagrams carrying the server's ServerHello, so that the server must retransmit its flight.
 *
 * LISTEN_PORT 0 picks a free port. Handshake flights are retransmitted on mbedTLS's doubling timer
 * (1 s to 60 s), driven by a monotonic-clock timer of our own and poll().
 *
 * Lines on stdout (ADDR = ip:port of the remote DTLS peer; the client prints the server's):
 *   ready PORT
 *   hello-verify ADDR                      (server: a cookie-less ClientHello was answered;
 *                                           client: the server sent a HelloVerifyRequest)
 *   handshake ok ADDR VERSION CIPHERSUITE
 *   handshake fail ADDR REASON             (REASON names the mbedTLS error, the certificate
 *                                           verification result, or the alert received)
 *   reconnect ADDR                         (server: a new handshake from an address with a session)
 *   dropped-server-hello                   (client: DROP_SERVER_HELLOS discarded one)
 *   closed ADDR REASON                     (a session ended after its handshake)
 *   stats sessions N established E hello-verify H records-in I records-out O
 *         multi-record-datagrams M dropped D     (answer to the "stats" command)
 * Commands on stdin: "stats", "quit" (or end of input): established sessions are closed with a
 * close_notify, then the program exits.
 * MBEDTLS_PROXY_DEBUG=N in the environment prints mbedTLS's debug log at level N on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/debug.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cookie.h>
#include <mbedtls/x509_crt.h>

#define MAX_SESSIONS 64
#define DATAGRAM_MAX 65536
/* A session that has not completed its handshake after this long is dropped (server side). */
#define HANDSHAKE_LIMIT_MS 60000

/* mbedTLS's timer contract: set(int, fin) arms (fin 0 cancels); get() says -1 cancelled, 0 running,
   1 intermediate delay passed, 2 final delay passed. */
typedef struct {
    int64_t start;
    uint32_t int_ms;
    uint32_t fin_ms;
} dtls_timer;

typedef struct {
    int in_use;
    struct sockaddr_in addr;
    char name[32];
    mbedtls_ssl_context ssl;
    dtls_timer timer;
    int established;
    int backend;                /* server: socket towards the ENet host, -1 before the handshake */
    int64_t created;
    const unsigned char *pending; /* the datagram being fed to mbedTLS, or NULL */
    size_t pending_len;
} session;

static int server_mode;
static int listen_fd = -1;      /* server: DTLS socket; client: plain socket from the ENet client */
static int dtls_fd = -1;        /* client: DTLS socket towards the server */
static struct sockaddr_in enet_addr;   /* server: the ENet host; client: the ENet client (once seen) */
static int enet_client_known;
static session sessions[MAX_SESSIONS]; /* the client uses sessions[0] only */
static int client_started, client_failed;
static int drop_server_hellos;  /* client: datagrams carrying a ServerHello still to be discarded */
static const char *server_name;  /* client: the name verified and sent as SNI */

static mbedtls_ssl_config conf;
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_ssl_cookie_ctx cookies;
static mbedtls_x509_crt own_chain, ca_chain;
static mbedtls_pk_context own_key;

static unsigned long long hello_verifies, records_in, records_out, multi_record_datagrams, dropped;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void timer_set(void *p, uint32_t int_ms, uint32_t fin_ms) {
    dtls_timer *t = p;
    t->start = now_ms();
    t->int_ms = int_ms;
    t->fin_ms = fin_ms;
}

static int timer_get(void *p) {
    dtls_timer *t = p;
    if (t->fin_ms == 0) return -1;
    int64_t elapsed = now_ms() - t->start;
    if (elapsed >= t->fin_ms) return 2;
    if (elapsed >= t->int_ms) return 1;
    return 0;
}

static int64_t timer_due(const dtls_timer *t) {
    return t->fin_ms == 0 ? INT64_MAX : t->start + t->fin_ms;
}

static void debug_line(void *ctx, int level, const char *file, int line, const char *msg) {
    (void) ctx;
    fprintf(stderr, "mbedtls %d %s:%d: %s", level, file, line, msg);
}

/* The error's text without line breaks, e.g. "X509 - Certificate verification failed ...". */
static void describe(int err, char *buf, size_t size) {
    char text[200];
    mbedtls_strerror(err, text, sizeof text);
    snprintf(buf, size, "-0x%04x %s", (unsigned) -err, text);
}

static void one_line(char *s) {
    for (; *s; s++) if (*s == '\n' || *s == '\r') *s = ' ';
}

static void fail_reason(session *s, int err, char *buf, size_t size) {
    describe(err, buf, size);
    size_t used = strlen(buf);
    if (err == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && s->ssl.in_msg != NULL && used < size) {
        snprintf(buf + used, size - used, " (alert %d)", s->ssl.in_msg[1]);
        used = strlen(buf);
    }
    /* The verification result, unless none was made (a server that asks for no certificate). */
    uint32_t flags = mbedtls_ssl_get_verify_result(&s->ssl);
    if (flags != (uint32_t) -1) flags &= ~(uint32_t) MBEDTLS_X509_BADCERT_SKIP_VERIFY;
    if (flags != 0 && flags != (uint32_t) -1 && used + 10 < size) {
        snprintf(buf + used, size - used, "; verify:");
        used = strlen(buf);
        mbedtls_x509_crt_verify_info(buf + used, size - used, " ", flags);
    }
    one_line(buf);
    /* Trim the trailing blank that verify_info's last line break left. */
    for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--) buf[n - 1] = 0;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len) {
    session *s = ctx;
    ssize_t n = server_mode
        ? sendto(listen_fd, buf, len, 0, (struct sockaddr *) &s->addr, sizeof s->addr)
        : send(dtls_fd, buf, len, 0);
    /* UDP: a datagram the kernel refuses is a lost datagram, which DTLS copes with. */
    (void) n;
    return (int) len;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len) {
    session *s = ctx;
    if (s->pending == NULL) return MBEDTLS_ERR_SSL_WANT_READ;
    size_t n = s->pending_len < len ? s->pending_len : len;
    memcpy(buf, s->pending, n);
    s->pending = NULL;
    s->pending_len = 0;
    return (int) n;
}

/* Godot's framing check: a datagram carrying application data must be exactly one record. */
static void count_records(const unsigned char *d, size_t len) {
    size_t off = 0;
    int records = 0, application = 0;
    while (off + 13 <= len) {
        if (d[off] == 23) application++;
        off += 13 + ((size_t) d[off + 11] << 8 | d[off + 12]);
        records++;
    }
    if (application > 0 && records > 1) multi_record_datagrams++;
}

static void close_session(session *s, int notify) {
    if (notify && s->established) mbedtls_ssl_close_notify(&s->ssl);
    if (s->backend >= 0) close(s->backend);
    mbedtls_ssl_free(&s->ssl);
    memset(s, 0, sizeof *s);
    s->backend = -1;
}

static int udp_socket(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static int open_backend(void) {
    int fd = udp_socket();
    struct sockaddr_in any = {0};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *) &any, sizeof any) != 0
        || connect(fd, (struct sockaddr *) &enet_addr, sizeof enet_addr) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static int setup_session(session *s) {
    mbedtls_ssl_init(&s->ssl);
    int ret = mbedtls_ssl_setup(&s->ssl, &conf);
    if (ret != 0) return ret;
    mbedtls_ssl_set_bio(&s->ssl, s, bio_send, bio_recv, NULL);
    mbedtls_ssl_set_timer_cb(&s->ssl, &s->timer, timer_set, timer_get);
    if (server_mode) {
        /* The cookie binds the client's address and port. */
        unsigned char id[6];
        memcpy(id, &s->addr.sin_addr.s_addr, 4);
        memcpy(id + 4, &s->addr.sin_port, 2);
        return mbedtls_ssl_set_client_transport_id(&s->ssl, id, sizeof id);
    }
    return mbedtls_ssl_set_hostname(&s->ssl, server_name);
}

/* The plain datagram side: a decrypted record goes out as one datagram. */
static void deliver(session *s, const unsigned char *data, size_t len) {
    records_in++;
    if (server_mode) {
        if (s->backend >= 0) send(s->backend, data, len, 0);
    } else if (enet_client_known) {
        sendto(listen_fd, data, len, 0, (struct sockaddr *) &enet_addr, sizeof enet_addr);
    }
}

/* Runs a session as far as it goes with the datagram in s->pending (if any) and its timer. */
static void run(session *s) {
    static unsigned char plain[DATAGRAM_MAX];
    char reason[512];
    while (!s->established) {
        int ret = mbedtls_ssl_handshake(&s->ssl);
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            s->pending = NULL;
            return;
        }
        if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED) {
            /* Stateless until the client proves its address: nothing is kept. */
            hello_verifies++;
            out("hello-verify %s", s->name);
            close_session(s, 0);
            return;
        }
        if (ret != 0) {
            fail_reason(s, ret, reason, sizeof reason);
            out("handshake fail %s %s", s->name, reason);
            if (server_mode) close_session(s, 0); else client_failed = 1;
            return;
        }
        s->established = 1;
        if (server_mode) {
            s->backend = open_backend();
            if (s->backend < 0) {
                out("handshake fail %s cannot open a socket to the ENet host", s->name);
                close_session(s, 1);
                return;
            }
        }
        out("handshake ok %s %s %s", s->name, mbedtls_ssl_get_version(&s->ssl), mbedtls_ssl_get_ciphersuite(&s->ssl));
    }
    for (;;) {
        int n = mbedtls_ssl_read(&s->ssl, plain, sizeof plain);
        if (n > 0) {
            deliver(s, plain, (size_t) n);
            continue;
        }
        if (n == 0 || n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE) break;
        if (n == MBEDTLS_ERR_SSL_CLIENT_RECONNECT) {
            /* The same address and port started over (a restarted game): a new connection, with
               a new socket towards the ENet host; mbedTLS has reset the context. */
            out("reconnect %s", s->name);
            if (s->backend >= 0) close(s->backend);
            s->backend = -1;
            s->established = 0;
            run(s);
            return;
        }
        if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            out("closed %s close_notify", s->name);
        } else {
            fail_reason(s, n, reason, sizeof reason);
            out("closed %s %s", s->name, reason);
        }
        if (server_mode) close_session(s, 0); else { client_failed = 1; s->established = 0; }
        break;
    }
    s->pending = NULL;
}

static session *find_or_create(const struct sockaddr_in *from) {
    session *free_slot = NULL;
    for (int i = 0; i < MAX_SESSIONS; i++) {
        session *s = &sessions[i];
        if (s->in_use && s->addr.sin_addr.s_addr == from->sin_addr.s_addr && s->addr.sin_port == from->sin_port) return s;
        if (!s->in_use && free_slot == NULL) free_slot = s;
    }
    if (free_slot == NULL) return NULL;
    session *s = free_slot;
    memset(s, 0, sizeof *s);
    s->in_use = 1;
    s->backend = -1;
    s->addr = *from;
    s->created = now_ms();
    snprintf(s->name, sizeof s->name, "%s:%u", inet_ntoa(from->sin_addr), ntohs(from->sin_port));
    int ret = setup_session(s);
    if (ret != 0) {
        char reason[256];
        describe(ret, reason, sizeof reason);
        out("handshake fail %s setup %s", s->name, reason);
        close_session(s, 0);
        return NULL;
    }
    return s;
}

static void feed(session *s, const unsigned char *d, size_t len) {
    if (s->established) count_records(d, len);
    s->pending = d;
    s->pending_len = len;
    run(s);
}

static void on_dtls_datagrams(void) {
    static unsigned char buf[DATAGRAM_MAX];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = server_mode ? recvfrom(listen_fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &fl)
                                : recv(dtls_fd, buf, sizeof buf, 0);
        if (n < 0) return;
        if (server_mode) {
            session *s = find_or_create(&from);
            if (s == NULL) { dropped++; continue; }
            feed(s, buf, (size_t) n);
        } else if (client_started && !client_failed) {
            /* Test hook: lose the server's first flights, so that it must retransmit them. */
            if (drop_server_hellos > 0 && n > 13 && buf[0] == 22 && buf[3] == 0 && buf[4] == 0 && buf[13] == 2) {
                drop_server_hellos--;
                dropped++;
                out("dropped-server-hello");
                continue;
            }
            if (n > 13 && buf[0] == 22 && buf[3] == 0 && buf[4] == 0 && buf[13] == 3) {
                hello_verifies++;
                out("hello-verify %s", sessions[0].name);
            }
            feed(&sessions[0], buf, (size_t) n);
        } else {
            dropped++;
        }
    }
}

/* One plain datagram becomes one record (mbedTLS writes each record as its own datagram). */
static void send_record(session *s, const unsigned char *d, size_t len) {
    int ret = mbedtls_ssl_write(&s->ssl, d, len);
    if (ret == (int) len) {
        records_out++;
    } else {
        char reason[256];
        describe(ret, reason, sizeof reason);
        out("error write %s %zu %s", s->name, len, reason);
        dropped++;
    }
}

static void on_plain_datagrams(void) {
    static unsigned char buf[DATAGRAM_MAX];
    for (;;) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(listen_fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &fl);
        if (n < 0) return;
        enet_addr = from;
        enet_client_known = 1;
        session *s = &sessions[0];
        if (client_failed) { dropped++; continue; }
        if (!client_started) {
            client_started = 1;
            int ret = setup_session(s);
            if (ret != 0) {
                char reason[256];
                describe(ret, reason, sizeof reason);
                out("handshake fail %s setup %s", s->name, reason);
                client_failed = 1;
                continue;
            }
            run(s);
            dropped++;
            continue;
        }
        if (!s->established) { dropped++; continue; }
        send_record(s, buf, (size_t) n);
    }
}

static void on_backend(session *s) {
    static unsigned char buf[DATAGRAM_MAX];
    for (;;) {
        ssize_t n = recv(s->backend, buf, sizeof buf, 0);
        if (n < 0) return;
        send_record(s, buf, (size_t) n);
    }
}

static void quit(void) {
    for (int i = 0; i < MAX_SESSIONS; i++) {
        if (sessions[i].in_use || (!server_mode && i == 0 && client_started)) close_session(&sessions[i], 1);
    }
    out("bye");
    exit(0);
}

static void command(const char *line) {
    if (!strcmp(line, "quit")) {
        quit();
    } else if (!strcmp(line, "stats")) {
        int n = 0, e = 0;
        for (int i = 0; i < MAX_SESSIONS; i++) {
            if (sessions[i].in_use || (!server_mode && i == 0 && client_started && !client_failed)) {
                n++;
                if (sessions[i].established) e++;
            }
        }
        out("stats sessions %d established %d hello-verify %llu records-in %llu records-out %llu multi-record-datagrams %llu dropped %llu",
            n, e, hello_verifies, records_in, records_out, multi_record_datagrams, dropped);
    } else if (line[0] != 0) {
        out("error unknown command: %s", line);
    }
}

static int setup_config(const char *cert, const char *key, const char *ca) {
    char reason[256];
    int ret;
    mbedtls_ssl_config_init(&conf);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_cookie_init(&cookies);
    mbedtls_x509_crt_init(&own_chain);
    mbedtls_x509_crt_init(&ca_chain);
    mbedtls_pk_init(&own_key);
    const char *personal = "jenet mbedtls_dtls_proxy";
    if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *) personal, strlen(personal))) != 0
        || (ret = mbedtls_ssl_config_defaults(&conf, server_mode ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                              MBEDTLS_SSL_TRANSPORT_DATAGRAM, MBEDTLS_SSL_PRESET_DEFAULT)) != 0) {
        describe(ret, reason, sizeof reason);
        out("error config %s", reason);
        return -1;
    }
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    const char *debug = getenv("MBEDTLS_PROXY_DEBUG");
    if (debug != NULL) {
        mbedtls_debug_set_threshold(atoi(debug));
        mbedtls_ssl_conf_dbg(&conf, debug_line, NULL);
    }
    if (server_mode) {
        if ((ret = mbedtls_x509_crt_parse_file(&own_chain, cert)) != 0) {
            describe(ret, reason, sizeof reason);
            out("error certificate %s %s", cert, reason);
            return -1;
        }
        if ((ret = mbedtls_pk_parse_keyfile(&own_key, key, NULL)) != 0) {
            describe(ret, reason, sizeof reason);
            out("error key %s %s", key, reason);
            return -1;
        }
        if ((ret = mbedtls_ssl_conf_own_cert(&conf, &own_chain, &own_key)) != 0
            || (ret = mbedtls_ssl_cookie_setup(&cookies, mbedtls_ctr_drbg_random, &drbg)) != 0) {
            describe(ret, reason, sizeof reason);
            out("error config %s", reason);
            return -1;
        }
        mbedtls_ssl_conf_dtls_cookies(&conf, mbedtls_ssl_cookie_write, mbedtls_ssl_cookie_check, &cookies);
    } else if (strcmp(ca, "none") == 0) {
        mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
    } else {
        if ((ret = mbedtls_x509_crt_parse_file(&ca_chain, ca)) != 0) {
            describe(ret, reason, sizeof reason);
            out("error ca %s %s", ca, reason);
            return -1;
        }
        mbedtls_ssl_conf_ca_chain(&conf, &ca_chain, NULL);
        mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    }
    return 0;
}

static int parse_addr(struct sockaddr_in *a, const char *ip, const char *port) {
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t) atoi(port));
    return inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

static int bind_loopback(int fd, int port) {
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t) port);
    if (bind(fd, (struct sockaddr *) &a, sizeof a) != 0) return -1;
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *) &a, &l);
    return ntohs(a.sin_port);
}

int main(int argc, char **argv) {
    if ((argc != 7 && argc != 8) || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)) {
        fprintf(stderr, "usage: %s server LISTEN_PORT ENET_IP ENET_PORT CERT_PEM KEY_PEM\n"
                        "       %s client LISTEN_PORT SERVER_IP SERVER_PORT SERVER_NAME CA_PEM|none [DROP_SERVER_HELLOS]\n",
                argv[0], argv[0]);
        return 2;
    }
    if (argc == 8) drop_server_hellos = atoi(argv[7]);
    server_mode = strcmp(argv[1], "server") == 0;
    for (int i = 0; i < MAX_SESSIONS; i++) sessions[i].backend = -1;
    struct sockaddr_in remote;
    if (parse_addr(&remote, argv[3], argv[4]) != 0) { out("error address %s", argv[3]); return 1; }
    if (setup_config(argv[5], argv[6], argv[6]) != 0) return 1;
    listen_fd = udp_socket();
    int port = listen_fd < 0 ? -1 : bind_loopback(listen_fd, atoi(argv[2]));
    if (port < 0) { out("error bind %s", strerror(errno)); return 1; }
    if (server_mode) {
        enet_addr = remote;
    } else {
        dtls_fd = udp_socket();
        if (dtls_fd < 0 || bind_loopback(dtls_fd, 0) < 0 || connect(dtls_fd, (struct sockaddr *) &remote, sizeof remote) != 0) {
            out("error dtls socket %s", strerror(errno));
            return 1;
        }
        session *s = &sessions[0];
        s->addr = remote;
        snprintf(s->name, sizeof s->name, "%s:%s", argv[3], argv[4]);
        server_name = argv[5];
    }
    out("ready %d", port);

    static char line[4096];
    size_t used = 0;
    for (;;) {
        struct pollfd fds[2 + MAX_SESSIONS];
        session *of[2 + MAX_SESSIONS];
        int nfds = 0;
        fds[nfds].fd = 0; fds[nfds].events = POLLIN; of[nfds++] = NULL;
        fds[nfds].fd = listen_fd; fds[nfds].events = POLLIN; of[nfds++] = NULL;
        if (!server_mode) { fds[nfds].fd = dtls_fd; fds[nfds].events = POLLIN; of[nfds++] = NULL; }
        int64_t due = now_ms() + 100;
        for (int i = 0; i < MAX_SESSIONS; i++) {
            session *s = &sessions[i];
            int live = server_mode ? s->in_use : (i == 0 && client_started && !client_failed);
            if (!live) continue;
            if (!s->established && timer_due(&s->timer) < due) due = timer_due(&s->timer);
            if (s->backend >= 0) { fds[nfds].fd = s->backend; fds[nfds].events = POLLIN; of[nfds++] = s; }
        }
        int64_t wait = due - now_ms();
        poll(fds, (nfds_t) nfds, wait < 0 ? 0 : (int) wait);
        for (int i = 0; i < nfds; i++) {
            if (!(fds[i].revents & (POLLIN | POLLERR | POLLHUP))) continue;
            if (fds[i].fd == 0) {
                ssize_t n = read(0, line + used, sizeof line - used - 1);
                if (n <= 0) quit();
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
            } else if (fds[i].fd == listen_fd) {
                if (server_mode) on_dtls_datagrams(); else on_plain_datagrams();
            } else if (fds[i].fd == dtls_fd) {
                on_dtls_datagrams();
            } else if (of[i] != NULL && of[i]->in_use && of[i]->backend == fds[i].fd) {
                on_backend(of[i]);
            }
        }
        /* Timers: handshake flights due for retransmission, handshakes that never finish. */
        int64_t t = now_ms();
        for (int i = 0; i < MAX_SESSIONS; i++) {
            session *s = &sessions[i];
            int live = server_mode ? s->in_use : (i == 0 && client_started && !client_failed);
            if (!live || s->established) continue;
            if (timer_get(&s->timer) == 2) run(s);
            if (server_mode && s->in_use && !s->established && t - s->created > HANDSHAKE_LIMIT_MS) {
                out("handshake fail %s no handshake within %d ms", s->name, HANDSHAKE_LIMIT_MS);
                close_session(s, 0);
            }
        }
    }
}

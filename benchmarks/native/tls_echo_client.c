/*
 * The TLS echo load, the same for every server: CONNS TLS 1.3 connections (OpenSSL) to
 * 127.0.0.1:PORT, each sending a SIZE-byte message and waiting until all of it came back before
 * sending the next (ping-pong), as echo_client.c does over plain TCP. Every connection offers TLS 1.3
 * only and the one cipher suite TLS_AES_128_GCM_SHA256, so every server does the same cryptography;
 * the servers' self-signed certificate is not checked (what is measured is the record layer, and the
 * handshakes happen before the clock starts). Runs WARMUP seconds unmeasured, then DURATION seconds
 * measured; prints RESULT lines (round trips per second over all connections, p50/p99 round-trip time
 * in microseconds). Single-threaded, epoll, non-blocking.
 *
 * Build: gcc -O2 -o tls_echo_client tls_echo_client.c -lssl -lcrypto
 * Run:   tls_echo_client PORT CONNS SIZE WARMUP_S DURATION_S VARIANT [SERVER_PID]
 *        (with SERVER_PID, the server's CPU time per round trip in the measured window too; the client's own always)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "round_trips.h"

struct conn {
    int fd;
    SSL *ssl;
    size_t sent;      /* bytes of the current message written */
    size_t received;  /* bytes of the current message echoed back */
    long long started;
    unsigned events;  /* what epoll waits for on this connection */
};

static char *message, *sink;
static size_t size;
static long long measure_from, end;

static void fail(const char *what) {
    fprintf(stderr, "%s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

/*
 * Moves one connection as far as it can: writes what is left of the current message, reads the echo,
 * starts the next message when the whole echo came back. Returns the epoll events it must wait for.
 */
static unsigned drive(struct conn *c) {
    for (;;) {
        int n, err;
        if (c->sent < size) {
            n = SSL_write(c->ssl, message + c->sent, (int) (size - c->sent));
            if (n > 0) {
                c->sent += (size_t) n;
                continue;
            }
            err = SSL_get_error(c->ssl, n);
            if (err == SSL_ERROR_WANT_WRITE) return EPOLLIN | EPOLLOUT;
            if (err == SSL_ERROR_WANT_READ) return EPOLLIN;
            fail("SSL_write failed");
        }
        n = SSL_read(c->ssl, sink, (int) (size - c->received));
        if (n > 0) {
            c->received += (size_t) n;
            if (c->received < size) continue;
            long long done = now_ns();
            round_trip(c->started, done, measure_from, end);
            c->received = 0;
            c->sent = 0;
            c->started = done;
            continue;
        }
        err = SSL_get_error(c->ssl, n);
        if (err == SSL_ERROR_WANT_READ) return EPOLLIN;
        if (err == SSL_ERROR_WANT_WRITE) return EPOLLIN | EPOLLOUT;
        if (err == SSL_ERROR_ZERO_RETURN) fail("the server closed a connection");
        fail("SSL_read failed");
    }
}

int main(int argc, char **argv) {
    struct load load = parse_load(argc, argv);
    int port = load.port, nconns = load.conns;
    size = load.size;
    message = load.message;
    double warmup = load.warmup, duration = load.duration;
    const char *variant = load.variant;
    sink = malloc(size);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL
            || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)
            || !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION)
            || !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256")) {
        fail("cannot make a TLS 1.3 client context");
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    struct conn *conns = calloc(nconns, sizeof(struct conn));
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < nconns; i++) {
        int fd = connect_tcp(port);
        SSL *ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        SSL_set_tlsext_host_name(ssl, "localhost");
        if (SSL_connect(ssl) != 1) fail("TLS handshake failed"); /* blocking: before the clock starts */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        conns[i].fd = fd;
        conns[i].ssl = ssl;
        conns[i].events = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned) i};
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    }
    long long start = now_ns();
    measure_from = start + (long long) (warmup * 1e9);
    end = measure_from + (long long) (duration * 1e9);
    for (int i = 0; i < nconns; i++) {
        conns[i].started = now_ns();
        unsigned want = drive(&conns[i]);
        if (want != conns[i].events) {
            struct epoll_event ev = {.events = want, .data.u32 = (unsigned) i};
            epoll_ctl(epfd, EPOLL_CTL_MOD, conns[i].fd, &ev);
            conns[i].events = want;
        }
    }
    struct epoll_event events[64];
    long long now = start;
    while (now < end) {
        int ready = epoll_wait(epfd, events, 64, 100);
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (int e = 0; e < ready; e++) {
            unsigned i = events[e].data.u32;
            unsigned want = drive(&conns[i]);
            if (want != conns[i].events) {
                struct epoll_event ev = {.events = want, .data.u32 = i};
                epoll_ctl(epfd, EPOLL_CTL_MOD, conns[i].fd, &ev);
                conns[i].events = want;
            }
        }
        now = now_ns();
        cpu_window_turn(now, measure_from);
    }
    cpu_window_end();
    for (int i = 0; i < nconns; i++) {
        SSL_free(conns[i].ssl);
        close(conns[i].fd);
    }
    SSL_CTX_free(ctx);
    print_round_trips("tls", variant, duration);
    return 0;
}

/*
 * The UDP echo load, the same for every server: CLIENTS UDP sockets connected to 127.0.0.1:PORT,
 * each with one SIZE-byte datagram in flight: when its echo comes back it sends the next
 * (request/response). A datagram whose echo has not come back after TIMEOUT_MS is counted lost and
 * the client sends a new one; each datagram carries a sequence number, so a late echo of a lost one
 * is recognised and ignored. Runs WARMUP seconds unmeasured, then DURATION seconds measured; prints
 * RESULT lines: echoes per second over all clients, p50/p99 round-trip time in microseconds, and the
 * datagrams lost (count and percent of those sent) in the measured time. Single-threaded, epoll.
 *
 * Build: gcc -O2 -o udp_echo_client udp_echo_client.c
 * Run:   udp_echo_client PORT CLIENTS SIZE WARMUP_S DURATION_S VARIANT [SERVER_PID]
 *        (with SERVER_PID, the server's CPU time per round trip in the measured window too; the client's own always)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "round_trips.h"

#define TIMEOUT_MS 200

struct client {
    int fd;
    uint64_t seq;      /* the sequence number of the datagram in flight */
    long long started;
};

static char *message;
static size_t size;
static uint64_t next_seq = 1;

static void send_next(struct client *c, long long now) {
    c->seq = next_seq++;
    memcpy(message, &c->seq, sizeof c->seq);
    c->started = now;
    while (send(c->fd, message, size, 0) < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == ECONNREFUSED) return; /* counted lost at its timeout */
        perror("send");
        exit(1);
    }
}

int main(int argc, char **argv) {
    struct load load = parse_load(argc, argv); /* CONNS: the clients */
    int port = load.port, nclients = load.conns;
    size = load.size;
    message = load.message;
    double warmup = load.warmup, duration = load.duration;
    const char *variant = load.variant;
    if (size < sizeof(uint64_t)) {
        fprintf(stderr, "SIZE must hold the 8-byte sequence number\n");
        return 2;
    }
    char *sink = malloc(size + 1);
    struct client *clients = calloc(nclients, sizeof(struct client));
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    struct sockaddr_in addr = loopback(port);
    for (int i = 0; i < nclients; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
            perror("connect");
            return 1;
        }
        clients[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned) i};
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    }
    long long start = now_ns();
    long long measure_from = start + (long long) (warmup * 1e9);
    long long end = measure_from + (long long) (duration * 1e9);
    for (int i = 0; i < nclients; i++) send_next(&clients[i], now_ns());
    unsigned long lost = 0, late = 0;
    struct epoll_event events[64];
    long long now = start, last_scan = start;
    while (now < end) {
        int ready = epoll_wait(epfd, events, 64, 10);
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("epoll_wait");
            return 1;
        }
        for (int e = 0; e < ready; e++) {
            struct client *c = &clients[events[e].data.u32];
            for (;;) {
                ssize_t n = recv(c->fd, sink, size + 1, 0);
                if (n < 0) {
                    if (errno == EAGAIN) break;
                    if (errno == EINTR || errno == ECONNREFUSED) continue;
                    perror("recv");
                    return 1;
                }
                uint64_t seq;
                memcpy(&seq, sink, sizeof seq);
                if ((size_t) n != size || seq != c->seq) {
                    late++; /* the echo of a datagram already counted lost */
                    continue;
                }
                long long done = now_ns();
                round_trip(c->started, done, measure_from, end);
                send_next(c, done);
            }
        }
        now = now_ns();
        cpu_window_turn(now, measure_from);
        if (now - last_scan >= 10000000LL) {
            last_scan = now;
            for (int i = 0; i < nclients; i++) {
                if (now - clients[i].started >= TIMEOUT_MS * 1000000LL) {
                    if (now >= measure_from) lost++;
                    send_next(&clients[i], now);
                }
            }
        }
    }
    cpu_window_end();
    for (int i = 0; i < nclients; i++) close(clients[i].fd);
    print_round_trips("udp", variant, duration);
    printf("RESULT\tudp\t%s\tlost\t%lu\n", variant, lost);
    printf("RESULT\tudp\t%s\tlost_pct\t%.6g\n", variant, measured + lost == 0 ? 0.0 : 100.0 * lost / (measured + lost));
    printf("RESULT\tudp\t%s\tlate\t%lu\n", variant, late);
    return 0;
}

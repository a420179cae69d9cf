/*
 * The TCP echo load, the same for every server: CONNS connections to 127.0.0.1:PORT, each sending
 * a SIZE-byte message and waiting until all of it came back before sending the next (ping-pong).
 * Runs WARMUP seconds unmeasured, then DURATION seconds measured; prints RESULT lines
 * (round trips per second over all connections, and the p50/p99 round-trip time in microseconds)
 * for the workload and variant named on the command line. Single-threaded, epoll, non-blocking.
 *
 * Build: gcc -O2 -o echo_client echo_client.c
 * Run:   echo_client PORT CONNS SIZE WARMUP_S DURATION_S VARIANT [SERVER_PID]
 *        (with SERVER_PID, the server's CPU time per round trip in the measured window too; the client's own always)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
    size_t sent;      /* bytes of the current message written */
    size_t received;  /* bytes of the current message echoed back */
    long long started;
};

static char *message;
static size_t size;

/* Writes what is left of the current message; 0 when done, 1 when the socket is full, -1 on error. */
static int push(struct conn *c) {
    while (c->sent < size) {
        ssize_t n = write(c->fd, message + c->sent, size - c->sent);
        if (n < 0) {
            if (errno == EAGAIN) return 1;
            if (errno == EINTR) continue;
            return -1;
        }
        c->sent += (size_t) n;
    }
    return 0;
}

int main(int argc, char **argv) {
    struct load load = parse_load(argc, argv);
    int port = load.port, nconns = load.conns;
    size = load.size;
    message = load.message;
    double warmup = load.warmup, duration = load.duration;
    const char *variant = load.variant;
    char *sink = malloc(size);
    struct conn *conns = calloc(nconns, sizeof(struct conn));
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < nconns; i++) {
        int fd = connect_tcp(port);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        conns[i].fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned) i};
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    }
    long long start = now_ns();
    long long measure_from = start + (long long) (warmup * 1e9);
    long long end = measure_from + (long long) (duration * 1e9);
    for (int i = 0; i < nconns; i++) {
        conns[i].started = now_ns();
        if (push(&conns[i]) < 0) { perror("write"); return 1; }
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
        now = now_ns();
        cpu_window_turn(now, measure_from);
        for (int e = 0; e < ready; e++) {
            struct conn *c = &conns[events[e].data.u32];
            if (events[e].events & EPOLLOUT) {
                int rc = push(c);
                if (rc < 0) { perror("write"); return 1; }
                if (rc == 0) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[e].data.u32};
                    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            for (;;) {
                ssize_t n = read(c->fd, sink, size - c->received);
                if (n < 0) {
                    if (errno == EAGAIN) break;
                    if (errno == EINTR) continue;
                    perror("read");
                    return 1;
                }
                if (n == 0) {
                    fprintf(stderr, "the server closed a connection\n");
                    return 1;
                }
                c->received += (size_t) n;
                if (c->received < size) continue;
                long long done = now_ns();
                round_trip(c->started, done, measure_from, end);
                c->received = 0;
                c->sent = 0;
                c->started = done;
                int rc = push(c);
                if (rc < 0) { perror("write"); return 1; }
                if (rc == 1) {
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = events[e].data.u32};
                    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
                }
                break; /* one message in flight: nothing more to read until the server echoes again */
            }
        }
    }
    cpu_window_end();
    for (int i = 0; i < nconns; i++) close(conns[i].fd);
    print_round_trips("echo", variant, duration);
    return 0;
}

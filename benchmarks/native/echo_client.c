/*
 * The TCP echo load, the same for every server: CONNS connections to 127.0.0.1:PORT, each sending
 * a SIZE-byte message and waiting until all of it came back before sending the next (ping-pong).
 * Runs WARMUP seconds unmeasured, then DURATION seconds measured; prints RESULT lines
 * (round trips per second over all connections, and the p50/p99 round-trip time in microseconds)
 * for the workload and variant named on the command line. Single-threaded, epoll, non-blocking.
 *
 * Build: gcc -O2 -o echo_client echo_client.c
 * Run:   echo_client PORT CONNS SIZE WARMUP_S DURATION_S VARIANT
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

#define BUCKETS 100000 /* round-trip histogram: 1 us buckets up to 100 ms, the last one catches the rest */

struct conn {
    int fd;
    size_t sent;      /* bytes of the current message written */
    size_t received;  /* bytes of the current message echoed back */
    long long started;
};

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

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
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT CONNS SIZE WARMUP_S DURATION_S VARIANT\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), nconns = atoi(argv[2]);
    size = (size_t) atoi(argv[3]);
    double warmup = atof(argv[4]), duration = atof(argv[5]);
    const char *variant = argv[6];
    message = malloc(size);
    char *sink = malloc(size);
    for (size_t i = 0; i < size; i++) message[i] = (char) ('a' + i % 26);
    static unsigned long histogram[BUCKETS];
    struct conn *conns = calloc(nconns, sizeof(struct conn));
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    for (int i = 0; i < nconns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
            perror("connect");
            return 1;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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
    unsigned long measured = 0;
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
                if (done >= measure_from && done < end) {
                    long long us = (done - c->started) / 1000;
                    histogram[us < BUCKETS ? us : BUCKETS - 1]++;
                    measured++;
                }
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
    for (int i = 0; i < nconns; i++) close(conns[i].fd);
    double p50 = 0, p99 = 0;
    unsigned long seen = 0;
    int have50 = 0;
    for (int b = 0; b < BUCKETS; b++) {
        seen += histogram[b];
        if (!have50 && seen * 100 >= measured * 50) { p50 = b; have50 = 1; }
        if (seen * 100 >= measured * 99) { p99 = b; break; }
    }
    printf("RESULT\techo\t%s\trps\t%.6g\n", variant, measured / duration);
    printf("RESULT\techo\t%s\trtt_p50_us\t%.6g\n", variant, p50);
    printf("RESULT\techo\t%s\trtt_p99_us\t%.6g\n", variant, p99);
    return 0;
}

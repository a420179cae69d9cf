/*
 * What the ping-pong clients (echo_client.c, tls_echo_client.c, udp_echo_client.c) share: the clock,
 * the server's address on loopback, and the round-trip histogram with the RESULT lines made from it.
 * Included by each, so that each still builds alone with "gcc -O2 -o NAME NAME.c".
 */
#ifndef ROUND_TRIPS_H
#define ROUND_TRIPS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define BUCKETS 100000 /* round-trip histogram: 1 us buckets up to 100 ms, the last one catches the rest */

static unsigned long histogram[BUCKETS];
static unsigned long measured; /* round trips completed inside the measured window */

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    return addr;
}

/* A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY (ping-pong must not wait for Nagle); exits on failure. */
__attribute__((unused)) static int connect_tcp(int port) {
    struct sockaddr_in addr = loopback(port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        perror("connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* The command line every ping-pong client takes: PORT CONNS SIZE WARMUP_S DURATION_S VARIANT. */
struct load {
    int port, conns;
    size_t size;
    double warmup, duration;
    const char *variant;
    char *message; /* SIZE bytes of 'a'..'z' */
};

static struct load parse_load(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT CONNS SIZE WARMUP_S DURATION_S VARIANT\n", argv[0]);
        exit(2);
    }
    struct load load = {.port = atoi(argv[1]), .conns = atoi(argv[2]), .size = (size_t) atoi(argv[3]),
                        .warmup = atof(argv[4]), .duration = atof(argv[5]), .variant = argv[6]};
    load.message = malloc(load.size);
    for (size_t i = 0; i < load.size; i++) load.message[i] = (char) ('a' + i % 26);
    return load;
}

/* Counts a round trip that started at `started` and ended at `done`, if it ended in [from, to). */
static void round_trip(long long started, long long done, long long from, long long to) {
    if (done >= from && done < to) {
        long long us = (done - started) / 1000;
        histogram[us < BUCKETS ? us : BUCKETS - 1]++;
        measured++;
    }
}

/* RESULT lines: round trips per second over `duration` seconds, and the p50/p99 round-trip time in microseconds. */
static void print_round_trips(const char *workload, const char *variant, double duration) {
    double p50 = 0, p99 = 0;
    unsigned long seen = 0;
    int have50 = 0;
    for (int b = 0; b < BUCKETS; b++) {
        seen += histogram[b];
        if (!have50 && seen * 100 >= measured * 50) { p50 = b; have50 = 1; }
        if (seen * 100 >= measured * 99) { p99 = b; break; }
    }
    printf("RESULT\t%s\t%s\trps\t%.6g\n", workload, variant, measured / duration);
    printf("RESULT\t%s\t%s\trtt_p50_us\t%.6g\n", workload, variant, p50);
    printf("RESULT\t%s\t%s\trtt_p99_us\t%.6g\n", workload, variant, p99);
}

#endif

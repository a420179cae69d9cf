/*
 * What the ping-pong clients (echo_client.c, tls_echo_client.c, udp_echo_client.c) share: the clock,
 * the server's address on loopback, the round-trip histogram with the RESULT lines made from it, and
 * the CPU time the server and the client spent in the measured window. Included by each, so that each
 * still builds alone with "gcc -O2 -o NAME NAME.c".
 *
 * The CPU per round trip is what a server costs apart from how fast the client pushed it: client and
 * server share this machine's two cores, so a round-trip rate is both of theirs and moves with
 * whatever else runs; the server's CPU time per round trip is its own (every thread of it, the JVM's
 * compiler and collector threads included).
 */
#ifndef ROUND_TRIPS_H
#define ROUND_TRIPS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

/* The command line every ping-pong client takes: PORT CONNS SIZE WARMUP_S DURATION_S VARIANT [SERVER_PID]. */
struct load {
    int port, conns;
    size_t size;
    double warmup, duration;
    const char *variant;
    char *message; /* SIZE bytes of 'a'..'z' */
};

static long server_pid; /* whose CPU time the measured window counts; 0: nobody's */

static struct load parse_load(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s PORT CONNS SIZE WARMUP_S DURATION_S VARIANT [SERVER_PID]\n", argv[0]);
        exit(2);
    }
    struct load load = {.port = atoi(argv[1]), .conns = atoi(argv[2]), .size = (size_t) atoi(argv[3]),
                        .warmup = atof(argv[4]), .duration = atof(argv[5]), .variant = argv[6]};
    server_pid = argc == 8 ? atol(argv[7]) : 0;
    load.message = malloc(load.size);
    for (size_t i = 0; i < load.size; i++) load.message[i] = (char) ('a' + i % 26);
    return load;
}

/*
 * The CPU time of process `pid` so far, every thread of it, those that ended included (utime and stime
 * of /proc/PID/stat, in clock ticks: 10 ms, under 1 % of a server's seconds in a 4 s window); -1 if it
 * cannot be read.
 */
static double process_cpu_seconds(long pid) {
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    char *after_name = strrchr(line, ')'); /* the name may hold spaces and parentheses */
    unsigned long user, system;
    if (after_name == NULL
            || sscanf(after_name + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &user, &system) != 2) {
        return -1;
    }
    return (double) (user + system) / (double) sysconf(_SC_CLK_TCK);
}

static double own_cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double server_cpu_at_start = -1, client_cpu_at_start = -1, server_cpu_spent = -1, client_cpu_spent = -1;

/* Called with the clock at every turn of the client's loop: the CPU counts start at the window's first turn. */
static void cpu_window_turn(long long now, long long from) {
    if (client_cpu_at_start < 0 && now >= from) {
        client_cpu_at_start = own_cpu_seconds();
        server_cpu_at_start = server_pid > 0 ? process_cpu_seconds(server_pid) : -1;
    }
}

/* Called once the window has ended, before the connections close (their close costs the server too). */
static void cpu_window_end(void) {
    if (client_cpu_at_start < 0) return;
    client_cpu_spent = own_cpu_seconds() - client_cpu_at_start;
    double server_now = server_pid > 0 ? process_cpu_seconds(server_pid) : -1;
    server_cpu_spent = server_cpu_at_start < 0 || server_now < 0 ? -1 : server_now - server_cpu_at_start;
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
    if (measured > 0 && client_cpu_spent >= 0) {
        printf("RESULT\t%s\t%s\tclient_cpu_us_per_rt\t%.6g\n", workload, variant, client_cpu_spent * 1e6 / measured);
    }
    if (measured > 0 && server_cpu_spent >= 0) {
        printf("RESULT\t%s\t%s\tserver_cpu_us_per_rt\t%.6g\n", workload, variant, server_cpu_spent * 1e6 / measured);
    }
}

#endif

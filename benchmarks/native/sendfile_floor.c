/*
 * sendfile over loopback: the reader every sendfile server is measured with, and the loopback's limit
 * it is measured against.
 *
 *   sendfile_floor serve FILE
 *       The floor: listens on 127.0.0.1 (an ephemeral port), prints "READY <port>", and sends the whole
 *       of FILE to each connection with sendfile(2) in a blocking loop, then closes it; stops when its
 *       standard input ends (the harness's server protocol).
 *   sendfile_floor read PORT ROUNDS WARMUP VARIANT
 *       The reader: WARMUP + ROUNDS times one after the other, connects to 127.0.0.1:PORT and reads
 *       (blocking, 256 KiB at a time) to end of file, discarding the bytes; prints RESULT lines: the
 *       median throughput of the measured rounds in MB/s (10^6 bytes per second, connect to EOF) and
 *       the bytes each connection received.
 *
 * Build: gcc -O2 -o sendfile_floor sendfile_floor.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "median.h"

#define READ_BUFFER (256 * 1024)

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int serve(const char *path) {
    int file = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (file < 0 || fstat(file, &st) < 0) {
        perror(path);
        return 1;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(listener, 16) < 0
            || getsockname(listener, (struct sockaddr *) &addr, &len) < 0) {
        perror("listen");
        return 1;
    }
    printf("READY %d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        struct pollfd fds[2] = {{.fd = listener, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            perror("poll");
            return 1;
        }
        if (fds[1].revents) {
            char buf[256];
            if (read(0, buf, sizeof buf) <= 0) return 0; /* the harness closed our stdin: stop */
        }
        if (!(fds[0].revents & POLLIN)) continue;
        int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) continue;
        off_t offset = 0;
        while (offset < st.st_size) {
            ssize_t n = sendfile(conn, file, &offset, (size_t) (st.st_size - offset));
            if (n < 0) {
                if (errno == EINTR) continue;
                break; /* the reader went away */
            }
            if (n == 0) break;
        }
        close(conn);
    }
}

static int reader(int port, int rounds, int warmup, const char *variant) {
    char *buffer = malloc(READ_BUFFER);
    double *rates = calloc((size_t) rounds, sizeof(double));
    long long bytes = 0;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    for (int r = 0; r < warmup + rounds; r++) {
        long long t0 = now_ns();
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
            perror("connect");
            return 1;
        }
        bytes = 0;
        for (;;) {
            ssize_t n = read(fd, buffer, READ_BUFFER);
            if (n < 0) {
                if (errno == EINTR) continue;
                perror("read");
                return 1;
            }
            if (n == 0) break;
            bytes += n;
        }
        long long elapsed = now_ns() - t0;
        close(fd);
        if (bytes == 0) {
            fprintf(stderr, "the server sent nothing\n");
            return 1;
        }
        if (r >= warmup) rates[r - warmup] = bytes / (elapsed / 1e9) / 1e6;
    }
    printf("RESULT\tsendfile\t%s\tmb_s\t%.6g\n", variant, median(rates, rounds));
    printf("RESULT\tsendfile\t%s\tbytes\t%lld\n", variant, bytes);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "serve") == 0) return serve(argv[2]);
    if (argc == 6 && strcmp(argv[1], "read") == 0) {
        int rounds = atoi(argv[3]);
        if (rounds < 1) {
            fprintf(stderr, "ROUNDS must be at least 1\n");
            return 2;
        }
        return reader(atoi(argv[2]), rounds, atoi(argv[4]), argv[5]);
    }
    fprintf(stderr, "usage: %s serve FILE | %s read PORT ROUNDS WARMUP VARIANT\n", argv[0], argv[0]);
    return 2;
}

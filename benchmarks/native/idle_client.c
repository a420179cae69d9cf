/*
 * The idle-connections load: opens CONNS TCP connections to 127.0.0.1:PORT, one after another, sends
 * nothing, prints "CONNECTED <n>" once all are open, then holds them until its standard input ends
 * (the driver closes it after the server measured itself). Raises its own RLIMIT_NOFILE soft limit to
 * the hard limit first, since 10,000 sockets are above the usual soft limit of 1,024.
 *
 * Build: gcc -O2 -o idle_client idle_client.c      Run: idle_client PORT CONNS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT CONNS\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), conns = atoi(argv[2]);
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int *fds = calloc(conns > 0 ? conns : 1, sizeof(int));
    for (int i = 0; i < conns; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fds[i] < 0) {
            fprintf(stderr, "socket %d of %d: ", i + 1, conns);
            perror("");
            return 1;
        }
        while (connect(fds[i], (struct sockaddr *) &addr, sizeof addr) < 0) {
            if (errno != EINTR) {
                fprintf(stderr, "connect %d of %d: ", i + 1, conns);
                perror("");
                return 1;
            }
        }
    }
    printf("CONNECTED %d\n", conns);
    fflush(stdout);
    char sink[256];
    for (;;) {
        ssize_t n = read(0, sink, sizeof sink);
        if (n > 0 || (n < 0 && errno == EINTR)) continue;
        break;
    }
    for (int i = 0; i < conns; i++) close(fds[i]);
    return 0;
}

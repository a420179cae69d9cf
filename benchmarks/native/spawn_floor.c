/*
 * The operating system's floor for subprocess throughput: what the fastest possible loop costs for
 * asyncio's create_subprocess_exec + wait, on one thread.
 *
 * COUNT runs of /bin/true, CONCURRENCY at a time, each started when another has finished: posix_spawn
 * (glibc: CLONE_VFORK, as CPython's _posixsubprocess and Loopkit's spawn), pidfd_open, the pidfd added
 * to one epoll set, epoll_wait, waitid(P_PIDFD) when the pidfd is readable. The child's standard
 * streams are /dev/null; with --pipes they are three pipes, as asyncio's default (stdin, stdout and
 * stderr PIPE): the parent closes its end of stdin at once (the child gets EOF, as communicate() with
 * no input gives it when the transport closes) and reads stdout and stderr to their end through the
 * same epoll set; a child is finished when it was reaped and both pipes gave EOF (communicate()).
 * WARMUP runs first, unmeasured. Prints RESULT lines (processes per second) in the format of every
 * other peer: variant os-floor, or os-floor/pipes.
 *
 * Build: gcc -O2 -o spawn_floor spawn_floor.c      Run: spawn_floor COUNT CONCURRENCY WARMUP [--pipes]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

enum { PIDFD = 0, OUT = 1, ERR = 2 };

/* One child in flight; fd[PIDFD], fd[OUT], fd[ERR] are -1 once done with. */
struct slot {
    int busy;
    int fd[3];
};

static int epfd;
static int pipes;
static struct slot *slots;

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static void watch(int index, int kind, int fd) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = ((uint64_t) index << 2) | (uint64_t) kind};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) fail("epoll_ctl");
}

static void forget(struct slot *s, int kind) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd[kind], NULL);
    close(s->fd[kind]);
    s->fd[kind] = -1;
}

static void start(int index) {
    static char *argv[] = {"/bin/true", NULL};
    struct slot *s = &slots[index];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    int in[2], out[2], err[2];
    if (pipes) {
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) fail("pipe2");
        /* dup2 clears FD_CLOEXEC on the target: the child keeps 0, 1, 2 and nothing else */
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        fprintf(stderr, "posix_spawn: %s\n", strerror(rc));
        exit(1);
    }
    s->busy = 1;
    s->fd[PIDFD] = (int) syscall(SYS_pidfd_open, pid, 0);
    if (s->fd[PIDFD] < 0) fail("pidfd_open");
    watch(index, PIDFD, s->fd[PIDFD]);
    s->fd[OUT] = s->fd[ERR] = -1;
    if (pipes) {
        close(in[0]);
        close(in[1]);
        close(out[1]);
        close(err[1]);
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(err[0], F_SETFL, O_NONBLOCK);
        s->fd[OUT] = out[0];
        s->fd[ERR] = err[0];
        watch(index, OUT, out[0]);
        watch(index, ERR, err[0]);
    }
}

/* Reads a pipe until it would block (0) or gave EOF (1). */
static int drain(int fd) {
    char buffer[65536];
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n > 0) continue;
        if (n == 0) return 1;
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return 0;
        fail("read");
    }
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Runs count children, concurrency at a time, to completion. */
static void batch(int count, int concurrency) {
    int started = 0, finished = 0;
    for (int i = 0; i < concurrency && started < count; i++, started++) start(i);
    struct epoll_event events[64];
    while (finished < count) {
        int ready = epoll_wait(epfd, events, 64, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        for (int e = 0; e < ready; e++) {
            int index = (int) (events[e].data.u64 >> 2), kind = (int) (events[e].data.u64 & 3);
            struct slot *s = &slots[index];
            if (s->fd[kind] < 0) continue;
            if (kind == PIDFD) {
                siginfo_t info;
                memset(&info, 0, sizeof info);
                if (syscall(SYS_waitid, P_PIDFD, s->fd[PIDFD], &info, WEXITED, NULL) < 0) fail("waitid");
                if (info.si_code != CLD_EXITED || info.si_status != 0) {
                    fprintf(stderr, "/bin/true did not exit 0\n");
                    exit(1);
                }
                forget(s, PIDFD);
            } else if (drain(s->fd[kind])) {
                forget(s, kind);
            }
            if (s->fd[PIDFD] < 0 && s->fd[OUT] < 0 && s->fd[ERR] < 0) {
                s->busy = 0;
                finished++;
                if (started < count) {
                    started++;
                    start(index);
                }
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "--pipes") != 0)) {
        fprintf(stderr, "usage: %s COUNT CONCURRENCY WARMUP [--pipes]\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[1]), concurrency = atoi(argv[2]), warmup = atoi(argv[3]);
    pipes = argc == 5;
    if (count <= 0 || concurrency <= 0 || warmup < 0) {
        fprintf(stderr, "COUNT and CONCURRENCY must be positive, WARMUP not negative\n");
        return 2;
    }
    slots = calloc((size_t) concurrency, sizeof(struct slot));
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) fail("epoll_create1");
    if (warmup > 0) batch(warmup, concurrency);
    long long t0 = now_ns();
    batch(count, concurrency);
    double seconds = (now_ns() - t0) / 1e9;
    printf("RESULT\tspawn\tos-floor%s\tper_s\t%.6g\n", pipes ? "/pipes" : "", count / seconds);
    return 0;
}

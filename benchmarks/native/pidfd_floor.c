/*
 * The operating system's floor for exit detection: what the fastest possible watcher costs.
 *
 * Starts OTHERS children (/bin/sleep 300) that stay alive, then ROUNDS times: posix_spawn a
 * /bin/sleep child, pidfd_open it, add the pidfd to an epoll set, idle 5 ms (as the other peers
 * do; not in the WARMUP rounds, which only warm the path), take t0, kill(SIGKILL), epoll_wait until the pidfd is readable, take t1, reap with
 * waitid(P_PIDFD), take t2. Prints RESULT lines (p50, p99, mean of t1 - t0 in microseconds) in the format of
 * every other peer, and p50_reaped_us: the p50 of t2 - t0, the exit with its status in hand, which is
 * what every loop measures (a protocol hears processExited with the return code, so its loop has
 * reaped the child first). All children are killed and reaped before it exits.
 *
 * Build: gcc -O2 -o pidfd_floor pidfd_floor.c      Run: pidfd_floor OTHERS ROUNDS WARMUP
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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

static pid_t spawn_sleep(void) {
    char *argv[] = {"/bin/sleep", "300", NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int err = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        fprintf(stderr, "posix_spawn: %s\n", strerror(err));
        exit(1);
    }
    return pid;
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s OTHERS ROUNDS WARMUP\n", argv[0]);
        return 2;
    }
    int others = atoi(argv[1]), rounds = atoi(argv[2]), warmup = atoi(argv[3]);
    pid_t *background = calloc(others > 0 ? others : 1, sizeof(pid_t));
    long long *latency = calloc(rounds, sizeof(long long));
    long long *reaped = calloc(rounds, sizeof(long long));
    for (int i = 0; i < others; i++) {
        background[i] = spawn_sleep();
    }
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    for (int r = 0; r < warmup + rounds; r++) {
        pid_t pid = spawn_sleep();
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
            perror("pidfd_open");
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return 1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = pidfd};
        epoll_ctl(epfd, EPOLL_CTL_ADD, pidfd, &ev);
        if (r >= warmup) { /* warm-up rounds do not idle: they only warm the path (JITs, caches) */
            struct timespec settle = {0, 5000000};
            nanosleep(&settle, NULL);
        }
        long long t0 = now_ns();
        kill(pid, SIGKILL);
        struct epoll_event got;
        while (epoll_wait(epfd, &got, 1, -1) < 0 && errno == EINTR) {
        }
        long long t1 = now_ns();
        siginfo_t info;
        syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED, NULL);
        long long t2 = now_ns();
        epoll_ctl(epfd, EPOLL_CTL_DEL, pidfd, NULL);
        close(pidfd);
        if (r >= warmup) {
            latency[r - warmup] = t1 - t0;
            reaped[r - warmup] = t2 - t0;
        }
    }
    for (int i = 0; i < others; i++) {
        kill(background[i], SIGKILL);
    }
    for (int i = 0; i < others; i++) {
        waitpid(background[i], NULL, 0);
    }
    qsort(latency, rounds, sizeof(long long), compare);
    qsort(reaped, rounds, sizeof(long long), compare);
    double sum = 0;
    for (int i = 0; i < rounds; i++) {
        sum += latency[i];
    }
    int p99 = (int) (0.99 * rounds + 0.999999) - 1;
    int p50 = (int) (0.50 * rounds + 0.999999) - 1;
    printf("RESULT\texit\tos-floor/N=%d\tp50_us\t%.6g\n", others, latency[p50 < 0 ? 0 : p50] / 1e3);
    printf("RESULT\texit\tos-floor/N=%d\tp99_us\t%.6g\n", others, latency[p99 < 0 ? 0 : p99] / 1e3);
    printf("RESULT\texit\tos-floor/N=%d\tmean_us\t%.6g\n", others, sum / rounds / 1e3);
    printf("RESULT\texit\tos-floor/N=%d\tp50_reaped_us\t%.6g\n", others, reaped[p50 < 0 ? 0 : p50] / 1e3);
    return 0;
}

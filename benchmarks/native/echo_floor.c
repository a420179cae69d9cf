/*
 * The machine's floor for the TCP echo: the fastest server the same client can meet, so that every
 * echo server's figure can be read against what the kernel leaves to user code.
 *
 * One thread, one epoll set, 127.0.0.1, TCP_NODELAY on every connection (as asyncio, Netty and Loopkit
 * set it). Plain (the default): what every server of the run does, a read() when a connection is
 * readable and a write() of what it read, two system calls a round trip beside the epoll_wait. With
 * --uring: the same reads and writes, but each epoll_wait's worth of them submitted to io_uring at
 * once, the reads in one io_uring_enter and the writes in another: what batching the calls of an
 * iteration gives on this kernel, where every system call costs its entry and exit (about 1 µs with
 * page-table isolation on).
 *
 * Prints "READY <port>" once it listens, as the harness's servers do; ends when its standard input
 * closes. A write that does not take everything (the client's window full) keeps the rest and waits
 * for room before it reads that connection again, in both modes.
 *
 * Build: gcc -O2 -o echo_floor echo_floor.c      Run: echo_floor [--uring]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BUFFER 65536
#define MAX_EVENTS 256
#define STDIN_TAG (-1)
#define LISTENER_TAG (-2)

struct conn {
    int fd;
    char *buffer;
    size_t pending_from, pending_to; /* bytes read and not yet written back */
};

static int epfd;
static struct conn **conns; /* by descriptor */
static size_t max_conns;

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static void set_events(struct conn *c, int op, unsigned events) {
    struct epoll_event ev = {.events = events, .data.u64 = (unsigned long long) c->fd};
    if (epoll_ctl(epfd, op, c->fd, &ev) < 0) fail("epoll_ctl");
}

static void drop(struct conn *c) {
    conns[c->fd] = NULL;
    close(c->fd); /* leaves the epoll set with it */
    free(c->buffer);
    free(c);
}

static void accept_all(int listener) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
            fail("accept4");
        }
        if ((size_t) fd >= max_conns) {
            size_t grown = (size_t) fd * 2;
            conns = realloc(conns, grown * sizeof *conns);
            memset(conns + max_conns, 0, (grown - max_conns) * sizeof *conns);
            max_conns = grown;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        c->buffer = malloc(BUFFER);
        conns[fd] = c;
        set_events(c, EPOLL_CTL_ADD, EPOLLIN);
    }
}

enum written { DROPPED, PENDING, ALL };

/*
 * What a write (of either mode) took of the pending bytes: ALL of them; some, the rest PENDING until
 * the connection has room; or an error other than EAGAIN, and the connection was DROPPED (freed).
 */
static enum written wrote(struct conn *c, ssize_t n) {
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) {
            drop(c);
            return DROPPED;
        }
        n = 0;
    }
    c->pending_from += (size_t) n;
    if (c->pending_from < c->pending_to) return PENDING;
    c->pending_from = c->pending_to = 0;
    return ALL;
}

/* A write just made: what it left waits for room, and the connection is not read meanwhile. */
static void wrote_echo(struct conn *c, ssize_t n) {
    if (wrote(c, n) == PENDING) set_events(c, EPOLL_CTL_MOD, EPOLLOUT);
}

/* Room again: writes what is left plainly, and once all of it went, reads again. */
static void flush(struct conn *c) {
    if (wrote(c, write(c->fd, c->buffer + c->pending_from, c->pending_to - c->pending_from)) == ALL) {
        set_events(c, EPOLL_CTL_MOD, EPOLLIN);
    }
}

/* ---- plain: a read() and a write() for each readable connection ---- */

static void echo_plain(struct conn *c) {
    ssize_t n = read(c->fd, c->buffer, BUFFER);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        drop(c);
        return;
    }
    c->pending_from = 0;
    c->pending_to = (size_t) n;
    wrote_echo(c, write(c->fd, c->buffer, (size_t) n));
}

/* ---- --uring: an iteration's reads in one io_uring_enter, its writes in another ---- */

struct ring {
    int fd;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, sq_entries;
    struct io_uring_sqe *sqes;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_cqe *cqes;
};

static struct ring ring;

static int ring_init(unsigned entries) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    ring.fd = (int) syscall(__NR_io_uring_setup, entries, &p);
    if (ring.fd < 0) return -1;
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single && cq_size > sq_size) sq_size = cq_size;
    char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQ_RING);
    if (sq == MAP_FAILED) return -1;
    char *cq = single ? sq : mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,
                                  IORING_OFF_CQ_RING);
    if (cq == MAP_FAILED) return -1;
    ring.sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQES);
    if (ring.sqes == MAP_FAILED) return -1;
    ring.sq_head = (unsigned *) (sq + p.sq_off.head);
    ring.sq_tail = (unsigned *) (sq + p.sq_off.tail);
    ring.sq_mask = (unsigned *) (sq + p.sq_off.ring_mask);
    ring.sq_array = (unsigned *) (sq + p.sq_off.array);
    ring.sq_entries = p.sq_entries;
    ring.cq_head = (unsigned *) (cq + p.cq_off.head);
    ring.cq_tail = (unsigned *) (cq + p.cq_off.tail);
    ring.cq_mask = (unsigned *) (cq + p.cq_off.ring_mask);
    ring.cqes = (struct io_uring_cqe *) (cq + p.cq_off.cqes);
    /* IORING_OP_RECV and IORING_OP_SEND came in 5.6, with the probe: a 5.1 to 5.5 kernel sets the ring up and
       fails every read with EINVAL. */
    size_t probe_size = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
    struct io_uring_probe *probe = calloc(1, probe_size);
    int probed = (int) syscall(__NR_io_uring_register, ring.fd, IORING_REGISTER_PROBE, probe, 256);
    int supported = probed >= 0 && probe->last_op >= IORING_OP_SEND && probe->last_op >= IORING_OP_RECV
            && (probe->ops[IORING_OP_RECV].flags & IO_URING_OP_SUPPORTED) && (probe->ops[IORING_OP_SEND].flags & IO_URING_OP_SUPPORTED);
    free(probe);
    if (!supported) {
        errno = ENOSYS;
        return -1;
    }
    return 0;
}

/* Queues one read into or write from the start of c's buffer; published to the kernel by the next io_uring_enter. */
static void queue(struct conn *c, int opcode, size_t length) {
    unsigned tail = *ring.sq_tail; /* only this thread writes it */
    unsigned index = tail & *ring.sq_mask;
    struct io_uring_sqe *sqe = &ring.sqes[index];
    memset(sqe, 0, sizeof *sqe);
    sqe->opcode = (unsigned char) opcode;
    sqe->fd = c->fd;
    sqe->addr = (unsigned long long) c->buffer;
    sqe->len = (unsigned) length;
    sqe->user_data = (unsigned long long) c->fd;
    ring.sq_array[index] = index;
    __atomic_store_n(ring.sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/* Submits the queued ones and waits until all of them completed; each completion goes to done(). */
static void submit_and_reap(unsigned queued, void (*done)(struct conn *, int)) {
    unsigned to_submit = queued, outstanding = queued;
    while (outstanding > 0) {
        int entered = (int) syscall(__NR_io_uring_enter, ring.fd, to_submit, outstanding, IORING_ENTER_GETEVENTS, NULL, 0);
        if (entered < 0) {
            if (errno == EINTR) continue;
            fail("io_uring_enter");
        }
        to_submit -= (unsigned) entered;
        unsigned head = *ring.cq_head;
        unsigned tail = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
        for (; head != tail; head++, outstanding--) {
            struct io_uring_cqe *cqe = &ring.cqes[head & *ring.cq_mask];
            struct conn *c = conns[cqe->user_data];
            if (c != NULL) done(c, cqe->res);
        }
        __atomic_store_n(ring.cq_head, head, __ATOMIC_RELEASE);
    }
}

static unsigned writes_queued;

static void read_done(struct conn *c, int res) {
    if (res <= 0) {
        if (res == -EAGAIN || res == -EINTR) return;
        drop(c);
        return;
    }
    c->pending_from = 0;
    c->pending_to = (size_t) res;
    queue(c, IORING_OP_SEND, (size_t) res);
    writes_queued++;
}

static void write_done(struct conn *c, int res) {
    if (res < 0) errno = -res;
    wrote_echo(c, res < 0 ? -1 : res);
}

int main(int argc, char **argv) {
    int uring = argc == 2 && strcmp(argv[1], "--uring") == 0;
    if (argc > 2 || (argc == 2 && !uring)) {
        fprintf(stderr, "usage: %s [--uring]\n", argv[0]);
        return 2;
    }
    if (uring && ring_init(MAX_EVENTS) < 0) {
        printf("UNSUPPORTED io_uring_setup, or no IORING_OP_RECV and IORING_OP_SEND: %s\n", strerror(errno));
        return 0;
    }
    signal(SIGPIPE, SIG_IGN); /* a write to a connection the client reset fails with EPIPE, as the JVM's and CPython's do */
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *) &address, length) < 0) fail("bind");
    if (listen(listener, 1024) < 0) fail("listen");
    if (getsockname(listener, (struct sockaddr *) &address, &length) < 0) fail("getsockname");
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (unsigned long long) (long long) LISTENER_TAG};
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev);
    ev.data.u64 = (unsigned long long) (long long) STDIN_TAG;
    epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);
    max_conns = 1024;
    conns = calloc(max_conns, sizeof *conns);
    printf("READY %d\n", ntohs(address.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int ready = epoll_wait(epfd, events, MAX_EVENTS, -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        unsigned reads_queued = 0;
        for (int i = 0; i < ready; i++) {
            long long tag = (long long) events[i].data.u64;
            if (tag == STDIN_TAG) return 0; /* the harness closed our standard input */
            if (tag == LISTENER_TAG) {
                accept_all(listener);
                continue;
            }
            struct conn *c = conns[tag];
            if (c == NULL) continue;
            if (c->pending_from < c->pending_to) {
                flush(c);
            } else if (uring) {
                queue(c, IORING_OP_RECV, BUFFER);
                reads_queued++;
            } else {
                echo_plain(c);
            }
        }
        if (uring && reads_queued > 0) {
            writes_queued = 0;
            submit_and_reap(reads_queued, read_done);
            submit_and_reap(writes_queued, write_done);
        }
    }
}

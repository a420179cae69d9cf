/*
 * How this machine hands callbacks from other threads to one loop thread without a JVM: what
 * callSoonThreadsafe's hand-off costs with nothing around it. A probe, not a floor of the report:
 * run.sh does not run it, since its figures vary from process to process here (docs/BENCHMARKS.md,
 * "One producer's slow seconds").
 *
 * PRODUCERS threads hand 1,000,000 callbacks a batch to one consumer thread (split between them),
 * as the JMH CrossThreadBenchmark does: each callback is a new 24-byte node (a function and a link,
 * the size of Loopkit's cross-thread handle) taken from the producer's own region of memory, which is
 * touched before the first batch and reused in turn (a warm young generation, without a collector),
 * and offered to Dmitry Vyukov's intrusive multi-producer single-consumer queue (one atomic swap of
 * the tail, then the link), Loopkit's queue and the one Netty's JCTools queues descend from. The
 * consumer spins on the queue (no sleep, so no wake-up), unlinks each node and calls its function; a
 * batch ends when the consumer has called the last one. No thread is pinned, as in the JVM.
 *
 * Prints the median batch after WARMUP batches as a RESULT line, in the format of the harness's peers.
 *
 * Build: gcc -O2 -pthread -o handoff_probe handoff_probe.c      Run: handoff_probe PRODUCERS BATCHES WARMUP
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "median.h"

#define BATCH 1000000L
#define MAX_PRODUCERS 64

/* What a spinning thread tells the processor (x86's pause); elsewhere nothing. */
#if defined(__x86_64__) || defined(__i386__)
#define SPIN_PAUSE() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define SPIN_PAUSE() __asm__ volatile("yield")
#else
#define SPIN_PAUSE() ((void) 0)
#endif
/* Each producer's region: 64 MiB, larger than the caches, as a JVM's young generation is. */
#define REGION (64L << 20)

typedef struct node node;
struct node {
    _Atomic(node *) next;
    void (*callback)(void);
    int claimed;
}; /* 24 bytes on x86-64 */

static _Alignas(128) _Atomic(node *) tail;    /* the producers' side */
static _Alignas(128) node *head;              /* the consumer's side */
static _Alignas(128) long left;               /* the consumer's countdown of the batch */
static _Alignas(128) atomic_int batch_done;
static pthread_barrier_t start, end;
static int producers;
static long rounds;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void countdown(void) {
    if (--left == 0) {
        atomic_store_explicit(&batch_done, 1, memory_order_release);
    }
}

static void offer(node *n) {
    node *previous = atomic_exchange_explicit(&tail, n, memory_order_acq_rel);
    atomic_store_explicit(&previous->next, n, memory_order_release);
}

static void *produce(void *arg) {
    long share = BATCH / producers;
    char *region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    memset(region, 0, REGION);
    size_t used = 0;
    (void) arg;
    for (long round = 0; round < rounds; round++) {
        pthread_barrier_wait(&start);
        for (long i = 0; i < share; i++) {
            if (used + sizeof(node) > REGION) {
                used = 0;
            }
            node *n = (node *) (region + used);
            used += sizeof(node);
            memset(n, 0, sizeof *n); /* a new object is zeroed, as the JVM's are */
            n->callback = countdown;
            offer(n);
        }
        pthread_barrier_wait(&end);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4 || atoi(argv[1]) <= 0 || atoi(argv[1]) > MAX_PRODUCERS || atoi(argv[2]) <= 0 || atoi(argv[3]) < 0) {
        fprintf(stderr, "usage: handoff_probe PRODUCERS BATCHES WARMUP (PRODUCERS from 1 to %d)\n", MAX_PRODUCERS);
        return 2;
    }
    producers = atoi(argv[1]);
    int batches = atoi(argv[2]), warmup = atoi(argv[3]);
    rounds = batches + warmup;
    node *stub = calloc(1, sizeof(node));
    double *took = calloc(batches, sizeof(double));
    if (stub == NULL || took == NULL) {
        perror("calloc");
        return 1;
    }
    head = stub;
    atomic_store(&tail, stub);
    pthread_barrier_init(&start, NULL, producers + 1);
    pthread_barrier_init(&end, NULL, producers + 1);
    pthread_t threads[producers];
    for (int p = 0; p < producers; p++) {
        if (pthread_create(&threads[p], NULL, produce, NULL) != 0) {
            fprintf(stderr, "handoff_probe: could not start producer %d\n", p);
            return 1; /* the others wait at the barrier: exiting ends them */
        }
    }
    for (long round = 0; round < rounds; round++) {
        left = BATCH / producers * producers;
        atomic_store(&batch_done, 0);
        pthread_barrier_wait(&start);
        double started = now();
        /* This thread is the consumer: Vyukov's poll, waiting for a link a producer has not written yet. */
        while (!atomic_load_explicit(&batch_done, memory_order_acquire)) {
            node *first = atomic_load_explicit(&head->next, memory_order_acquire);
            if (first == NULL) {
                SPIN_PAUSE();
                continue;
            }
            atomic_store_explicit(&head->next, NULL, memory_order_relaxed); /* the old head is garbage now */
            head = first;
            first->claimed = 1;
            first->callback();
        }
        double finished = now();
        pthread_barrier_wait(&end);
        if (round >= warmup) {
            took[round - warmup] = finished - started;
        }
    }
    for (int p = 0; p < producers; p++) {
        pthread_join(threads[p], NULL);
    }
    printf("RESULT\thandoff-probe\tproducers=%d\tper_s\t%.0f\n", producers, (BATCH / producers * producers) / median(took, batches));
    return 0;
}

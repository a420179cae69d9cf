/*
 * The operating system's floor for fresh memory: what writing to a page costs the first time.
 *
 * A JVM's heap is mapped at start-up but its pages are only backed on their first write: until the
 * young generation has cycled once (and again each time the heap grows), every allocation pays the
 * kernel's page fault and the page's zeroing on top of the JVM's own work. A workload that allocates
 * more bytes per operation than its peer pays that many more of them; this program measures what
 * one costs on this machine, so that the default-flags rows can be read against it.
 *
 * ROUNDS times: mmap MIB mebibytes of anonymous memory, write one byte in each 4 KiB page and time
 * it (the first touch), write them all again and time it (pages already backed), munmap. Then the
 * same with madvise(MADV_HUGEPAGE) (what -XX:+UseTransparentHugePages asks for), where the kernel
 * allows it. Prints RESULT lines (the median round) in the format of every other peer: MB/s of first
 * touch, microseconds a 4 KiB page, and MB/s of the second touch.
 *
 * Build: gcc -O2 -o first_touch first_touch.c      Run: first_touch MIB ROUNDS
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static double median(double *values, int n) {
    qsort(values, n, sizeof *values, by_value);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static double touch(volatile char *memory, size_t bytes, char value) {
    double start = now();
    for (size_t offset = 0; offset < bytes; offset += PAGE) {
        memory[offset] = value;
    }
    return now() - start;
}

/* Returns 0, or -1 when the memory could not be mapped (or advised, with huge pages). */
static int measure(size_t bytes, int rounds, int huge, const char *variant) {
    double first[rounds], second[rounds];
    for (int round = 0; round < rounds; round++) {
        char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) {
            perror("mmap");
            return -1;
        }
        if (huge && madvise(memory, bytes, MADV_HUGEPAGE) != 0) {
            perror("madvise(MADV_HUGEPAGE)");
            munmap(memory, bytes);
            return -1;
        }
        first[round] = touch(memory, bytes, 1);
        second[round] = touch(memory, bytes, 2);
        munmap(memory, bytes);
    }
    double megabytes = bytes / 1e6;
    double first_seconds = median(first, rounds), second_seconds = median(second, rounds);
    printf("RESULT\tfirst-touch\t%s\tmb_per_s\t%.1f\n", variant, megabytes / first_seconds);
    printf("RESULT\tfirst-touch\t%s\tus_per_page\t%.2f\n", variant, first_seconds * 1e6 / (bytes / PAGE));
    printf("RESULT\tfirst-touch\t%s/second\tmb_per_s\t%.1f\n", variant, megabytes / second_seconds);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: first_touch MIB ROUNDS\n");
        return 2;
    }
    size_t bytes = (size_t) atoi(argv[1]) << 20;
    int rounds = atoi(argv[2]);
    if (measure(bytes, rounds, 0, "os-floor") != 0) {
        return 1;
    }
    measure(bytes, rounds, 1, "os-floor/huge-pages"); /* a kernel without transparent huge pages: no such line */
    return 0;
}

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
 * gives them (/proc/self/smaps_rollup says how much of the memory it backed with huge pages); the
 * 4 KiB rounds ask for MADV_NOHUGEPAGE, so that a kernel set to "always" does not blur them.
 * Prints RESULT lines (the median round) in the format of every other peer: MB/s of first touch,
 * microseconds a 4 KiB page, and MB/s of the second touch.
 *
 * Build: gcc -O2 -o first_touch first_touch.c      Run: first_touch MIB ROUNDS
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "median.h"

#define PAGE 4096

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double touch(volatile char *memory, size_t bytes, char value) {
    double start = now();
    for (size_t offset = 0; offset < bytes; offset += PAGE) {
        memory[offset] = value;
    }
    return now() - start;
}

#define HUGE_PAGE (2L << 20)

/* Kilobytes of this process's anonymous memory in transparent huge pages, or -1 if unknown. */
static long anon_huge_kb(void) {
    FILE *rollup = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long kb = -1;
    if (rollup == NULL) {
        return -1;
    }
    while (fgets(line, sizeof line, rollup) != NULL) {
        if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(rollup);
    return kb;
}

/*
 * Returns 0, or -1 when the memory could not be mapped, or (with huge pages) the kernel did not give
 * them: then it says why on stderr and prints no figure, so that no 4 KiB figure passes for a huge one.
 */
static int measure(size_t bytes, int rounds, int huge, const char *variant) {
    double first[rounds], second[rounds];
    for (int round = 0; round < rounds; round++) {
        /* 2 MiB more, to start on a 2 MiB boundary: otherwise the first and last partial huge pages stay 4 KiB */
        char *mapped = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED) {
            perror("mmap");
            return -1;
        }
        char *memory = (char *) (((uintptr_t) mapped + HUGE_PAGE - 1) & ~(uintptr_t) (HUGE_PAGE - 1));
        if (!huge) {
            madvise(memory, bytes, MADV_NOHUGEPAGE); /* 4 KiB pages even where the kernel's setting is "always" */
        } else if (madvise(memory, bytes, MADV_HUGEPAGE) != 0) {
            perror("madvise(MADV_HUGEPAGE)");
            munmap(mapped, bytes + HUGE_PAGE);
            return -1;
        }
        long huge_kb_before = anon_huge_kb();
        first[round] = touch(memory, bytes, 1);
        long huge_kb = anon_huge_kb() - huge_kb_before;
        second[round] = touch(memory, bytes, 2);
        munmap(mapped, bytes + HUGE_PAGE);
        if (huge && huge_kb_before >= 0 && huge_kb * 1024 < (long) (bytes / 2)) {
            fprintf(stderr, "first_touch: the kernel gave %ld kB of %zu in huge pages (transparent huge pages off,"
                    " or none free): no huge-page figure\n", huge_kb, bytes / 1024);
            return -1;
        }
    }
    double megabytes = bytes / 1e6;
    double first_seconds = median(first, rounds), second_seconds = median(second, rounds);
    printf("RESULT\tfirst-touch\t%s\tmb_per_s\t%.1f\n", variant, megabytes / first_seconds);
    printf("RESULT\tfirst-touch\t%s\tus_per_page\t%.2f\n", variant, first_seconds * 1e6 / (bytes / PAGE));
    printf("RESULT\tfirst-touch\t%s/second\tmb_per_s\t%.1f\n", variant, megabytes / second_seconds);
    fflush(stdout);
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
    measure(bytes, rounds, 1, "os-floor/huge-pages"); /* no huge pages given: no such line */
    return 0;
}

/*
 * The median the floor programs report (first_touch.c, handoff_probe.c, sendfile_floor.c): of n
 * doubles, sorted in place. Included by each, so that each still builds alone with
 * "gcc -O2 -o NAME NAME.c".
 */
#ifndef MEDIAN_H
#define MEDIAN_H

#include <stdlib.h>

static int median_compare(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* n > 0; the mean of the middle two when n is even. */
static double median(double *values, int n) {
    qsort(values, (size_t) n, sizeof *values, median_compare);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* What the benchmark programs share: the clock and the percentiles they
 * print.  Figures only; nothing here passes or fails. */
#ifndef OB_BENCH_STATS_H
#define OB_BENCH_STATS_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile q of sorted v[0..n), n > 0. */
static inline double bench_pct(const double *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

/* Sort v (seconds) and print "NAME_p50_us x" and "NAME_p99_us y"; nan
 * for none. */
static inline void bench_report_us(const char *name, double *v, size_t n)
{
	if (n == 0) {
		printf("%s_p50_us nan\n%s_p99_us nan\n", name, name);
		return;
	}
	qsort(v, n, sizeof(*v), bench_cmp);
	printf("%s_p50_us %.1f\n%s_p99_us %.1f\n", name, bench_pct(v, n, 0.50) * 1e6, name,
	       bench_pct(v, n, 0.99) * 1e6);
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* The benchmark programs' command lines: each names its options in a
 * small table (the long name, the kind of value, where it goes) and
 * bench_parse_args() reads argv by it, --help included, so that no
 * program writes its own getopt table and switch. */
#ifndef OB_BENCH_ARGS_H
#define OB_BENCH_ARGS_H

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum bench_arg_kind {
	BENCH_ARG_TEXT,   /* const char *: the word itself */
	BENCH_ARG_NUMBER, /* an unsigned integer of dst_size bytes, lo..hi */
	BENCH_ARG_FLAG,   /* bool: set by the option alone */
	BENCH_ARG_PARSE,  /* anything: parse() reads the word, < 0 refuses it */
};

struct bench_arg {
	const char *name;
	enum bench_arg_kind kind;
	void *dst;
	size_t dst_size;
	unsigned long long lo, hi;
	int (*parse)(const char *word, void *dst);
};

#define BENCH_TEXT(n, var) { .name = (n), .kind = BENCH_ARG_TEXT, .dst = &(var) }
#define BENCH_NUMBER(n, var, min, max)                                                    \
	{ .name = (n), .kind = BENCH_ARG_NUMBER, .dst = &(var), .dst_size = sizeof(var), \
	  .lo = (min), .hi = (max) }
#define BENCH_FLAG(n, var) { .name = (n), .kind = BENCH_ARG_FLAG, .dst = &(var) }
#define BENCH_PARSE(n, fn, ptr) { .name = (n), .kind = BENCH_ARG_PARSE, .dst = (ptr), .parse = (fn) }

#define BENCH_MAX_ARGS 24

/* A whole decimal number in lo..hi, nothing before or after it. */
static inline int bench_number(const char *s, unsigned long long lo, unsigned long long hi,
			       unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || strchr(s, '-') || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static inline int bench_arg_set(const struct bench_arg *a, const char *word)
{
	unsigned long long v;

	switch (a->kind) {
	case BENCH_ARG_TEXT:
		*(const char **)a->dst = word;
		return 0;
	case BENCH_ARG_FLAG:
		*(bool *)a->dst = true;
		return 0;
	case BENCH_ARG_PARSE:
		return a->parse(word, a->dst);
	case BENCH_ARG_NUMBER:
		if (bench_number(word, a->lo, a->hi, &v) < 0)
			return -1;
		if (a->dst_size == sizeof(unsigned))
			*(unsigned *)a->dst = (unsigned)v;
		else if (a->dst_size == sizeof(unsigned long long))
			*(unsigned long long *)a->dst = v;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* Read argv by args[0..n) and --help (or -h); exactly `words` words must
 * follow the options, from argv[optind].  0 to go on; 1 when --help
 * printed the usage to stdout; -1 when the line was wrong, after the
 * usage (and for a bad value, which) on stderr. */
static inline int bench_parse_table(int argc, char **argv, const char *prog,
				    const struct bench_arg *args, size_t n, int words,
				    void (*usage)(FILE *f))
{
	struct option longopts[BENCH_MAX_ARGS + 2] = { { 0 } };
	int ch;

	if (n > BENCH_MAX_ARGS)
		abort();
	/* Option i comes back from getopt_long as 256 + i: above any
	 * short option's character. */
	for (size_t i = 0; i < n; i++)
		longopts[i] = (struct option){ args[i].name,
					       args[i].kind == BENCH_ARG_FLAG ? no_argument :
										required_argument,
					       NULL, 256 + (int)i };
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 1;
		}
		if (ch < 256) {
			usage(stderr);
			return -1;
		}
		if (bench_arg_set(&args[ch - 256], optarg) < 0) {
			fprintf(stderr, "%s: bad value: %s\n", prog, optarg);
			usage(stderr);
			return -1;
		}
	}
	if (argc - optind != words) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The same for a whole array args[]. */
#define bench_parse_args(argc, argv, prog, args, words, usage) \
	bench_parse_table(argc, argv, prog, args, sizeof(args) / sizeof((args)[0]), words, usage)

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* Preloaded into the cmocka tests by make check-valgrind (valgrind.sh):
 * leaves out the tests named in OB_VALGRIND_SKIP (separated by spaces):
 * volume tests that run the same code thousands of times (20,000 people,
 * 16,000 calls) and tables walked through every call, each minutes long
 * under valgrind (Makefile.am: VALGRIND_SKIP).  make check and the
 * sanitizer build run them in full; the code they repeat is walked here
 * by the smaller tests of the same program. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

typedef int run_fn(const char *, const struct CMUnitTest *const, const size_t, CMFixtureFunction,
		   CMFixtureFunction);

static int skipped(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return 1;
	return 0;
}

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
			    const size_t num_tests, CMFixtureFunction group_setup,
			    CMFixtureFunction group_teardown)
{
	run_fn *real = (run_fn *)dlsym(RTLD_NEXT, "_cmocka_run_group_tests");
	const char *list = getenv("OB_VALGRIND_SKIP");
	struct CMUnitTest *kept;
	size_t n = 0;
	int r;

	if (!real)
		abort();
	if (!list || !*list)
		return real(group_name, tests, num_tests, group_setup, group_teardown);
	kept = calloc(num_tests ? num_tests : 1, sizeof(*kept));
	if (!kept)
		abort();
	for (size_t i = 0; i < num_tests; i++) {
		if (skipped(list, tests[i].name))
			printf("[ SKIPPED  ] %s (a volume test: not under valgrind)\n", tests[i].name);
		else
			kept[n++] = tests[i];
	}
	r = real(group_name, kept, n, group_setup, group_teardown);
	free(kept);
	return r;
}

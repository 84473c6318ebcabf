/* SPDX-License-Identifier: BSD-3-Clause */
/* The example configuration that make install puts in /etc/onboard
 * (data/onboardd.conf) against conf.c's table of keys: it names every key
 * once and no other, and its commented values, all uncommented, load to
 * exactly the defaults.  A default that depends on the host is written
 * <like this> and only its key is checked.  A new key in conf.c fails
 * here until it has its line in the example. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "unit.h"

#define EXAMPLE_LINES 256

struct example {
	char key[EXAMPLE_LINES][64];
	char value[EXAMPLE_LINES][512];
	size_t n;
};

/* The "#key = value" lines of the example. */
static void example_read(struct example *e)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/onboardd.conf", top && top[0] ? top : "..");
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open %s (top_srcdir is set by make check)", path);
	memset(e, 0, sizeof(*e));
	while (fgets(line, sizeof(line), f)) {
		size_t k = strspn(line + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");

		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '#' || k == 0 || strncmp(line + 1 + k, " =", 2) != 0)
			continue;
		assert_true(e->n < EXAMPLE_LINES);
		assert_true(k < sizeof(e->key[0]));
		memcpy(e->key[e->n], line + 1, k);
		snprintf(e->value[e->n], sizeof(e->value[0]), "%s",
			 line + 1 + k + 2 + (line[1 + k + 2] == ' '));
		e->n++;
	}
	fclose(f);
	assert_true(e->n > 0);
}

static void every_key_once(void **state)
{
	struct example e;
	const char *name;
	size_t i, j, count, keys = 0;

	(void)state;
	example_read(&e);
	for (i = 0; (name = config_key_name(i)); i++, keys++) {
		for (j = 0, count = 0; j < e.n; j++)
			count += strcmp(e.key[j], name) == 0;
		if (count != 1)
			fail_msg("key %s is in data/onboardd.conf %zu times, not once", name, count);
	}
	for (j = 0; j < e.n; j++) {
		for (i = 0; (name = config_key_name(i)) && strcmp(name, e.key[j]) != 0; i++)
			;
		if (!name)
			fail_msg("data/onboardd.conf names %s, which onboardd does not know", e.key[j]);
	}
	assert_int_equal(e.n, keys);
}

static void values_are_the_defaults(void **state)
{
	char dir[256], path[300], err[512];
	struct config want, got;
	struct example e;
	FILE *f;
	int fd;

	(void)state;
	example_read(&e);
	assert_int_equal(unit_dir_make(dir, sizeof(dir), "/tmp", "test_conf_example"), 0);
	snprintf(path, sizeof(path), "%s/onboardd.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (size_t j = 0; j < e.n; j++)
		if (e.value[j][0] != '<')
			fprintf(f, "%s = %s\n", e.key[j], e.value[j]);
	assert_int_equal(fclose(f), 0);

	/* Both through config_load, so that the copies are made alike. */
	config_defaults(&got);
	if (config_load(&got, path, true, err, sizeof(err)) != 0)
		fail_msg("the example's values do not load: %s", err);
	assert_int_equal(truncate(path, 0), 0);
	config_defaults(&want);
	assert_int_equal(config_load(&want, path, true, err, sizeof(err)), 0);
	unit_dir_remove(dir);
	for (size_t j = 0; j < e.n; j++)
		if (e.value[j][0] != '<')
			print_message("checked %s = %s\n", e.key[j], e.value[j]);
	assert_memory_equal(&got, &want, sizeof(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_key_once),
		cmocka_unit_test(values_are_the_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

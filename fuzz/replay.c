/* SPDX-License-Identifier: BSD-3-Clause */
/* Runs a fuzz target over saved inputs without libFuzzer, so that make
 * check replays every corpus with gcc and the sanitizers.  Arguments are
 * files or directories (not searched recursively); with none, the
 * target's own corpus under $top_srcdir/fuzz/corpus/ is used. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS must name the target's corpus directory"
#endif

/* Larger than any corpus file we keep; a bigger one is an error. */
#define REPLAY_MAX_INPUT (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	size_t n = 0;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: larger than %d bytes\n", path, REPLAY_MAX_INPUT);
		fclose(f);
		return -1;
	}
	/* Exactly the input's size, so the sanitizers see a read past its end. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (buf)
		n = fread(buf, 1, (size_t)st.st_size, f);
	if (!buf || n != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	(*count)++;
	return 0;
}

static int replay_path(const char *path, size_t *count)
{
	struct stat st;
	struct dirent **names;
	int n, ret = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	/* Sorted, so a failure names the same input on every run. */
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char full[4096];

		if (names[i]->d_name[0] != '.' && ret == 0) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
				ret = replay_file(full, count);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	char dflt[4096];
	size_t count = 0;

	if (argc < 2) {
		const char *top = getenv("top_srcdir");

		snprintf(dflt, sizeof(dflt), "%s/fuzz/corpus/%s", top ? top : ".", FUZZ_CORPUS);
		if (replay_path(dflt, &count) < 0)
			return 1;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) < 0)
			return 1;
	if (count == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("%s: replayed %zu inputs\n", FUZZ_CORPUS, count);
	return 0;
}

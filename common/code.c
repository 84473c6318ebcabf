/* SPDX-License-Identifier: BSD-3-Clause */
/* Access code generation and normalisation. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "code.h"

static bool code_letter(char c)
{
	return c != '\0' && strchr(CODE_ALPHABET, c) != NULL;
}

/* Letters drawn from bytes of one randombytes_buf, not one system call
 * each (randombytes_uniform asks the kernel every time: a fifth of a
 * bulk issue's CPU).  A byte at or above the largest multiple of the
 * alphabet's size is thrown away, so every letter is equally likely. */
void code_generate_len(char *out, size_t letters)
{
	const unsigned n = (unsigned)(sizeof(CODE_ALPHABET) - 1);
	const unsigned limit = 256 - 256 % n;
	unsigned char pool[64];
	size_t have = 0, i = 0;

	while (i < letters) {
		unsigned b;

		if (have == 0) {
			randombytes_buf(pool, sizeof(pool));
			have = sizeof(pool);
		}
		b = pool[--have];
		if (b < limit)
			out[i++] = CODE_ALPHABET[b % n];
	}
	out[letters] = '\0';
	sodium_memzero(pool, sizeof(pool));
}

void code_generate(char out[CODE_LETTERS + 1])
{
	code_generate_len(out, CODE_LETTERS);
}

int code_normalise(const char *typed, char out[CODE_LETTERS + 1])
{
	return code_normalise_len(typed, out, CODE_LETTERS);
}

int code_normalise_len(const char *typed, char *out, size_t letters)
{
	size_t n = 0;

	for (size_t i = 0; typed[i]; i++) {
		char c = typed[i];

		if (i >= CODE_INPUT_MAX)
			goto bad;
		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!code_letter(c) || n >= letters)
			goto bad;
		out[n++] = c;
	}
	if (n != letters)
		goto bad;
	out[n] = '\0';
	return 0;
bad:
	sodium_memzero(out, letters + 1);
	return -EINVAL;
}

int code_format(const char *code, char out[CODE_FORMATTED + 1])
{
	return code_format_len(code, out, CODE_LETTERS);
}

int code_format_len(const char *code, char *out, size_t letters)
{
	size_t o = 0;

	if (strlen(code) != letters)
		return -EINVAL;
	for (size_t i = 0; i < letters; i++) {
		if (!code_letter(code[i]))
			return -EINVAL;
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = code[i];
	}
	out[o] = '\0';
	return 0;
}

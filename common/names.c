/* SPDX-License-Identifier: BSD-3-Clause */
/* The portable name rule (see names.h). */
#include "config.h"

#include <string.h>

#include "names.h"

size_t name_length(const char *s, size_t max)
{
	size_t n;

	if (!s)
		return 0;
	n = strnlen(s, max + 1);
	return n > max ? 0 : n;
}

enum name_fault name_check(const char *s, size_t max)
{
	size_t n = name_length(s, max);

	if (n == 0)
		return NAME_LENGTH;
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return NAME_FIRST;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return NAME_CHAR;
	}
	return NAME_OK;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* duration_parse against arbitrary text: what it accepts is within
 * range and survives a format/parse round trip. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), out[64];
	int64_t s, back;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (duration_parse(text, &s) == 0) {
		if (s <= 0 || s > DURATION_MAX_SECONDS)
			abort();
		if (duration_format(s, out, sizeof(out)) != 0)
			abort();
		if (duration_parse(out, &back) != 0 || back != s)
			abort();
	} else if (s != 0) {
		abort();
	}
	free(text);
	return 0;
}

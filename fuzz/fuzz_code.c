/* SPDX-License-Identifier: BSD-3-Clause */
/* code_normalise against arbitrary typed text: whatever it accepts must
 * be a canonical code that formats and reads back to itself. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[CODE_LETTERS + 1], shown[CODE_FORMATTED + 1], back[CODE_LETTERS + 1];
	char *typed = malloc(size + 1);

	if (!typed)
		return 0;
	memcpy(typed, data, size);
	typed[size] = '\0';
	if (code_normalise(typed, out) == 0) {
		if (strlen(out) != CODE_LETTERS || strspn(out, CODE_ALPHABET) != CODE_LETTERS)
			abort();
		if (strlen(typed) > CODE_INPUT_MAX)
			abort();
		if (code_format(out, shown) != 0 || strlen(shown) != CODE_FORMATTED)
			abort();
		if (code_normalise(shown, back) != 0 || strcmp(out, back) != 0)
			abort();
	} else {
		for (size_t i = 0; i < sizeof(out); i++)
			if (out[i])
				abort(); /* a refusal wipes what was read */
	}
	/* code_format takes only canonical codes. */
	if (code_format(typed, shown) == 0 &&
	    (code_normalise(typed, back) != 0 || strcmp(typed, back) != 0))
		abort();
	free(typed);
	return 0;
}

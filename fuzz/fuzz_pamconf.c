/* SPDX-License-Identifier: BSD-3-Clause */
/* pamconf_parse (onboardctl doctor's reading of /etc/pam.d files)
 * against arbitrary bytes.  Beyond not crashing, every line it returns
 * must be whole: numbers in order, known types and controls, each action
 * a real one, module names within one line and found in the input,
 * errors one line; an unfinished file needs a backslash and a long line
 * a long input; and a final newline added to the input must change
 * nothing. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doctor_pamconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_line(const struct pamconf_line *l, int prev, int physical,
			    const uint8_t *data, size_t size)
{
	bool jumps_or_acts = false;

	if (l->lineno <= prev || l->lineno < 1 || l->lineno > physical)
		abort();
	if ((int)l->type < 0 || l->type > PAMCONF_TYPE_BAD)
		abort();
	if ((int)l->control < 0 || l->control > PAMCONF_CONTROL_BAD)
		abort();
	if (!memchr(l->error, '\0', sizeof(l->error)) || strchr(l->error, '\n'))
		abort();
	if (!l->error[0] && (l->type == PAMCONF_TYPE_BAD || l->control == PAMCONF_CONTROL_BAD))
		abort();
	if ((l->type == PAMCONF_ANY) != (l->control == PAMCONF_AT_INCLUDE))
		abort();
	/* A word in brackets may hold blanks, or be empty ("[]"), as in libpam. */
	if (l->module && strchr(l->module, '\n'))
		abort();
	if (!l->error[0] && !l->module)
		abort();
	/* A word without blanks is never pieced together from two lines
	 * (a joint is a blank): it stands in the input as it is. */
	if (l->module && !strpbrk(l->module, " \t\r") &&
	    !memmem(data, size, l->module, strlen(l->module)))
		abort();
	if (l->long_line && size <= PAMCONF_LINE_LIBPAM)
		abort();
	if (l->control == PAMCONF_INCLUDE || l->control == PAMCONF_SUBSTACK ||
	    l->control == PAMCONF_AT_INCLUDE)
		return; /* their actions are never used */
	for (int i = 0; i < PAMCONF_RV_COUNT; i++) {
		if (l->action[i] < PAMCONF_ACT_RESET || l->action[i] > PAMCONF_JUMP_MAX)
			abort();
		jumps_or_acts = jumps_or_acts || l->action[i] != PAMCONF_ACT_BAD;
	}
	/* Brackets that set anything read "value=action" somewhere. */
	if (l->control == PAMCONF_BRACKET && jumps_or_acts && !memchr(data, '=', size))
		abort();
}

static void fuzz_same(const struct pamconf_file *a, const struct pamconf_file *b)
{
	if (a->count != b->count || a->unfinished != b->unfinished)
		abort();
	for (size_t i = 0; i < a->count; i++) {
		const struct pamconf_line *x = &a->lines[i], *y = &b->lines[i];

		if (x->lineno != y->lineno || x->type != y->type || x->control != y->control ||
		    x->silent != y->silent || strcmp(x->error, y->error) != 0 ||
		    memcmp(x->action, y->action, sizeof(x->action)) != 0 ||
		    x->long_line != y->long_line || (!x->module != !y->module) ||
		    (x->module && strcmp(x->module, y->module) != 0))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pamconf_file f, g;
	char *text;
	int physical = 1, prev = 0;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\n';
	for (size_t i = 0; i < size; i++)
		physical += data[i] == '\n';
	if (pamconf_parse(&f, text, size) < 0) {
		free(text);
		return 0;
	}
	for (size_t i = 0; i < f.count; i++) {
		fuzz_check_line(&f.lines[i], prev, physical, data, size);
		prev = f.lines[i].lineno;
	}
	/* It begins after the last line read, and only '\\' continues a line. */
	if (f.unfinished && (f.unfinished <= prev || f.unfinished > physical ||
			     !memchr(data, '\\', size)))
		abort();
	if (pamconf_parse(&g, text, size + 1) == 0) {
		fuzz_same(&f, &g);
		pamconf_free(&g);
	}
	pamconf_free(&f);
	free(text);
	return 0;
}

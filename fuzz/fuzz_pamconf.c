/* pamconf_parse (onboardctl doctor's reading of /etc/pam.d files)
 * against arbitrary bytes.  Beyond not crashing, every line it returns
 * must be whole: numbers in order, known types and controls, each action
 * a real one, module names within one line, errors one line; and a final
 * newline added to the input must change nothing. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doctor_pamconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_line(const struct pamconf_line *l, int prev, int physical)
{
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
	if (l->control == PAMCONF_INCLUDE || l->control == PAMCONF_SUBSTACK ||
	    l->control == PAMCONF_AT_INCLUDE)
		return; /* their actions are never used */
	for (int i = 0; i < PAMCONF_RV_COUNT; i++)
		if (l->action[i] < PAMCONF_ACT_RESET || l->action[i] > PAMCONF_JUMP_MAX)
			abort();
	if (!pamconf_rv_name(0) || pamconf_rv_name(PAMCONF_RV_COUNT))
		abort();
	if (!strstr(l->module ? l->module : "", pamconf_module_base(l)))
		abort();
}

static void fuzz_same(const struct pamconf_file *a, const struct pamconf_file *b)
{
	if (a->count != b->count)
		abort();
	for (size_t i = 0; i < a->count; i++) {
		const struct pamconf_line *x = &a->lines[i], *y = &b->lines[i];

		if (x->lineno != y->lineno || x->type != y->type || x->control != y->control ||
		    x->silent != y->silent || strcmp(x->error, y->error) != 0 ||
		    memcmp(x->action, y->action, sizeof(x->action)) != 0 ||
		    (!x->module != !y->module) ||
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
		fuzz_check_line(&f.lines[i], prev, physical);
		prev = f.lines[i].lineno;
	}
	if (pamconf_parse(&g, text, size + 1) == 0) {
		fuzz_same(&f, &g);
		pamconf_free(&g);
	}
	pamconf_free(&f);
	free(text);
	return 0;
}

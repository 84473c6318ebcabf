/* libpwquality, configured for onboard's rules: length is ours (policy.c),
 * composition rules are off (NIST SP 800-63B), what remains are the
 * checks that catch guessable passwords: dictionary words, palindromes,
 * the username, repetition. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <pwquality.h>

#include "quality.h"

static const struct {
	int setting;
	int value;
} quality_settings[] = {
	/* The lowest libpwquality takes: the real minimum is policy's. */
	{ PWQ_SETTING_MIN_LENGTH, 6 },
	{ PWQ_SETTING_DIG_CREDIT, 0 },
	{ PWQ_SETTING_UP_CREDIT, 0 },
	{ PWQ_SETTING_LOW_CREDIT, 0 },
	{ PWQ_SETTING_OTH_CREDIT, 0 },
	{ PWQ_SETTING_MIN_CLASS, 0 },
	{ PWQ_SETTING_DICT_CHECK, 1 },
	{ PWQ_SETTING_USER_CHECK, 1 },
	/* A changed password differs in at least five characters. */
	{ PWQ_SETTING_DIFF_OK, 5 },
};

const char *quality_check(const char *pw, const char *old, const char *username, char *why,
			  size_t size)
{
	pwquality_settings_t *pwq = pwquality_default_settings();
	void *aux = NULL;
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	int r;

	if (!pwq) {
		snprintf(why, size, "The password cannot be checked right now. Try again.");
		return why;
	}
	for (size_t i = 0; i < sizeof(quality_settings) / sizeof(quality_settings[0]); i++)
		pwquality_set_int_value(pwq, quality_settings[i].setting, quality_settings[i].value);
	r = pwquality_check(pwq, pw, old, username, &aux);
	pwquality_free_settings(pwq);
	if (r >= 0)
		return NULL;
	/* Its reasons read "The password is shorter than ...", "The password
	 * fails the dictionary check - it is based on a dictionary word". */
	snprintf(why, size, "%s.", pwquality_strerror(buf, sizeof(buf), r, aux));
	return why;
}

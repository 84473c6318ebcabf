/* SPDX-License-Identifier: BSD-3-Clause */
/* libpwquality, configured for onboard's rules: length is ours (policy.c),
 * composition rules are off (NIST SP 800-63B), what remains are the
 * checks that catch guessable passwords: dictionary words, palindromes,
 * the username, repetition. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <pwquality.h>

#include "log.h"
#include "policy.h"
#include "quality.h"

/* The dictionary: cracklib's own (NULL), or another for the tests; and
 * whether it could be read at start. */
static const char *quality_dict;
static int quality_dict_on = 1;

/* quality_check runs on the worker threads (login.c's job_run), and
 * neither libpwquality nor cracklib documents that it may run in two
 * threads at once: one check at a time. */
static pthread_mutex_t quality_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* libpwquality with our settings, or NULL. */
static pwquality_settings_t *quality_settings_new(void)
{
	pwquality_settings_t *pwq = pwquality_default_settings();

	if (!pwq)
		return NULL;
	for (size_t i = 0; i < sizeof(quality_settings) / sizeof(quality_settings[0]); i++)
		pwquality_set_int_value(pwq, quality_settings[i].setting, quality_settings[i].value);
	pwquality_set_int_value(pwq, PWQ_SETTING_DICT_CHECK, quality_dict_on);
	if (quality_dict)
		pwquality_set_str_value(pwq, PWQ_SETTING_DICT_PATH, quality_dict);
	return pwq;
}

int quality_init(const char *dict_path)
{
	/* Random letters and signs: no dictionary holds them, so only a
	 * dictionary that cannot be read refuses this. */
	static const char probe[] = "Xq7#vRz2!Lm9@Tw4$Kb8%Pn6";
	pwquality_settings_t *pwq;
	void *aux = NULL;
	int r;

	quality_dict = dict_path;
	quality_dict_on = 1;
	pwq = quality_settings_new();
	if (!pwq)
		return -ENOMEM;
	r = pwquality_check(pwq, probe, NULL, NULL, &aux);
	pwquality_free_settings(pwq);
	if (r != PWQ_ERROR_CRACKLIB_CHECK)
		return 0;
	/* Every new password would be refused "error loading dictionary":
	 * nobody could register.  The other checks still hold. */
	quality_dict_on = 0;
	log_warnx("libpwquality cannot read cracklib's dictionary (install cracklib-runtime): "
		  "new passwords are checked without it");
	return 1;
}

const char *quality_check(const char *pw, const char *old, const char *username, char *why,
			  size_t size)
{
	pwquality_settings_t *pwq;
	void *aux = NULL;
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	int r;

	pthread_mutex_lock(&quality_lock);
	pwq = quality_settings_new();
	if (!pwq) {
		pthread_mutex_unlock(&quality_lock);
		snprintf(why, size, "%s", policy_say(SAY_CANNOT_CHECK));
		return why;
	}
	r = pwquality_check(pwq, pw, old, username, &aux);
	pwquality_free_settings(pwq);
	if (r >= 0) {
		pthread_mutex_unlock(&quality_lock);
		return NULL;
	}
	/* Its reasons read "The password is shorter than ...", "The password
	 * fails the dictionary check - it is based on a dictionary word". */
	snprintf(why, size, "%s.", pwquality_strerror(buf, sizeof(buf), r, aux));
	pthread_mutex_unlock(&quality_lock);
	return why;
}

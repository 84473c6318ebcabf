/* SPDX-License-Identifier: BSD-3-Clause */
/* What the unit tests of the store and the admin calls share: a store
 * opened in a fixture's directory (unit.h), a daemon around it as the
 * admin calls see it, and a person with the fields every test fills.
 * Header-only like unit.h; include it after cmocka.h. */
#ifndef OB_TEST_UNIT_STORE_H
#define OB_TEST_UNIT_STORE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "store.h"
#include "unit.h"

/* store_open, failing the test when it fails. */
static inline void unit_store_open(struct store **st, const char *dir, uint64_t map_size)
{
	int r = store_open(st, dir, map_size);

	if (r < 0)
		fail_msg("store_open(%s): %s", dir, strerror(-r));
}

/* d with a store in dir, the default configuration, a fixed code key
 * (these tests never compare codes) and the test's clock. */
static inline void unit_daemon_open(struct daemon *d, const char *dir, uint64_t map_size,
				    int64_t (*now)(void), int64_t started)
{
	unit_store_open(&d->store, dir, map_size);
	config_defaults(&d->cfg);
	memset(d->keys.code_key, 0x5a, sizeof(d->keys.code_key));
	d->now = now;
	d->started = started;
}

/* p zeroed with a username, names, an organisation and pwhash (may be
 * ""). */
static inline void unit_person(struct person *p, const char *username, const char *first,
			       const char *last, const char *org, const char *pwhash)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->username, sizeof(p->username), "%s", username);
	snprintf(p->first_name, sizeof(p->first_name), "%s", first);
	snprintf(p->last_name, sizeof(p->last_name), "%s", last);
	snprintf(p->org, sizeof(p->org), "%s", org);
	snprintf(p->pwhash, sizeof(p->pwhash), "%s", pwhash);
}

/* A store call's result, named in the failure when it is not want
 * (cmocka's fail_msg: include cmocka.h first). */
#define assert_result(expr, want)                                                          \
	do {                                                                               \
		enum store_result got_ = (expr);                                           \
		if (got_ != (want))                                                        \
			fail_msg("%s: got \"%s\", expected \"%s\"", #expr,                 \
				 store_result_name(got_), store_result_name(want));        \
	} while (0)

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* What the unit tests of the admin calls share (test_admin,
 * test_admin_org, test_audit): a fixture with a daemon on a store in
 * its own directory and the session of the calls, the uid to call as,
 * and a call checked for its error or reply.  Header-only like unit.h; include it after cmocka.h. */
#ifndef OB_TEST_UNIT_ADMIN_H
#define OB_TEST_UNIT_ADMIN_H

#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "admin_private.h"
#include "daemon.h"
#include "unit_store.h"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct daemon d;
	struct admin_session *sess;
};

/* The session, the store and the directory gone, and f freed. */
static inline void unit_admin_close(struct fixture *f)
{
	admin_session_free(f->sess);
	store_close(f->d.store);
	(void)unit_fixture_free(f);
}

/* The uid of a base account, or fail when the host lacks it. */
static inline uid_t unit_uid_of(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (!pw)
		fail_msg("this host has no account %s to call as", name);
	return pw->pw_uid;
}

/* Make a call as uid; check the error name (NULL: a reply) and, when
 * want_text is given, that the message holds it.  Returns the reply,
 * its parameters in *params (may be NULL). */
static inline struct json_object *unit_call_as(struct fixture *f, uid_t uid, const char *method,
					       const char *params_json, const char *want_error,
					       const char *want_text, struct json_object **params)
{
	struct peer peer = { .uid = uid, .gid = uid, .pid = 1 };
	struct json_object *in = params_json ? json_tokener_parse(params_json) : NULL;
	struct json_object *reply, *e = NULL, *p = NULL, *m = NULL;

	if (params_json && !in)
		fail_msg("test bug: %s is not JSON", params_json);
	reply = admin_call(&f->d, &peer, &f->sess, method, in);
	json_object_put(in);
	assert_non_null(reply);
	json_object_object_get_ex(reply, "error", &e);
	json_object_object_get_ex(reply, "parameters", &p);
	if (want_error && (!e || strcmp(json_object_get_string(e), want_error) != 0))
		fail_msg("%s as uid %u: expected error %s, got %s", method, (unsigned)uid,
			 want_error, json_object_to_json_string(reply));
	if (!want_error && e)
		fail_msg("%s as uid %u: expected a reply, got %s", method, (unsigned)uid,
			 json_object_to_json_string(reply));
	if (want_text && (!p || !json_object_object_get_ex(p, "message", &m) ||
			  !strstr(json_object_get_string(m), want_text)))
		fail_msg("%s as uid %u: expected a message with \"%s\", got %s", method,
			 (unsigned)uid, want_text, json_object_to_json_string(reply));
	if (params)
		*params = p;
	return reply;
}

#endif

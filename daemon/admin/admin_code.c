/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin: CodeIssue, CodeRevoke, MfaReset, Unlock and
 * SourceUnlock.  Access codes appear only in the CodeIssue reply. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <sodium.h>

#include "accounts.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "audit.h"
#include "code.h"
#include "daemon.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy.h"
#include "store_record.h"
#include "throttle.h"
#include "validate.h"
#include "varlink.h"

struct json_object *admin_code_issue(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL, *out;
	struct access_code rec;
	const char *username;
	char shown[CODE_FORMATTED + 1], when[32];
	long long lifetime;
	int64_t now = d->now();
	bool reset_mfa = false;
	enum store_result r;
	int e;

	if (admin_get_username(params, &username, &err) < 0)
		return err;
	if (admin_get_lifetime(params, d->cfg.code_lifetime, &lifetime, &err) < 0)
		return err;
	e = varlink_get_bool(params, "reset_mfa", &reset_mfa);
	if (e < 0 && e != -ENOENT)
		return admin_bad_parameter("reset_mfa", e, "true or false");
	if (admin_find_target(x, username,
			      reset_mfa ? "issue them an access code that resets their "
					  "authenticator" : "issue them an access code",
			      &p, &err) < 0)
		return err;
	if (p.flags & PERSON_DISABLED)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "%s is %s: no access code can be issued", username,
				   p.deleted ? "in the user bank" : "disabled");

	r = admin_issue_code(d, username, now, lifetime, reset_mfa ? CODE_FLAG_RESET_MFA : 0,
			     shown, &rec);
	if (r != STORE_OK) {
		admin_audit_limited(x, false, username, p.org, "code.issue", store_result_name(r),
				    "refused");
		if (r == STORE_NOT_FOUND)
			return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
		return admin_storage_error(r, "store the access code");
	}
	out = json_object_new_object();
	if (out && (admin_set_string(out, "code", shown) < 0 ||
		    admin_set_string(out, "username", username) < 0 ||
		    admin_set_int(out, "expires", rec.expires) < 0 ||
		    admin_set(out, "reset_mfa",
			      json_object_new_boolean(!!(rec.flags & CODE_FLAG_RESET_MFA))) < 0)) {
		varlink_wipe(out);
		json_object_put(out);
		out = NULL;
	}
	OB_WIPE(shown);
	log_info("admin: issued an access code to %s, valid until %s%s", username,
		 log_utc(rec.expires, when, sizeof(when)),
		 rec.flags & CODE_FLAG_RESET_MFA ? ", resetting the authenticator" : "");
	admin_audit(x, username, p.org, "code.issue", "ok", "valid until %s%s", when,
		    rec.flags & CODE_FLAG_RESET_MFA ? ", resets the authenticator" : "");
	OB_WIPE(rec);
	return out ? varlink_reply_new(out) : NULL;
}

/* Why an access code cannot be revoked, in the administrator's words. */
static const char *admin_revoke_reason(enum store_result r)
{
	switch (r) {
	case STORE_USED:
		return "is already used";
	case STORE_EXPIRED:
		return "has already expired";
	case STORE_REVOKED:
		return "is already revoked";
	case STORE_SUPERSEDED:
		return "was already replaced by a newer one";
	default:
		return NULL;
	}
}

struct json_object *admin_code_revoke(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL;
	const char *username, *why;
	enum store_result r;

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_target(x, username, "revoke their access code", &p, &err) < 0)
		return err;
	r = store_code_revoke(d->store, username, d->now());
	if (r == STORE_NOT_FOUND)
		return admin_error(OB_ERR_NO_CODE, "%s has no access code", username);
	why = admin_revoke_reason(r);
	if (why)
		return admin_error(OB_ERR_NO_CODE, "%s's access code %s", username, why);
	if (r != STORE_OK)
		return admin_storage_error(r, "revoke the access code");
	log_info("admin: revoked the access code of %s", username);
	admin_audit(x, username, p.org, "code.revoke", "ok", "%s", "");
	return varlink_reply_new(NULL);
}

/* Writes that lose the compare-and-swap to a login (a TOTP watermark, a
 * new password) read again; more losses than this mean something is
 * rewriting the person in a loop, and the administrator may try again. */
#define ADMIN_PUT_ATTEMPTS 3

struct json_object *admin_mfa_reset(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	struct json_object *err = NULL;
	const char *username;
	enum store_result r = STORE_CONFLICT;

	if (admin_get_username(params, &username, &err) < 0)
		return err;
	for (int i = 0; i < ADMIN_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		if (admin_find_target(x, username, "reset their authenticator", &p, &err) < 0)
			return err;
		if (!admin_person_enrolled(&p))
			return admin_error(OB_ERR_NO_AUTHENTICATOR,
					   "%s has no authenticator to reset", username);
		/* The same fields as a code issued with reset_mfa clears. */
		p.flags &= ~PERSON_MFA_ENROLLED;
		OB_WIPE(p.totp_sealed);
		p.totp_last_step = 0;
		p.mfa_enrolled = 0;
		p.updated = d->now();
		r = store_person_put(d->store, &p);
	}
	if (r == STORE_NOT_FOUND)
		return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
	if (r == STORE_CONFLICT)
		return admin_error(OB_ERR_CONFLICT,
				   "%s was changed while the authenticator was being reset: "
				   "try again", username);
	if (r != STORE_OK)
		return admin_storage_error(r, "reset the authenticator");
	log_info("admin: reset the authenticator of %s: they enrol again at their next login",
		 username);
	admin_audit(x, username, p.org, "mfa.reset", "ok", "%s", "");
	return admin_reply_with("person", admin_person_json(&p, (enum mfa_mode)d->cfg.mfa));
}

struct json_object *admin_unlock(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	_cleanup_person_ struct person p = { 0 };
	_cleanup_json_ struct json_object *out = NULL;
	struct json_object *err = NULL;
	struct throttle old, zero;
	const char *username;
	enum store_result r = STORE_CONFLICT;
	int64_t now = d->now();
	char when[32];

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_target(x, username, "unlock them", &p, &err) < 0)
		return err;
	policy_throttle_clear(&zero);
	/* Compare-and-swap, so that the reply tells exactly what was lifted. */
	for (int i = 0; i < ADMIN_PUT_ATTEMPTS && r == STORE_CONFLICT; i++) {
		r = store_throttle_get(d->store, username, &old);
		if (r == STORE_OK)
			r = store_throttle_put(d->store, username, &old, &zero);
	}
	if (r == STORE_NOT_FOUND)
		return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
	if (r == STORE_CONFLICT)
		return admin_error(OB_ERR_CONFLICT,
				   "%s kept failing logins while being unlocked: try again", username);
	if (r != STORE_OK)
		return admin_storage_error(r, "unlock the person");
	policy_throttle_expire(&old, now);
	/* What was lifted: the lock everywhere, else the latest of a place. */
	if (!old.locked_until)
		policy_throttle_places_locked(&old, now, &old.locked_until);
	if (old.locked_until)
		log_info("admin: unlocked %s (locked until %s after %u failed login%s)", username,
			 log_utc(old.locked_until, when, sizeof(when)), old.failures,
			 old.failures == 1 ? "" : "s");
	else if (old.failures)
		log_info("admin: cleared %u failed login%s of %s (not locked)", old.failures,
			 old.failures == 1 ? "" : "s", username);
	admin_audit(x, username, NULL, "user.unlock", "ok", "%u failure%s", old.failures,
		    old.failures == 1 ? "" : "s");
	out = json_object_new_object();
	if (!out)
		return NULL;
	if (admin_set_string(out, "username", username) < 0 ||
	    admin_set_int(out, "failures", old.failures) < 0 ||
	    (old.locked_until && admin_set_int(out, "locked_until", old.locked_until) < 0))
		return NULL;
	return varlink_reply_new(ob_json_take(&out));
}

/* Whether anyone of another organisation than org's is in the store. */
struct admin_orgs {
	const char *org;
	bool other;
};

static int admin_other_org(const struct person *p, void *ctx)
{
	struct admin_orgs *o = ctx;

	o->other = strcmp(p->org, o->org) != 0;
	return o->other;
}

/* A kiosk source locked by wrong access codes: "rhost=HOST", "tty=TTY"
 * or "service=NAME", as the log names it. */
struct json_object *admin_source_unlock(struct admin_ctx *x, struct json_object *params)
{
	static const char *const kinds[] = { "rhost", "tty", "service" };
	uint8_t key[THROTTLE_SOURCE_BYTES];
	struct throttle_rules rules;
	_cleanup_json_ struct json_object *out = NULL;
	struct throttle was;
	const char *source, *eq;
	char kind[16];
	size_t i;
	int e;

	e = varlink_get_string(params, "source", ADMIN_TEXT_MAX, &source);
	if (e < 0)
		return admin_bad_parameter("source", e, "KIND=VALUE");
	eq = strchr(source, '=');
	for (i = 0; eq && i < OB_ARRAY_SIZE(kinds); i++)
		if (strlen(kinds[i]) == (size_t)(eq - source) &&
		    strncmp(source, kinds[i], (size_t)(eq - source)) == 0)
			break;
	if (!eq || i == OB_ARRAY_SIZE(kinds) || !eq[1])
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				   "a source is rhost=HOST, tty=TTY or service=NAME");
	/* A source is the host's, and its wrong codes may have been guesses
	 * at any organisation's codes: a main administrator lifts its lock
	 * only where theirs is the only organisation. */
	if (!x->a.root) {
		struct admin_orgs o = { .org = x->a.org };
		struct store_skipped sk;
		enum store_result r = store_person_each(x->d->store, NULL, admin_other_org, &o);

		if (r != STORE_OK)
			return admin_storage_error(r, "read the organisations");
		store_last_skipped(&sk);
		if (o.other || sk.count) {
			admin_audit_limited(x, false, NULL, x->a.org, "admin.denied", "denied",
					    "SourceUnlock: other organisations share the source");
			return admin_error(VL_ERR_PERMISSION_DENIED,
					   "permission denied: kiosk sources are shared by every "
					   "organisation on this host: only root may unlock one");
		}
	}
	snprintf(kind, sizeof(kind), "%s", kinds[i]);
	throttle_source_key(kind, eq + 1, key);
	throttle_source_unlock(key, &was);
	rules = policy_throttle_rules(&x->d->cfg);
	policy_source_expire(&was, &rules, x->d->now());
	admin_audit(x, NULL, x->a.org, "source.unlock", "ok", "%s %s: %u failure%s", kind,
		    was.locked_until ? "was locked" : "was not locked", was.failures,
		    was.failures == 1 ? "" : "s");
	out = json_object_new_object();
	if (!out || admin_set_string(out, "source", source) < 0 ||
	    admin_set_int(out, "failures", was.failures) < 0 ||
	    (was.locked_until && admin_set_int(out, "locked_until", was.locked_until) < 0))
		return NULL;
	return varlink_reply_new(ob_json_take(&out));
}

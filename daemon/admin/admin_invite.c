/* SPDX-License-Identifier: BSD-3-Clause */
/* Invitations, the administrators' side.  An invitation is a 16-letter
 * code (the access code format) unique to the person, valid for
 * invitation_lifetime, single use; a new one supersedes the pending one.
 * With invite_verification = admin a second, 8-letter code comes with
 * it, and the person needs both.
 *
 * (The person's side is in login_invite.c: the invitation code at the
 * login prompt.)
 *
 * Delivery: there is no mail or SMS delivery yet, so every code is in
 * the reply to the administrator ("code", "verification_code"), who
 * passes it on; code_to_me is accepted and means exactly that.  Codes
 * are shown once, stored only as keyed hashes, and never logged. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "code.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy.h"
#include "validate.h"
#include "varlink.h"

/* Pages of InviteList.  An Invitation's JSON is at most about 150 bytes
 * of keys and punctuation, a username that needs no escaping, a status
 * word and three times of at most 20 bytes each. */
#define INVITE_JSON_MAX (110 + OB_USERNAME_MAX + sizeof("superseded") - 1 + \
			 sizeof("false") - 1 + 3 * 20)
#define INVITE_PAGE_MAX 256
#define INVITE_PAGE_DEFAULT 200
#define INVITE_PAGE_OVERHEAD 128
_Static_assert(INVITE_PAGE_MAX * (INVITE_JSON_MAX + 1) + INVITE_PAGE_OVERHEAD <= 60 * 1024,
	       "a full page of invitations may not fit in one message");

/* ------------------------------------------------------------- helpers */

/* code_to_me is optional and, while nothing else delivers, changes
 * nothing: it is only checked to be a boolean. */
static int invite_get_code_to_me(struct json_object *params, struct json_object **err)
{
	bool to_me = false;
	int r = varlink_get_bool(params, "code_to_me", &to_me);

	if (r < 0 && r != -ENOENT) {
		*err = admin_bad_parameter("code_to_me", r, "true or false");
		return r;
	}
	return 0;
}

/* An Invitation: status and times, never a code or a hash. */
static struct json_object *invite_json(const struct invitation *inv, int64_t now)
{
	return admin_closable_json(inv->username,
				   policy_invite_status_name(policy_invite_status(inv, now)),
				   inv->issued, inv->expires, inv->closed, "verification",
				   inv->has_verification);
}

/* ------------------------------------------------------------- issuing */

/* Draw the code(s), store their hashes, and add them formatted to out
 * ("code", and "verification_code" when configured).  Returns the
 * store's result; on anything but STORE_OK out is left without codes. */
static enum store_result invite_issue(struct daemon *d, const char *username,
				      struct json_object *out, struct invitation *rec)
{
	char plain[CODE_LETTERS + 1], shown[CODE_FORMATTED + 1];
	char vplain[VERIFY_LETTERS + 1], vshown[VERIFY_FORMATTED + 1];
	uint8_t hash[CODE_HASH_BYTES], vhash[CODE_HASH_BYTES];
	bool verify = d->cfg.invite_verification == INVITE_VERIFY_ADMIN;
	int64_t now = d->now();
	enum store_result r;

	code_generate(plain);
	keys_code_hash(&d->keys, plain, hash);
	if (verify) {
		code_generate_len(vplain, VERIFY_LETTERS);
		keys_code_hash(&d->keys, vplain, vhash);
	}
	r = store_invite_issue(d->store, username, hash, verify ? vhash : NULL, now,
			       now + d->cfg.invitation_lifetime, rec);
	OB_WIPE(hash);
	OB_WIPE(vhash);
	/* Freshly generated codes are canonical: formatting cannot fail. */
	if (code_format(plain, shown) < 0)
		shown[0] = '\0';
	if (!verify || code_format_len(vplain, vshown, VERIFY_LETTERS) < 0)
		vshown[0] = '\0';
	OB_WIPE(plain);
	OB_WIPE(vplain);
	if (r == STORE_OK && (admin_set_string(out, "code", shown) < 0 ||
			      (verify && admin_set_string(out, "verification_code", vshown) < 0) ||
			      admin_set_string(out, "delivery", "administrator") < 0))
		r = STORE_UNAVAILABLE; /* memory: the caller answers NULL */
	OB_WIPE(shown);
	OB_WIPE(vshown);
	return r;
}

static void invite_log_issued(const struct invitation *rec, const char *how)
{
	char when[32];

	log_info("admin: %s %s, valid until %s; the code%s shown to the administrator",
		 how, rec->username, log_utc(rec->expires, when, sizeof(when)),
		 rec->has_verification ? " and the verification code are" : " is");
}

/* A reply with a code in it: wiped before it is released on failure. */
static void invite_reply_drop(struct json_object *o)
{
	varlink_wipe(o);
	json_object_put(o);
}

struct json_object *invite_user_added(struct admin_ctx *x, const struct person *p,
				      struct json_object *person)
{
	struct daemon *d = x->d;
	struct json_object *out = json_object_new_object();
	struct invitation rec;
	enum store_result r;

	if (!out || admin_set(out, "person", person) < 0) {
		json_object_put(out);
		return NULL;
	}
	r = invite_issue(d, p->username, out, &rec);
	if (r != STORE_OK) {
		invite_reply_drop(out);
		if (r == STORE_UNAVAILABLE)
			log_warnx("admin: %s was added, but no invitation could be issued",
				  p->username);
		return admin_error(r == STORE_FULL ? OB_ERR_STORAGE_FULL : OB_ERR_STORAGE,
				    "%s was added, but the invitation could not be stored (%s): "
				    "run 'onboardctl invite send %s'", p->username,
				    store_result_name(r), p->username);
	}
	if (admin_set(out, "invitation", invite_json(&rec, d->now())) < 0) {
		invite_reply_drop(out);
		return NULL;
	}
	invite_log_issued(&rec, "invited");
	admin_audit(x, p->username, p->org, "invite.send", "ok", "with the new person");
	return varlink_reply_new(out);
}

struct json_object *invite_send(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	char org[OB_ORG_MAX + 1];
	struct json_object *err = NULL, *out;
	struct invitation rec;
	_cleanup_person_ struct person p = { 0 };
	const char *username;
	enum store_result r;

	if (admin_get_username(params, &username, &err) < 0 ||
	    invite_get_code_to_me(params, &err) < 0)
		return err;
	if (admin_find_target(x, username, "send them an invitation", &p, &err) < 0)
		return err;
	snprintf(org, sizeof(org), "%s", p.org);
	r = (p.flags & PERSON_DISABLED) ? STORE_REVOKED : p.pwhash[0] ? STORE_USED : STORE_OK;
	if (r == STORE_REVOKED)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				    "%s is disabled: no invitation can be sent", username);
	if (r == STORE_USED)
		return admin_error(OB_ERR_INVALID_ARGUMENT,
				    "%s has already set a password: an invitation is for "
				    "registration; issue an access code instead", username);
	out = json_object_new_object();
	if (!out)
		return NULL;
	r = invite_issue(d, username, out, &rec);
	if (r == STORE_OK && (admin_set_string(out, "username", username) < 0 ||
			      admin_set_int(out, "expires", rec.expires) < 0 ||
			      admin_set(out, "verification",
					 json_object_new_boolean(rec.has_verification)) < 0)) {
		invite_reply_drop(out);
		return NULL;
	}
	if (r != STORE_OK) {
		invite_reply_drop(out);
		if (r == STORE_NOT_FOUND)
			return admin_error(OB_ERR_USER_NOT_FOUND, "no such person: %s", username);
		return admin_storage_error(r, "store the invitation");
	}
	invite_log_issued(&rec, "sent an invitation to");
	admin_audit(x, username, org, "invite.send", "ok", "%s",
		    rec.has_verification ? "with a verification code" : "");
	return varlink_reply_new(out);
}

/* ------------------------------------------------------------ revoking */

struct json_object *invite_revoke(struct admin_ctx *x, struct json_object *params)
{
	struct daemon *d = x->d;
	struct json_object *err = NULL;
	const char *username, *why = NULL;
	_cleanup_person_ struct person p = { 0 };
	enum store_result r;

	if (admin_get_username(params, &username, &err) < 0 ||
	    admin_find_target(x, username, "revoke their invitation", &p, &err) < 0)
		return err;
	r = store_invite_revoke(d->store, username, d->now());
	switch (r) {
	case STORE_NOT_FOUND:
		return admin_error(OB_ERR_NO_INVITATION, "%s has no invitation", username);
	case STORE_USED:
		why = "was already accepted";
		break;
	case STORE_EXPIRED:
		why = "has already expired";
		break;
	case STORE_REVOKED:
		why = "is already revoked";
		break;
	case STORE_SUPERSEDED:
		why = "was already replaced by a newer one";
		break;
	default:
		break;
	}
	if (why)
		return admin_error(OB_ERR_NO_INVITATION, "%s's invitation %s", username, why);
	if (r != STORE_OK)
		return admin_storage_error(r, "revoke the invitation");
	log_info("admin: revoked the invitation of %s", username);
	admin_audit(x, username, NULL, "invite.revoke", "ok", "%s", "");
	return varlink_reply_new(NULL);
}

/* ------------------------------------------------------------- listing */

static int invite_page_take(const struct invitation *inv, void *ctx)
{
	struct admin_list *l = ctx;
	int r = admin_list_offer(l, admin_visible(l->x, inv->username));

	return r >= 0 ? r : admin_list_take(l, invite_json(inv, l->now), inv->username);
}

/* One page in username order: after, limit and next as in UserList. */
struct json_object *invite_list(struct admin_ctx *x, struct json_object *params)
{
	struct admin_list l = { .x = x, .now = x->d->now() };
	struct json_object *err = NULL;
	const char *after;

	if (admin_list_start(params, INVITE_PAGE_MAX, INVITE_PAGE_DEFAULT, &l, &after, &err) < 0)
		return err;
	return admin_list_reply(&l, store_invite_each(x->d->store, after, invite_page_take, &l),
				"invitations", "list the invitations");
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* The login dialogue's invitations: the codes, the name, the terms. */
#include "config.h"

#include "audit.h"
#include "login_private.h"

/* ---------------------------------------------------------- invitations */

/* What the typed code is worth against the person's invitation, as the
 * store will judge it at the end (STORE_OK: pending and it is its code);
 * l->invite_hash keeps the hash while it is STORE_OK. */
static enum store_result invite_judge(struct login *l, const char *typed)
{
	static const enum store_result as_store[] = {
		[INVITE_STATUS_PENDING] = STORE_OK,
		[INVITE_STATUS_ACCEPTED] = STORE_USED,
		[INVITE_STATUS_REVOKED] = STORE_REVOKED,
		[INVITE_STATUS_SUPERSEDED] = STORE_SUPERSEDED,
		[INVITE_STATUS_EXPIRED] = STORE_EXPIRED,
	};
	char canon[CODE_LETTERS + 1];
	enum store_result r = STORE_MISMATCH;

	if (code_normalise(typed, canon) < 0)
		return STORE_MISMATCH;
	keys_code_hash(&l->d->keys, canon, l->invite_hash);
	OB_WIPE(canon);
	if (sodium_memcmp(l->invite_hash, l->invite.hash, CODE_HASH_BYTES) == 0)
		r = as_store[policy_invite_status(&l->invite, l->d->now())];
	else if (l->invite.has_previous &&
		 sodium_memcmp(l->invite_hash, l->invite.previous_hash, CODE_HASH_BYTES) == 0)
		r = STORE_SUPERSEDED;
	for (unsigned i = 0; r == STORE_MISMATCH && i < l->invite.nolder && i < STORE_REPLACED_MAX;
	     i++)
		if (sodium_memcmp(l->invite_hash, l->invite.older[i], CODE_HASH_BYTES) == 0)
			r = STORE_SUPERSEDED;
	if (r != STORE_OK)
		OB_WIPE(l->invite_hash);
	return r;
}

static int invite_ask_name(struct login *l, const char *before)
{
	char text[2 * OB_NAME_MAX + 128];

	l->step = STEP_ASK_NAME;
	policy_text_name_ask(l->first_name, l->last_name, text, sizeof(text));
	if (before)
		return login_reply(l, NULL, OB_STYLE_INFO, before, OB_STYLE_TEXT, text, NULL);
	return login_reply(l, NULL, OB_STYLE_TEXT, text, NULL);
}

/* At the secret prompt: the invitation code of a person in registration
 * (judged, and then on to the verification code or the name), or the
 * code of an accepted invitation typed again.  Returns false when typed
 * is for the password check instead; otherwise the reply is sent and
 * its result is in *ret. */
bool login_invite_on_secret(struct login *l, const char *typed, int *ret)
{
	enum store_result r;

	if (!l->have_invite)
		return false;
	if (!login_invite_entry(l)) {
		/* A password exists: only an accepted invitation's own code is
		 * told apart, so that its holder learns it is spent. */
		if (l->invite.state != INVITE_ACCEPTED || invite_judge(l, typed) != STORE_USED)
			return false;
		log_info("login: %s: invitation code refused: already used (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		*ret = login_failed(l, "invitation code", policy_text_invite_outcome(STORE_USED));
		return true;
	}
	r = invite_judge(l, typed);
	if (r != STORE_OK) {
		log_info("login: %s: invitation code refused: %s (" LOG_WHERE ")",
			 l->person.username, store_result_name(r), LOG_WHERE_OF(l));
		*ret = login_failed(l, "invitation code", policy_text_invite_outcome(r));
		return true;
	}
	log_info("login: %s: invitation code accepted (" LOG_WHERE ")", l->person.username,
		 LOG_WHERE_OF(l));
	l->inviting = true;
	memcpy(l->first_name, l->person.first_name, sizeof(l->first_name));
	memcpy(l->last_name, l->person.last_name, sizeof(l->last_name));
	if (l->invite.has_verification) {
		l->step = STEP_ASK_VERIFY;
		*ret = login_reply(l, NULL, OB_STYLE_INFO, policy_say(SAY_INVITATION_ACCEPTED),
				   OB_STYLE_SECRET, policy_say(SAY_VERIFICATION_CODE), NULL);
		return true;
	}
	*ret = invite_ask_name(l, policy_say(SAY_INVITATION_ACCEPTED));
	return true;
}

int login_invite_on_verify(struct login *l, const char *typed)
{
	char canon[VERIFY_LETTERS + 1];
	bool ok = false;
	int r;

	if (login_held(l, &r))
		return r;
	if (code_normalise_len(typed, canon, VERIFY_LETTERS) == 0) {
		keys_code_hash(&l->d->keys, canon, l->verify_hash);
		OB_WIPE(canon);
		ok = sodium_memcmp(l->verify_hash, l->invite.verification_hash,
				   CODE_HASH_BYTES) == 0;
	}
	if (!ok) {
		OB_WIPE(l->verify_hash);
		OB_WIPE(l->invite_hash);
		log_info("login: %s: wrong verification code (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		return login_failed(l, "verification code", policy_text_verification_wrong());
	}
	l->have_verify_hash = true;
	return invite_ask_name(l, policy_say(SAY_VERIFICATION_ACCEPTED));
}

static int invite_ask_terms(struct login *l)
{
	l->step = STEP_ASK_TERMS;
	return login_reply(l, NULL, OB_STYLE_INFO, policy_say(SAY_TERMS), OB_STYLE_INFO,
			   l->d->cfg.terms, OB_STYLE_TEXT, policy_say(SAY_TERMS_ACCEPT), NULL);
}

/* Enter keeps the registered name; a typed one replaces it once the
 * invitation is accepted (and already counts for the password rules). */
int login_invite_on_name(struct login *l, const char *typed)
{
	char first[OB_NAME_MAX + 1], last[OB_NAME_MAX + 1], why[160];

	if (typed[strspn(typed, " \t")]) {
		if (policy_split_name(typed, first, last, why, sizeof(why))) {
			if (++l->name_tries >= LOGIN_NEW_PASSWORD_TRIES)
				return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, why,
						   OB_STYLE_ERROR,
						   policy_say(SAY_NAME_UNCHANGED), NULL);
			return invite_ask_name(l, why);
		}
		memcpy(l->first_name, first, sizeof(l->first_name));
		memcpy(l->last_name, last, sizeof(l->last_name));
		memcpy(l->person.first_name, first, sizeof(l->person.first_name));
		memcpy(l->person.last_name, last, sizeof(l->person.last_name));
	}
	if (l->d->cfg.terms[0])
		return invite_ask_terms(l);
	return login_ask_new_password(l, NULL);
}

int login_invite_on_terms(struct login *l, const char *typed)
{
	if (!policy_terms_accepted(typed)) {
		OB_WIPE(l->invite_hash);
		OB_WIPE(l->verify_hash);
		log_info("login: %s: terms of use not accepted: registration stopped "
			 "(" LOG_WHERE ")", l->person.username, LOG_WHERE_OF(l));
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_text_terms_refused(), NULL);
	}
	log_info("login: %s: terms of use accepted (" LOG_WHERE ")", l->person.username,
		 LOG_WHERE_OF(l));
	return login_ask_new_password(l, NULL);
}

/* The first password is hashed: accept the invitation, names and
 * password in one transaction; the second factor comes next (login.c). */
bool login_invite_after_hash(struct login *l, char *text, size_t size)
{
	struct audit_bounds b;
	struct audit_event e;
	enum store_result r;

	if (l->job.result != 0) {
		log_warnx("login: %s: password hashing failed (out of memory?)", l->person.username);
		login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			    policy_say(SAY_SET_FAILED), NULL);
		return false;
	}
	/* The acceptance and the audit event of its success in one
	 * transaction: both or neither, one durable commit. */
	audit_login_fill(l->d, &e, &l->person, "login.invite", store_result_name(STORE_OK),
			 "%s" LOG_WHERE, "first password set; ", LOG_WHERE_OF(l));
	r = store_invite_accept(l->d->store, l->person.username, l->invite_hash,
				l->have_verify_hash ? l->verify_hash : NULL, l->request_id,
				l->d->now(), l->first_name, l->last_name, l->job.hash, NULL, &e,
				audit_bounds(l->d, e.time, &b));
	login_wrote(l);
	OB_WIPE(l->job.hash);
	OB_WIPE(l->invite_hash);
	OB_WIPE(l->verify_hash);
	login_wrote_audited(l, "invitation acceptance", "login.invite", r, &e);
	if (r != STORE_OK) {
		login_reply(l, r == STORE_FULL || r == STORE_UNAVAILABLE ? OB_VERDICT_UNAVAILABLE
									 : OB_VERDICT_AUTH_ERR,
			    OB_STYLE_ERROR, policy_text_invite_outcome(r), NULL);
		return false;
	}
	if (login_reread(l) < 0) {
		log_warnx("login: %s: cannot read the person back", l->person.username);
		login_unavailable(l);
		return false;
	}
	policy_text_registered(l->person.first_name, text, size);
	return true;
}

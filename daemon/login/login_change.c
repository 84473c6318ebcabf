/* SPDX-License-Identifier: BSD-3-Clause */
/* The login dialogue's password change (phase "password", for passwd). */
#include "config.h"

#include "audit.h"
#include "login_private.h"

/* ------------------------------------------------------ password change */

/* Begin a change (phase "password") or only say whether one may begin
 * (phase "password_check", a verdict without prompts): the person must
 * have finished registration, since a new password never stands in for
 * it (DESIGN rule 1). */
int login_change_start(struct login *l, bool check)
{
	l->change = true;
	switch (policy_account(&l->person)) {
	case ACCOUNT_OK:
	/* policy_account() gives neither: the lock is checked at the answer,
	 * the authenticator by the dialogue. */
	case ACCOUNT_NO_AUTHENTICATOR:
		break;
	case ACCOUNT_UNFINISHED:
		log_info("login: %s: password change refused: registration not finished "
			 "(" LOG_WHERE ")", l->person.username, LOG_WHERE_OF(l));
		return login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR,
				   login_text_unfinished(l), NULL);
	case ACCOUNT_DISABLED:
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   policy_say(SAY_DISABLED), NULL);
	}
	if (check)
		return login_reply(l, OB_VERDICT_SUCCESS, NULL);
	l->step = STEP_ASK_SECRET;
	return login_reply(l, NULL, OB_STYLE_INFO, policy_say(SAY_CHANGING),
			   OB_STYLE_SECRET, policy_say(SAY_CURRENT_PASSWORD), NULL);
}

/* The current password: kept to compare the new one with, then proven
 * the way a login proves it.  No access code is recognised here (none
 * was read): codes are for logging in. */
bool login_change_on_current(struct login *l, const char *typed, int *ret)
{
	size_t len = strlen(typed);

	/* Answers are at most OB_ANSWER_MAX <= OB_PASSWORD_MAX bytes. */
	if (len >= sizeof(l->current)) {
		*ret = login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_say(SAY_INPUT_TOO_LONG), NULL);
		return true;
	}
	memcpy(l->current, typed, len + 1);
	return false;
}

int login_change_not_changed(struct login *l, const char *why)
{
	OB_WIPE(l->current);
	log_info("login: %s: password change: no acceptable new password (" LOG_WHERE ")",
		 l->person.username, LOG_WHERE_OF(l));
	return login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR, why, OB_STYLE_ERROR,
			   policy_say(SAY_NOT_CHANGED), NULL);
}

/* Store the new hash in place of the password the person proved.  A
 * write since the person was read (the authenticator's replay watermark,
 * a rehash) makes the first put a conflict: read once more and go on,
 * unless the password itself changed meanwhile or the account was
 * disabled. */
static enum store_result change_store(struct login *l, struct audit_event *e)
{
	_cleanup_person_ struct person p = l->person;
	int64_t now = l->d->now();
	enum store_result r;

	for (unsigned attempt = 0;; attempt++) {
		memcpy(p.pwhash, l->job.hash, sizeof(p.pwhash));
		p.password_set = now;
		p.updated = now;
		r = login_put_audited(l, &p, e);
		if (r != STORE_CONFLICT || attempt == 1)
			break;
		r = store_person_get(l->d->store, l->person.username, &p);
		if (r != STORE_OK)
			break;
		if ((p.flags & PERSON_DISABLED) || !login_same_hash(p.pwhash, l->person.pwhash)) {
			r = STORE_CONFLICT;
			break;
		}
	}
	/* What the store holds now, throttle and all: a success after it
	 * need not read the person again. */
	if (r == STORE_OK)
		login_wrote_as(l, &p);
	return r;
}

void login_change_after_hash(struct login *l)
{
	struct audit_event e;
	enum store_result r;

	OB_WIPE(l->current);
	if (l->job.result != 0) {
		log_warnx("login: %s: password hashing failed (out of memory?)", l->person.username);
		login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			    policy_say(SAY_CHANGE_FAILED), NULL);
		return;
	}
	/* The new hash and the audit event of the change in one transaction:
	 * both or neither, one durable commit.  A failure is recorded on its
	 * own, as it changed nothing. */
	audit_login_fill(l->d, &e, &l->person, "login.password", store_result_name(STORE_OK),
			 "%s" LOG_WHERE, "password changed; ", LOG_WHERE_OF(l));
	r = change_store(l, &e);
	login_wrote_audited(l, "password change", "login.password", r, &e);
	if (r == STORE_OK) {
		login_reply(l, OB_VERDICT_SUCCESS, OB_STYLE_INFO, policy_say(SAY_CHANGED), NULL);
		return;
	}
	if (r == STORE_CONFLICT || r == STORE_NOT_FOUND) {
		login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR,
			    policy_say(SAY_CHANGE_CONFLICT), NULL);
		return;
	}
	if (r == STORE_FULL)
		log_warnx("login: %s: the database is full: password not changed",
			  l->person.username);
	login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
		    policy_say(SAY_CHANGE_FAILED), NULL);
}

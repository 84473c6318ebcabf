/* SPDX-License-Identifier: BSD-3-Clause */
/* The login dialogue: Start and Answer, step by step, to a verdict.
 *
 * Steps of a login today:
 *   ASK_WHO      kiosk mode only (login_kiosk.c): a username, or an
 *                access code that names its holder
 *   ASK_SECRET   password, or an access code (recognised by its form and
 *                checked against the person's current code hash)
 *   ASK_CONFIRM  after a code: the person types their username
 *   ASK_NEW      after the confirmation: new password, twice
 * For a person in registration with an invitation, ASK_SECRET takes the
 * invitation code (or an access code), then ASK_VERIFY the verification
 * code if one was issued, ASK_NAME confirms or corrects the name,
 * ASK_TERMS has the terms of use accepted when configured, and ASK_NEW
 * the first password; the invitation is accepted with it.
 * A password change (phase "password", passwd) reuses them: ASK_SECRET
 * takes the current password only, ASK_TOTP the authenticator's code if
 * the person has one, ASK_NEW the new password; the hash then replaces
 * the old one (login_change.c).
 * Password verification and hashing run on the worker pool, and so does
 * libpwquality's check of a new password, before its hash in the same
 * job; the reply goes out when the job is done.  Each step (Start,
 * Answer, a job's end) reads the person once (login_step, login_get and
 * login_reread in login_dialogue.c).
 * This file is the top of the login files (login_private.h): it
 * dispatches each answer and each job's end to the flow whose step it
 * is, and goes on where a flow's step ends; the flows and
 * login_dialogue.c, below, never call up into it.
 * Throttling (throttle.c): an answer that could be a guess passes
 * login_held first, checked when it arrives rather than at Start, and is
 * refused unread while the person must wait or is locked; a wrong one
 * goes through login_failed, which counts it. */
#include "config.h"

#include "audit.h"
#include "login_private.h"
#include "passwd.h"

/* ---------------------------------------------------------------- jobs */

static void job_run(struct worker_job *wj)
{
	struct login_job *j = (struct login_job *)wj;
	size_t len = strlen(j->password);

	if (j->kind == JOB_VERIFY) {
		j->result = crypto_pwhash_str_verify(j->hash, j->password, len);
		/* The configured cost changed since this hash was made: the
		 * password is at hand only now, so hash it anew while here. */
		if (j->result == 0 && crypto_pwhash_str_needs_rehash(j->hash, j->ops, j->mem) != 0)
			j->rehashed = crypto_pwhash_str(j->hash, j->password, len, j->ops,
							j->mem) == 0;
	} else if (quality_check(j->password, j->have_old ? j->old : NULL, j->username, j->why,
				 sizeof(j->why))) {
		j->refused = true;
	} else {
		j->result = crypto_pwhash_str(j->hash, j->password, len, j->ops, j->mem);
	}
	OB_WIPE(j->password);
	OB_WIPE(j->old);
}

static void login_wipe_free(struct login *l)
{
	OB_WIPE(*l);
	free(l);
}

/* Keep the hash made with the configured cost.  A failure costs nothing
 * but another rehash at the next login. */
static void login_store_rehash(struct login *l)
{
	_cleanup_person_ struct person p = l->person;
	enum store_result r;

	memcpy(p.pwhash, l->job.hash, sizeof(p.pwhash));
	p.updated = l->d->now();
	r = store_person_put(l->d->store, &p);
	if (r == STORE_OK) {
		l->person = p;
		login_wrote_as(l, &p);
	}
	log_info("login: %s: password rehashed with the configured cost: %s", p.username,
		 store_result_name(r));
}

static void login_after_verify(struct login *l)
{
	char checked[sizeof(l->person.pwhash)];
	int64_t until;
	int r;

	/* Other dialogues may have locked the person while this hash ran:
	 * then this answer gets the same held reply, right or wrong, and a
	 * wrong one still counts. */
	if (login_held(l, &r)) {
		if (l->job.result != 0)
			(void)login_count_failure(l, "password", &until);
		return;
	}
	if (l->job.result != 0) {
		log_info("login: %s: wrong password (" LOG_WHERE ")", l->person.username,
			 LOG_WHERE_OF(l));
		login_failed(l, "password", policy_say(SAY_LOGIN_INCORRECT));
		return;
	}
	/* An administrator may have disabled the person, deleted them to
	 * the user bank, or set or reset their password while the hash ran:
	 * the password was checked against the hash read at the answer, and
	 * proves nothing once that changed.  The person as read in this
	 * step (login_held read it): no read more. */
	memcpy(checked, l->person.pwhash, sizeof(checked));
	r = login_reread(l);
	if (r == 0 && ((l->person.flags & PERSON_DISABLED) || !l->person.pwhash[0] ||
		       !login_same_hash(l->person.pwhash, checked))) {
		OB_WIPE(checked);
		log_info("login: %s: refused: the account changed during the password check "
			 "(" LOG_WHERE ")", l->person.username, LOG_WHERE_OF(l));
		login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, policy_say(SAY_LOGIN_INCORRECT),
			    NULL);
		return;
	}
	OB_WIPE(checked);
	if (r < 0) {
		login_unavailable(l);
		return;
	}
	log_info("login: %s: password accepted (" LOG_WHERE ")", l->person.username,
		 LOG_WHERE_OF(l));
	if (l->job.rehashed)
		login_store_rehash(l);
	login_mfa_second_factor(l, NULL);
}

/* Spend the access code and store the new password's hash, with the
 * audit event of its success, in one transaction: both or neither, one
 * durable commit (there were two, the event's after the code's).  A
 * failure is recorded on its own, as it changed nothing. */
static enum store_result login_redeem(struct login *l, const char *hash)
{
	struct audit_bounds b;
	struct audit_event e;
	enum store_result r;

	audit_login_fill(l->d, &e, &l->person, "login.code", store_result_name(STORE_OK),
			 "%s" LOG_WHERE, "new password set; ", LOG_WHERE_OF(l));
	r = store_code_redeem(l->d->store, l->person.username, l->code_hash, l->request_id,
			      l->d->now(), hash, NULL, &e, audit_bounds(l->d, e.time, &b));
	login_wrote(l);

	login_wrote_audited(l, "access code redemption", "login.code", r, &e);
	return r;
}

static int login_redeem_failed(struct login *l, enum store_result r)
{
	if (r == STORE_FULL || r == STORE_UNAVAILABLE)
		return login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
				   policy_text_code_outcome(r), NULL);
	return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, policy_text_code_outcome(r),
			   NULL);
}

static int login_redeem_after_totp(struct login *l)
{
	char text[160];
	enum store_result r = login_redeem(l, l->pending_hash);

	OB_WIPE(l->pending_hash);
	l->redeem_after_totp = false;
	if (r != STORE_OK)
		return login_redeem_failed(l, r);
	return login_reply(l, OB_VERDICT_SUCCESS, OB_STYLE_INFO,
			   policy_text_welcome(l->person.first_name, text, sizeof(text)), NULL);
}

static void login_after_hash(struct login *l)
{
	enum store_result r;

	if (l->inviting) {
		char text[OB_TEXT_MAX];

		if (login_invite_after_hash(l, text, sizeof(text)))
			login_mfa_second_factor(l, text);
		return;
	}
	if (l->job.result != 0) {
		log_warnx("login: %s: password hashing failed (out of memory?)", l->person.username);
		login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			    policy_say(SAY_SET_FAILED), NULL);
		return;
	}
	/* Someone with an authenticator gives its code before the code
	 * changes anything: the access code alone must not replace their
	 * password (unless it was issued to reset the authenticator). */
	if (login_reread(l) < 0) {
		OB_WIPE(l->job.hash);
		login_unavailable(l);
		return;
	}
	if (!(l->code.flags & CODE_FLAG_RESET_MFA) &&
	    policy_mfa_step((enum mfa_mode)l->d->cfg.mfa, &l->person) == MFA_STEP_VERIFY) {
		memcpy(l->pending_hash, l->job.hash, sizeof(l->pending_hash));
		OB_WIPE(l->job.hash);
		l->redeem_after_totp = true;
		login_mfa_second_factor(l, NULL);
		return;
	}
	r = login_redeem(l, l->job.hash);
	OB_WIPE(l->job.hash);
	if (r == STORE_OK) {
		char text[OB_TEXT_MAX];

		policy_text_welcome(l->person.first_name, text, sizeof(text));
		/* The redemption may have reset the authenticator: read anew. */
		if (login_reread(l) < 0) {
			log_warnx("login: %s: cannot read the person back", l->person.username);
			login_unavailable(l);
			return;
		}
		login_mfa_second_factor(l, text);
		return;
	}
	login_redeem_failed(l, r);
}

static int login_new_password_refused(struct login *l, const char *why);

static void job_done(struct worker_job *wj)
{
	struct login_job *j = (struct login_job *)wj;
	struct login *l = j->login;

	if (l->orphaned) {
		login_wipe_free(l);
		return;
	}
	/* A step of its own: the hash took a while, and others may have
	 * written the person meanwhile. */
	login_step(l);
	if (l->step == STEP_VERIFYING)
		login_after_verify(l);
	else if (j->refused)
		login_new_password_refused(l, j->why);
	else if (l->change)
		login_change_after_hash(l);
	else
		login_after_hash(l);
	OB_WIPE(l->job);
}

static int login_submit(struct login *l, enum job_kind kind, const char *password)
{
	struct login_job *j = &l->job;

	memset(j, 0, sizeof(*j));
	j->base.run = job_run;
	j->base.done = job_done;
	j->login = l;
	j->kind = kind;
	j->ops = l->d->cfg.pwhash_ops;
	j->mem = l->d->cfg.pwhash_mem;
	/* Answers are at most OB_ANSWER_MAX <= OB_PASSWORD_MAX bytes: never
	 * cut, refused when they would be. */
	if (strlen(password) >= sizeof(j->password))
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_say(SAY_INPUT_TOO_LONG), NULL);
	memcpy(j->password, password, strlen(password) + 1);
	if (kind == JOB_VERIFY)
		memcpy(j->hash, l->person.pwhash, sizeof(j->hash));
	if (kind == JOB_HASH && l->change) {
		memcpy(j->old, l->current, sizeof(j->old));
		j->have_old = true;
	}
	memcpy(j->username, l->person.username, sizeof(j->username));
	l->step = kind == JOB_VERIFY ? STEP_VERIFYING : STEP_HASHING;
	if (worker_submit(l->d->workers, &j->base) < 0) {
		OB_WIPE(*j);
		/* Come back to the same step: the person may try again. */
		l->step = kind == JOB_VERIFY ? STEP_ASK_SECRET : STEP_ASK_NEW;
		return login_error(l, OB_ERR_LOGIN_BUSY, "the login service is busy");
	}
	return 0;
}

/* --------------------------------------------------------------- steps */

/* The typed secret as an access code: 1 when it is this person's code
 * (then l->code_hash holds its hash), 0 when it is not. */
static int secret_is_code(struct login *l, const char *typed)
{
	char canon[CODE_LETTERS + 1];
	int match;

	if (!l->have_code || code_normalise(typed, canon) < 0)
		return 0;
	keys_code_hash(&l->d->keys, canon, l->code_hash);
	OB_WIPE(canon);
	match = sodium_memcmp(l->code_hash, l->code.hash, CODE_HASH_BYTES) == 0;
	if (!match)
		OB_WIPE(l->code_hash);
	return match;
}

/* Whether typed is one of the codes the person's current code replaced
 * (README: a new code makes the old one worthless, and says so). */
static bool secret_was_replaced(struct login *l, const char *typed)
{
	char canon[CODE_LETTERS + 1];
	uint8_t h[CODE_HASH_BYTES];
	bool found = false;

	if (!l->have_code || !l->code.nreplaced || code_normalise(typed, canon) < 0)
		return false;
	keys_code_hash(&l->d->keys, canon, h);
	OB_WIPE(canon);
	for (unsigned i = 0; i < l->code.nreplaced && i < STORE_REPLACED_MAX; i++)
		found |= sodium_memcmp(h, l->code.replaced[i], CODE_HASH_BYTES) == 0;
	OB_WIPE(h);
	return found;
}

static int login_on_secret(struct login *l, const char *typed)
{
	int r;

	/* Checked at the answer, not at Start: failures of other dialogues
	 * while this person typed count too. */
	if (login_held(l, &r))
		return r;
	if (secret_is_code(l, typed))
		return login_code_matched(l);
	if (login_invite_on_secret(l, typed, &r))
		return r;
	if (secret_was_replaced(l, typed)) {
		log_info("login: %s: access code refused: superseded (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		return login_failed(l, "access code", policy_text_code_outcome(STORE_SUPERSEDED));
	}
	if (!l->person.pwhash[0]) {
		log_info("login: %s: wrong access code (" LOG_WHERE ")", l->person.username,
			 LOG_WHERE_OF(l));
		return login_failed(l, "access code", policy_say(SAY_LOGIN_INCORRECT));
	}
	/* The password is checked against the person as they are now, not
	 * as read at Start: a change or reset since then counts. */
	if (login_reread(l) < 0)
		return login_unavailable(l);
	if (!l->person.pwhash[0] || (l->person.flags & PERSON_DISABLED))
		return login_failed(l, "password", policy_say(SAY_LOGIN_INCORRECT));
	return login_submit(l, JOB_VERIFY, typed);
}

static int on_confirm(struct login *l, const char *typed)
{
	if (strcmp(typed, l->person.username) != 0) {
		log_info("login: %s: username confirmation did not match (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		OB_WIPE(l->code_hash);
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_say(SAY_USERNAME_MISMATCH), NULL);
	}
	return login_ask_new_password(l, NULL);
}

/* What is wrong with a new password (typed twice) by our rules, in why;
 * NULL when nothing is.  libpwquality's come after, on the worker pool
 * (job_run) with the hash; old is the current password when the person
 * typed it (a change), or NULL. */
static const char *login_new_password_problem(const struct login *l, const char *pw,
					      const char *again, const char *old, char *why,
					      size_t size)
{
	struct password_rules rules = {
		.min_length = policy_password_min((enum mfa_mode)l->d->cfg.mfa,
						  l->d->cfg.password_min_length),
		.max_length = LOGIN_PASSWORD_MAX_CHARS,
	};
	enum password_verdict v = old ? policy_password_change(&rules, pw, again, &l->person, old)
				      : policy_password(&rules, pw, again, &l->person);

	if (v != PASSWORD_OK)
		return policy_password_message(v, &rules, why, size);
	return NULL;
}

/* A new password refused (why): asked again, or the last try ends the
 * dialogue. */
static int login_new_password_refused(struct login *l, const char *why)
{
	if (++l->new_tries >= LOGIN_NEW_PASSWORD_TRIES) {
		OB_WIPE(l->code_hash);
		if (l->change)
			return login_change_not_changed(l, why);
		return login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR, why, OB_STYLE_ERROR,
				   l->inviting ? policy_say(SAY_NOT_SET_INVITE)
					       : policy_say(SAY_NOT_SET_CODE),
				   NULL);
	}
	return login_ask_new_password(l, why);
}

static int on_new_password(struct login *l, const char *pw, const char *again)
{
	char why[256];

	if (!login_new_password_problem(l, pw, again, l->change ? l->current : NULL, why,
					sizeof(why)))
		return login_submit(l, JOB_HASH, pw);
	return login_new_password_refused(l, why);
}

/* --------------------------------------------------------------- calls */

/* Any uid may run a dialogue for its own account; only root for others. */
static bool login_peer_may(const struct login *l, const char *user)
{
	_cleanup_person_ struct person p;
	struct passwd_entry pw;
	int r;

	if (l->peer.uid == 0)
		return true;
	r = passwd_by_name(user, &pw);
	if (r != 0)
		return r == 1 && pw.uid == l->peer.uid;
	/* No line in the files: a person of the userdb socket has the uid
	 * the store gave them (NSS here bypasses our own socket). */
	return store_person_get(l->d->store, user, &p) == STORE_OK && p.uid &&
	       p.uid == l->peer.uid && !p.deleted;
}

/* A caller asking for logins that are not theirs to check, logged at
 * most ten times a minute (audit_log_refusal). */
static struct audit_rate login_refusal_rate;

static int login_start(struct login *l, struct json_object *params)
{
	const char *phase = NULL, *user = NULL, *s = NULL;
	enum store_result r;
	int have_user;

	if (l->step != STEP_NONE)
		return login_error(l, OB_ERR_LOGIN_NO_SESSION,
				   "a dialogue already ran on this connection");
	if (varlink_get_string(params, "phase", 16, &phase) < 0 ||
	    (strcmp(phase, OB_PHASE_AUTH) != 0 && strcmp(phase, OB_PHASE_ACCOUNT) != 0 &&
	     strcmp(phase, OB_PHASE_PASSWORD) != 0 && strcmp(phase, OB_PHASE_PASSWORD_CHECK) != 0))
		return login_invalid(l, "phase");
	/* Text from a client that goes into log lines: printable ASCII. */
	text_printable(l->service, sizeof(l->service),
		       varlink_get_string(params, "service", OB_TEXT_MAX, &s) == 0 ? s : "?",
		       TEXT_ASCII);
	text_printable(l->rhost, sizeof(l->rhost),
		       varlink_get_string(params, "rhost", OB_TEXT_MAX, &s) == 0 ? s : "local",
		       TEXT_ASCII);
	/* Where the login comes from: a person's failures count per place. */
	login_source(l, params);
	have_user = varlink_get_string(params, "user", OB_ANSWER_MAX, &user);
	/* A kiosk (login_kiosk.c) asks who it is. */
	if (have_user == -ENOENT && login_kiosk_wanted(params) && strcmp(phase, OB_PHASE_AUTH) == 0)
		return login_kiosk_start(l, params);
	if (have_user < 0)
		return login_invalid(l, "user");
	/* A name onboard could never have registered is not ours. */
	if (validate_username(user))
		return login_reply(l, OB_VERDICT_IGNORE, NULL);
	if (!login_peer_may(l, user)) {
		audit_log_refusal(l->d, &login_refusal_rate,
				  "login: uid %u may not run a login for %s",
				  (unsigned)l->peer.uid, user);
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   policy_say(SAY_NOT_ONESELF), NULL);
	}
	/* A login reads the access code and invitation too: in one go. */
	r = login_get(l, user, strcmp(phase, OB_PHASE_AUTH) == 0);
	if (r == STORE_NOT_FOUND) {
		snprintf(l->person.username, sizeof(l->person.username), "%s", user);
		return login_reply(l, OB_VERDICT_IGNORE, NULL);
	}
	if (r != STORE_OK)
		return login_unavailable(l);
	/* A change never reads the access code: it is not a way in here. */
	if (strcmp(phase, OB_PHASE_PASSWORD) == 0 || strcmp(phase, OB_PHASE_PASSWORD_CHECK) == 0)
		return login_change_start(l, strcmp(phase, OB_PHASE_PASSWORD_CHECK) == 0);
	if (strcmp(phase, OB_PHASE_ACCOUNT) == 0) {
		/* No lock is looked at here: it stops guesses, and this phase
		 * also follows logins that guessed nothing (an ssh key). */
		switch (policy_account_phase((enum mfa_mode)l->d->cfg.mfa, &l->person)) {
		case ACCOUNT_OK: {
			int ret;

			if (login_host_refused(l, params, &ret))
				return ret;
			return login_reply(l, OB_VERDICT_SUCCESS, NULL);
		}
		case ACCOUNT_UNFINISHED:
			return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
					   login_text_unfinished(l), NULL);
		case ACCOUNT_NO_AUTHENTICATOR:
			return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
					   policy_text_no_authenticator(), NULL);
		case ACCOUNT_DISABLED:
			break;
		}
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   policy_say(SAY_DISABLED), NULL);
	}
	return login_begin(l);
}

/* The authenticator's code is right: what it was asked for goes on. */
static int on_totp(struct login *l, const char *typed)
{
	int r;

	if (login_mfa_on_totp(l, typed, &r))
		return r;
	if (l->change)
		return login_ask_new_password(l, NULL);
	if (l->redeem_after_totp)
		return login_redeem_after_totp(l);
	return login_reply(l, OB_VERDICT_SUCCESS, NULL);
}

static int login_answer(struct login *l, struct json_object *params)
{
	const char *a[2] = { NULL, NULL };
	struct json_object *arr;
	size_t n;
	int r;

	if (l->step == STEP_NONE || l->step == STEP_DONE)
		return login_error(l, OB_ERR_LOGIN_NO_SESSION, "no dialogue is waiting for answers");
	if (!json_object_object_get_ex(params, "answers", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return login_invalid(l, "answers");
	n = json_object_array_length(arr);
	if (n != l->expect || n > OB_ARRAY_SIZE(a))
		return login_invalid(l, "answers");
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(v, json_type_string))
			return login_invalid(l, "answers");
		a[i] = json_object_get_string(v);
		if ((size_t)json_object_get_string_len(v) != strlen(a[i]))
			return login_invalid(l, "answers");
		if (strlen(a[i]) > OB_ANSWER_MAX)
			return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
					   policy_say(SAY_INPUT_TOO_LONG), NULL);
	}
	switch (l->step) {
	case STEP_ASK_WHO:
		return login_kiosk_on_who(l, a[0]);
	case STEP_ASK_SECRET:
		if (l->change && login_change_on_current(l, a[0], &r))
			return r;
		return login_on_secret(l, a[0]);
	case STEP_ASK_CONFIRM:
		return on_confirm(l, a[0]);
	case STEP_ASK_NEW:
		return on_new_password(l, a[0], a[1]);
	case STEP_ASK_VERIFY:
		return login_invite_on_verify(l, a[0]);
	case STEP_ASK_NAME:
		return login_invite_on_name(l, a[0]);
	case STEP_ASK_TERMS:
		return login_invite_on_terms(l, a[0]);
	case STEP_ASK_TOTP:
		return on_totp(l, a[0]);
	case STEP_ENROL:
		return login_mfa_on_enrol(l, a[0]);
	default:
		break;
	}
	return login_error(l, OB_ERR_LOGIN_NO_SESSION, "no dialogue is waiting for answers");
}

struct login *login_new(struct daemon *d, const struct peer *peer, login_send_fn send, void *ctx)
{
	struct login *l = calloc(1, sizeof(*l));
	uint8_t id[REQUEST_ID_MAX / 2];

	if (!l)
		return NULL;
	l->d = d;
	l->peer = *peer;
	l->send = send;
	l->ctx = ctx;
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(l->request_id, sizeof(l->request_id), id, sizeof(id));
	return l;
}

int login_call(struct login *l, const char *method, struct json_object *params)
{
	login_step(l);
	if (strcmp(method, OB_LOGIN_START) == 0)
		return login_start(l, params);
	if (strcmp(method, OB_LOGIN_ANSWER) == 0)
		return login_answer(l, params);
	return login_error(l, VL_ERR_METHOD_NOT_FOUND, "no such method");
}

bool login_busy(const struct login *l)
{
	return l->step == STEP_VERIFYING || l->step == STEP_HASHING;
}

bool login_under_way(const struct login *l)
{
	return l->step != STEP_NONE && l->step != STEP_DONE;
}

void login_free(struct login *l)
{
	if (!l)
		return;
	if (login_busy(l)) {
		l->orphaned = true;
		return;
	}
	login_wipe_free(l);
}

/* The login dialogue: Start and Answer, step by step, to a verdict.
 *
 * Steps of a login today:
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
 * the old one (see "password change" below).
 * Password verification and hashing run on the worker pool; the reply
 * goes out when the job is done.
 * Throttling (throttle.c): an answer that could be a guess passes
 * login_held first, checked when it arrives rather than at Start, and is
 * refused unread while the person must wait or is locked; a wrong one
 * goes through login_failed, which counts it. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "code.h"
#include "log.h"
#include "login.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "policy.h"
#include "qr.h"
#include "quality.h"
#include "throttle.h"
#include "totp.h"
#include "validate.h"
#include "varlink.h"
#include "worker.h"

#define LOGIN_NEW_PASSWORD_TRIES 3
#define LOGIN_ENROL_TRIES 3
/* A QR code wider than this does not fit a classic terminal. */
#define LOGIN_QR_COLUMNS 80
/* New passwords: in characters, and every answer fits the job's buffer,
 * so nothing is ever cut before hashing. */
#define LOGIN_PASSWORD_MAX_CHARS 128
_Static_assert(OB_ANSWER_MAX <= OB_PASSWORD_MAX, "answers must fit a password buffer");

enum login_step {
	STEP_NONE,
	STEP_ASK_SECRET,
	STEP_VERIFYING,
	STEP_ASK_CONFIRM,
	STEP_ASK_NEW,
	STEP_ASK_VERIFY, /* invitation: the verification code */
	STEP_ASK_NAME,   /* invitation: confirm or correct the name */
	STEP_ASK_TERMS,  /* invitation: accept the terms of use */
	STEP_HASHING,
	STEP_ASK_TOTP,
	STEP_ENROL,
	STEP_DONE,
};

enum job_kind { JOB_VERIFY, JOB_HASH };

struct login_job {
	struct worker_job base;
	struct login *login;
	enum job_kind kind;
	char password[OB_PASSWORD_MAX + 1];
	char hash[crypto_pwhash_STRBYTES]; /* in for VERIFY, out for HASH */
	unsigned long long ops;
	size_t mem;
	int result; /* 0 on success */
	/* VERIFY: the stored hash was made with another cost, and hash now
	 * holds the password hashed anew with the configured one. */
	bool rehashed;
};

struct login {
	struct daemon *d;
	struct peer peer;
	login_send_fn send;
	void *ctx;
	enum login_step step;
	unsigned expect;       /* answers the next Answer must carry */
	unsigned new_tries;
	unsigned enrol_tries;
	uint8_t totp_secret[TOTP_SECRET_BYTES]; /* open while asking for it */
	bool orphaned;         /* freed while a job was in flight */
	struct person person;
	struct access_code code;
	bool have_code;
	uint8_t code_hash[CODE_HASH_BYTES]; /* of the code the person typed */
	struct invitation invite;
	bool have_invite;
	bool inviting; /* the invitation code was right: registering */
	uint8_t invite_hash[CODE_HASH_BYTES]; /* of the invitation code typed */
	uint8_t verify_hash[CODE_HASH_BYTES]; /* of the verification code typed */
	bool have_verify_hash;
	char first_name[OB_NAME_MAX + 1]; /* as confirmed or corrected */
	char last_name[OB_NAME_MAX + 1];
	unsigned name_tries;
	char request_id[REQUEST_ID_MAX + 1];
	char service[64];
	char rhost[128];
	struct login_job job;
	bool change; /* a password change, not a login */
	/* The current password, while a change needs it (the new one must
	 * differ); wiped once the new one is hashed or refused for good. */
	char current[OB_PASSWORD_MAX + 1];
};

/* -------------------------------------------------------------- replies */

static int messages_add(struct json_object *arr, const char *style, const char *text)
{
	struct json_object *m = json_object_new_object();

	if (!m)
		return -ENOMEM;
	json_object_object_add(m, "style", json_object_new_string(style));
	json_object_object_add(m, "text", json_object_new_string(text));
	if (json_object_array_add(arr, m) < 0) {
		json_object_put(m);
		return -ENOMEM;
	}
	return 0;
}

/* Send a reply with the messages given as (style, text) pairs, ending in
 * NULL, and a verdict when the dialogue is over. */
static int login_reply(struct login *l, const char *verdict, ...)
{
	struct json_object *params = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct json_object *msg;
	unsigned asks = 0;
	const char *style;
	va_list ap;

	if (!params || !arr) {
		json_object_put(params);
		json_object_put(arr);
		return -ENOMEM;
	}
	va_start(ap, verdict);
	while ((style = va_arg(ap, const char *))) {
		const char *text = va_arg(ap, const char *);

		if (strcmp(style, OB_STYLE_SECRET) == 0 || strcmp(style, OB_STYLE_TEXT) == 0)
			asks++;
		messages_add(arr, style, text);
	}
	va_end(ap);
	json_object_object_add(params, "messages", arr);
	/* Success after an answer means the person proved who they are: their
	 * failures in a row end here.  (The account phase answers at Start
	 * and proves nothing.) */
	if (verdict && strcmp(verdict, OB_VERDICT_SUCCESS) == 0 && l->step != STEP_NONE)
		throttle_success(l->d, l->person.username);
	if (verdict) {
		json_object_object_add(params, "verdict", json_object_new_string(verdict));
		json_object_object_add(params, "user", json_object_new_string(l->person.username));
		l->step = STEP_DONE;
	}
	l->expect = asks;
	msg = varlink_reply_new(params);
	if (!msg)
		return -ENOMEM;
	l->send(l->ctx, msg);
	return 0;
}

static int login_error(struct login *l, const char *error, const char *text)
{
	struct json_object *msg = varlink_error_msg(error, text);

	if (!msg)
		return -ENOMEM;
	l->send(l->ctx, msg);
	return 0;
}

static int login_invalid(struct login *l, const char *parameter)
{
	struct json_object *p = json_object_new_object();
	char text[128];

	if (!p)
		return -ENOMEM;
	snprintf(text, sizeof(text), "parameter %s is missing or not valid", parameter);
	json_object_object_add(p, "parameter", json_object_new_string(parameter));
	json_object_object_add(p, "message", json_object_new_string(text));
	l->send(l->ctx, varlink_error_new(VL_ERR_INVALID_PARAMETER, p));
	return 0;
}

static int login_unavailable(struct login *l)
{
	return login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			   "The login service cannot read its database right now. "
			   "Try again later or contact your administrator.",
			   NULL);
}

/* Before any secret typed is looked at: true when the person must wait
 * or is locked, and then the reply is sent (its result in *ret).  The
 * answer never depends on what was typed, so a right password during a
 * lock is told exactly what a wrong one is. */
static bool login_held(struct login *l, int *ret)
{
	char text[160];
	int64_t until;
	int v = throttle_gate(l->d, l->person.username, &until);

	if (v == THROTTLE_ALLOW)
		return false;
	if (v < 0) {
		*ret = login_unavailable(l);
	} else if (v == THROTTLE_LOCKED) {
		log_info("login: %s: refused unchecked: locked (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		*ret = login_reply(l, OB_VERDICT_MAXTRIES, OB_STYLE_ERROR,
				   policy_text_locked(until, l->d->now(), text, sizeof(text)), NULL);
	} else {
		log_info("login: %s: refused unchecked: too soon after a failure (service %s, "
			 "from %s)", l->person.username, l->service, l->rhost);
		*ret = login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_text_wait(until, l->d->now(), text, sizeof(text)), NULL);
	}
	return true;
}

/* A wrong secret (what names it for the log): counted, and refused with
 * text; the failure that locks the person says so too. */
static int login_failed(struct login *l, const char *what, const char *text)
{
	char locked[160];
	int64_t until;

	if (throttle_failure(l->d, l->person.username, what, l->service, l->rhost, &until) == 1)
		return login_reply(l, OB_VERDICT_MAXTRIES, OB_STYLE_ERROR, text, OB_STYLE_ERROR,
				   policy_text_locked(until, l->d->now(), locked, sizeof(locked)),
				   NULL);
	return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, text, NULL);
}

static int login_second_factor(struct login *l, const char *before);
static int invite_ask(struct login *l);
static bool invite_entry(const struct login *l);
static bool invite_on_secret(struct login *l, const char *typed, int *ret);
static void invite_after_hash(struct login *l);
static int ask_new_password(struct login *l, const char *why);
static void change_after_hash(struct login *l);
static int change_not_changed(struct login *l, const char *why);

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
	} else {
		j->result = crypto_pwhash_str(j->hash, j->password, len, j->ops, j->mem);
	}
	sodium_memzero(j->password, sizeof(j->password));
}

static void login_wipe_free(struct login *l)
{
	sodium_memzero(l, sizeof(*l));
	free(l);
}

/* Keep the hash made with the configured cost.  A failure costs nothing
 * but another rehash at the next login. */
static void login_store_rehash(struct login *l)
{
	struct person p = l->person;
	enum store_result r;

	memcpy(p.pwhash, l->job.hash, sizeof(p.pwhash));
	p.updated = l->d->now();
	r = store_person_put(l->d->store, &p);
	if (r == STORE_OK)
		l->person = p;
	log_info("login: %s: password rehashed with the configured cost: %s", p.username,
		 store_result_name(r));
	sodium_memzero(&p, sizeof(p));
}

static void login_after_verify(struct login *l)
{
	if (l->job.result != 0) {
		log_info("login: %s: wrong password (service %s, from %s)", l->person.username,
			 l->service, l->rhost);
		login_failed(l, "password", "Login incorrect.");
		return;
	}
	log_info("login: %s: password accepted (service %s, from %s)", l->person.username,
		 l->service, l->rhost);
	if (l->job.rehashed)
		login_store_rehash(l);
	login_second_factor(l, NULL);
}

static void login_after_hash(struct login *l)
{
	enum store_result r;

	if (l->inviting) {
		invite_after_hash(l);
		return;
	}
	if (l->job.result != 0) {
		log_warnx("login: %s: password hashing failed (out of memory?)", l->person.username);
		login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			    "The login service could not set your password. Try again later.", NULL);
		return;
	}
	r = store_code_redeem(l->d->store, l->person.username, l->code_hash, l->request_id,
			      l->d->now(), l->job.hash, NULL);
	sodium_memzero(l->job.hash, sizeof(l->job.hash));
	log_info("login: %s: access code redemption: %s (service %s, from %s)", l->person.username,
		 store_result_name(r), l->service, l->rhost);
	if (r == STORE_OK) {
		char text[OB_TEXT_MAX];

		snprintf(text, sizeof(text), "Your new password is set. Welcome, %s.",
			 l->person.first_name);
		/* The redemption may have reset the authenticator: read anew. */
		char user[OB_USERNAME_MAX + 1];

		/* The store fills the struct it is given: not from itself. */
		memcpy(user, l->person.username, sizeof(user));
		r = store_person_get(l->d->store, user, &l->person);
		if (r != STORE_OK) {
			log_warnx("login: %s: cannot read the person back: %s", user,
				  store_result_name(r));
			login_unavailable(l);
			return;
		}
		login_second_factor(l, text);
		return;
	}
	if (r == STORE_FULL || r == STORE_UNAVAILABLE) {
		login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR, policy_text_code_outcome(r),
			    NULL);
		return;
	}
	login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, policy_text_code_outcome(r), NULL);
}

/* ------------------------------------------------------- second factor */

static void login_totp_params(const struct login *l, struct totp_params *p)
{
	p->algorithm = (enum totp_algorithm)l->d->cfg.totp_algorithm;
	p->digits = l->d->cfg.totp_digits;
	p->period = 30;
	p->window = 1;
}

/* Show the new authenticator: QR code, key, URI, and ask for a code. */
static int login_ask_enrol(struct login *l, const char *before)
{
	struct totp_params tp;
	char uri[512], key[64], intro[OB_TEXT_MAX], keyline[128];
	_cleanup_free_ char *qr = NULL;
	unsigned cols, lines;
	int r;

	login_totp_params(l, &tp);
	if (totp_secret_grouped(l->totp_secret, key, sizeof(key)) < 0 ||
	    totp_uri(&tp, l->d->cfg.totp_issuer, l->person.username, l->totp_secret, uri,
		     sizeof(uri)) < 0) {
		log_warnx("login: %s: cannot describe the new authenticator", l->person.username);
		return login_unavailable(l);
	}
	snprintf(intro, sizeof(intro),
		 "%s%sNow set up two-factor authentication: open an authenticator app "
		 "(FreeOTP, Aegis, Google Authenticator, ...) and scan this QR code.",
		 before ? before : "", before ? "\n" : "");
	snprintf(keyline, sizeof(keyline), "Or add the key by hand: %s", key);
	r = qr_render(uri, LOGIN_QR_COLUMNS, &qr, &cols, &lines);
	l->step = STEP_ENROL;
	if (r < 0)
		r = login_reply(l, NULL, OB_STYLE_INFO, intro, OB_STYLE_INFO, keyline, OB_STYLE_INFO,
				uri, OB_STYLE_TEXT, "Code shown by the app: ", NULL);
	else
		r = login_reply(l, NULL, OB_STYLE_INFO, intro, OB_STYLE_INFO, qr, OB_STYLE_INFO,
				keyline, OB_STYLE_INFO, uri, OB_STYLE_TEXT,
				"Code shown by the app: ", NULL);
	sodium_memzero(uri, sizeof(uri));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(keyline, sizeof(keyline));
	if (qr)
		sodium_memzero(qr, strlen(qr));
	return r;
}

/* The password is proven (or newly set): the second factor, if any.
 * before is a line to show first (or NULL). */
static int login_second_factor(struct login *l, const char *before)
{
	/* A change asks an enrolled authenticator's code, then the new
	 * password; it never enrols one (the next login does). */
	if (l->change && policy_mfa_step((enum mfa_mode)l->d->cfg.mfa, &l->person) !=
				 MFA_STEP_VERIFY)
		return ask_new_password(l, NULL);
	switch (policy_mfa_step((enum mfa_mode)l->d->cfg.mfa, &l->person)) {
	case MFA_STEP_NONE:
		break;
	case MFA_STEP_VERIFY:
		if (totp_open(&l->d->keys, l->person.totp_sealed, l->totp_secret) < 0) {
			log_warnx("login: %s: the stored authenticator cannot be opened "
				  "(another key file?)", l->person.username);
			return login_unavailable(l);
		}
		l->step = STEP_ASK_TOTP;
		if (before)
			return login_reply(l, NULL, OB_STYLE_INFO, before, OB_STYLE_SECRET,
					   "Authenticator code: ", NULL);
		return login_reply(l, NULL, OB_STYLE_SECRET, "Authenticator code: ", NULL);
	case MFA_STEP_ENROL:
		totp_secret_new(l->totp_secret);
		return login_ask_enrol(l, before);
	}
	if (before)
		return login_reply(l, OB_VERDICT_SUCCESS, OB_STYLE_INFO, before, NULL);
	return login_reply(l, OB_VERDICT_SUCCESS, NULL);
}

static int on_totp(struct login *l, const char *typed)
{
	struct totp_params tp;
	enum store_result r;
	int64_t step = 0;
	int v;

	/* Checked again here: other dialogues may have failed meanwhile. */
	if (login_held(l, &v)) {
		sodium_memzero(l->totp_secret, sizeof(l->totp_secret));
		return v;
	}
	login_totp_params(l, &tp);
	v = totp_verify(&tp, l->totp_secret, typed, l->d->now(), l->person.totp_last_step, &step);
	sodium_memzero(l->totp_secret, sizeof(l->totp_secret));
	if (v == -EALREADY) {
		log_info("login: %s: authenticator code replayed (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		return login_failed(l, "authenticator code",
				    "This code has already been used. Wait for the next one and "
				    "log in again.");
	}
	if (v < 0) {
		log_info("login: %s: wrong authenticator code (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		return login_failed(l, "authenticator code", "Login incorrect.");
	}
	/* Each time step once: the watermark moves only forwards, atomically. */
	r = store_totp_advance(l->d->store, l->person.username, step);
	if (r == STORE_USED) {
		log_info("login: %s: authenticator code replayed (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		return login_failed(l, "authenticator code",
				    "This code has already been used. Wait for the next one and "
				    "log in again.");
	}
	if (r != STORE_OK)
		return login_unavailable(l);
	log_info("login: %s: authenticator code accepted (service %s, from %s)",
		 l->person.username, l->service, l->rhost);
	if (l->change)
		return ask_new_password(l, NULL);
	return login_reply(l, OB_VERDICT_SUCCESS, NULL);
}

static int on_enrol(struct login *l, const char *typed)
{
	struct totp_params tp;
	struct person p = l->person;
	enum store_result r;
	int64_t step = 0;
	int v;

	login_totp_params(l, &tp);
	v = totp_verify(&tp, l->totp_secret, typed, l->d->now(), -1, &step);
	if (v < 0) {
		if (++l->enrol_tries >= LOGIN_ENROL_TRIES) {
			sodium_memzero(l->totp_secret, sizeof(l->totp_secret));
			log_info("login: %s: authenticator enrolment failed (service %s, from %s)",
				 l->person.username, l->service, l->rhost);
			/* Mistakes while enrolling are typing, not guessing: only
			 * the last counts. */
			return login_failed(l, "authenticator enrolment code",
					    "The authenticator was not set up. Log in again to "
					    "start over with a new QR code.");
		}
		return login_reply(l, NULL, OB_STYLE_ERROR,
				   "That code is not right. Check that the app shows this "
				   "account and that the phone's clock is right, then type the "
				   "current code.",
				   OB_STYLE_TEXT, "Code shown by the app: ", NULL);
	}
	/* Active only now that the app has shown it works. */
	totp_seal(&l->d->keys, l->totp_secret, p.totp_sealed);
	sodium_memzero(l->totp_secret, sizeof(l->totp_secret));
	p.flags |= PERSON_MFA_ENROLLED;
	p.totp_last_step = step;
	p.mfa_enrolled = l->d->now();
	p.updated = p.mfa_enrolled;
	r = store_person_put(l->d->store, &p);
	sodium_memzero(&p, sizeof(p));
	log_info("login: %s: authenticator enrolment: %s (service %s, from %s)",
		 l->person.username, store_result_name(r), l->service, l->rhost);
	if (r == STORE_CONFLICT)
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   "Your account changed during this login. Log in again.", NULL);
	if (r != STORE_OK)
		return login_unavailable(l);
	return login_reply(l, OB_VERDICT_SUCCESS, OB_STYLE_INFO,
			   "Your authenticator app is set up. From now on, log in with your "
			   "password and a code from the app.",
			   NULL);
}

static void job_done(struct worker_job *wj)
{
	struct login_job *j = (struct login_job *)wj;
	struct login *l = j->login;

	if (l->orphaned) {
		login_wipe_free(l);
		return;
	}
	if (l->step == STEP_VERIFYING)
		login_after_verify(l);
	else if (l->change)
		change_after_hash(l);
	else
		login_after_hash(l);
	sodium_memzero(&l->job, sizeof(l->job));
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
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, "The input is too long.",
				   NULL);
	memcpy(j->password, password, strlen(password) + 1);
	if (kind == JOB_VERIFY)
		memcpy(j->hash, l->person.pwhash, sizeof(j->hash));
	l->step = kind == JOB_VERIFY ? STEP_VERIFYING : STEP_HASHING;
	if (worker_submit(l->d->workers, &j->base) < 0) {
		sodium_memzero(j, sizeof(*j));
		/* Come back to the same step: the person may try again. */
		l->step = kind == JOB_VERIFY ? STEP_ASK_SECRET : STEP_ASK_NEW;
		return login_error(l, OB_ERR_LOGIN_BUSY, "the login service is busy");
	}
	return 0;
}

/* --------------------------------------------------------------- steps */

static int ask_secret(struct login *l)
{
	bool code = l->have_code &&
		    policy_code_status(&l->code, l->d->now()) == CODE_STATUS_ACTIVE;

	if (invite_entry(l))
		return invite_ask(l);
	l->step = STEP_ASK_SECRET;
	if (!l->person.pwhash[0])
		return login_reply(l, NULL, OB_STYLE_INFO,
				   "Your registration is not finished: enter the access code "
				   "your administrator gave you.",
				   OB_STYLE_SECRET, "Access code: ", NULL);
	if (code)
		return login_reply(l, NULL, OB_STYLE_SECRET, "Password or access code: ", NULL);
	return login_reply(l, NULL, OB_STYLE_SECRET, "Password: ", NULL);
}

static int ask_new_password(struct login *l, const char *why)
{
	char text[160];

	l->step = STEP_ASK_NEW;
	if (why)
		return login_reply(l, NULL, OB_STYLE_ERROR, why, OB_STYLE_SECRET, "New password: ",
				   OB_STYLE_SECRET, "Repeat new password: ", NULL);
	snprintf(text, sizeof(text), "Choose your new password: at least %u characters.",
		 policy_password_min((enum mfa_mode)l->d->cfg.mfa, l->d->cfg.password_min_length));
	return login_reply(l, NULL, OB_STYLE_INFO, text, OB_STYLE_SECRET, "New password: ",
			   OB_STYLE_SECRET, "Repeat new password: ", NULL);
}

/* The typed secret as an access code: 1 when it is this person's code
 * (then l->code_hash holds its hash), 0 when it is not. */
static int secret_is_code(struct login *l, const char *typed)
{
	char canon[CODE_LETTERS + 1];
	int match;

	if (!l->have_code || code_normalise(typed, canon) < 0)
		return 0;
	keys_code_hash(&l->d->keys, canon, l->code_hash);
	sodium_memzero(canon, sizeof(canon));
	match = sodium_memcmp(l->code_hash, l->code.hash, CODE_HASH_BYTES) == 0;
	if (!match)
		sodium_memzero(l->code_hash, sizeof(l->code_hash));
	return match;
}

static int on_secret(struct login *l, const char *typed)
{
	enum code_status st;
	int r;

	/* Checked at the answer, not at Start: failures of other dialogues
	 * while this person typed count too. */
	if (login_held(l, &r))
		return r;
	if (secret_is_code(l, typed)) {
		st = policy_code_status(&l->code, l->d->now());
		if (st != CODE_STATUS_ACTIVE) {
			static const enum store_result as_store[] = {
				[CODE_STATUS_USED] = STORE_USED,
				[CODE_STATUS_REVOKED] = STORE_REVOKED,
				[CODE_STATUS_SUPERSEDED] = STORE_SUPERSEDED,
				[CODE_STATUS_EXPIRED] = STORE_EXPIRED,
			};

			log_info("login: %s: access code refused: %s (service %s, from %s)",
				 l->person.username, policy_code_status_name(st), l->service, l->rhost);
			return login_failed(l, "access code", policy_text_code_outcome(as_store[st]));
		}
		l->step = STEP_ASK_CONFIRM;
		return login_reply(l, NULL, OB_STYLE_INFO, "Access code accepted.", OB_STYLE_TEXT,
				   "Confirm your username: ", NULL);
	}
	if (invite_on_secret(l, typed, &r))
		return r;
	if (!l->person.pwhash[0]) {
		log_info("login: %s: wrong access code (service %s, from %s)", l->person.username,
			 l->service, l->rhost);
		return login_failed(l, "access code", "Login incorrect.");
	}
	return login_submit(l, JOB_VERIFY, typed);
}

static int on_confirm(struct login *l, const char *typed)
{
	if (strcmp(typed, l->person.username) != 0) {
		log_info("login: %s: username confirmation did not match (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		sodium_memzero(l->code_hash, sizeof(l->code_hash));
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   "The username you typed does not match. Your access code is "
				   "still valid: start again.",
				   NULL);
	}
	return ask_new_password(l, NULL);
}

/* What is wrong with a new password (typed twice), in why; NULL when
 * nothing is.  Our rules first, then libpwquality's; old is the current
 * password when the person typed it (a change), or NULL. */
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
	return quality_check(pw, old, l->person.username, why, size);
}

static int on_new_password(struct login *l, const char *pw, const char *again)
{
	char why[256];

	if (!login_new_password_problem(l, pw, again, l->change ? l->current : NULL, why,
					sizeof(why)))
		return login_submit(l, JOB_HASH, pw);
	if (++l->new_tries >= LOGIN_NEW_PASSWORD_TRIES) {
		sodium_memzero(l->code_hash, sizeof(l->code_hash));
		if (l->change)
			return change_not_changed(l, why);
		return login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR, why, OB_STYLE_ERROR,
				   l->inviting ? "No password was set. Your invitation is still valid: "
						 "start again."
					       : "No password was set. Your access code is still "
						 "valid: start again.",
				   NULL);
	}
	return ask_new_password(l, why);
}

/* ------------------------------------------------------ password change */

/* Begin a change (phase "password") or only say whether one may begin
 * (phase "password_check", a verdict without prompts): the person must
 * have finished registration, since a new password never stands in for
 * it (DESIGN rule 1). */
static int change_start(struct login *l, bool check)
{
	l->change = true;
	switch (policy_account(&l->person)) {
	case ACCOUNT_OK:
		break;
	case ACCOUNT_UNFINISHED:
		log_info("login: %s: password change refused: registration not finished "
			 "(service %s, from %s)", l->person.username, l->service, l->rhost);
		return login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR,
				   policy_text_unfinished(), NULL);
	case ACCOUNT_DISABLED:
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   "Your account is disabled. Contact your administrator.", NULL);
	}
	if (check)
		return login_reply(l, OB_VERDICT_SUCCESS, NULL);
	l->step = STEP_ASK_SECRET;
	return login_reply(l, NULL, OB_STYLE_INFO, "Changing the password for onboard.",
			   OB_STYLE_SECRET, "Current password: ", NULL);
}

/* The current password: kept to compare the new one with, then proven
 * the way a login proves it.  No access code is recognised here (none
 * was read): codes are for logging in. */
static int on_current(struct login *l, const char *typed)
{
	size_t len = strlen(typed);

	/* Answers are at most OB_ANSWER_MAX <= OB_PASSWORD_MAX bytes. */
	if (len >= sizeof(l->current))
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, "The input is too long.",
				   NULL);
	memcpy(l->current, typed, len + 1);
	return on_secret(l, typed);
}

static int change_not_changed(struct login *l, const char *why)
{
	sodium_memzero(l->current, sizeof(l->current));
	log_info("login: %s: password change: no acceptable new password (service %s, from %s)",
		 l->person.username, l->service, l->rhost);
	return login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR, why, OB_STYLE_ERROR,
			   "Your password was not changed.", NULL);
}

static bool change_same_hash(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

/* Store the new hash in place of the password the person proved.  A
 * write since the person was read (the authenticator's replay watermark,
 * a rehash) makes the first put a conflict: read once more and go on,
 * unless the password itself changed meanwhile or the account was
 * disabled. */
static enum store_result change_store(struct login *l)
{
	struct person p = l->person;
	int64_t now = l->d->now();
	enum store_result r;

	for (unsigned attempt = 0;; attempt++) {
		memcpy(p.pwhash, l->job.hash, sizeof(p.pwhash));
		p.password_set = now;
		p.updated = now;
		r = store_person_put(l->d->store, &p);
		if (r != STORE_CONFLICT || attempt == 1)
			break;
		r = store_person_get(l->d->store, l->person.username, &p);
		if (r != STORE_OK)
			break;
		if ((p.flags & PERSON_DISABLED) || !change_same_hash(p.pwhash, l->person.pwhash)) {
			r = STORE_CONFLICT;
			break;
		}
	}
	sodium_memzero(&p, sizeof(p));
	return r;
}

static void change_after_hash(struct login *l)
{
	enum store_result r;

	sodium_memzero(l->current, sizeof(l->current));
	if (l->job.result != 0) {
		log_warnx("login: %s: password hashing failed (out of memory?)", l->person.username);
		login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			    "The login service could not change your password. Try again later.",
			    NULL);
		return;
	}
	r = change_store(l);
	log_info("login: %s: password change: %s (service %s, from %s)", l->person.username,
		 store_result_name(r), l->service, l->rhost);
	if (r == STORE_OK) {
		login_reply(l, OB_VERDICT_SUCCESS, OB_STYLE_INFO, "Your password has been changed.",
			    NULL);
		return;
	}
	if (r == STORE_CONFLICT || r == STORE_NOT_FOUND) {
		login_reply(l, OB_VERDICT_AUTHTOK_ERR, OB_STYLE_ERROR,
			    "Your account changed while you were changing your password. "
			    "Your password was not changed: try again.",
			    NULL);
		return;
	}
	if (r == STORE_FULL)
		log_warnx("login: %s: the database is full: password not changed",
			  l->person.username);
	login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
		    "The login service could not change your password. Try again later.", NULL);
}

/* ---------------------------------------------------------- invitations */

/* A person without a password who holds an invitation (see
 * policy_invite_entry): the same secret prompt takes the invitation code
 * or an access code. */
static int invite_ask(struct login *l)
{
	l->step = STEP_ASK_SECRET;
	return login_reply(l, NULL, OB_STYLE_INFO, policy_text_invite_unfinished(),
			   OB_STYLE_SECRET, "Invitation code: ", NULL);
}

static bool invite_entry(const struct login *l)
{
	return l->have_invite && policy_invite_entry(&l->person, &l->invite);
}

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
	sodium_memzero(canon, sizeof(canon));
	if (sodium_memcmp(l->invite_hash, l->invite.hash, CODE_HASH_BYTES) == 0)
		r = as_store[policy_invite_status(&l->invite, l->d->now())];
	else if (l->invite.has_previous &&
		 sodium_memcmp(l->invite_hash, l->invite.previous_hash, CODE_HASH_BYTES) == 0)
		r = STORE_SUPERSEDED;
	if (r != STORE_OK)
		sodium_memzero(l->invite_hash, sizeof(l->invite_hash));
	return r;
}

static int invite_ask_name(struct login *l, const char *before)
{
	char text[2 * OB_NAME_MAX + 128];

	l->step = STEP_ASK_NAME;
	snprintf(text, sizeof(text),
		 "Your name is registered as %s %s. Press Enter to keep it, or type your name "
		 "as it should be: ", l->first_name, l->last_name);
	if (before)
		return login_reply(l, NULL, OB_STYLE_INFO, before, OB_STYLE_TEXT, text, NULL);
	return login_reply(l, NULL, OB_STYLE_TEXT, text, NULL);
}

/* At the secret prompt: the invitation code of a person in registration
 * (judged, and then on to the verification code or the name), or the
 * code of an accepted invitation typed again.  Returns false when typed
 * is for the password check instead; otherwise the reply is sent and
 * its result is in *ret. */
static bool invite_on_secret(struct login *l, const char *typed, int *ret)
{
	enum store_result r;

	if (!l->have_invite)
		return false;
	if (!invite_entry(l)) {
		/* A password exists: only an accepted invitation's own code is
		 * told apart, so that its holder learns it is spent. */
		if (l->invite.state != INVITE_ACCEPTED || invite_judge(l, typed) != STORE_USED)
			return false;
		log_info("login: %s: invitation code refused: already used (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		*ret = login_failed(l, "invitation code", policy_text_invite_outcome(STORE_USED));
		return true;
	}
	r = invite_judge(l, typed);
	if (r != STORE_OK) {
		log_info("login: %s: invitation code refused: %s (service %s, from %s)",
			 l->person.username, store_result_name(r), l->service, l->rhost);
		*ret = login_failed(l, "invitation code", policy_text_invite_outcome(r));
		return true;
	}
	log_info("login: %s: invitation code accepted (service %s, from %s)", l->person.username,
		 l->service, l->rhost);
	l->inviting = true;
	memcpy(l->first_name, l->person.first_name, sizeof(l->first_name));
	memcpy(l->last_name, l->person.last_name, sizeof(l->last_name));
	if (l->invite.has_verification) {
		l->step = STEP_ASK_VERIFY;
		*ret = login_reply(l, NULL, OB_STYLE_INFO, "Invitation code accepted.",
				   OB_STYLE_SECRET, "Verification code: ", NULL);
		return true;
	}
	*ret = invite_ask_name(l, "Invitation code accepted.");
	return true;
}

static int on_verify(struct login *l, const char *typed)
{
	char canon[VERIFY_LETTERS + 1];
	bool ok = false;
	int r;

	if (login_held(l, &r))
		return r;
	if (code_normalise_len(typed, canon, VERIFY_LETTERS) == 0) {
		keys_code_hash(&l->d->keys, canon, l->verify_hash);
		sodium_memzero(canon, sizeof(canon));
		ok = sodium_memcmp(l->verify_hash, l->invite.verification_hash,
				   CODE_HASH_BYTES) == 0;
	}
	if (!ok) {
		sodium_memzero(l->verify_hash, sizeof(l->verify_hash));
		sodium_memzero(l->invite_hash, sizeof(l->invite_hash));
		log_info("login: %s: wrong verification code (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		return login_failed(l, "verification code", policy_text_verification_wrong());
	}
	l->have_verify_hash = true;
	return invite_ask_name(l, "Verification code accepted.");
}

static int invite_ask_terms(struct login *l)
{
	l->step = STEP_ASK_TERMS;
	return login_reply(l, NULL, OB_STYLE_INFO, "Terms of use:", OB_STYLE_INFO, l->d->cfg.terms,
			   OB_STYLE_TEXT, "Do you accept these terms of use? Type yes to accept: ",
			   NULL);
}

/* Enter keeps the registered name; a typed one replaces it once the
 * invitation is accepted (and already counts for the password rules). */
static int on_name(struct login *l, const char *typed)
{
	char first[OB_NAME_MAX + 1], last[OB_NAME_MAX + 1], why[160];

	if (typed[strspn(typed, " \t")]) {
		if (policy_split_name(typed, first, last, why, sizeof(why))) {
			if (++l->name_tries >= LOGIN_NEW_PASSWORD_TRIES)
				return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, why,
						   OB_STYLE_ERROR,
						   "Nothing was changed. Your invitation is still "
						   "valid: start again.",
						   NULL);
			return invite_ask_name(l, why);
		}
		memcpy(l->first_name, first, sizeof(l->first_name));
		memcpy(l->last_name, last, sizeof(l->last_name));
		memcpy(l->person.first_name, first, sizeof(l->person.first_name));
		memcpy(l->person.last_name, last, sizeof(l->person.last_name));
	}
	if (l->d->cfg.terms[0])
		return invite_ask_terms(l);
	return ask_new_password(l, NULL);
}

static int on_terms(struct login *l, const char *typed)
{
	if (!policy_terms_accepted(typed)) {
		sodium_memzero(l->invite_hash, sizeof(l->invite_hash));
		sodium_memzero(l->verify_hash, sizeof(l->verify_hash));
		log_info("login: %s: terms of use not accepted: registration stopped (service %s, "
			 "from %s)", l->person.username, l->service, l->rhost);
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_text_terms_refused(), NULL);
	}
	log_info("login: %s: terms of use accepted (service %s, from %s)", l->person.username,
		 l->service, l->rhost);
	return ask_new_password(l, NULL);
}

/* The first password is hashed: accept the invitation, names and
 * password in one transaction, then the second factor. */
static void invite_after_hash(struct login *l)
{
	char text[OB_TEXT_MAX], user[OB_USERNAME_MAX + 1];
	enum store_result r;

	if (l->job.result != 0) {
		log_warnx("login: %s: password hashing failed (out of memory?)", l->person.username);
		login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			    "The login service could not set your password. Try again later.", NULL);
		return;
	}
	r = store_invite_accept(l->d->store, l->person.username, l->invite_hash,
				l->have_verify_hash ? l->verify_hash : NULL, l->request_id,
				l->d->now(), l->first_name, l->last_name, l->job.hash, NULL);
	sodium_memzero(l->job.hash, sizeof(l->job.hash));
	sodium_memzero(l->invite_hash, sizeof(l->invite_hash));
	sodium_memzero(l->verify_hash, sizeof(l->verify_hash));
	log_info("login: %s: invitation acceptance: %s (service %s, from %s)", l->person.username,
		 store_result_name(r), l->service, l->rhost);
	if (r != STORE_OK) {
		login_reply(l, r == STORE_FULL || r == STORE_UNAVAILABLE ? OB_VERDICT_UNAVAILABLE
									 : OB_VERDICT_AUTH_ERR,
			    OB_STYLE_ERROR, policy_text_invite_outcome(r), NULL);
		return;
	}
	/* The store fills the struct it is given: not from itself. */
	memcpy(user, l->person.username, sizeof(user));
	r = store_person_get(l->d->store, user, &l->person);
	if (r != STORE_OK) {
		log_warnx("login: %s: cannot read the person back: %s", user, store_result_name(r));
		login_unavailable(l);
		return;
	}
	snprintf(text, sizeof(text), "Your registration is complete and your password is set. "
		 "Welcome, %s.", l->person.first_name);
	login_second_factor(l, text);
}

/* --------------------------------------------------------------- calls */

/* Any uid may run a dialogue for its own account; only root for others. */
static bool login_peer_may(const struct login *l, const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (l->peer.uid == 0)
		return true;
	return getpwnam_r(user, &pw, buf, sizeof(buf), &res) == 0 && res &&
	       res->pw_uid == l->peer.uid;
}

static void copy_printable(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < size; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

static int login_start(struct login *l, struct json_object *params)
{
	const char *phase = NULL, *user = NULL, *s = NULL;
	enum store_result r;

	if (l->step != STEP_NONE)
		return login_error(l, OB_ERR_LOGIN_NO_SESSION,
				   "a dialogue already ran on this connection");
	if (varlink_get_string(params, "phase", 16, &phase) < 0 ||
	    (strcmp(phase, OB_PHASE_AUTH) != 0 && strcmp(phase, OB_PHASE_ACCOUNT) != 0 &&
	     strcmp(phase, OB_PHASE_PASSWORD) != 0 && strcmp(phase, OB_PHASE_PASSWORD_CHECK) != 0))
		return login_invalid(l, "phase");
	if (varlink_get_string(params, "user", OB_ANSWER_MAX, &user) < 0)
		return login_invalid(l, "user");
	copy_printable(l->service, sizeof(l->service),
		       varlink_get_string(params, "service", OB_TEXT_MAX, &s) == 0 ? s : "?");
	copy_printable(l->rhost, sizeof(l->rhost),
		       varlink_get_string(params, "rhost", OB_TEXT_MAX, &s) == 0 ? s : "local");
	/* A name onboard could never have registered is not ours. */
	if (validate_username(user))
		return login_reply(l, OB_VERDICT_IGNORE, NULL);
	if (!login_peer_may(l, user)) {
		log_info("login: uid %u may not run a login for %s", (unsigned)l->peer.uid, user);
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   "Permission denied: this program may check only its own "
				   "user's login.",
				   NULL);
	}
	r = store_person_get(l->d->store, user, &l->person);
	if (r == STORE_NOT_FOUND) {
		snprintf(l->person.username, sizeof(l->person.username), "%s", user);
		return login_reply(l, OB_VERDICT_IGNORE, NULL);
	}
	if (r != STORE_OK)
		return login_unavailable(l);
	/* A change never reads the access code: it is not a way in here. */
	if (strcmp(phase, OB_PHASE_PASSWORD) == 0 || strcmp(phase, OB_PHASE_PASSWORD_CHECK) == 0)
		return change_start(l, strcmp(phase, OB_PHASE_PASSWORD_CHECK) == 0);
	r = store_code_get(l->d->store, user, &l->code);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return login_unavailable(l);
	l->have_code = r == STORE_OK;
	r = store_invite_get(l->d->store, user, &l->invite);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return login_unavailable(l);
	l->have_invite = r == STORE_OK;

	if (strcmp(phase, OB_PHASE_ACCOUNT) == 0) {
		switch (policy_account(&l->person)) {
		case ACCOUNT_OK:
			return login_reply(l, OB_VERDICT_SUCCESS, NULL);
		case ACCOUNT_UNFINISHED:
			return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
					   policy_text_unfinished(), NULL);
		case ACCOUNT_DISABLED:
			break;
		}
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   "Your account is disabled. Contact your administrator.", NULL);
	}
	if (invite_entry(l))
		return ask_secret(l);
	switch (policy_login_entry(&l->person, l->have_code ? &l->code : NULL, l->d->now())) {
	case LOGIN_ENTRY_SECRET:
		return ask_secret(l);
	case LOGIN_ENTRY_UNFINISHED:
		log_info("login: %s: registration not finished (service %s, from %s)",
			 l->person.username, l->service, l->rhost);
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, policy_text_unfinished(),
				   NULL);
	case LOGIN_ENTRY_DISABLED:
		break;
	}
	return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
			   "Your account is disabled. Contact your administrator.", NULL);
}

static int login_answer(struct login *l, struct json_object *params)
{
	const char *a[2] = { NULL, NULL };
	struct json_object *arr;
	size_t n;

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
					   "The input is too long.", NULL);
	}
	switch (l->step) {
	case STEP_ASK_SECRET:
		return l->change ? on_current(l, a[0]) : on_secret(l, a[0]);
	case STEP_ASK_CONFIRM:
		return on_confirm(l, a[0]);
	case STEP_ASK_NEW:
		return on_new_password(l, a[0], a[1]);
	case STEP_ASK_VERIFY:
		return on_verify(l, a[0]);
	case STEP_ASK_NAME:
		return on_name(l, a[0]);
	case STEP_ASK_TERMS:
		return on_terms(l, a[0]);
	case STEP_ASK_TOTP:
		return on_totp(l, a[0]);
	case STEP_ENROL:
		return on_enrol(l, a[0]);
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

/* SPDX-License-Identifier: BSD-3-Clause */
/* What the files of the login dialogue share: login.c (Start, Answer,
 * the jobs, the first factor), login_dialogue.c (the shared steps:
 * replies, throttling, the prompts), login_mfa.c (the authenticator app),
 * login_invite.c (invitations), login_change.c (passwd), login_host.c
 * (the host's groups and pool), login_kiosk.c (no username yet).
 * Private to them: the rest of the daemon sees only login.h. */
#ifndef OB_LOGIN_PRIVATE_H
#define OB_LOGIN_PRIVATE_H

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
#include "ob_json.h"
#include "ob_protocol.h"
#include "policy.h"
#include "qr.h"
#include "quality.h"
#include "text.h"
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
	STEP_ASK_WHO,    /* kiosk: a username or an access code */
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
	/* HASH: the new password passes libpwquality's checks first, here
	 * off the event loop (its dictionary takes half a millisecond):
	 * against the current password (old, when have_old) and the
	 * username.  refused: it did not, why says so, nothing was hashed. */
	char old[OB_PASSWORD_MAX + 1];
	bool have_old;
	char username[OB_USERNAME_MAX + 1];
	bool refused;
	char why[256];
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
	/* A code login of a person with an authenticator: the new password's
	 * hash waits here until the authenticator's code is right. */
	char pending_hash[crypto_pwhash_STRBYTES];
	bool redeem_after_totp;
	/* Where the login comes from (login_source), as the log names it:
	 * a kiosk's code guesses are throttled per source, a person's
	 * failures per place (its first THROTTLE_PLACE_BYTES). */
	uint8_t source[THROTTLE_SOURCE_BYTES];
	char source_name[96];
	/* The person as read from the store in this step (a Start, an
	 * Answer, a job's end: login_step begins one), so that the step
	 * reads them once (issue 11): the throttle's gate, the person "as
	 * they are now" and the failure or success counted after come from
	 * this one read.  NOW_PERSON: all of it is what the store holds;
	 * NOW_THROTTLE: this dialogue wrote the person since (a write keeps
	 * the throttle), so only the throttle is; NOW_STALE: nothing read
	 * yet in this step.  l->person is apart: the person as the
	 * dialogue proved them, which a write compares with. */
	struct person now;
	enum { NOW_STALE, NOW_THROTTLE, NOW_PERSON } now_state;
	/* code and invite were read with the person in this step (login_get
	 * with secrets): login_load_secrets need not read them again.
	 * secrets_failed: the store could not read one of them. */
	bool secrets_now;
	bool secrets_failed;
};

/* LOG_WHERE's arguments for l: its service and its remote host. */
#define LOG_WHERE_OF(l) (l)->service, (l)->rhost

/* The files call each other in layers, never upwards (checked with nm in
 * daemon/README's words):
 *   login.c           Start, Answer and the ends of the jobs: dispatches
 *                     to the flows, the first factor, the access code
 *   login_mfa.c, login_invite.c, login_change.c, login_host.c,
 *   login_kiosk.c     the flows: call only login_dialogue.c
 *   login_dialogue.c  the shared steps: calls no other login file
 * Where a flow's step ends and another begins (the second factor after
 * an invitation, the new password after a change's current one), the
 * flow returns and login.c goes on. */

/* login_dialogue.c: replies (messages as style, text pairs ending in
 * NULL, and a verdict when the dialogue ends), errors, throttling. */
int login_reply(struct login *l, const char *verdict, ...);
/* A varlink error instead of a reply. */
int login_error(struct login *l, const char *error, const char *text);
int login_invalid(struct login *l, const char *parameter);
int login_unavailable(struct login *l);
bool login_held(struct login *l, int *ret);
int login_failed(struct login *l, const char *what, const char *text);
/* Count a failure (throttle_failure) from what this step read: 1 when
 * the person is locked now (*until), 0 when not, -EIO. */
int login_count_failure(struct login *l, const char *what, int64_t *until);
/* A new step (Start, Answer, a job's end): what was read is stale. */
void login_step(struct login *l);
/* l->person read as user (Start, kiosk), which the step keeps as read;
 * with secrets, their access code and invitation in the same read (see
 * login_load_secrets). */
enum store_result login_get(struct login *l, const char *user, bool secrets);
/* This dialogue wrote the person: l->now is no longer what is stored,
 * but its throttle still is.  login_wrote_as: written as p, exactly. */
void login_wrote(struct login *l);
void login_wrote_as(struct login *l, const struct person *p);
/* After a write that carried its audit event e (event, filled by
 * audit_login_fill): the log line of what was done ("password change")
 * and r, then e recorded as committed, or, the write having stored
 * nothing, the failure audited on its own. */
void login_wrote_audited(struct login *l, const char *what, const char *event,
			 enum store_result r, const struct audit_event *e);
/* store_person_put of p with e, the audit event of its success
 * (audit_login_fill), in the same transaction: both or neither, one
 * durable commit.  The store's result; on STORE_OK, log the event with
 * audit_login_recorded. */
enum store_result login_put_audited(struct login *l, struct person *p, struct audit_event *e);
/* Whether two password hashes are the same, in constant time. */
bool login_same_hash(const char *a, const char *b);
/* l->person as they are now: read from the store, unless this step read
 * them already and wrote nothing since.  0, or -EIO. */
int login_reread(struct login *l);
/* The person's access code and invitation into l: 0, or -EIO. */
int login_load_secrets(struct login *l);
/* Whether the login of l begins with the invitation code (see
 * policy_invite_entry); l's secrets are loaded. */
bool login_invite_entry(const struct login *l);
/* What a person whose registration is not finished is told, at the
 * account phase and at passwd alike: the invitation code when a usable
 * invitation waits for them, else an access code from the administrator. */
const char *login_text_unfinished(struct login *l);
/* The authentication of the person in l->person begins: asks for the
 * password, access code or invitation code (reads them first). */
int login_begin(struct login *l);
int login_ask_new_password(struct login *l, const char *why);
/* The typed access code is l->code (its hash in l->code_hash): refused
 * when no longer active, else the username is asked to confirm it. */
int login_code_matched(struct login *l);

/* login_kiosk.c: where the login comes from (l->source, l->source_name),
 * from Start's parameters. */
void login_source(struct login *l, struct json_object *params);
/* login_kiosk.c: no username yet (kiosk mode). */
bool login_kiosk_wanted(struct json_object *params);
int login_kiosk_start(struct login *l, struct json_object *params);
int login_kiosk_on_who(struct login *l, const char *typed);

/* login_mfa.c: after the password, the authenticator (see policy_mfa_step). */
int login_mfa_second_factor(struct login *l, const char *before);
/* The authenticator's code: true when it is refused (the reply is sent,
 * its result in *ret); false when it is right, and the caller goes on. */
bool login_mfa_on_totp(struct login *l, const char *typed, int *ret);
int login_mfa_on_enrol(struct login *l, const char *typed);

/* login_invite.c: registration with an invitation. */
bool login_invite_on_secret(struct login *l, const char *typed, int *ret);
int login_invite_on_verify(struct login *l, const char *typed);
int login_invite_on_name(struct login *l, const char *typed);
int login_invite_on_terms(struct login *l, const char *typed);
/* The first password is hashed: true when the invitation is accepted
 * and the second factor comes next, text (of size bytes) holding what to
 * show first; false when the reply is sent. */
bool login_invite_after_hash(struct login *l, char *text, size_t size);

/* login_change.c: the password change of passwd. */
int login_change_start(struct login *l, bool check);
/* The current password, kept: true when it is refused (the reply is
 * sent, its result in *ret); false when it goes on to the password's
 * check (login_on_secret). */
bool login_change_on_current(struct login *l, const char *typed, int *ret);
int login_change_not_changed(struct login *l, const char *why);
void login_change_after_hash(struct login *l);

/* login_host.c: the host's groups and pool (Login.Start's groups and
 * pool) against the person, in the account phase: true when the host
 * refuses them (the refusal is sent, its result in *ret), false when it
 * lets them in. */
bool login_host_refused(struct login *l, struct json_object *params, int *ret);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* The rules, as pure functions: no clock, no storage, no I/O.  Time comes
 * in as a parameter, so every rule is tested as a table.  The words a
 * person reads at the login prompt are declared at the end, written in
 * policy_text.c: the one place for them. */
#ifndef OB_POLICY_H
#define OB_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

/* What an access code is worth at time now. */
enum code_status {
	CODE_STATUS_ACTIVE,
	CODE_STATUS_USED,
	CODE_STATUS_REVOKED,
	CODE_STATUS_SUPERSEDED,
	CODE_STATUS_EXPIRED,
};
enum code_status policy_code_status(const struct access_code *c, int64_t now);
const char *policy_code_status_name(enum code_status s);

/* What the host already has under a username. */
enum account_kind {
	ACCOUNT_NONE,    /* no Unix account */
	ACCOUNT_SYSTEM,  /* root or uid below UID_MIN */
	ACCOUNT_REGULAR, /* a regular account */
};

enum add_verdict {
	ADD_OK,
	ADD_TAKEN,            /* already an onboard person */
	ADD_SYSTEM_ACCOUNT,   /* root or a system account: never */
	ADD_UNIX_EXISTS,      /* regular account: needs --existing-account */
	ADD_NO_UNIX_ACCOUNT,  /* --existing-account but there is none */
};
enum add_verdict policy_user_add(bool in_onboard, enum account_kind kind, bool existing_account);
/* One line for the administrator; username is woven in. */
const char *policy_add_message(enum add_verdict v, const char *username, char *buf, size_t size);

/* Where a login of a known person begins. */
enum login_entry {
	LOGIN_ENTRY_SECRET,     /* one prompt: password, or access code */
	LOGIN_ENTRY_UNFINISHED, /* no password and no usable code */
	LOGIN_ENTRY_DISABLED,
};
enum login_entry policy_login_entry(const struct person *p, const struct access_code *c,
				    int64_t now);

/* New password rules. */
struct password_rules {
	unsigned min_length; /* in characters (UTF-8 code points) */
	unsigned max_length;
};
enum password_verdict {
	PASSWORD_OK,
	PASSWORD_MISMATCH,
	PASSWORD_TOO_SHORT,
	PASSWORD_TOO_LONG,
	PASSWORD_BAD_CHARACTERS, /* not UTF-8, or control characters */
	PASSWORD_IS_USERNAME,
	PASSWORD_IS_NAME,
	PASSWORD_UNCHANGED, /* a change to the password already in use */
};
enum password_verdict policy_password(const struct password_rules *r, const char *pw,
				      const char *confirm, const struct person *p);
/* The rules of policy_password for a password that replaces current
 * (what the person just proved): and the new one must differ from it. */
enum password_verdict policy_password_change(const struct password_rules *r, const char *pw,
					     const char *confirm, const struct person *p,
					     const char *current);

/* What the second factor asks once the person's password is proven (or
 * newly set with a code).  A person without a password never gets past
 * MFA_STEP_NONE: no MFA prompt, enrolment or verification before a
 * password exists, whatever the mode. */
enum mfa_step {
	MFA_STEP_NONE,   /* done: no second factor */
	MFA_STEP_VERIFY, /* ask for a code from the enrolled authenticator */
	MFA_STEP_ENROL,  /* set up an authenticator now */
};
enum mfa_step policy_mfa_step(enum mfa_mode mode, const struct person *p);

/* Shortest new password: the configured length, and at least 15 when
 * the password is the only factor (mfa = off). */
unsigned policy_password_min(enum mfa_mode mode, unsigned configured);

/* Where a person stands: unfinished (no password yet: invited, or
 * waiting for a code), password set (the authenticator the policy
 * requires is still to come), active, or disabled. */
enum person_state {
	PERSON_STATE_UNFINISHED,
	PERSON_STATE_PASSWORD_SET,
	PERSON_STATE_ACTIVE,
	PERSON_STATE_DISABLED,
};
enum person_state policy_person_state(enum mfa_mode mode, const struct person *p);
const char *policy_person_state_name(enum person_state s);

/* The account phase for a known person. */
enum account_verdict {
	ACCOUNT_OK,
	ACCOUNT_UNFINISHED, /* registration not finished */
	ACCOUNT_NO_AUTHENTICATOR, /* password set, the required authenticator not yet */
	ACCOUNT_DISABLED,
};
enum account_verdict policy_account(const struct person *p);
/* The account phase (pam_sm_acct_mgmt), which also runs after logins
 * onboard did not see (an ssh key): one whose required authenticator is
 * still to be set up may not in.  A lock from wrong guesses does not
 * refuse here: it stops guessing, and an ssh key is not a guess (an
 * administrator's disable, PERSON_DISABLED, still refuses). */
enum account_verdict policy_account_phase(enum mfa_mode mode, const struct person *p);

/* Throttling of one person's logins, per place first (the remote host,
 * else the terminal, else the service: struct throttle_place).  Failed
 * passwords, access codes and authenticator codes in a row from one
 * place make the next try from there wait (none after the first
 * THROTTLE_FREE_FAILURES, then 2 s, doubling, at most
 * THROTTLE_DELAY_MAX), and the attempts-th locks that place for the
 * person for lock_seconds: the person from elsewhere is not locked, so a
 * guesser cannot lock them out everywhere by guessing from one place.
 * Failures from anywhere count in a row too, and the total_attempts-th
 * locks the person everywhere for lock_seconds (NIST SP 800-63B: at most
 * 100 failures in a row).  A try that must wait or is locked out is
 * refused without looking at what was typed, and is not counted.  A
 * place whose lock has run out is forgotten; an overall lock that has
 * run out leaves no trace at all.  At most THROTTLE_PLACES places are
 * kept, the one with the oldest failure dropped for a new one. */
#define THROTTLE_FREE_FAILURES 3
#define THROTTLE_DELAY_MAX 60
#define THROTTLE_TOTAL_MAX 100 /* the most lockout_total_attempts may be */

struct throttle_rules {
	uint32_t attempts;       /* lockout_attempts: failures in a row from one place */
	uint32_t total_attempts; /* lockout_total_attempts: in a row from anywhere */
	int64_t lock_seconds;    /* lockout_minutes, in seconds */
};
struct throttle_rules policy_throttle_rules(const struct config *c);

enum throttle_verdict {
	THROTTLE_ALLOW,
	THROTTLE_DELAY,  /* too soon after the last failure: try at *until */
	THROTTLE_LOCKED, /* locked until *until */
};
/* May the person try a secret from place at now?  *until is set for
 * DELAY and LOCKED. */
enum throttle_verdict policy_throttle_check(const struct throttle *t,
					    const struct throttle_rules *r,
					    const uint8_t place[THROTTLE_PLACE_BYTES], int64_t now,
					    int64_t *until);
/* Seconds to wait after failures in a row (0 for the first few). */
int64_t policy_throttle_delay(uint32_t failures);
/* Count one failure from place at now into t.  Returns true when the
 * person is locked out afterwards, from that place or everywhere (this
 * failure locked them, or a lock already held: then t is left as it
 * is); *until (may be NULL) receives till when. */
bool policy_throttle_fail(struct throttle *t, const struct throttle_rules *r,
			  const uint8_t place[THROTTLE_PLACE_BYTES], int64_t now, int64_t *until);
/* A successful login from place: the failures in a row end, and the
 * place's; other places keep theirs (a guesser elsewhere does not get a
 * fresh count from the person's own login). */
void policy_throttle_success(struct throttle *t, const uint8_t place[THROTTLE_PLACE_BYTES]);
/* An administrator's unlock: no failures, no lock, anywhere. */
void policy_throttle_clear(struct throttle *t);
/* Forget the locks that have run out by now, with the failures that led
 * to them: what is left is what still counts. */
void policy_throttle_expire(struct throttle *t, int64_t now);
/* Places locked at now, and the end of the latest of their locks. */
unsigned policy_throttle_places_locked(const struct throttle *t, int64_t now, int64_t *until);

/* What an invitation is worth at time now. */
enum invite_status {
	INVITE_STATUS_PENDING,
	INVITE_STATUS_ACCEPTED,
	INVITE_STATUS_REVOKED,
	INVITE_STATUS_SUPERSEDED,
	INVITE_STATUS_EXPIRED,
};
enum invite_status policy_invite_status(const struct invitation *inv, int64_t now);
const char *policy_invite_status_name(enum invite_status s);

/* Whether a login of p begins with "Invitation code: ": p has no
 * password and is not disabled, and inv (may be NULL) is not accepted.
 * An expired or revoked invitation counts too, so that a person who
 * types its code learns why it no longer works. */
bool policy_invite_entry(const struct person *p, const struct invitation *inv);

/* A name typed to correct the registered one: blanks around it dropped,
 * split at the last space into first and last name, each checked by the
 * name rule.  Returns NULL with first and last filled, or the reason
 * (written into buf). */
const char *policy_split_name(const char *typed, char first[OB_NAME_MAX + 1],
			      char last[OB_NAME_MAX + 1], char *buf, size_t size);

/* Whether an answer accepts the terms of use: "yes" in any case, blanks
 * around it ignored. */
bool policy_terms_accepted(const char *answer);

/* Access-code guesses without a username (kiosk mode), counted per
 * source (remote host, else terminal, else service) in a struct throttle
 * that lives in the daemon's memory (throttle.c).  After
 * SOURCE_FREE_FAILURES wrong codes each next try waits 1 s, doubling, at
 * most SOURCE_DELAY_MAX; the r->attempts-th locks the source for
 * r->lock_seconds.  A success proves nothing about a source: its count
 * is forgotten only after r->lock_seconds without a wrong code, or with
 * the end of its lock.  A try that must wait or is locked out is refused
 * without looking at the code, and is not counted. */
#define SOURCE_FREE_FAILURES 3
#define SOURCE_DELAY_MAX 60
int64_t policy_source_delay(uint32_t failures);
/* Forget what no longer counts at now (see above). */
void policy_source_expire(struct throttle *t, const struct throttle_rules *r, int64_t now);
enum throttle_verdict policy_source_check(const struct throttle *t,
					  const struct throttle_rules *r, int64_t now,
					  int64_t *until);
/* Count one wrong code at now.  Returns true when the source is locked
 * afterwards (by this failure, or a lock that already held). */
bool policy_source_fail(struct throttle *t, const struct throttle_rules *r, int64_t now);

/* ------------------------------------------------------------------------
 * The words a person reads at the login prompt (policy_text.c): every
 * sentence and prompt the login dialogue shows.  The login files write
 * none of their own; a test that compares a text byte for byte compares
 * what is written here. */

/* The fixed ones, by what they say (policy_say). */
enum say {
	/* Anywhere in the dialogue. */
	SAY_LOGIN_INCORRECT, /* a wrong secret, whatever it was */
	SAY_UNAVAILABLE,     /* the store cannot be read */
	SAY_INPUT_TOO_LONG,
	SAY_DISABLED,
	SAY_NOT_ONESELF,     /* a caller's uid runs another's login */
	SAY_ACCOUNT_CHANGED, /* the authenticator changed meanwhile */
	/* The first factor; the prompts end in ": ". */
	SAY_PASSWORD,
	SAY_PASSWORD_OR_CODE,
	SAY_ACCESS_CODE,
	SAY_ENTER_ACCESS_CODE, /* no password yet: the code, before its prompt */
	SAY_CODE_ACCEPTED,
	SAY_CONFIRM_USERNAME,
	SAY_USERNAME_MISMATCH,
	SAY_KIOSK_WHO,
	SAY_KIOSK_ROOT_ONLY,
	/* A new password. */
	SAY_NEW_PASSWORD,
	SAY_REPEAT_PASSWORD,
	SAY_CANNOT_CHECK,   /* libpwquality cannot start */
	SAY_NOT_SET_INVITE, /* refused for the last time */
	SAY_NOT_SET_CODE,
	SAY_SET_FAILED,     /* hashing failed */
	/* Invitations. */
	SAY_INVITATION_CODE,
	SAY_INVITATION_ACCEPTED,
	SAY_VERIFICATION_CODE,
	SAY_VERIFICATION_ACCEPTED,
	SAY_NAME_UNCHANGED, /* no acceptable name, for the last time */
	SAY_TERMS,          /* before the terms themselves */
	SAY_TERMS_ACCEPT,
	/* The authenticator. */
	SAY_AUTHENTICATOR_CODE,
	SAY_CODE_REPLAYED,
	SAY_APP_CODE,
	SAY_APP_CODE_WRONG,
	SAY_ENROL_FAILED,
	SAY_ENROLLED,
	/* The password change (passwd). */
	SAY_CHANGING,
	SAY_CURRENT_PASSWORD,
	SAY_NOT_CHANGED,
	SAY_CHANGE_FAILED,
	SAY_CHANGE_CONFLICT,
	SAY_CHANGED,
	SAY_COUNT
};
const char *policy_say(enum say s);

/* Those with a part that varies: written into buf, which is returned. */
/* "Your new password is set. Welcome, Ada." */
const char *policy_text_welcome(const char *first_name, char *buf, size_t size);
/* The same when an invitation's registration is complete. */
const char *policy_text_registered(const char *first_name, char *buf, size_t size);
/* "Choose your new password: at least 15 characters." */
const char *policy_text_choose_password(unsigned min_length, char *buf, size_t size);
/* The registered name, to keep with Enter or to correct. */
const char *policy_text_name_ask(const char *first_name, const char *last_name, char *buf,
				 size_t size);
/* The invitation to enrol an authenticator app, after the line before
 * (may be NULL). */
const char *policy_text_enrol(const char *before, char *buf, size_t size);
/* The new authenticator's key, for typing by hand (buf holds a secret). */
const char *policy_text_enrol_key(const char *key, char *buf, size_t size);
const char *policy_password_message(enum password_verdict v, const struct password_rules *r,
				    char *buf, size_t size);

/* The first piece of text to send as one message of at most max bytes
 * (max >= 4): all of it when it fits; else up to the last newline within
 * max bytes, else up to the last space, else up to the last whole UTF-8
 * character.  Returns the piece's length (at least 1 for a text that is
 * not empty) and sets *next to where the rest begins: past the newline
 * or space the cut dropped. */
size_t policy_text_piece(const char *text, size_t max, size_t *next);

/* How an enrolment shows the new authenticator.  A console or ssh shows
 * a QR code drawn in text, the key and the URI; a graphical greeter draws
 * messages in a proportional font (a QR code of blocks is not scannable
 * there) and often shows only the last one, so it gets the key in groups
 * of four with issuer and account, as the last message before the code
 * prompt. */
enum enrol_view { ENROL_VIEW_QR, ENROL_VIEW_KEY };
/* The view for service (the application's PAM service name, may be NULL
 * or empty) given graphical_services, service names separated by spaces,
 * tabs or commas: ENROL_VIEW_KEY exactly when service is one of them. */
enum enrol_view policy_enrol_view(const char *graphical_services, const char *service);
/* The enrolment's introduction for a greeter, after the line before. */
const char *policy_text_enrol_by_hand(const char *before, char *buf, size_t size);
/* The last message a greeter shows before the code prompt: issuer,
 * account and the grouped key (and the code's settings when they are not
 * the apps' defaults: algorithm name or digits given).  buf holds a
 * secret. */
const char *policy_text_enrol_card(const char *issuer, const char *account, const char *key,
				   const char *algorithm, unsigned digits, char *buf, size_t size);

/* What a person whose registration is not finished reads. */
const char *policy_text_unfinished(void);
/* What a person without a password and without a usable access code is
 * told at the start of a login: that their code expired, when it did;
 * otherwise policy_text_unfinished(). */
const char *policy_text_unfinished_code(const struct access_code *c, int64_t now);
const char *policy_text_code_outcome(enum store_result r);
const char *policy_text_no_authenticator(void);

/* "Too many failed attempts: this account is locked until 14:35." in
 * local time, the minute rounded up; the date too when until is not
 * today. */
const char *policy_text_locked(int64_t until, int64_t now, char *buf, size_t size);
/* "Too many failed attempts: wait 4 seconds, then try again." */
const char *policy_text_wait(int64_t until, int64_t now, char *buf, size_t size);
/* "Too many attempts from here: try again in 8 seconds." */
const char *policy_text_source_wait(int64_t until, int64_t now, char *buf, size_t size);

/* Invitations. */
const char *policy_text_invite_unfinished(void);
const char *policy_text_invite_outcome(enum store_result r);
const char *policy_text_terms_refused(void);
const char *policy_text_verification_wrong(void);

#endif

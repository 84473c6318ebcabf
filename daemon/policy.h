/* The rules, as pure functions: no clock, no storage, no I/O.  Time comes
 * in as a parameter, so every rule is tested as a table.  This is also
 * the one place that turns outcomes into the words a person reads. */
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
};
enum password_verdict policy_password(const struct password_rules *r, const char *pw,
				      const char *confirm, const struct person *p);
const char *policy_password_message(enum password_verdict v, const struct password_rules *r,
				    char *buf, size_t size);

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

/* The account phase for a known person. */
enum account_verdict {
	ACCOUNT_OK,
	ACCOUNT_UNFINISHED, /* registration not finished */
	ACCOUNT_DISABLED,
};
enum account_verdict policy_account(const struct person *p);

/* The words a person reads at the login prompt. */
const char *policy_text_unfinished(void);
const char *policy_text_code_outcome(enum store_result r);

#endif

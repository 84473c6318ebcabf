/* The rules of onboard, pure: time is a parameter, nothing is read or
 * written.  Also the one place where outcomes become the words people
 * read. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "validate.h"

enum code_status policy_code_status(const struct access_code *c, int64_t now)
{
	switch (c->state) {
	case CODE_USED:
		return CODE_STATUS_USED;
	case CODE_REVOKED:
		return CODE_STATUS_REVOKED;
	case CODE_SUPERSEDED:
		return CODE_STATUS_SUPERSEDED;
	case CODE_ACTIVE:
		return now >= c->expires ? CODE_STATUS_EXPIRED : CODE_STATUS_ACTIVE;
	}
	/* An unknown stored state is never usable. */
	return CODE_STATUS_REVOKED;
}

const char *policy_code_status_name(enum code_status s)
{
	switch (s) {
	case CODE_STATUS_ACTIVE:
		return "active";
	case CODE_STATUS_USED:
		return "used";
	case CODE_STATUS_REVOKED:
		return "revoked";
	case CODE_STATUS_SUPERSEDED:
		return "superseded";
	case CODE_STATUS_EXPIRED:
		return "expired";
	}
	return "unknown";
}

enum add_verdict policy_user_add(bool in_onboard, enum account_kind kind, bool existing_account)
{
	if (in_onboard)
		return ADD_TAKEN;
	switch (kind) {
	case ACCOUNT_SYSTEM:
		return ADD_SYSTEM_ACCOUNT;
	case ACCOUNT_REGULAR:
		return existing_account ? ADD_OK : ADD_UNIX_EXISTS;
	case ACCOUNT_NONE:
		return existing_account ? ADD_NO_UNIX_ACCOUNT : ADD_OK;
	}
	return ADD_SYSTEM_ACCOUNT;
}

const char *policy_add_message(enum add_verdict v, const char *username, char *buf, size_t size)
{
	switch (v) {
	case ADD_OK:
		snprintf(buf, size, "%s can be added", username);
		break;
	case ADD_TAKEN:
		snprintf(buf, size, "username %s is already registered in onboard", username);
		break;
	case ADD_SYSTEM_ACCOUNT:
		snprintf(buf, size, "username %s belongs to root or a system account of this host "
			 "and cannot be managed by onboard", username);
		break;
	case ADD_UNIX_EXISTS:
		snprintf(buf, size, "a Unix account named %s already exists on this host; "
			 "add --existing-account to let onboard manage it", username);
		break;
	case ADD_NO_UNIX_ACCOUNT:
		snprintf(buf, size, "--existing-account given, but there is no Unix account "
			 "named %s on this host", username);
		break;
	}
	return buf;
}

enum login_entry policy_login_entry(const struct person *p, const struct access_code *c,
				    int64_t now)
{
	if (p->flags & PERSON_DISABLED)
		return LOGIN_ENTRY_DISABLED;
	if (p->pwhash[0])
		return LOGIN_ENTRY_SECRET;
	if (c && policy_code_status(c, now) == CODE_STATUS_ACTIVE)
		return LOGIN_ENTRY_SECRET;
	return LOGIN_ENTRY_UNFINISHED;
}

/* Code points in well-formed UTF-8; control characters make it invalid. */
static bool password_chars(const char *pw, size_t *count)
{
	size_t n = 0;

	if (!validate_utf8(pw, strlen(pw)))
		return false;
	for (const unsigned char *s = (const unsigned char *)pw; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			return false;
		if ((*s & 0xc0) != 0x80)
			n++;
	}
	*count = n;
	return true;
}

/* Whether pw, ignoring ASCII case, is one of the person's names or both
 * in either order, with or without a space between. */
static bool password_is_name(const char *pw, const struct person *p)
{
	const char *first = p->first_name, *last = p->last_name;
	const char *pairs[2][2] = { { first, last }, { last, first } };
	size_t len = strlen(pw);

	if ((first[0] && strcasecmp(pw, first) == 0) || (last[0] && strcasecmp(pw, last) == 0))
		return true;
	for (size_t i = 0; i < 2; i++) {
		size_t a = strlen(pairs[i][0]), b = strlen(pairs[i][1]);

		if (!a || !b)
			continue;
		if (len == a + b && strncasecmp(pw, pairs[i][0], a) == 0 &&
		    strcasecmp(pw + a, pairs[i][1]) == 0)
			return true;
		if (len == a + b + 1 && strncasecmp(pw, pairs[i][0], a) == 0 && pw[a] == ' ' &&
		    strcasecmp(pw + a + 1, pairs[i][1]) == 0)
			return true;
	}
	return false;
}

enum password_verdict policy_password(const struct password_rules *r, const char *pw,
				      const char *confirm, const struct person *p)
{
	size_t n;

	if (strcmp(pw, confirm) != 0)
		return PASSWORD_MISMATCH;
	if (!password_chars(pw, &n))
		return PASSWORD_BAD_CHARACTERS;
	if (n < r->min_length)
		return PASSWORD_TOO_SHORT;
	if (n > r->max_length)
		return PASSWORD_TOO_LONG;
	if (strcasecmp(pw, p->username) == 0)
		return PASSWORD_IS_USERNAME;
	if (password_is_name(pw, p))
		return PASSWORD_IS_NAME;
	return PASSWORD_OK;
}

const char *policy_password_message(enum password_verdict v, const struct password_rules *r,
				    char *buf, size_t size)
{
	switch (v) {
	case PASSWORD_OK:
		snprintf(buf, size, "The password is accepted.");
		break;
	case PASSWORD_MISMATCH:
		snprintf(buf, size, "The two passwords do not match.");
		break;
	case PASSWORD_TOO_SHORT:
		snprintf(buf, size, "The password must have at least %u characters.", r->min_length);
		break;
	case PASSWORD_TOO_LONG:
		snprintf(buf, size, "The password must have at most %u characters.", r->max_length);
		break;
	case PASSWORD_BAD_CHARACTERS:
		snprintf(buf, size, "The password contains characters that cannot be typed "
			 "at a login prompt.");
		break;
	case PASSWORD_IS_USERNAME:
		snprintf(buf, size, "The password must not be your username.");
		break;
	case PASSWORD_IS_NAME:
		snprintf(buf, size, "The password must not be your name.");
		break;
	}
	return buf;
}

enum mfa_step policy_mfa_step(enum mfa_mode mode, const struct person *p)
{
	if (!p->pwhash[0] || mode == MFA_OFF)
		return MFA_STEP_NONE;
	if (p->flags & PERSON_MFA_ENROLLED)
		return MFA_STEP_VERIFY;
	return mode == MFA_REQUIRED ? MFA_STEP_ENROL : MFA_STEP_NONE;
}

unsigned policy_password_min(enum mfa_mode mode, unsigned configured)
{
	/* NIST SP 800-63B: 8 with a second factor, 15 when it is the only one. */
	if (mode == MFA_OFF && configured < 15)
		return 15;
	return configured;
}

enum account_verdict policy_account(const struct person *p)
{
	if (p->flags & PERSON_DISABLED)
		return ACCOUNT_DISABLED;
	if (!p->pwhash[0])
		return ACCOUNT_UNFINISHED;
	return ACCOUNT_OK;
}

const char *policy_text_unfinished(void)
{
	return "Your registration is not finished: ask your administrator for an access code, "
	       "then enter it here instead of a password.";
}

const char *policy_text_code_outcome(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return "The access code is accepted.";
	case STORE_USED:
		return "This access code has already been used. Ask your administrator for a new one.";
	case STORE_EXPIRED:
		return "This access code has expired. Ask your administrator for a new one.";
	case STORE_REVOKED:
		return "This access code has been revoked. Ask your administrator for a new one.";
	case STORE_SUPERSEDED:
		return "This access code has been replaced by a newer one. Use the newest code "
		       "you were given.";
	case STORE_MISMATCH:
	case STORE_NOT_FOUND:
		return "Login incorrect.";
	case STORE_FULL:
	case STORE_UNAVAILABLE:
	case STORE_EXISTS:
	case STORE_CONFLICT:
		break;
	}
	return "The login service could not record this login. Try again later.";
}

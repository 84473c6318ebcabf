/* SPDX-License-Identifier: BSD-3-Clause */
/* The login dialogue's second factor: asking for the authenticator's
 * code, and enrolling a new authenticator app with a QR code. */
#include "config.h"

#include "audit.h"
#include "login_private.h"

/* ------------------------------------------------------- second factor */

_Static_assert(TOTP_SHA1 == 0 && TOTP_SHA256 == 1 && TOTP_SHA512 == 2,
	       "struct store_totp keeps enum totp_algorithm's values");

/* The parameters of a new enrolment: the configuration's. */
static void login_totp_params(const struct login *l, struct totp_params *p)
{
	p->algorithm = (enum totp_algorithm)l->d->cfg.totp_algorithm;
	p->digits = l->d->cfg.totp_digits;
	p->period = 30;
	p->window = 1;
}

/* The parameters of the person's enrolled authenticator: those stored at
 * its enrolment, whatever the configuration says now.  Only a record that
 * holds none (written before schema 3, and not stamped by the migration
 * because it could not be read then) falls back to the configuration. */
static void login_totp_person_params(const struct login *l, struct totp_params *p)
{
	login_totp_params(l, p);
	if (l->person.totp.digits) {
		p->algorithm = (enum totp_algorithm)l->person.totp.algorithm;
		p->digits = l->person.totp.digits;
		p->period = l->person.totp.period;
	}
}

static void login_totp_store(const struct totp_params *tp, struct store_totp *t)
{
	t->algorithm = (uint8_t)tp->algorithm;
	t->digits = (uint8_t)tp->digits;
	t->period = (uint16_t)tp->period;
}

/* Show the new authenticator: QR code, key, URI, and ask for a code. */
static int login_ask_enrol(struct login *l, const char *before)
{
	struct totp_params tp;
	char uri[TOTP_URI_MAX(CONFIG_ISSUER_MAX, OB_USERNAME_MAX)], key[64], intro[OB_TEXT_MAX],
		keyline[128], card[OB_MESSAGE_MAX + 1];
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
	l->step = STEP_ENROL;
	if (policy_enrol_view(l->d->cfg.graphical_services, l->service) == ENROL_VIEW_KEY) {
		/* A greeter: the key last, where the only message shown is. */
		bool plain = tp.algorithm == TOTP_SHA1 && tp.digits == 6;

		policy_text_enrol_by_hand(before, intro, sizeof(intro));
		policy_text_enrol_card(l->d->cfg.totp_issuer, l->person.username, key,
				       plain ? NULL : totp_algorithm_name(tp.algorithm),
				       plain ? 0 : tp.digits, card, sizeof(card));
		r = login_reply(l, NULL, OB_STYLE_INFO, intro, OB_STYLE_INFO, card, OB_STYLE_TEXT,
				policy_say(SAY_APP_CODE), NULL);
		OB_WIPE(uri);
		OB_WIPE(key);
		OB_WIPE(card);
		return r;
	}
	policy_text_enrol(before, intro, sizeof(intro));
	policy_text_enrol_key(key, keyline, sizeof(keyline));
	r = qr_render(uri, LOGIN_QR_COLUMNS, &qr, &cols, &lines);
	if (r < 0)
		r = login_reply(l, NULL, OB_STYLE_INFO, intro, OB_STYLE_INFO, keyline, OB_STYLE_INFO,
				uri, OB_STYLE_TEXT, policy_say(SAY_APP_CODE), NULL);
	else
		r = login_reply(l, NULL, OB_STYLE_INFO, intro, OB_STYLE_INFO, qr, OB_STYLE_INFO,
				keyline, OB_STYLE_INFO, uri, OB_STYLE_TEXT,
				policy_say(SAY_APP_CODE), NULL);
	OB_WIPE(uri);
	OB_WIPE(key);
	OB_WIPE(keyline);
	if (qr)
		sodium_memzero(qr, strlen(qr));
	return r;
}

/* The password is proven (or newly set): the second factor, if any.
 * before is a line to show first (or NULL). */
int login_mfa_second_factor(struct login *l, const char *before)
{
	/* A change asks an enrolled authenticator's code, then the new
	 * password; it never enrols one (the next login does). */
	if (l->change && policy_mfa_step((enum mfa_mode)l->d->cfg.mfa, &l->person) !=
				 MFA_STEP_VERIFY)
		return login_ask_new_password(l, NULL);
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
					   policy_say(SAY_AUTHENTICATOR_CODE), NULL);
		return login_reply(l, NULL, OB_STYLE_SECRET, policy_say(SAY_AUTHENTICATOR_CODE),
				   NULL);
	case MFA_STEP_ENROL:
		totp_secret_new(l->totp_secret);
		return login_ask_enrol(l, before);
	}
	if (before)
		return login_reply(l, OB_VERDICT_SUCCESS, OB_STYLE_INFO, before, NULL);
	return login_reply(l, OB_VERDICT_SUCCESS, NULL);
}

/* A code of a time step already used: seen before, or older.  Counted
 * as a failure, and recorded in the log. */
static int login_mfa_replayed(struct login *l)
{
	log_info("login: %s: authenticator code replayed (" LOG_WHERE ")",
		 l->person.username, LOG_WHERE_OF(l));
	return login_failed(l, "authenticator code", policy_say(SAY_CODE_REPLAYED));
}

bool login_mfa_on_totp(struct login *l, const char *typed, int *ret)
{
	struct totp_params tp;
	enum store_result r;
	int64_t step = 0;
	int v;

	/* Checked again here: other dialogues may have failed meanwhile. */
	if (login_held(l, ret)) {
		OB_WIPE(l->totp_secret);
		return true;
	}
	login_totp_person_params(l, &tp);
	v = totp_verify(&tp, l->totp_secret, typed, l->d->now(), l->person.totp_last_step, &step);
	OB_WIPE(l->totp_secret);
	if (v == -EALREADY) {
		*ret = login_mfa_replayed(l);
		return true;
	}
	if (v < 0) {
		log_info("login: %s: wrong authenticator code (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		*ret = login_failed(l, "authenticator code", policy_say(SAY_LOGIN_INCORRECT));
		return true;
	}
	/* Each time step once: the watermark moves only forwards, atomically. */
	r = store_totp_advance(l->d->store, l->person.username, l->person.totp_sealed, step);
	login_wrote(l);
	if (r == STORE_USED) {
		*ret = login_mfa_replayed(l);
		return true;
	}
	if (r == STORE_CONFLICT) {
		/* Reset, re-enrolled or disabled while this dialogue ran. */
		log_info("login: %s: the authenticator changed during the login (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		*ret = login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_say(SAY_ACCOUNT_CHANGED), NULL);
		return true;
	}
	if (r != STORE_OK) {
		*ret = login_unavailable(l);
		return true;
	}
	/* What the code was asked for goes on in login.c: the new password
	 * of a change, the redemption that waited for it, or success. */
	log_info("login: %s: authenticator code accepted (" LOG_WHERE ")",
		 l->person.username, LOG_WHERE_OF(l));
	return false;
}

int login_mfa_on_enrol(struct login *l, const char *typed)
{
	struct totp_params tp;
	_cleanup_person_ struct person p = l->person;
	struct audit_event e;
	enum store_result r;
	int64_t step = 0;
	int v;

	login_totp_params(l, &tp);
	v = totp_verify(&tp, l->totp_secret, typed, l->d->now(), -1, &step);
	if (v < 0) {
		if (++l->enrol_tries >= LOGIN_ENROL_TRIES) {
			OB_WIPE(l->totp_secret);
			log_info("login: %s: authenticator enrolment failed (" LOG_WHERE ")",
				 l->person.username, LOG_WHERE_OF(l));
			/* Mistakes while enrolling are typing, not guessing: only
			 * the last counts. */
			return login_failed(l, "authenticator enrolment code",
					    policy_say(SAY_ENROL_FAILED));
		}
		return login_reply(l, NULL, OB_STYLE_ERROR, policy_say(SAY_APP_CODE_WRONG),
				   OB_STYLE_TEXT, policy_say(SAY_APP_CODE), NULL);
	}
	/* Active only now that the app has shown it works. */
	totp_seal(&l->d->keys, l->totp_secret, p.totp_sealed);
	OB_WIPE(l->totp_secret);
	p.flags |= PERSON_MFA_ENROLLED;
	login_totp_store(&tp, &p.totp);
	p.totp_last_step = step;
	p.mfa_enrolled = l->d->now();
	p.updated = p.mfa_enrolled;
	/* The enrolment and its audit event in one transaction: both or
	 * neither, one durable commit.  A failure is recorded on its own. */
	audit_login_fill(l->d, &e, &l->person, "login.mfa_enrolled", store_result_name(STORE_OK),
			 LOG_WHERE, LOG_WHERE_OF(l));
	r = login_put_audited(l, &p, &e);
	if (r == STORE_OK)
		login_wrote_as(l, &p);
	login_wrote_audited(l, "authenticator enrolment", "login.mfa_enrolled", r, &e);
	if (r == STORE_CONFLICT)
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_say(SAY_ACCOUNT_CHANGED), NULL);
	if (r != STORE_OK)
		return login_unavailable(l);
	return login_reply(l, OB_VERDICT_SUCCESS, OB_STYLE_INFO,
			   policy_say(SAY_ENROLLED), NULL);
}

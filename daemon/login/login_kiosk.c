/* SPDX-License-Identifier: BSD-3-Clause */
/* The kiosk dialogue: a login that begins without a username
 * (pam_onboard.so kiosk, and an application that asked for none).  One
 * prompt takes a username or an access code:
 *   - the username of a person onboard knows goes on as that person's
 *     login (login_begin), with the person's own throttling;
 *   - another valid username gets the verdict ignore, naming it: the
 *     module makes it PAM_USER and the rest of the stack asks for its
 *     password, exactly as in a login where the application asked for
 *     the name (root and system accounts log in that way);
 *   - an access code, known by its shape (code_normalise), is looked up
 *     by its keyed hash (store_code_find); its holder confirms the
 *     username by typing it and goes on as in a code login
 *     (login_code_matched: new password, then the authenticator);
 *   - anything else, and a code nobody holds, is "Login incorrect.", as
 *     a wrong password is.
 * Code guesses are throttled per source (throttle_source_*): while the
 * source must wait or is locked, a code is refused without being looked
 * at, so that guessing is hopeless. */
#include "config.h"

#include "audit.h"
#include "login_private.h"

bool login_kiosk_wanted(struct json_object *params)
{
	bool kiosk = false;

	return varlink_get_bool(params, "kiosk", &kiosk) == 0 && kiosk;
}

/* Where the login comes from: the remote host when the application gave
 * one, else the terminal, else the service. */
void login_source(struct login *l, struct json_object *params)
{
	static const char *const kinds[] = { "rhost", "tty", "service" };
	const char *v = NULL;
	size_t n, i;

	for (i = 0; i < OB_ARRAY_SIZE(kinds); i++)
		if (varlink_get_string(params, kinds[i], OB_TEXT_MAX, &v) == 0 && v[0])
			break;
	if (i == OB_ARRAY_SIZE(kinds)) {
		throttle_source_key("none", "", l->source);
		snprintf(l->source_name, sizeof(l->source_name), "an unnamed source");
		return;
	}
	throttle_source_key(kinds[i], v, l->source);
	n = (size_t)snprintf(l->source_name, sizeof(l->source_name), "%s ", kinds[i]);
	/* The log line is for people: no control characters in it. */
	text_printable(l->source_name + n, sizeof(l->source_name) - n, v, TEXT_ASCII);
}

int login_kiosk_start(struct login *l, struct json_object *params)
{
	/* Any uid but root may only log in itself, and a kiosk names nobody
	 * beforehand. */
	if (l->peer.uid != 0) {
		log_info("login: uid %u may not run a kiosk login", (unsigned)l->peer.uid);
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   policy_say(SAY_KIOSK_ROOT_ONLY), NULL);
	}
	l->step = STEP_ASK_WHO;
	/* Not echoed: the answer may be an access code. */
	return login_reply(l, NULL, OB_STYLE_SECRET, policy_say(SAY_KIOSK_WHO), NULL);
}

/* A code nobody holds: counted against the source. */
static int kiosk_wrong_code(struct login *l)
{
	char text[160];
	int64_t until;

	OB_WIPE(l->code_hash);
	log_info("login: kiosk: wrong access code (" LOG_WHERE ")", l->service,
		 l->source_name);
	audit_host_limited(l->d, l->source_name, "login.failed", "refused",
			   "wrong access code (" LOG_WHERE ")", l->service, l->source_name);
	if (throttle_source_failure(l->d, l->source, l->source_name, &until) == 1)
		return login_reply(l, OB_VERDICT_MAXTRIES, OB_STYLE_ERROR,
				   policy_say(SAY_LOGIN_INCORRECT), OB_STYLE_ERROR,
				   policy_text_source_wait(until, l->d->now(), text, sizeof(text)),
				   NULL);
	return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, policy_say(SAY_LOGIN_INCORRECT),
			   NULL);
}

/* canon is an access code's canonical form. */
static int kiosk_on_code(struct login *l, const char *canon)
{
	char user[OB_USERNAME_MAX + 1], text[160];
	enum store_result r;
	int64_t until;
	int v = throttle_source_gate(l->d, l->source, &until);

	if (v != THROTTLE_ALLOW) {
		log_info("login: kiosk: access code refused unread: %s (" LOG_WHERE ")",
			 v == THROTTLE_LOCKED ? "source locked" : "too soon after a wrong one",
			 l->service, l->source_name);
		return login_reply(l, v == THROTTLE_LOCKED ? OB_VERDICT_MAXTRIES : OB_VERDICT_AUTH_ERR,
				   OB_STYLE_ERROR,
				   policy_text_source_wait(until, l->d->now(), text, sizeof(text)),
				   NULL);
	}
	keys_code_hash(&l->d->keys, canon, l->code_hash);
	r = store_code_find(l->d->store, l->code_hash, user);
	if (r == STORE_NOT_FOUND)
		return kiosk_wrong_code(l);
	if (r != STORE_OK)
		return login_unavailable(l);
	r = login_get(l, user, true);
	if (r == STORE_NOT_FOUND)
		return kiosk_wrong_code(l);
	if (r != STORE_OK || login_load_secrets(l) < 0)
		return login_unavailable(l);
	/* Superseded or revoked since the lookup: as if never found. */
	if (!l->have_code || sodium_memcmp(l->code.hash, l->code_hash, CODE_HASH_BYTES) != 0)
		return kiosk_wrong_code(l);
	log_info("login: kiosk: %s: access code recognised (" LOG_WHERE ")",
		 l->person.username, l->service, l->source_name);
	if (policy_login_entry(&l->person, &l->code, l->d->now()) == LOGIN_ENTRY_DISABLED)
		return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
				   policy_say(SAY_DISABLED), NULL);
	/* The person's own lock holds here too, as in their own login. */
	if (login_held(l, &v))
		return v;
	return login_code_matched(l);
}

int login_kiosk_on_who(struct login *l, const char *typed)
{
	char canon[CODE_LETTERS + 1];
	enum store_result r;
	int ret;

	/* A person's username first: a name of 16 letters has a code's
	 * shape too, and must still reach its own login. */
	if (!validate_username(typed)) {
		r = login_get(l, typed, true);
		if (r == STORE_OK) {
			log_info("login: kiosk: %s: username given (" LOG_WHERE ")",
				 l->person.username, l->service, l->source_name);
			return login_begin(l);
		}
		if (r != STORE_NOT_FOUND)
			return login_unavailable(l);
		memset(&l->person, 0, sizeof(l->person));
	}
	if (code_normalise(typed, canon) == 0) {
		ret = kiosk_on_code(l, canon);
		OB_WIPE(canon);
		return ret;
	}
	if (validate_username(typed))
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_say(SAY_LOGIN_INCORRECT), NULL);
	/* Not onboard's: the rest of the stack decides about this name. */
	snprintf(l->person.username, sizeof(l->person.username), "%s", typed);
	return login_reply(l, OB_VERDICT_IGNORE, NULL);
}

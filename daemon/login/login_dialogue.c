/* SPDX-License-Identifier: BSD-3-Clause */
/* The login dialogue's shared steps, below its flows: replying (with
 * messages, a verdict, an error), refusing while the person must wait
 * (login_held) and counting a wrong secret (login_failed), reading the
 * person and their access code and invitation anew, and the prompts every
 * flow comes back to: the secret, the new password, the access code
 * accepted.  The flows (login_mfa.c, login_invite.c, login_change.c,
 * login_host.c, login_kiosk.c) call these; nothing here calls a flow or
 * login.c, which dispatches Start, Answer and the ends of the jobs. */
#include "config.h"

#include "audit.h"
#include "login_private.h"

static struct throttle *login_throttle(struct login *l);

/* -------------------------------------------------------------- replies */

static int messages_add(struct json_object *arr, const char *style, const char *text)
{
	_cleanup_json_ struct json_object *m = json_object_new_object();

	if (!m)
		return -ENOMEM;
	json_object_object_add(m, "style", json_object_new_string(style));
	json_object_object_add(m, "text", json_object_new_string(text));
	if (json_object_array_add(arr, m) < 0)
		return -ENOMEM;
	m = NULL; /* the array's now */
	return 0;
}

/* Add text as messages of at most OB_MESSAGE_MAX bytes each, cut at
 * line boundaries (policy_text_piece): a QR code becomes several
 * messages of whole lines, which a terminal shows one under the other as
 * before.  The pieces of a prompt before its last are shown as info. */
static int messages_add_cut(struct json_object *arr, const char *style, const char *text)
{
	bool asks = strcmp(style, OB_STYLE_SECRET) == 0 || strcmp(style, OB_STYLE_TEXT) == 0;
	char piece[OB_MESSAGE_MAX + 1];
	size_t n, next;
	int r = 0;

	while (r == 0 && strnlen(text, OB_MESSAGE_MAX + 1) > OB_MESSAGE_MAX) {
		n = policy_text_piece(text, OB_MESSAGE_MAX, &next);
		memcpy(piece, text, n);
		piece[n] = '\0';
		r = messages_add(arr, asks ? OB_STYLE_INFO : style, piece);
		text += next;
	}
	/* The pieces may be of a key or a QR code. */
	OB_WIPE(piece);
	if (r < 0)
		return r;
	return messages_add(arr, style, text);
}

/* Send a reply with the messages given as (style, text) pairs, ending in
 * NULL, and a verdict when the dialogue is over. */
int login_reply(struct login *l, const char *verdict, ...)
{
	_cleanup_json_ struct json_object *params = json_object_new_object();
	_cleanup_json_ struct json_object *arr = json_object_new_array();
	struct json_object *msg;
	unsigned asks = 0;
	const char *style;
	va_list ap;

	if (!params || !arr)
		return -ENOMEM;
	va_start(ap, verdict);
	while ((style = va_arg(ap, const char *))) {
		const char *text = va_arg(ap, const char *);

		if (strcmp(style, OB_STYLE_SECRET) == 0 || strcmp(style, OB_STYLE_TEXT) == 0)
			asks++;
		messages_add_cut(arr, style, text);
	}
	va_end(ap);
	json_object_object_add(params, "messages", ob_json_take(&arr));
	/* Success after an answer means the person proved who they are: their
	 * failures in a row end here.  (The account phase answers at Start
	 * and proves nothing.) */
	if (verdict && strcmp(verdict, OB_VERDICT_SUCCESS) == 0 && l->step != STEP_NONE &&
	    throttle_success_of(l->d, l->person.username, login_throttle(l), l->source) < 0)
		l->now_state = NOW_STALE;
	if (verdict) {
		json_object_object_add(params, "verdict", json_object_new_string(verdict));
		json_object_object_add(params, "user", json_object_new_string(l->person.username));
		l->step = STEP_DONE;
	}
	l->expect = asks;
	msg = varlink_reply_new(ob_json_take(&params));
	if (!msg)
		return -ENOMEM;
	l->send(l->ctx, msg);
	return 0;
}

int login_error(struct login *l, const char *error, const char *text)
{
	struct json_object *msg = varlink_error_msg(error, text);

	if (!msg)
		return -ENOMEM;
	l->send(l->ctx, msg);
	return 0;
}

int login_invalid(struct login *l, const char *parameter)
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

int login_unavailable(struct login *l)
{
	return login_reply(l, OB_VERDICT_UNAVAILABLE, OB_STYLE_ERROR,
			   policy_say(SAY_UNAVAILABLE), NULL);
}

/* ------------------------------------------- the person read per step */

void login_step(struct login *l)
{
	l->now_state = NOW_STALE;
	l->secrets_now = false;
}

enum store_result login_get(struct login *l, const char *user, bool secrets)
{
	enum store_result r, code_r, invite_r;

	if (!secrets) {
		r = store_person_get(l->d->store, user, &l->person);
	} else {
		r = store_person_get_secrets(l->d->store, user, &l->person, &l->code, &code_r,
					     &l->invite, &invite_r);
		l->have_code = r == STORE_OK && code_r == STORE_OK;
		l->have_invite = r == STORE_OK && invite_r == STORE_OK;
		l->secrets_now = r == STORE_OK;
		l->secrets_failed = (code_r != STORE_OK && code_r != STORE_NOT_FOUND) ||
				    (invite_r != STORE_OK && invite_r != STORE_NOT_FOUND);
	}
	l->now_state = NOW_STALE;
	if (r == STORE_OK) {
		l->now = l->person;
		l->now_state = NOW_PERSON;
	}
	return r;
}

void login_wrote(struct login *l)
{
	if (l->now_state == NOW_PERSON)
		l->now_state = NOW_THROTTLE;
}

void login_wrote_as(struct login *l, const struct person *p)
{
	l->now = *p;
	l->now_state = NOW_PERSON;
}

void login_wrote_audited(struct login *l, const char *what, const char *event,
			 enum store_result r, const struct audit_event *e)
{
	log_info("login: %s: %s: %s (" LOG_WHERE ")", l->person.username, what,
		 store_result_name(r), LOG_WHERE_OF(l));
	if (r == STORE_OK)
		audit_login_recorded(l->d, e);
	else
		audit_login(l->d, &l->person, event, store_result_name(r), LOG_WHERE,
			    LOG_WHERE_OF(l));
}

enum store_result login_put_audited(struct login *l, struct person *p, struct audit_event *e)
{
	struct person_change c = { .op = PERSON_UPDATE, .p = p };
	struct audit_bounds b;

	/* As store_person_put. */
	if (p->version >= INT64_MAX)
		return STORE_CONFLICT;
	return store_people_write_audited(l->d->store, &c, 1, NULL, e,
					  audit_bounds(l->d, e->time, &b));
}

/* The person as stored now into l->now, unless this step has it (with
 * whole, all of them; else their throttle is enough).  The store's
 * result. */
static enum store_result login_read(struct login *l, bool whole)
{
	char user[OB_USERNAME_MAX + 1];
	enum store_result r;

	if (l->now_state == NOW_PERSON || (!whole && l->now_state == NOW_THROTTLE))
		return STORE_OK;
	/* The store fills the struct it is given: not from itself. */
	memcpy(user, l->person.username, sizeof(user));
	r = store_person_get(l->d->store, user, &l->now);
	l->now_state = r == STORE_OK ? NOW_PERSON : NOW_STALE;
	return r;
}

/* The throttle as read in this step, or NULL. */
static struct throttle *login_throttle(struct login *l)
{
	return l->now_state == NOW_STALE ? NULL : &l->now.throttle;
}

/* Before any secret typed is looked at: true when the person must wait
 * or is locked, and then the reply is sent (its result in *ret).  The
 * answer never depends on what was typed, so a right password during a
 * lock is told exactly what a wrong one is.  The throttle is the one
 * read in this step (read here when not yet). */
bool login_held(struct login *l, int *ret)
{
	char text[160];
	int64_t until = 0;
	enum store_result r;
	int v = throttle_pending(l->d, l->person.username);

	/* Failures kept in memory were written: the throttle read is old. */
	if (v > 0)
		l->now_state = NOW_STALE;
	if (v >= 0 && (r = login_read(l, false)) != STORE_OK) {
		log_warnx("login: %s: cannot read the failed logins: %s", l->person.username,
			  store_result_name(r));
		v = -EIO;
	}
	if (v >= 0)
		v = throttle_check(l->d, &l->now.throttle, l->source, &until);
	if (v == THROTTLE_ALLOW)
		return false;
	if (v < 0) {
		*ret = login_unavailable(l);
	} else if (v == THROTTLE_LOCKED) {
		log_info("login: %s: refused unchecked: locked (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		*ret = login_reply(l, OB_VERDICT_MAXTRIES, OB_STYLE_ERROR,
				   policy_text_locked(until, l->d->now(), text, sizeof(text)), NULL);
	} else {
		log_info("login: %s: refused unchecked: too soon after a failure (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		*ret = login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_text_wait(until, l->d->now(), text, sizeof(text)), NULL);
	}
	return true;
}

bool login_same_hash(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

int login_reread(struct login *l)
{
	if (login_read(l, true) != STORE_OK)
		return -EIO;
	l->person = l->now;
	return 0;
}

int login_count_failure(struct login *l, const char *what, int64_t *until)
{
	int r = throttle_failure_of(l->d, l->person.username, &l->person, login_throttle(l),
				    l->source, what, l->service, l->rhost, until);

	if (r < 0)
		l->now_state = NOW_STALE;
	return r;
}

/* A wrong secret (what names it for the log): counted, and refused with
 * text; the failure that locks the person says so too. */
int login_failed(struct login *l, const char *what, const char *text)
{
	char locked[160];
	int64_t until;

	audit_login_limited(l->d, &l->person, "login.failed", "refused",
			    "wrong %s (" LOG_WHERE ")", what, LOG_WHERE_OF(l));
	if (login_count_failure(l, what, &until) == 1)
		return login_reply(l, OB_VERDICT_MAXTRIES, OB_STYLE_ERROR, text, OB_STYLE_ERROR,
				   policy_text_locked(until, l->d->now(), locked, sizeof(locked)),
				   NULL);
	return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR, text, NULL);
}

/* ------------------------------------------------- where a login begins */

int login_load_secrets(struct login *l)
{
	enum store_result r;

	/* Read with the person in this step (login_get). */
	if (l->secrets_now)
		return l->secrets_failed ? -EIO : 0;
	r = store_code_get(l->d->store, l->person.username, &l->code);

	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return -EIO;
	l->have_code = r == STORE_OK;
	r = store_invite_get(l->d->store, l->person.username, &l->invite);
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return -EIO;
	l->have_invite = r == STORE_OK;
	return 0;
}

bool login_invite_entry(const struct login *l)
{
	return l->have_invite && policy_invite_entry(&l->person, &l->invite);
}

const char *login_text_unfinished(struct login *l)
{
	if (login_load_secrets(l) == 0 && login_invite_entry(l))
		return policy_text_invite_unfinished();
	return policy_text_unfinished();
}

/* A person without a password who holds an invitation (see
 * policy_invite_entry): the same secret prompt takes the invitation code
 * or an access code. */
static int login_invite_ask(struct login *l)
{
	l->step = STEP_ASK_SECRET;
	return login_reply(l, NULL, OB_STYLE_INFO, policy_text_invite_unfinished(),
			   OB_STYLE_SECRET, policy_say(SAY_INVITATION_CODE), NULL);
}

static int ask_secret(struct login *l)
{
	bool code = l->have_code &&
		    policy_code_status(&l->code, l->d->now()) == CODE_STATUS_ACTIVE;

	if (login_invite_entry(l))
		return login_invite_ask(l);
	l->step = STEP_ASK_SECRET;
	if (!l->person.pwhash[0])
		return login_reply(l, NULL, OB_STYLE_INFO, policy_say(SAY_ENTER_ACCESS_CODE),
				   OB_STYLE_SECRET, policy_say(SAY_ACCESS_CODE), NULL);
	if (code)
		return login_reply(l, NULL, OB_STYLE_SECRET, policy_say(SAY_PASSWORD_OR_CODE),
				   NULL);
	return login_reply(l, NULL, OB_STYLE_SECRET, policy_say(SAY_PASSWORD), NULL);
}

int login_begin(struct login *l)
{
	if (login_load_secrets(l) < 0)
		return login_unavailable(l);
	if (login_invite_entry(l))
		return ask_secret(l);
	switch (policy_login_entry(&l->person, l->have_code ? &l->code : NULL, l->d->now())) {
	case LOGIN_ENTRY_SECRET:
		return ask_secret(l);
	case LOGIN_ENTRY_UNFINISHED:
		log_info("login: %s: registration not finished (" LOG_WHERE ")",
			 l->person.username, LOG_WHERE_OF(l));
		return login_reply(l, OB_VERDICT_AUTH_ERR, OB_STYLE_ERROR,
				   policy_text_unfinished_code(l->have_code ? &l->code : NULL,
							       l->d->now()),
				   NULL);
	case LOGIN_ENTRY_DISABLED:
		break;
	}
	return login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
			   policy_say(SAY_DISABLED), NULL);
}

int login_ask_new_password(struct login *l, const char *why)
{
	char text[160];

	l->step = STEP_ASK_NEW;
	if (why)
		return login_reply(l, NULL, OB_STYLE_ERROR, why, OB_STYLE_SECRET,
				   policy_say(SAY_NEW_PASSWORD), OB_STYLE_SECRET,
				   policy_say(SAY_REPEAT_PASSWORD), NULL);
	policy_text_choose_password(policy_password_min((enum mfa_mode)l->d->cfg.mfa,
							l->d->cfg.password_min_length),
				    text, sizeof(text));
	return login_reply(l, NULL, OB_STYLE_INFO, text, OB_STYLE_SECRET,
			   policy_say(SAY_NEW_PASSWORD), OB_STYLE_SECRET,
			   policy_say(SAY_REPEAT_PASSWORD), NULL);
}

int login_code_matched(struct login *l)
{
	enum code_status st = policy_code_status(&l->code, l->d->now());

	if (st != CODE_STATUS_ACTIVE) {
		static const enum store_result as_store[] = {
			[CODE_STATUS_USED] = STORE_USED,
			[CODE_STATUS_REVOKED] = STORE_REVOKED,
			[CODE_STATUS_SUPERSEDED] = STORE_SUPERSEDED,
			[CODE_STATUS_EXPIRED] = STORE_EXPIRED,
		};

		log_info("login: %s: access code refused: %s (" LOG_WHERE ")",
			 l->person.username, policy_code_status_name(st), LOG_WHERE_OF(l));
		return login_failed(l, "access code", policy_text_code_outcome(as_store[st]));
	}
	l->step = STEP_ASK_CONFIRM;
	return login_reply(l, NULL, OB_STYLE_INFO, policy_say(SAY_CODE_ACCEPTED), OB_STYLE_TEXT,
			   policy_say(SAY_CONFIRM_USERNAME), NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* The conversation relay between PAM and onboardd.
 *
 * One dialogue is one connection: Start, then Answer for as long as the
 * daemon asks, until a reply carries a verdict.  Every reply has its own
 * deadline (the client's); the person's typing time, spent in the PAM
 * conversation between two calls, does not count against it.  Nothing
 * outlives the call: no thread, no static state, the socket is closed
 * (and close-on-exec while open). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "client.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "names.h"
#include "passwd.h"
#include "people.h"
#include "relay.h"
#include "text.h"
#include "utf8.h"
#include "varlink.h"

/* Longest verdict word we read; longer ones are garbage. */
#define RELAY_VERDICT_MAX 32

struct relay {
	pam_handle_t *pamh;
	const struct options *o;
	int flags;
	bool kiosk; /* started without a user: the daemon names the person */
	const char *user; /* NULL for a kiosk */
	/* The daemon answered Start: from here on the person types, and no
	 * failure may become "unavailable" (see relay_refuse). */
	bool begun;
	struct client c;
};

/* One reply of the daemon, checked.  Texts and verdict are borrowed from
 * the reply's JSON. */
struct relay_reply {
	const char *verdict; /* NULL while the dialogue goes on */
	const char *user;    /* NULL when absent or empty */
	size_t n;
	size_t asks; /* messages that want an answer */
	struct pam_message msg[RELAY_MAX_MESSAGES];
};

/* A word of the protocol and the PAM constant it stands for. */
struct relay_word {
	const char *word;
	int pam;
};

static const struct relay_word relay_styles[] = {
	{ OB_STYLE_SECRET, PAM_PROMPT_ECHO_OFF },
	{ OB_STYLE_TEXT, PAM_PROMPT_ECHO_ON },
	{ OB_STYLE_INFO, PAM_TEXT_INFO },
	{ OB_STYLE_ERROR, PAM_ERROR_MSG },
};

static const struct relay_word relay_verdicts[] = {
	{ OB_VERDICT_SUCCESS, PAM_SUCCESS },
	{ OB_VERDICT_AUTH_ERR, PAM_AUTH_ERR },
	{ OB_VERDICT_PERM_DENIED, PAM_PERM_DENIED },
	{ OB_VERDICT_IGNORE, PAM_IGNORE },
	{ OB_VERDICT_MAXTRIES, PAM_MAXTRIES },
	{ OB_VERDICT_AUTHTOK_ERR, PAM_AUTHTOK_ERR },
	{ OB_VERDICT_UNAVAILABLE, PAM_AUTHINFO_UNAVAIL },
	{ OB_VERDICT_ACCT_EXPIRED, PAM_ACCT_EXPIRED },
};

/* The PAM constant (never negative) of word in words[0..n), or -1. */
static int relay_word_to_pam(const struct relay_word *words, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(word, words[i].word) == 0)
			return words[i].pam;
	return -1;
}

int relay_verdict_to_pam(const char *verdict)
{
	int pam = verdict ? relay_word_to_pam(relay_verdicts, OB_ARRAY_SIZE(relay_verdicts), verdict)
			  : -1;

	return pam < 0 ? PAM_SERVICE_ERR : pam;
}

static bool relay_asks(int pam_style)
{
	return pam_style == PAM_PROMPT_ECHO_OFF || pam_style == PAM_PROMPT_ECHO_ON;
}

static void relay_debug(const struct relay *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void relay_debug(const struct relay *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->o->debug)
		return;
	va_start(ap, fmt);
	pam_vsyslog(r->pamh, LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* Release a reply that may have carried secrets. */
static void relay_reply_free(struct json_object *reply)
{
	if (reply) {
		varlink_wipe(reply);
		json_object_put(reply);
	}
}

/* Release the conversation's responses, wiping each. */
static void relay_responses_free(struct pam_response *resp, size_t n)
{
	if (!resp)
		return;
	for (size_t i = 0; i < n; i++)
		ob_secret_free(resp[i].resp);
	free(resp);
}

/* One call of the application's conversation function with msg[0..n). */
static int relay_converse_call(struct relay *r, const struct pam_conv *conv,
			       const struct pam_message *msg, size_t n, struct pam_response **out)
{
	const struct pam_message *pmsg[RELAY_MAX_MESSAGES];
	int ret;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		pmsg[i] = &msg[i];
	ret = conv->conv((int)n, pmsg, out, conv->appdata_ptr);
	if (ret != PAM_SUCCESS) {
		relay_responses_free(*out, n);
		*out = NULL;
		relay_debug(r, "conversation failed: %s", pam_strerror(r->pamh, ret));
		return PAM_CONV_ERR;
	}
	return PAM_SUCCESS;
}

/* Hand the person a list of messages.  Each message before the first
 * prompt has a conversation call of its own; the prompts, and anything
 * between them, share the last.  LightDM hands its greeter the messages
 * of one call as one message of at most 1,024 bytes (announcing the
 * whole length: the greeter then waits for the rest for ever), so a
 * bound on each message is not enough; and one message a call is the
 * form every application reads (pam_unix converses so).  Which messages
 * there are, and how long, stays the daemon's.  resp may be NULL when
 * nothing is asked; else it gets n responses, those of the messages
 * before the first prompt NULL.  Returns a PAM code. */
static int relay_converse(struct relay *r, const struct pam_message *msg, size_t n,
			  struct pam_response **resp)
{
	const struct pam_conv *conv = NULL;
	struct pam_response *out = NULL, *all;
	size_t first = 0;
	int ret;

	if (resp)
		*resp = NULL;
	if (n == 0)
		return PAM_SUCCESS;
	ret = pam_get_item(r->pamh, PAM_CONV, (const void **)&conv);
	if (ret != PAM_SUCCESS || !conv || !conv->conv) {
		pam_syslog(r->pamh, LOG_ERR, "no conversation function");
		return PAM_CONV_ERR;
	}
	while (first < n && !relay_asks(msg[first].msg_style))
		first++;
	if (first == n) /* nothing asked: the last message is the last call */
		first = n - 1;
	for (size_t i = 0; i < first; i++) {
		ret = relay_converse_call(r, conv, &msg[i], 1, &out);
		if (ret != PAM_SUCCESS)
			return ret;
		relay_responses_free(out, 1);
	}
	ret = relay_converse_call(r, conv, &msg[first], n - first, &out);
	if (ret != PAM_SUCCESS)
		return ret;
	if (!resp) {
		relay_responses_free(out, n - first);
		return PAM_SUCCESS;
	}
	all = calloc(n, sizeof(*all));
	if (!all) {
		relay_responses_free(out, n - first);
		return PAM_BUF_ERR;
	}
	if (out)
		memcpy(all + first, out, (n - first) * sizeof(*all));
	free(out); /* its strings are all's now */
	*resp = all;
	return PAM_SUCCESS;
}

/* One error line for the person, unless the application asked for
 * silence. */
static void relay_tell(struct relay *r, const char *text)
{
	struct pam_message m = { .msg_style = PAM_ERROR_MSG, .msg = text };

	if (!(r->flags & PAM_SILENT))
		relay_converse(r, &m, 1, NULL);
}

int relay_people_listed(pam_handle_t *pamh, const struct options *o, const char *user)
{
	char err[384];
	int r = people_file_lookup(o->people, 0, user, err, sizeof(err));

	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot tell whether %s is one of onboard's people: %s",
			   user, err);
		return 1;
	}
	return r;
}

/* The daemon could not be reached, or did not answer Start (or answered
 * it with nonsense): the dialogue never began, nothing the person typed
 * played a part.  Say why in the log; a person onboard does not manage
 * (the people file says so) goes on through the rest of the stack;
 * anyone else is told in one line and refused, or the module steps
 * aside with unavailable=ignore.  Only this may become PAM_IGNORE. */
static int relay_unavailable(struct relay *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int relay_unavailable(struct relay *r, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	int listed = 1;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (r->user)
		listed = relay_people_listed(r->pamh, r->o, r->user);
	if (listed == 0) {
		pam_syslog(r->pamh, LOG_NOTICE,
			   "login service at %s unavailable: %s; %s is not one of onboard's "
			   "people (%s): PAM_IGNORE",
			   r->o->socket, why, r->user, r->o->people);
		return PAM_IGNORE;
	}
	pam_syslog(r->pamh, LOG_ERR, "login service at %s unavailable: %s%s", r->o->socket, why,
		   r->o->unavailable_ignore ? " (unavailable=ignore: PAM_IGNORE)" : "");
	if (r->o->unavailable_ignore)
		return PAM_IGNORE;
	relay_tell(r, RELAY_TEXT_UNAVAILABLE);
	return PAM_AUTHINFO_UNAVAIL;
}

/* Anything that goes wrong once the person has typed something (an
 * answer the module or the daemon refuses, busy, a broken connection, a
 * protocol error) is the person's login failing, never an outage: a
 * person who could cause "unavailable" could switch onboard off where
 * unavailable=ignore is used.  Logged at level as what it was; the
 * person reads text.  Returns pam (PAM_AUTH_ERR or PAM_MAXTRIES). */
static int relay_refuse(struct relay *r, int pam, int level, const char *text,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int relay_refuse(struct relay *r, int pam, int level, const char *text,
			const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pam_syslog(r->pamh, level, "login of %s refused: %s", r->user ? r->user : "(kiosk)",
		   why);
	relay_tell(r, text);
	return pam;
}

/* Control characters in a text could drive the person's terminal; only
 * newlines and tabs pass.  The text is the reply's own copy, about to be
 * wiped and freed: changing it in place is safe. */
static void relay_sanitise(char *s)
{
	text_printable(s, strlen(s) + 1, s, TEXT_LINES);
}

static int relay_message_parse(struct json_object *m, struct pam_message *out)
{
	const char *style = NULL, *text = NULL;
	int pam_style;

	/* Within PAM_MAX_MSG_SIZE: the daemon cuts its texts to fit, and a
	 * longer one (a daemon from before that) would freeze a graphical
	 * greeter (see OB_MESSAGE_MAX), so it is a bad reply. */
	if (!json_object_is_type(m, json_type_object) ||
	    varlink_get_string(m, "style", 16, &style) < 0 ||
	    varlink_get_string(m, "text", OB_MESSAGE_MAX, &text) < 0)
		return -EBADMSG;
	pam_style = relay_word_to_pam(relay_styles, OB_ARRAY_SIZE(relay_styles), style);
	if (pam_style < 0)
		return -EBADMSG;
	relay_sanitise((char *)text);
	out->msg_style = pam_style;
	out->msg = text;
	return 0;
}

/* Check a reply's parameters against the interface and our bounds.
 * Returns NULL when the reply is good, or what is wrong with it. */
static const char *relay_reply_parse(struct json_object *params, struct relay_reply *rr)
{
	struct json_object *arr;

	memset(rr, 0, sizeof(*rr));
	if (!json_object_object_get_ex(params, "messages", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return "reply without a messages array";
	rr->n = json_object_array_length(arr);
	if (rr->n > RELAY_MAX_MESSAGES)
		return "too many messages in one reply";
	for (size_t i = 0; i < rr->n; i++) {
		if (relay_message_parse(json_object_array_get_idx(arr, i), &rr->msg[i]) < 0)
			return "a message without a known style or a bounded text";
		if (relay_asks(rr->msg[i].msg_style))
			rr->asks++;
	}
	if (varlink_get_string(params, "verdict", RELAY_VERDICT_MAX, &rr->verdict) == -EINVAL)
		return "verdict is not a short string";
	if (rr->verdict && rr->asks)
		return "a prompt in a reply that carries the verdict";
	/* The user is only read with a verdict, and only used on success. */
	if (rr->verdict &&
	    varlink_get_string(params, "user", OB_USERNAME_MAX, &rr->user) == -EINVAL)
		return "user is not a valid username";
	if (rr->user && !rr->user[0])
		rr->user = NULL;
	return NULL;
}

static int relay_add_string(struct json_object *obj, const char *key, const char *value)
{
	return varlink_set(obj, key, json_object_new_string(value));
}

/* Add a PAM item when the application set it.  An item too long for the
 * protocol is left out rather than cut, and so is one that is not UTF-8:
 * the daemon drops a message that carries one before it answers Start,
 * and applications set these from what a client sent (a host or remote
 * user name), who could otherwise make any login read as an outage. */
static int relay_add_item(struct relay *r, struct json_object *obj, const char *key, int item)
{
	const char *s = NULL;

	if (pam_get_item(r->pamh, item, (const void **)&s) != PAM_SUCCESS || !s || !s[0])
		return 0;
	if (strlen(s) > OB_TEXT_MAX) {
		relay_debug(r, "%s is longer than %d bytes: not sent", key, OB_TEXT_MAX);
		return 0;
	}
	if (!utf8_valid(s, strlen(s))) {
		relay_debug(r, "%s is not valid UTF-8: not sent", key);
		return 0;
	}
	return relay_add_string(obj, key, s);
}

/* What the host's PAM line declares: kiosk, groups and pool.  Sent in
 * every phase; the daemon decides where they matter. */
static int relay_add_host(struct relay *r, struct json_object *p)
{
	struct json_object *arr, *v;
	int ret = 0;

	if (r->o->kiosk) {
		v = json_object_new_boolean(1);
		if (!v || json_object_object_add(p, "kiosk", v) < 0) {
			json_object_put(v);
			return -ENOMEM;
		}
	}
	if (r->o->ngroups) {
		arr = json_object_new_array();
		if (!arr || json_object_object_add(p, "groups", arr) < 0) {
			json_object_put(arr);
			return -ENOMEM;
		}
		for (unsigned i = 0; i < r->o->ngroups; i++) {
			v = json_object_new_string(r->o->groups[i]);
			if (!v || json_object_array_add(arr, v) < 0) {
				json_object_put(v);
				return -ENOMEM;
			}
		}
	}
	if (r->o->pool[0])
		ret = relay_add_string(p, "pool", r->o->pool);
	return ret;
}

/* Whose login this is, for the daemon's caps: the real uid, which the
 * caller of a setuid program (su, passwd) cannot change.  sudo, though,
 * runs its conversation with real uid 0 too, like sshd and login; it
 * names its caller in PAM_RUSER, which sshd and login do not set, so
 * with real uid 0 an account named there counts instead.  An unknown
 * name, or root's, leaves it root's. */
static uid_t relay_caller_uid(struct relay *r)
{
	const char *ruser = NULL;
	struct passwd_entry pw;
	uid_t uid = getuid();

	if (uid != 0 || pam_get_item(r->pamh, PAM_RUSER, (const void **)&ruser) != PAM_SUCCESS ||
	    !ruser || !ruser[0] || passwd_by_name(ruser, &pw) != 1 ||
	    pw.uid == (uid_t)-1) /* the daemon would refuse it as a uid */
		return uid;
	return pw.uid;
}

static int relay_start_params(struct relay *r, const char *phase, const char *user,
			      struct json_object **out)
{
	_cleanup_json_ struct json_object *p = json_object_new_object();
	int ret;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	ret = relay_add_string(p, "phase", phase);
	/* Who runs us: a setuid program (su, passwd) has uid 0 for the
	 * daemon, but its real uid is its caller's, which the caller cannot
	 * change.  The daemon counts the dialogue against it. */
	if (ret >= 0)
		ret = varlink_set(p, OB_LOGIN_RUID, json_object_new_int64((long long)relay_caller_uid(r)));
	if (ret >= 0 && user)
		ret = relay_add_string(p, "user", user);
	if (ret >= 0)
		ret = relay_add_host(r, p);
	if (ret >= 0)
		ret = relay_add_item(r, p, "service", PAM_SERVICE);
	if (ret >= 0)
		ret = relay_add_item(r, p, "rhost", PAM_RHOST);
	if (ret >= 0)
		ret = relay_add_item(r, p, "ruser", PAM_RUSER);
	if (ret >= 0)
		ret = relay_add_item(r, p, "tty", PAM_TTY);
	if (ret < 0)
		return ret;
	*out = ob_json_take(&p);
	return 0;
}

/* Collect the answers to the prompts of rr from resp into a new
 * parameters object {answers: [...]}.  Returns 0 or -ENOMEM; *pam is set
 * when the conversation broke the rules, or PAM_AUTH_ERR with *why (what
 * the person reads) for an answer too long or not UTF-8. */
static int relay_answers(struct relay *r, const struct relay_reply *rr,
			 const struct pam_response *resp, struct json_object **out, int *pam,
			 const char **why)
{
	struct json_object *p, *arr;

	*out = NULL;
	*pam = PAM_SUCCESS;
	*why = NULL;
	p = json_object_new_object();
	arr = json_object_new_array();
	if (!p || !arr || json_object_object_add(p, "answers", arr) < 0) {
		json_object_put(arr);
		json_object_put(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rr->n; i++) {
		struct json_object *s;

		if (!relay_asks(rr->msg[i].msg_style))
			continue;
		if (!resp || !resp[i].resp) {
			pam_syslog(r->pamh, LOG_ERR, "the conversation returned no answer to a prompt");
			*pam = PAM_CONV_ERR;
			break;
		}
		if (strlen(resp[i].resp) > OB_ANSWER_MAX) {
			*pam = PAM_AUTH_ERR;
			*why = RELAY_TEXT_TOO_LONG;
			break;
		}
		/* The protocol carries UTF-8 only: anything else is refused
		 * here, not sent for the daemon to drop the connection. */
		if (!utf8_valid(resp[i].resp, strlen(resp[i].resp))) {
			*pam = PAM_AUTH_ERR;
			*why = RELAY_TEXT_NOT_UTF8;
			break;
		}
		s = json_object_new_string(resp[i].resp);
		if (!s || json_object_array_add(arr, s) < 0) {
			json_object_put(s);
			varlink_wipe(p);
			json_object_put(p);
			return -ENOMEM;
		}
	}
	if (*pam != PAM_SUCCESS) {
		varlink_wipe(p);
		json_object_put(p);
		return 0;
	}
	*out = p;
	return 0;
}

/* Show the messages of a reply that goes on, and gather the answers.
 * Returns 1 with *next set to continue, 0 with *pam set to stop, or
 * -ENOMEM. */
static int relay_ask(struct relay *r, const struct relay_reply *rr, struct json_object **next,
		     int *pam)
{
	struct relay_reply shown = { .asks = rr->asks };
	struct pam_response *resp = NULL;
	const char *why = NULL;
	int ret;

	/* PAM_SILENT hides information, never a question. */
	for (size_t i = 0; i < rr->n; i++)
		if (!(r->flags & PAM_SILENT) || relay_asks(rr->msg[i].msg_style))
			shown.msg[shown.n++] = rr->msg[i];
	*pam = relay_converse(r, shown.msg, shown.n, shown.asks ? &resp : NULL);
	if (*pam != PAM_SUCCESS)
		return 0;
	ret = relay_answers(r, &shown, resp, next, pam, &why);
	relay_responses_free(resp, shown.n);
	if (ret < 0)
		return ret;
	if (*pam == PAM_AUTH_ERR && why)
		relay_refuse(r, *pam, LOG_NOTICE, why, "%s",
			     strcmp(why, RELAY_TEXT_TOO_LONG) == 0
				     ? "an answer too long"
				     : "an answer that is not valid UTF-8");
	return *pam == PAM_SUCCESS ? 1 : 0;
}

/* A name the daemon gives back must follow the daemon's own username
 * rule, so nothing odd reaches PAM_USER. */
static bool relay_username_ok(const char *s)
{
	return name_check(s, OB_USERNAME_MAX) == NAME_OK;
}

/* The reply carries the verdict: show its last lines and map it. */
static int relay_finish(struct relay *r, const struct relay_reply *rr)
{
	int pam = relay_verdict_to_pam(rr->verdict);
	int ret;

	if (!(r->flags & PAM_SILENT))
		relay_converse(r, rr->msg, rr->n, NULL);
	if (pam == PAM_SERVICE_ERR)
		pam_syslog(r->pamh, LOG_ERR, "unknown verdict \"%s\": failing", rr->verdict);
	relay_debug(r, "verdict %s", rr->verdict);
	/* Only a kiosk login learns who the person is from the daemon, and
	 * only at its end: on success (proven), or on ignore (a name that is
	 * not onboard's, which the rest of the stack then checks as if the
	 * application had asked for it).  A refusal names nobody, and any
	 * other login keeps the user the application gave. */
	if (!r->kiosk || (pam != PAM_SUCCESS && pam != PAM_IGNORE))
		return pam;
	if (!rr->user) {
		if (pam == PAM_SUCCESS) {
			pam_syslog(r->pamh, LOG_ERR, "kiosk login succeeded without a user: failing");
			return PAM_SERVICE_ERR;
		}
		return pam;
	}
	if (!relay_username_ok(rr->user)) {
		pam_syslog(r->pamh, LOG_ERR, "the daemon named an invalid user: failing");
		return PAM_SERVICE_ERR;
	}
	relay_debug(r, "kiosk: user is now %s", rr->user);
	ret = pam_set_item(r->pamh, PAM_USER, rr->user);
	return ret == PAM_SUCCESS ? pam : ret;
}

/* One call and what follows from its reply.  Returns 1 with *next set
 * when the dialogue goes on, 0 with *pam set when it is over, or
 * -ENOMEM. */
static int relay_round(struct relay *r, const char *method, struct json_object *params,
		       struct json_object **next, int *pam)
{
	struct json_object *reply = NULL, *rparams = NULL;
	const char *error = NULL, *why;
	struct relay_reply rr;
	int ret;

	*next = NULL;
	ret = client_call(&r->c, method, params, &reply, &rparams, &error);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		const char *what = ret == -ETIMEDOUT ? "no reply within the timeout" : strerror(-ret);

		*pam = r->begun ? relay_refuse(r, PAM_AUTH_ERR, LOG_WARNING, RELAY_TEXT_BROKEN,
					       "%s: %s", method, what)
				: relay_unavailable(r, "%s: %s", method, what);
		return 0;
	}
	if (ret > 0) {
		/* Busy is the daemon's answer to too many logins at once,
		 * which others can cause: a refusal, before Start too. */
		if (strcmp(error, OB_ERR_LOGIN_BUSY) == 0)
			*pam = relay_refuse(r, PAM_AUTH_ERR, LOG_WARNING, RELAY_TEXT_BUSY,
					    "%s: the login service is busy: %s", method,
					    client_error_message(rparams, error));
		else if (r->begun)
			*pam = relay_refuse(r, PAM_AUTH_ERR, LOG_WARNING, RELAY_TEXT_BROKEN,
					    "%s answered %s: %s", method, error,
					    client_error_message(rparams, error));
		else
			*pam = relay_unavailable(r, "%s answered %s: %s", method, error,
						 client_error_message(rparams, error));
		relay_reply_free(reply);
		return 0;
	}
	why = relay_reply_parse(rparams, &rr);
	if (why) {
		*pam = r->begun ? relay_refuse(r, PAM_AUTH_ERR, LOG_ERR, RELAY_TEXT_BROKEN,
					       "%s: protocol error: %s", method, why)
				: relay_unavailable(r, "%s: protocol error: %s", method, why);
		relay_reply_free(reply);
		return 0;
	}
	r->begun = true;
	relay_debug(r, "%s: %zu messages, %zu prompts%s", method, rr.n, rr.asks,
		    rr.verdict ? ", verdict" : "");
	if (rr.verdict) {
		*pam = relay_finish(r, &rr);
		ret = 0;
	} else {
		ret = relay_ask(r, &rr, next, pam);
	}
	relay_reply_free(reply);
	return ret;
}

int relay_pam_code(pam_handle_t *pamh, int r, const char *what)
{
	if (r >= 0)
		return r;
	pam_syslog(pamh, LOG_ERR, "%s: %s", what, strerror(-r));
	return r == -ENOMEM ? PAM_BUF_ERR : PAM_SERVICE_ERR;
}

/* relay_dialogue, but -errno instead of a PAM code when an internal step
 * failed (memory, mostly): the steps keep -errno for that, and
 * relay_dialogue converts it once, so that its callers see PAM codes
 * only. */
static int relay_run(pam_handle_t *pamh, const struct options *o, const char *phase,
		     const char *user, int flags)
{
	struct relay r = { .pamh = pamh, .o = o, .flags = flags, .kiosk = !user, .user = user };
	struct json_object *params = NULL, *next = NULL;
	const char *method = OB_LOGIN_START;
	int ret, pam = PAM_SERVICE_ERR;
	uid_t peer = (uid_t)-1;

	/* Only a kiosk's authentication may start without a user. */
	if (!user && (!o->kiosk || strcmp(phase, OB_PHASE_AUTH) != 0))
		return PAM_SERVICE_ERR;
	relay_debug(&r, "%s for %s: asking %s", phase, user ? user : "(kiosk: not known yet)",
		    o->socket);
	ret = client_connect(&r.c, o->socket, o->timeout * 1000);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return relay_unavailable(&r, "cannot connect: %s",
					 ret == -ETIMEDOUT ? "timed out" : strerror(-ret));
	/* Whoever answers decides who logs in: it must be root's daemon, not
	 * a process that took over a socket path it could write to. */
	if (client_peer_uid(&r.c, &peer) < 0 || peer != 0) {
		client_close(&r.c);
		return relay_unavailable(&r, "the socket is not served by root (uid %d)",
					 peer == (uid_t)-1 ? -1 : (int)peer);
	}
	ret = relay_start_params(&r, phase, user, &params);
	for (unsigned round = 0; ret >= 0; round++) {
		if (round == RELAY_MAX_ROUNDS) {
			pam = relay_refuse(&r, PAM_MAXTRIES, LOG_ERR, RELAY_TEXT_BROKEN,
					   "protocol error: no verdict after %d rounds",
					   RELAY_MAX_ROUNDS);
			break;
		}
		ret = relay_round(&r, method, params, &next, &pam);
		varlink_wipe(params);
		json_object_put(params);
		params = next;
		next = NULL;
		method = OB_LOGIN_ANSWER;
		if (ret == 0)
			break;
	}
	if (params) {
		varlink_wipe(params);
		json_object_put(params);
	}
	client_close(&r.c);
	return ret < 0 ? ret : pam;
}

int relay_dialogue(pam_handle_t *pamh, const struct options *o, const char *phase,
		   const char *user, int flags)
{
	/* A kiosk's errors were logged as the kiosk's, a user's as the
	 * phase's. */
	return relay_pam_code(pamh, relay_run(pamh, o, phase, user, flags), user ? phase : "kiosk");
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* What the files of io.onboard.Admin share (admin*.c, audit.c): the
 * call's context and the person lookups that respect the caller's
 * organisation. */
#ifndef OB_ADMIN_PRIVATE_H
#define OB_ADMIN_PRIVATE_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>
#include <sodium.h>

#include "audit.h"
#include "admin.h"
#include "code.h"
#include "daemon.h"
#include "policy.h"
#include "policy_admin.h"

struct admin_import;

/* What lives on one connection between administrative calls. */
struct admin_session {
	struct admin_import *import;
};

struct admin_ctx {
	struct daemon *d;
	uid_t uid;
	struct actor a;
	struct admin_session *sess;
};

#define ADMIN_ORG_DEFAULT "default"

/* A person read for a call is declared _cleanup_person_ (store.h). */

/* An optional string parameter: absent, null and "" all mean absent
 * (*out NULL).  0, or -errno with *err set. */
int admin_get_optional(struct json_object *params, const char *key, const char **out,
		       struct json_object **err);

/* The optional "org" parameter: the organisation a new person, group or
 * pool, an import or a bulk issue is for; when absent or "", the
 * caller's own (ADMIN_ORG_DEFAULT for uid 0).  A caller other than uid 0
 * may name only their own.  0, or -errno with *err set. */
int admin_get_org(struct admin_ctx *x, struct json_object *params, char org[OB_ORG_MAX + 1],
		  struct json_object **err);
/* A call that also invites (UserAdd, UserImport with invite) needs the
 * invites permission: 0, or -EPERM with *err naming it. */
int admin_may_invite(struct admin_ctx *x, bool invite, struct json_object **err);
/* The optional "lifetime" parameter of a new access code, in seconds:
 * dflt when absent, else 1 minute to 10 years.  0 or -EINVAL with *err. */
int admin_get_lifetime(struct json_object *params, long long dflt, long long *out,
		       struct json_object **err);

/* Look up a person the caller may see; people of other organisations
 * are "no such person" to them.  0, or -ENOENT with *err set. */
int admin_find_person(struct admin_ctx *x, const char *username, struct person *p,
		      struct json_object **err);
/* Look up a person the caller acts on (admin_find_person), then hold
 * the call to the authority rule (policy_admin_may_act_on): what says
 * what the call does to them ("reset their authenticator").  0, -ENOENT
 * or -EPERM with *err set; a refusal is audited. */
int admin_find_target(struct admin_ctx *x, const char *username, const char *what,
		      struct person *p, struct json_object **err);
/* The authority rule for a person already read: 0, or -EPERM with *err
 * set and the refusal audited under event. */
int admin_may_act_on(struct admin_ctx *x, const struct person *p, const char *what,
		     struct json_object **err);
/* The same rule, host administrators included, without logging: the
 * reason in buf, or NULL. */
const char *admin_may_act_on_why(struct admin_ctx *x, const struct person *p, const char *what,
				 char *buf, size_t size);
/* Whether the caller sees username's record (false when there is none
 * or on a storage error). */
bool admin_visible(struct admin_ctx *x, const char *username);

/* One page of a list call (UserList, CodeList, BankList, InviteList):
 * records in username order after "after", at most limit of them, and
 * "next" only when more follow. */
struct admin_list {
	struct admin_ctx *x;
	struct json_object *arr;
	int64_t now;
	enum mfa_mode mode;
	size_t limit;                   /* records on a full page */
	char last[OB_USERNAME_MAX + 1]; /* username of the last record taken */
	bool more;                      /* a record follows this page */
	bool oom;
};

/* Read the after and limit parameters of a list call into l: limit is
 * 1 to max, dflt when absent.  Returns 0, or sets *err. */
int admin_list_start(struct json_object *params, long long max, long long dflt,
		     struct admin_list *l, const char **after, struct json_object **err);
/* Whether the page is full, in which case the record in hand is the
 * proof that more follow (the visitor then returns 1 to stop). */
bool admin_list_full(struct admin_list *l);
/* A Code or an Invitation: the same fields but for the last, the
 * boolean flag; closed only when set.  NULL when out of memory. */
struct json_object *admin_closable_json(const char *username, const char *status, int64_t issued,
					int64_t expires, int64_t closed, const char *flag,
					bool on);
/* A visitor's first step with a record the caller sees or not: -1 to
 * take it, else what the visitor returns (0: pass over a record not
 * theirs to see, 1: the page is full, see admin_list_full). */
int admin_list_offer(struct admin_list *l, bool sees);
/* Take one record's JSON o (NULL: out of memory) for username onto the
 * page; the visitor returns what this returns. */
int admin_list_take(struct admin_list *l, struct json_object *o, const char *username);
/* The reply of a page: the records under key, and "next" only when more
 * follow.  Takes l->arr over; r is the walk's result. */
struct json_object *admin_list_reply(struct admin_list *l, enum store_result r,
				     const char *key, const char *what);

/* Whether p has an authenticator app enrolled. */
bool admin_person_enrolled(const struct person *p);
/* A Person of io.onboard.Admin.varlink (never a secret). */
struct json_object *admin_person_json(const struct person *p, enum mfa_mode mode);
/* Longest admin_person_json text (json-c escaping included). */
#define ADMIN_PERSON_JSON_MAX                                                                \
	(420 + OB_USERNAME_MAX + 2 * (2 * OB_NAME_MAX) + OB_EMAIL_MAX + 64 + OB_PHONE_MAX +  \
	 OB_ORG_MAX + 3 * 20 + (OB_PERSON_GROUPS_MAX + OB_PERSON_POOLS_MAX) *                \
	 (OB_GROUP_NAME_MAX + 3) + 7 * 10 + OB_USERNAME_MAX + 20)

/* The fields UserAdd and UserModify share, from params into p: names,
 * email, phone, role, permissions, link (groups and pools are UserAdd's).
 * create: all required names must be there; otherwise absent means
 * unchanged and "" clears email, phone and link.  0, or -EINVAL with *err. */
int admin_person_fields(struct json_object *params, struct person *p, bool create,
			struct json_object **err);
/* A list of group or pool names (absent: n = 0).  0 or -EINVAL with *err. */
int admin_get_names(struct json_object *params, const char *key, store_name *names,
		    unsigned *n, unsigned max, struct json_object **err);
/* The rules that need other records: role and link (reads the linked
 * person), grant, groups and pools in the person's organisation.  old:
 * the person before a change, NULL for a new one.  0 or -EINVAL with *err. */
int admin_person_check(struct admin_ctx *x, const struct person *p, const struct person *old,
		       struct json_object **err);
/* The error for a failed store_people_write of person p. */
struct json_object *admin_write_error(const struct person *p, enum store_result r,
				      const struct store_failure *f, const char *what);

/* Issue an access code: shown receives it formatted (and must be wiped
 * by the caller), rec the record.  A store_code_issue result. */
enum store_result admin_issue_code(struct daemon *d, const char *username, int64_t now,
				   int64_t lifetime, uint32_t flags,
				   char shown[CODE_FORMATTED + 1], struct access_code *rec);

/* The budget of refusal lines of administrators (audit_log_refusal):
 * the authority rule's and the dispatcher's. */
extern struct audit_rate admin_log_rate;

/* Append an audit event about subject (may be NULL) in org (may be NULL)
 * by the caller; detail is printf-formatted and never holds a secret. */
void admin_audit(struct admin_ctx *x, const char *subject, const char *org, const char *event,
		 const char *result, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same for a denied or refused call (by the dispatcher, the
 * authority rule or the store: the caller may repeat it at will) or,
 * with read, a call that only read: at
 * most AUDIT_RATE_LIMIT a minute per caller, the rest recorded as one
 * summary event ("N denied calls by X in the last minute").  Root's are
 * all recorded. */
void admin_audit_limited(struct admin_ctx *x, bool read, const char *subject, const char *org,
			 const char *event, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* The handlers, in the files below admin.c. */
struct json_object *admin_status(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_add(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_show(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_list(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_code_list(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_code_issue(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_code_revoke(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_mfa_reset(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_unlock(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_source_unlock(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_modify(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_delete(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_restore(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_purge(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_bank_list(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_group_add(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_group_list(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_group_assign(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_group_unassign(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_pool_add(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_pool_list(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_pool_assign(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_pool_unassign(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_code_issue_bulk(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_user_import(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_import_failures(struct admin_ctx *x, struct json_object *params);
struct json_object *admin_import_codes(struct admin_ctx *x, struct json_object *params);
void admin_import_free(struct admin_import *imp);
/* Invitations, the administrators' side (admin_invite.c). */
struct json_object *invite_send(struct admin_ctx *x, struct json_object *params);
struct json_object *invite_revoke(struct admin_ctx *x, struct json_object *params);
struct json_object *invite_list(struct admin_ctx *x, struct json_object *params);
/* The reply of UserAdd with invite = true, for p just created: person
 * (taken over; NULL means memory ran out), and the invitation issued now
 * with its code(s).  When the invitation cannot be stored the person
 * stays added and the error says so. */
struct json_object *invite_user_added(struct admin_ctx *x, const struct person *p,
				      struct json_object *person);
struct json_object *audit_list(struct admin_ctx *x, struct json_object *params);

#endif

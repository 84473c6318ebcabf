/* SPDX-License-Identifier: BSD-3-Clause */
/* io.onboard.Admin: the calls onboardctl makes, dispatched.  Who the
 * caller is, whether they may make the call, the call's handler (in the
 * admin_*.c files below this one), the audit event of a call that only
 * read.  Each handler checks its parameters, asks the policy, touches
 * the store once and builds one reply.  Every refusal carries one line
 * for the administrator in "message"; access codes appear only in the
 * CodeIssue reply. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "accounts.h"
#include "accounts_groups.h"
#include "admin_private.h"
#include "admin_reply.h"
#include "code.h"
#include "daemon.h"
#include "duration.h"
#include "log.h"
#include "ob_cleanup.h"
#include "ob_json.h"
#include "ob_protocol.h"
#include "passwd.h"
#include "peoplefile.h"
#include "policy.h"
#include "store_record.h"
#include "audit.h"
#include "policy_audit.h"
#include "throttle.h"
#include "validate.h"
#include "varlink.h"

/* Callers who are no administrator at all (any local user) have a budget
 * of their own: spent in a loop, it must not hide the refusals of
 * administrators. */
static struct audit_rate admin_stranger_log_rate;

/* --------------------------------------------------------------- dispatch */

static const struct {
	const char *method;
	struct json_object *(*fn)(struct admin_ctx *x, struct json_object *params);
	uint32_t need; /* PERM_* or NEED_* */
	/* Calls that change nothing audit themselves here under this name;
	 * the others write their own event, with what they changed. */
	const char *read_event;
} admin_methods[] = {
	{ OB_ADMIN_STATUS, admin_status, NEED_ANY_ADMIN, NULL },
	{ OB_ADMIN_USER_ADD, admin_user_add, PERM_USERS, NULL },
	{ OB_ADMIN_USER_SHOW, admin_user_show, PERM_USERS, "user.show" },
	{ OB_ADMIN_USER_LIST, admin_user_list, PERM_USERS, "user.list" },
	{ OB_ADMIN_USER_MODIFY, admin_user_modify, PERM_USERS, NULL },
	{ OB_ADMIN_USER_DELETE, admin_user_delete, PERM_USERS, NULL },
	{ OB_ADMIN_USER_RESTORE, admin_user_restore, NEED_MAIN_ADMIN, NULL },
	{ OB_ADMIN_USER_PURGE, admin_user_purge, NEED_MAIN_ADMIN, NULL },
	{ OB_ADMIN_BANK_LIST, admin_bank_list, PERM_BANK, "bank.list" },
	{ OB_ADMIN_USER_IMPORT, admin_user_import, PERM_USERS, NULL },
	{ OB_ADMIN_USER_IMPORT_FAILURES, admin_import_failures, PERM_USERS, NULL },
	{ OB_ADMIN_USER_IMPORT_CODES, admin_import_codes, PERM_USERS | PERM_INVITES, NULL },
	{ OB_ADMIN_CODE_ISSUE, admin_code_issue, PERM_CODES, NULL },
	{ OB_ADMIN_CODE_ISSUE_BULK, admin_code_issue_bulk, PERM_CODES, NULL },
	{ OB_ADMIN_CODE_REVOKE, admin_code_revoke, PERM_CODES, NULL },
	{ OB_ADMIN_CODE_LIST, admin_code_list, PERM_CODES, "code.list" },
	{ OB_ADMIN_MFA_RESET, admin_mfa_reset, PERM_USERS, NULL },
	{ OB_ADMIN_INVITE_SEND, invite_send, PERM_INVITES, NULL },
	{ OB_ADMIN_INVITE_REVOKE, invite_revoke, PERM_INVITES, NULL },
	{ OB_ADMIN_INVITE_LIST, invite_list, PERM_INVITES, "invite.list" },
	{ OB_ADMIN_UNLOCK, admin_unlock, PERM_USERS, NULL },
	{ OB_ADMIN_GROUP_ADD, admin_group_add, PERM_GROUPS, NULL },
	{ OB_ADMIN_GROUP_LIST, admin_group_list, PERM_GROUPS, "group.list" },
	{ OB_ADMIN_GROUP_ASSIGN, admin_group_assign, PERM_GROUPS, NULL },
	{ OB_ADMIN_GROUP_UNASSIGN, admin_group_unassign, PERM_GROUPS, NULL },
	{ OB_ADMIN_POOL_ADD, admin_pool_add, PERM_POOLS, NULL },
	{ OB_ADMIN_POOL_LIST, admin_pool_list, PERM_POOLS, "pool.list" },
	{ OB_ADMIN_POOL_ASSIGN, admin_pool_assign, PERM_POOLS, NULL },
	{ OB_ADMIN_POOL_UNASSIGN, admin_pool_unassign, PERM_POOLS, NULL },
	{ OB_ADMIN_AUDIT, audit_list, PERM_AUDIT, "audit.read" },
	{ OB_ADMIN_SOURCE_UNLOCK, admin_source_unlock, NEED_MAIN_ADMIN, NULL },
};

/* A call that only read: who looked at whom, and whether it was let. */
static void admin_audit_read(struct admin_ctx *x, const char *event, struct json_object *params,
			     struct json_object *reply)
{
	const char *subject = NULL;
	struct json_object *e, *after;

	/* A listing is read page by page: the event is its first page's,
	 * the pages after it ("after" given) were asked for by the same
	 * reader and are not recorded again. */
	if (reply && !json_object_object_get_ex(reply, "error", NULL) &&
	    json_object_object_get_ex(params, "after", &after) &&
	    ((json_object_is_type(after, json_type_string) && json_object_get_string_len(after)) ||
	     (json_object_is_type(after, json_type_int) && json_object_get_int64(after) > 0)))
		return;
	if (varlink_get_string(params, "username", OB_USERNAME_MAX, &subject) < 0 ||
	    validate_username(subject))
		subject = NULL;
	if (reply && json_object_object_get_ex(reply, "error", &e))
		admin_audit_limited(x, true, subject, subject ? NULL : x->a.org, event, "refused", "%s",
			    json_object_get_string(e) + (strncmp(json_object_get_string(e),
								 OB_IFACE_ADMIN ".",
								 sizeof(OB_IFACE_ADMIN)) == 0
							 ? sizeof(OB_IFACE_ADMIN)
							 : 0));
	else
		admin_audit_limited(x, true, subject, subject ? NULL : x->a.org, event,
				    reply ? "ok" : "failed", "%s", "");
}

/* The Unix name of uid: the files' (through NSS), else the person the
 * store gave uid to (the userdb socket, which NSS in onboardd bypasses),
 * unless the files have that name for another uid.  1, 0 or -errno as
 * passwd_by_uid. */
static int admin_peer_name(struct daemon *d, uid_t uid, struct passwd_entry *pw)
{
	char name[STORE_ID_NAME_MAX + 1];
	enum store_id_kind kind;
	struct passwd_entry other;
	int r = passwd_by_uid(uid, pw);

	if (r != 0)
		return r;
	if (store_id_find(d->store, (uint32_t)uid, &kind, name) != STORE_OK ||
	    kind != STORE_ID_PERSON || strlen(name) >= sizeof(pw->name) ||
	    passwd_by_name(name, &other) != 0)
		return 0;
	memset(pw, 0, sizeof(*pw));
	snprintf(pw->name, sizeof(pw->name), "%s", name);
	pw->uid = uid;
	pw->gid = uid; /* their own group */
	return 1;
}

/* Who the peer is as an administrator: root, or the onboard person of
 * its Unix username.  0, or sets *err (PermissionDenied). */
static int admin_actor(struct admin_ctx *x, const struct peer *peer, struct json_object **err)
{
	_cleanup_person_ struct person p = { 0 };
	struct passwd_entry pw;
	enum store_result r;

	x->uid = peer->uid;
	if (peer->uid == 0) {
		x->a.root = true;
		x->a.role = ROLE_ADMIN;
		x->a.perms = PERM_ALL;
		return 0;
	}
	/* Name service lookups are local files on the hosts we serve; the
	 * reply to this call waits for it anyway. */
	if (admin_peer_name(x->d, peer->uid, &pw) != 1 || validate_username(pw.name)) {
		audit_log_refusal(x->d, &admin_stranger_log_rate, "admin: uid %u refused: no valid Unix username",
				  (unsigned)peer->uid);
		*err = admin_error(VL_ERR_PERMISSION_DENIED,
				   "permission denied: uid %u is not an onboard administrator",
				   (unsigned)peer->uid);
		return -EPERM;
	}
	r = store_person_get(x->d->store, pw.name, &p);
	if (r != STORE_OK && r != STORE_NOT_FOUND) {
		*err = admin_storage_error(r, "read the administrator");
		return -EIO;
	}
	if (r == STORE_NOT_FOUND || !policy_is_admin(&p)) {
		audit_log_refusal(x->d, &admin_stranger_log_rate, "admin: %s (uid %u) refused: not an onboard administrator",
				  pw.name, (unsigned)peer->uid);
		*err = admin_error(VL_ERR_PERMISSION_DENIED,
				   "permission denied: %s is not an onboard administrator",
				   pw.name);
		return -EPERM;
	}
	snprintf(x->a.username, sizeof(x->a.username), "%s", p.username);
	snprintf(x->a.org, sizeof(x->a.org), "%s", p.org);
	x->a.role = p.role;
	x->a.perms = p.role == ROLE_ADMIN ? PERM_ALL : p.perms;
	return 0;
}

struct json_object *admin_call(struct daemon *d, const struct peer *peer,
			       struct admin_session **sess, const char *method,
			       struct json_object *params)
{
	struct admin_ctx x = { .d = d };
	_cleanup_json_ struct json_object *p = NULL;
	struct json_object *err = NULL, *reply;
	const char *missing;

	/* Checked before the method name: others learn nothing here. */
	if (admin_actor(&x, peer, &err) < 0)
		return err;
	/* Summaries of floods that ended are due even when nothing else is. */
	audit_tick(d);
	if (!*sess) {
		*sess = calloc(1, sizeof(**sess));
		if (!*sess)
			return NULL;
	}
	x.sess = *sess;
	for (size_t i = 0; i < OB_ARRAY_SIZE(admin_methods); i++) {
		if (strcmp(method, admin_methods[i].method) != 0)
			continue;
		if (!policy_admin_may(&x.a, admin_methods[i].need, &missing)) {
			audit_log_refusal(d, &admin_log_rate, "admin: %s refused %s: lacks %s", x.a.username, method,
					  missing);
			admin_audit_limited(&x, false, NULL, x.a.org, "admin.denied", "denied",
					    "%s needs %s", method + sizeof(OB_IFACE_ADMIN),
					    missing);
			if (admin_methods[i].need == NEED_MAIN_ADMIN)
				return admin_error(VL_ERR_PERMISSION_DENIED,
						   "permission denied: only a main administrator "
						   "may do this");
			return admin_error(VL_ERR_PERMISSION_DENIED,
					   "permission denied: this needs the '%s' permission",
					   missing);
		}
		reply = admin_methods[i].fn(&x, params);
		peoplefile_sync(d);
		if (admin_methods[i].read_event)
			admin_audit_read(&x, admin_methods[i].read_event, params, reply);
		return reply;
	}
	p = json_object_new_object();
	if (!p)
		return NULL;
	if (admin_set_string(p, "method", method) < 0)
		return NULL;
	return varlink_error_new(VL_ERR_METHOD_NOT_FOUND, ob_json_take(&p));
}

void admin_session_free(struct admin_session *s)
{
	if (!s)
		return;
	admin_import_free(s->import);
	free(s);
}

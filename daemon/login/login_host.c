/* SPDX-License-Identifier: BSD-3-Clause */
/* The account phase's host rules: the groups and the seat pool a host
 * declares on its PAM line (pam_onboard.so group=NAME ... pool=NAME),
 * sent in Login.Start, checked against the person by
 * policy_host_access. */
#include "config.h"

#include <string.h>

#include "audit.h"
#include "log.h"
#include "login_private.h"
#include "ob_protocol.h"
#include "policy_admin.h"
#include "validate.h"
#include "varlink.h"

bool login_host_refused(struct login *l, struct json_object *params, int *ret)
{
	const char *groups[OB_PERSON_GROUPS_MAX], *pool = NULL;
	struct host h = { .groups = groups };
	struct json_object *arr;
	enum host_access v;
	char text[256];

	if (json_object_object_get_ex(params, "groups", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *j = json_object_array_get_idx(arr, i);
			const char *s = json_object_get_string(j);

			/* What the module could not have sent is ignored, as a
			 * module ignores a bad option. */
			if (!json_object_is_type(j, json_type_string) || validate_group_name(s) ||
			    h.ngroups == OB_PERSON_GROUPS_MAX)
				continue;
			groups[h.ngroups++] = s;
		}
	}
	if (varlink_get_string(params, "pool", OB_GROUP_NAME_MAX, &pool) == 0 &&
	    !validate_group_name(pool))
		h.pool = pool;
	v = policy_host_access(&l->person, &h);
	if (v == HOST_OK)
		return false;
	log_info("login: %s refused on this host: %s (" LOG_WHERE ")", l->person.username,
		 v == HOST_NO_GROUP ? "technician in none of its groups" : "not in its pool",
		 LOG_WHERE_OF(l));
	audit_login_limited(l->d, &l->person, "login.host", "denied", "%s",
		    v == HOST_NO_GROUP ? "technician in none of the host's groups"
				       : "not in the host's pool");
	*ret = login_reply(l, OB_VERDICT_PERM_DENIED, OB_STYLE_ERROR,
			   policy_host_message(v, &h, text, sizeof(text)), NULL);
	return true;
}

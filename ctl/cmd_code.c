/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl's commands about access codes and invitations: code issue,
 * revoke and list; invite send, revoke and list.  Codes given out in
 * bulk are in ctl/bulk.c. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "cmd.h"
#include "ob_protocol.h"
#include "output.h"

int cmd_code_issue(struct ctl *c)
{
	struct json_object *p;
	int64_t lifetime = 0;

	if (c->opt[OPT_ALL_WITHOUT_EMAIL])
		return cmd_code_issue_bulk(c);
	if (!c->arg[0]) {
		ctl_usage_error("code issue: USERNAME is missing (or --all-without-email)");
		return CTL_EXIT_USAGE;
	}
	if (c->opt[OPT_OUTPUT] || c->opt[OPT_ORG]) {
		ctl_usage_error("code issue: --%s goes with --all-without-email",
				c->opt[OPT_OUTPUT] ? "output" : "org");
		return CTL_EXIT_USAGE;
	}
	if (ctl_lifetime(c, &lifetime) < 0)
		return CTL_EXIT_USAGE;
	p = ctl_params_username(c->arg[0]);
	if (!p || (lifetime && ctl_add(p, "lifetime", json_object_new_int64(lifetime)) < 0) ||
	    (c->opt[OPT_RESET_MFA] && ctl_add(p, "reset_mfa", json_object_new_boolean(1)) < 0)) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_CODE_ISSUE, p, output_code_issued);
}

int cmd_code_revoke(struct ctl *c)
{
	return ctl_run_user_line(c, OB_ADMIN_CODE_REVOKE, "revoked the access code of ", "");
}

int cmd_code_list(struct ctl *c)
{
	return ctl_list(c, OB_ADMIN_CODE_LIST, NULL, "codes", output_codes);
}

int cmd_invite_send(struct ctl *c)
{
	struct json_object *p = ctl_params_username(c->arg[0]);

	if (!p || (c->opt[OPT_CODE_TO_ME] &&
		   ctl_add(p, "code_to_me", json_object_new_boolean(1)) < 0)) {
		json_object_put(p);
		return ctl_oom();
	}
	return ctl_run(c, OB_ADMIN_INVITE_SEND, p, output_invitation_issued);
}

int cmd_invite_revoke(struct ctl *c)
{
	return ctl_run_user_line(c, OB_ADMIN_INVITE_REVOKE, "revoked the invitation of ", "");
}

int cmd_invite_list(struct ctl *c)
{
	return ctl_list(c, OB_ADMIN_INVITE_LIST, NULL, "invitations", output_invitations);
}

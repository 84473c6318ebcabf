/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl's commands, one function each, in the table of
 * ctl/onboardctl.c.  Each returns the exit status (enum ctl_exit). */
#ifndef OB_CTL_CMD_H
#define OB_CTL_CMD_H

#include "ctl.h"

/* ctl/cmd_user.c */
int cmd_status(struct ctl *c);
int cmd_user_add(struct ctl *c);
int cmd_user_show(struct ctl *c);
int cmd_user_list(struct ctl *c);
int cmd_user_modify(struct ctl *c);
int cmd_user_delete(struct ctl *c);
int cmd_user_restore(struct ctl *c);
int cmd_user_purge(struct ctl *c);
int cmd_bank_list(struct ctl *c);
int cmd_mfa_reset(struct ctl *c);
int cmd_unlock(struct ctl *c);
int cmd_source_unlock(struct ctl *c);

/* ctl/cmd_code.c */
int cmd_code_issue(struct ctl *c);
int cmd_code_revoke(struct ctl *c);
int cmd_code_list(struct ctl *c);
int cmd_invite_send(struct ctl *c);
int cmd_invite_revoke(struct ctl *c);
int cmd_invite_list(struct ctl *c);

/* ctl/bulk.c: code issue --all-without-email */
int cmd_code_issue_bulk(struct ctl *c);

/* ctl/cmd_group.c */
int cmd_group_add(struct ctl *c);
int cmd_group_list(struct ctl *c);
int cmd_group_assign(struct ctl *c);
int cmd_group_unassign(struct ctl *c);
int cmd_pool_add(struct ctl *c);
int cmd_pool_list(struct ctl *c);
int cmd_pool_assign(struct ctl *c);
int cmd_pool_unassign(struct ctl *c);

/* ctl/cmd_audit.c */
int cmd_audit(struct ctl *c);

/* ctl/import.c */
int cmd_user_import(struct ctl *c);

#endif

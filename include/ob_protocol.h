/* SPDX-License-Identifier: BSD-3-Clause */
/* Names and limits of the onboard protocol, shared by onboardd,
 * pam_onboard.so and onboardctl.  The interface definitions in varlink/
 * are the reference; this header only names what the C code uses. */
#ifndef OB_PROTOCOL_H
#define OB_PROTOCOL_H

/* Largest message, NUL excluded, either way. */
#define OB_MAX_MESSAGE (64 * 1024)

#define OB_DEFAULT_SOCKET "/run/onboard/onboardd.sock"
#define OB_DEFAULT_CONFIG "/etc/onboard/onboardd.conf"
#define OB_DEFAULT_STATE_DIR "/var/lib/onboard"
/* The people file: every username onboardd manages, one a line after
 * this header, written by onboardd (root, 0600) into its state directory
 * and read by the module only when the daemon cannot be asked. */
#define OB_PEOPLE_FILE "people"
#define OB_DEFAULT_PEOPLE OB_DEFAULT_STATE_DIR "/" OB_PEOPLE_FILE
#define OB_PEOPLE_HEADER "# onboardd: the usernames onboard manages; do not edit\n"

/* Field limits (bytes, UTF-8). */
#define OB_USERNAME_MAX 32
#define OB_NAME_MAX 64
#define OB_EMAIL_MAX 254
#define OB_PHONE_MAX 16 /* "+" and at most 15 digits (E.164) */
#define OB_ORG_MAX 64
#define OB_ANSWER_MAX 512 /* one answer typed at a prompt */
#define OB_PASSWORD_MAX 512 /* bytes; a new password is also at most 128 characters */
#define OB_TEXT_MAX 8192 /* one text the daemon says, before it is cut into messages */
/* One message or prompt as the PAM conversation carries it: Linux-PAM's
 * PAM_MAX_MSG_SIZE (512) bytes with its NUL.  Applications copy messages
 * into buffers of that size; LightDM hands a greeter at most 1,024 bytes
 * of one but announces the whole length, and the greeter then waits for
 * the rest for ever.  The daemon cuts longer texts into several messages
 * (policy_text_piece); the module refuses a reply with a longer one. */
#define OB_MESSAGE_MAX 511

/* org.varlink.service */
#define VL_IFACE_SERVICE "org.varlink.service"
#define VL_METHOD_GETINFO "org.varlink.service.GetInfo"
#define VL_METHOD_GETIFACE "org.varlink.service.GetInterfaceDescription"
#define VL_ERR_INTERFACE_NOT_FOUND "org.varlink.service.InterfaceNotFound"
#define VL_ERR_METHOD_NOT_FOUND "org.varlink.service.MethodNotFound"
#define VL_ERR_INVALID_PARAMETER "org.varlink.service.InvalidParameter"
#define VL_ERR_PERMISSION_DENIED "org.varlink.service.PermissionDenied"

/* io.onboard.Login: the dialogue the daemon leads. */
#define OB_IFACE_LOGIN "io.onboard.Login"
#define OB_LOGIN_START "io.onboard.Login.Start"
#define OB_LOGIN_ANSWER "io.onboard.Login.Answer"
/* Start's real uid of the process the module runs in (see the interface). */
#define OB_LOGIN_RUID "ruid"
#define OB_ERR_LOGIN_NO_SESSION "io.onboard.Login.NoSession"
#define OB_ERR_LOGIN_BUSY "io.onboard.Login.Busy"
#define OB_ERR_LOGIN_UNAVAILABLE "io.onboard.Login.Unavailable"

/* Prompt styles in a Login reply. */
#define OB_STYLE_SECRET "secret" /* ask, do not echo */
#define OB_STYLE_TEXT "text"     /* ask, echo */
#define OB_STYLE_INFO "info"
#define OB_STYLE_ERROR "error"

/* Verdicts: each names the PAM result the module returns. */
#define OB_VERDICT_SUCCESS "success"
#define OB_VERDICT_AUTH_ERR "auth_err"
#define OB_VERDICT_PERM_DENIED "perm_denied"
#define OB_VERDICT_IGNORE "ignore"
#define OB_VERDICT_MAXTRIES "maxtries"
#define OB_VERDICT_AUTHTOK_ERR "authtok_err"
#define OB_VERDICT_UNAVAILABLE "authinfo_unavail"
#define OB_VERDICT_ACCT_EXPIRED "acct_expired"

/* Phases of Login.Start. */
#define OB_PHASE_AUTH "auth"
#define OB_PHASE_ACCOUNT "account"
#define OB_PHASE_PASSWORD "password"
/* chauthtok's first pass (PAM_PRELIM_CHECK): a verdict at once, no prompt. */
#define OB_PHASE_PASSWORD_CHECK "password_check"

/* io.onboard.Admin: what onboardctl calls.  Every error carries a
 * "message" parameter: one line for the administrator. */
#define OB_IFACE_ADMIN "io.onboard.Admin"
#define OB_ADMIN_STATUS "io.onboard.Admin.Status"
#define OB_ADMIN_USER_ADD "io.onboard.Admin.UserAdd"
#define OB_ADMIN_USER_SHOW "io.onboard.Admin.UserShow"
#define OB_ADMIN_USER_LIST "io.onboard.Admin.UserList"
#define OB_ADMIN_CODE_ISSUE "io.onboard.Admin.CodeIssue"
#define OB_ADMIN_CODE_REVOKE "io.onboard.Admin.CodeRevoke"
#define OB_ADMIN_CODE_LIST "io.onboard.Admin.CodeList"
#define OB_ADMIN_MFA_RESET "io.onboard.Admin.MfaReset"
#define OB_ADMIN_INVITE_SEND "io.onboard.Admin.InviteSend"
#define OB_ADMIN_INVITE_REVOKE "io.onboard.Admin.InviteRevoke"
#define OB_ADMIN_INVITE_LIST "io.onboard.Admin.InviteList"
#define OB_ADMIN_UNLOCK "io.onboard.Admin.Unlock"
#define OB_ADMIN_USER_MODIFY "io.onboard.Admin.UserModify"
#define OB_ADMIN_USER_DELETE "io.onboard.Admin.UserDelete"
#define OB_ADMIN_USER_RESTORE "io.onboard.Admin.UserRestore"
#define OB_ADMIN_USER_PURGE "io.onboard.Admin.UserPurge"
#define OB_ADMIN_BANK_LIST "io.onboard.Admin.BankList"
#define OB_ADMIN_USER_IMPORT "io.onboard.Admin.UserImport"
#define OB_ADMIN_USER_IMPORT_FAILURES "io.onboard.Admin.UserImportFailures"
#define OB_ADMIN_USER_IMPORT_CODES "io.onboard.Admin.UserImportCodes"
#define OB_ADMIN_CODE_ISSUE_BULK "io.onboard.Admin.CodeIssueBulk"
#define OB_ADMIN_GROUP_ADD "io.onboard.Admin.GroupAdd"
#define OB_ADMIN_GROUP_LIST "io.onboard.Admin.GroupList"
#define OB_ADMIN_GROUP_ASSIGN "io.onboard.Admin.GroupAssign"
#define OB_ADMIN_GROUP_UNASSIGN "io.onboard.Admin.GroupUnassign"
#define OB_ADMIN_POOL_ADD "io.onboard.Admin.PoolAdd"
#define OB_ADMIN_POOL_LIST "io.onboard.Admin.PoolList"
#define OB_ADMIN_POOL_ASSIGN "io.onboard.Admin.PoolAssign"
#define OB_ADMIN_POOL_UNASSIGN "io.onboard.Admin.PoolUnassign"
#define OB_ADMIN_AUDIT "io.onboard.Admin.Audit"
#define OB_ADMIN_SOURCE_UNLOCK "io.onboard.Admin.SourceUnlock"

/* Limits of the administration model. */
#define OB_GROUP_NAME_MAX 32    /* host group and pool names */
#define OB_PERSON_GROUPS_MAX 8  /* host groups one person may be in */
#define OB_PERSON_POOLS_MAX 4   /* seat pools one person may be in */
/* Rows in one import (one file, one transaction).  What bounds an import
 * first is import_memory (onboardd.conf): a row takes 1,376 bytes in
 * onboardd, and one import may hold half of import_memory, so the default
 * 64 MiB holds about 24,000 rows and 100,000 need import_memory = 300M. */
#define OB_IMPORT_ROWS_MAX 100000
#define OB_IMPORT_BATCH_MAX 64  /* rows in one UserImport call */
#define OB_PAGE_FAILURES_MAX 100 /* ImportFailure or IssuedCode per page */

#define OB_ERR_INVALID_ARGUMENT "io.onboard.Admin.InvalidArgument"
#define OB_ERR_USER_EXISTS "io.onboard.Admin.UserExists"
#define OB_ERR_USER_NOT_FOUND "io.onboard.Admin.UserNotFound"
#define OB_ERR_NO_CODE "io.onboard.Admin.NoCode"
#define OB_ERR_NO_AUTHENTICATOR "io.onboard.Admin.NoAuthenticator"
#define OB_ERR_NO_INVITATION "io.onboard.Admin.NoInvitation"
#define OB_ERR_STORAGE_FULL "io.onboard.Admin.StorageFull"
#define OB_ERR_STORAGE "io.onboard.Admin.StorageError"
#define OB_ERR_CONFLICT "io.onboard.Admin.Conflict"
#define OB_ERR_LINKED "io.onboard.Admin.Linked"
#define OB_ERR_GROUP_NOT_FOUND "io.onboard.Admin.GroupNotFound"
#define OB_ERR_POOL_NOT_FOUND "io.onboard.Admin.PoolNotFound"
#define OB_ERR_GROUP_EXISTS "io.onboard.Admin.GroupExists"
#define OB_ERR_POOL_EXISTS "io.onboard.Admin.PoolExists"
#define OB_ERR_POOL_FULL "io.onboard.Admin.PoolFull"
#define OB_ERR_NO_IMPORT "io.onboard.Admin.NoImport"
/* Sent by the server, whatever the call, for a reply over the cap. */
#define OB_ERR_REPLY_TOO_LARGE "io.onboard.Admin.ReplyTooLarge"

#endif

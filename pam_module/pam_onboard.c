/* SPDX-License-Identifier: BSD-3-Clause */
/* pam_onboard.so: the PAM entry points.
 *
 * Kept short on purpose: parse the options, decide whether the user is
 * one onboard may manage at all, and let the relay run the daemon's
 * dialogue.  Root and the host's system accounts never reach the daemon
 * (unless its people file lists one), so they can log in while it is
 * down.  In kiosk mode, with no user from
 * the application, the daemon asks who it is (a username or an access
 * code) and names the person at the end. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "logindefs.h"
#include "names.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "options.h"
#include "passwd.h"
#include "people.h"
#include "relay.h"

static void onboard_warn(void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void onboard_warn(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pam_vsyslog(ctx, LOG_WARNING, fmt, ap);
	va_end(ap);
}

/* 1 when user is root or has uid 0, 2 when its uid is below UID_MIN (a
 * system account); 0 when it is a regular account or has no Unix
 * account; -errno when the lookup failed.  canon receives the account's
 * own name (also for 2): where NSS ignores case
 * ("ADA" finds ada), the daemon must hear "ada", or a managed person
 * could pass as a name onboard does not know. */
static int onboard_system_account(const char *user, char canon[OB_USERNAME_MAX + 1])
{
	struct passwd_entry pw;
	int r = passwd_kind(user, logindefs_uid_min_cached(LOGINDEFS_PATH), &pw);

	/* Some NSS modules report "no such user" as one of these too
	 * (getpwnam_r(3)); the daemon decides about such names. */
	if (r == PASSWD_NONE || r == -EBADF || r == -EPERM)
		return 0;
	if (r < 0)
		return r;
	if (r == PASSWD_ROOT || !pw.name[0]) /* "": not a name onboard could manage */
		return 1;
	memcpy(canon, pw.name, strlen(pw.name) + 1);
	return r == PASSWD_SYSTEM ? 2 : 0;
}

/* Whether the daemon should hear about this user.  When not, *pam is
 * what the entry point returns at once: PAM_IGNORE for names that are
 * not onboard's, a failure when the account could not be looked up (in
 * doubt, fail closed: root is recognised by name before any lookup). */
static bool onboard_ours(pam_handle_t *pamh, const struct options *o, const char **user,
			 char canon[OB_USERNAME_MAX + 1], int *pam)
{
	int r = pam_get_user(pamh, user, NULL);

	*pam = PAM_IGNORE;
	if (r != PAM_SUCCESS) {
		*pam = r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : r;
		return false;
	}
	if (!*user || !(*user)[0] || strlen(*user) > OB_USERNAME_MAX)
		return false;
	memcpy(canon, *user, strlen(*user) + 1);
	r = onboard_system_account(*user, canon);
	/* onboardd's own uid_min (onboardd.conf) may be lower than
	 * login.defs': a system account its people file lists is one of
	 * its people, and the daemon is asked.  Only the daemon's own file
	 * can say so; without it, a system account stays out. */
	if (r == 2) {
		char err[384];

		r = people_file_lookup(o->people, 0, canon, err, sizeof(err)) == 1 ? 0 : 1;
	}
	/* A name the daemon could never hold (not UTF-8, say) is not
	 * onboard's: the daemon would say so, were it asked. */
	if (r == 0 && name_check(canon, OB_USERNAME_MAX) != NAME_OK)
		r = 1;
	if (r < 0)
		*pam = relay_pam_code(pamh, r, "cannot look up the account");
	else if (r > 0 && o->debug)
		pam_syslog(pamh, LOG_DEBUG,
			   "%s is root, a system account or no name onboard could hold: ignored",
			   *user);
	return r == 0;
}

/* kiosk, authentication, and no username from the application (none
 * or empty: pam_get_user's prompt is not used, the daemon's is). */
static bool onboard_kiosk(pam_handle_t *pamh, const struct options *o, const char *phase)
{
	const void *item = NULL;

	if (!o->kiosk || strcmp(phase, OB_PHASE_AUTH) != 0 ||
	    pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS)
		return false;
	return !item || !((const char *)item)[0];
}

/* The kiosk could not ask the daemon who it is (the person was told):
 * ask the name as any login would.  Root, system accounts and users the
 * people file proves are not onboard's go on through the rest of the
 * stack, as they do without a kiosk while the daemon is down; anyone
 * else may be onboard's and is refused. */
static int onboard_kiosk_unavailable(pam_handle_t *pamh, const struct options *o)
{
	char canon[OB_USERNAME_MAX + 1];
	const char *user = NULL;
	int pam;

	if (onboard_ours(pamh, o, &user, canon, &pam) && relay_people_listed(pamh, o, canon))
		return PAM_AUTHINFO_UNAVAIL;
	return pam;
}

/* The daemon asks who it is and names the person on success.  Should it
 * ever name root or a system account, the module refuses: those never
 * log in through onboard. */
static int onboard_kiosk_run(pam_handle_t *pamh, const struct options *o, int flags)
{
	char canon[OB_USERNAME_MAX + 1];
	const void *user = NULL;
	int pam = relay_dialogue(pamh, o, OB_PHASE_AUTH, NULL, flags);

	if (pam == PAM_AUTHINFO_UNAVAIL && onboard_kiosk(pamh, o, OB_PHASE_AUTH))
		return onboard_kiosk_unavailable(pamh, o);
	if (pam != PAM_SUCCESS)
		return pam;
	if (pam_get_item(pamh, PAM_USER, &user) != PAM_SUCCESS || !user ||
	    strlen(user) > OB_USERNAME_MAX ||
	    onboard_system_account(user, canon) != 0) {
		pam_syslog(pamh, LOG_ERR, "kiosk: the daemon named root, a system account or "
					  "an account that cannot be read: refused");
		pam_set_item(pamh, PAM_USER, NULL);
		return PAM_AUTH_ERR;
	}
	return PAM_SUCCESS;
}

static int onboard_run(pam_handle_t *pamh, int flags, int argc, const char **argv,
		       const char *phase)
{
	struct options o;
	const char *user = NULL;
	char canon[OB_USERNAME_MAX + 1];
	int pam;

	options_parse(&o, argc, argv, onboard_warn, pamh);
	if (onboard_kiosk(pamh, &o, phase))
		return onboard_kiosk_run(pamh, &o, flags);
	if (!onboard_ours(pamh, &o, &user, canon, &pam))
		return pam;
	return relay_dialogue(pamh, &o, phase, canon, flags);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return onboard_run(pamh, flags, argc, argv, OB_PHASE_AUTH);
}

/* onboard sets no credentials: the session modules of the stack do. */
PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return onboard_run(pamh, flags, argc, argv, OB_PHASE_ACCOUNT);
}

/* libpam calls this twice.  The first pass asks nobody anything: the
 * daemon only says whether this password is its to change, so that the
 * stack knows before any prompt whether pam_unix should run instead.
 * The second pass is the change, led by the daemon. */
PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	if (flags & PAM_PRELIM_CHECK)
		return onboard_run(pamh, flags, argc, argv, OB_PHASE_PASSWORD_CHECK);
	if (flags & PAM_UPDATE_AUTHTOK)
		return onboard_run(pamh, flags, argc, argv, OB_PHASE_PASSWORD);
	return PAM_SERVICE_ERR;
}

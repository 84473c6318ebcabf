/* SPDX-License-Identifier: BSD-3-Clause */
/* The conversation relay: runs one io.onboard.Login dialogue with
 * onboardd, shows the daemon's messages through the PAM conversation,
 * sends the answers back, and turns the verdict into a PAM code.  The
 * module owns no policy: every decision is the daemon's. */
#ifndef OB_RELAY_H
#define OB_RELAY_H

#include <security/pam_modules.h>

#include "options.h"

/* Bounds on what one dialogue may ask of the module. */
#define RELAY_MAX_ROUNDS 32   /* Start plus Answers */
/* Per reply: the terms of use (8 KiB) cut into messages of at most
 * OB_MESSAGE_MAX bytes at line boundaries are at most 33 of them. */
#define RELAY_MAX_MESSAGES 64

/* What the person reads when the daemon cannot be used. */
#define RELAY_TEXT_UNAVAILABLE \
	"The login service is not available right now. Try again later or contact your administrator."
/* What the person reads when their login is refused for what happened
 * after they typed something (see relay_dialogue). */
#define RELAY_TEXT_BUSY "Too many logins at once: try again in a moment."
#define RELAY_TEXT_TOO_LONG "Input too long."
#define RELAY_TEXT_NOT_UTF8 "The input is not valid text (UTF-8): login refused."
#define RELAY_TEXT_BROKEN "The login could not be completed. Try again."

/* Run the dialogue of phase (OB_PHASE_AUTH, OB_PHASE_ACCOUNT,
 * OB_PHASE_PASSWORD_CHECK or OB_PHASE_PASSWORD) for user.  user is NULL
 * for a kiosk login (the kiosk option, auth, no username from the
 * application): the daemon asks who it is, and its final reply names the
 * person, who becomes PAM_USER only then and only when the verdict is
 * success, or ignore (a name that is not onboard's: the rest of the
 * stack decides about it, as it would had the application asked).
 * flags are the PAM flags of the call (PAM_SILENT hides info and error
 * lines).  Returns a PAM code: the verdict's, PAM_CONV_ERR when the
 * conversation failed.  Only when the dialogue never began (no
 * connection, a socket not served by root, no reply or a bad reply or
 * error to Start) PAM_AUTHINFO_UNAVAIL, or PAM_IGNORE with
 * unavailable=ignore or for a user the people file proves is not
 * onboard's.  Everything after Start was answered (an answer too long or
 * not UTF-8, busy, a broken connection, a protocol error), and busy at
 * any point, is a refusal: PAM_AUTH_ERR, or PAM_MAXTRIES after
 * RELAY_MAX_ROUNDS.  PAM_BUF_ERR when memory ran out, PAM_SERVICE_ERR on
 * any other internal error (both logged).  Always a PAM code. */
int relay_dialogue(pam_handle_t *pamh, const struct options *o, const char *phase,
		   const char *user, int flags);

/* The one place where the module's internal -errno values become PAM
 * codes: r itself when it is one already (r >= 0), else PAM_BUF_ERR for
 * -ENOMEM and PAM_SERVICE_ERR for the rest, logged with what failed. */
int relay_pam_code(pam_handle_t *pamh, int r, const char *what);

/* Whether user may be one of onboard's people, from the people file of
 * o (read only when the daemon cannot be asked): 0 only when the file is
 * the daemon's and does not list user; 1 when it lists them or cannot be
 * trusted or read (logged): in doubt, the user is onboard's. */
int relay_people_listed(pam_handle_t *pamh, const struct options *o, const char *user);

/* The PAM code a verdict names; PAM_SERVICE_ERR for NULL or any verdict
 * this module does not know, so an unknown word never lets anyone in. */
int relay_verdict_to_pam(const char *verdict);

#endif

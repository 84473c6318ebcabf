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
#define RELAY_MAX_MESSAGES 16 /* per reply */

/* What the person reads when the daemon cannot be used. */
#define RELAY_TEXT_UNAVAILABLE \
	"The login service is not available right now. Try again later or contact your administrator."
#define RELAY_TEXT_BUSY "The login service is busy. Try again in a moment."
#define RELAY_TEXT_TOO_LONG "Input too long."

/* Run the dialogue of phase (OB_PHASE_AUTH, OB_PHASE_ACCOUNT,
 * OB_PHASE_PASSWORD_CHECK or OB_PHASE_PASSWORD) for user.  user is NULL
 * for a kiosk login (the kiosk option, auth, no username from the
 * application): the daemon asks who it is, and its final reply names the
 * person, who becomes PAM_USER only then and only when the verdict is
 * success, or ignore (a name that is not onboard's: the rest of the
 * stack decides about it, as it would had the application asked).
 * flags are the PAM flags of the call (PAM_SILENT hides info and error
 * lines).  Returns a PAM code: the verdict's, PAM_CONV_ERR when the
 * conversation failed, PAM_AUTH_ERR when an answer was too long, and
 * PAM_AUTHINFO_UNAVAIL (or PAM_IGNORE with unavailable=ignore) when the
 * daemon is unreachable, silent past the timeout, or talks nonsense.
 * Returns -ENOMEM when memory ran out. */
int relay_dialogue(pam_handle_t *pamh, const struct options *o, const char *phase,
		   const char *user, int flags);

/* The PAM code a verdict names; PAM_SERVICE_ERR for NULL or any verdict
 * this module does not know, so an unknown word never lets anyone in. */
int relay_verdict_to_pam(const char *verdict);

#endif

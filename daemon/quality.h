/* Password strength beyond our own rules (policy_password): libpwquality
 * on its defaults, with every composition rule off, and the system's
 * cracklib dictionary. */
#ifndef OB_QUALITY_H
#define OB_QUALITY_H

#include <stddef.h>

/* NULL when libpwquality finds nothing wrong with pw; otherwise the
 * reason, one line for the person, in why.  old (may be NULL) is the
 * current password, username the account's name. */
const char *quality_check(const char *pw, const char *old, const char *username, char *why,
			  size_t size);

#endif

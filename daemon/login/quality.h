/* SPDX-License-Identifier: BSD-3-Clause */
/* Password strength beyond our own rules (policy_password): libpwquality
 * on its defaults, with every composition rule off, and the system's
 * cracklib dictionary. */
#ifndef OB_QUALITY_H
#define OB_QUALITY_H

#include <stddef.h>

/* At start: check that cracklib's dictionary (dict_path, or NULL for
 * the system's) can be read.  0 when it can; 1 when it cannot, and then
 * the dictionary check is off (logged) rather than refusing every new
 * password; -ENOMEM. */
int quality_init(const char *dict_path);

/* NULL when libpwquality finds nothing wrong with pw; otherwise the
 * reason, one line for the person, in why.  old (may be NULL) is the
 * current password, username the account's name.  Any thread may call
 * it (the login's worker jobs do): the checks run one at a time. */
const char *quality_check(const char *pw, const char *old, const char *username, char *why,
			  size_t size);

#endif

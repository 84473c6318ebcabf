/* What the host's own user database says about a username. */
#ifndef OB_ACCOUNTS_H
#define OB_ACCOUNTS_H

#include <sys/types.h>

#include "policy.h"

/* ACCOUNT_SYSTEM for "root", any uid 0 and any uid below uid_min;
 * ACCOUNT_REGULAR for other existing accounts; ACCOUNT_NONE when the name
 * is unknown to getpwnam_r.  A lookup error counts as ACCOUNT_SYSTEM: when
 * in doubt, do not claim the name. */
enum account_kind accounts_kind(const char *username, uid_t uid_min);

#endif

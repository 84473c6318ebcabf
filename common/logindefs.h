/* UID_MIN from /etc/login.defs: the line between system accounts, which
 * onboard never manages, and regular ones. */
#ifndef OB_LOGINDEFS_H
#define OB_LOGINDEFS_H

#include <sys/types.h>

#define LOGINDEFS_PATH "/etc/login.defs"
#define LOGINDEFS_UID_MIN_DEFAULT 1000

/* UID_MIN as set in the file at path, or LOGINDEFS_UID_MIN_DEFAULT when
 * the file or the setting is missing or not a number. */
uid_t logindefs_uid_min(const char *path);

#endif

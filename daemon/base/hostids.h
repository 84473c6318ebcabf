/* SPDX-License-Identifier: BSD-3-Clause */
/* The host's own users and groups, read from /etc/passwd and /etc/group
 * directly, never through NSS: onboardd serves nss-systemd itself, and
 * what it must avoid is what the files hold (issue 12).  Also the check
 * of uid_range against the ranges the host gives out itself. */
#ifndef OB_HOSTIDS_H
#define OB_HOSTIDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hostids;

/* Read passwd and group (paths; a missing file is empty).  Returns 0 or
 * -errno. */
int hostids_new(struct hostids **out, const char *passwd, const char *group);
void hostids_free(struct hostids *h);
/* Read the files again if either changed since (mtime, size, inode): a
 * useradd while onboardd runs is seen at the next look. */
void hostids_refresh(struct hostids *h);

/* Whether id is a uid of passwd or a gid of group. */
bool hostids_id_taken(const struct hostids *h, uint32_t id);
/* Whether name is a user of passwd, or a group of group. */
bool hostids_has_user(const struct hostids *h, const char *name);
bool hostids_has_group(const struct hostids *h, const char *name);

/* Whether [first, last] may be onboard's: NULL, or why not (one line,
 * in why).  It must not meet 0..UID_MAX or 0..GID_MAX of logindefs
 * (useradd's and groupadd's own ranges, system ones below them), any
 * range of subuid or subgid (containers' subordinate ids), systemd's
 * ranges (60001-60513 homed, 61184-65519 DynamicUser, 65534 nobody,
 * 65535). */
const char *hostids_range_check(uint32_t first, uint32_t last, const char *logindefs,
				const char *subuid, const char *subgid, char *why, size_t size);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* The options of a pam_onboard.so line, parsed into one flat struct:
 * defaults first, then each argument over them.  Pure: no PAM, no I/O,
 * so the tests drive it with plain argv arrays. */
#ifndef OB_OPTIONS_H
#define OB_OPTIONS_H

#include <stdbool.h>
#include <sys/un.h>

#include "ob_protocol.h"

#define OPTIONS_TIMEOUT_DEFAULT 10 /* seconds per daemon reply */
#define OPTIONS_TIMEOUT_MIN 1
#define OPTIONS_TIMEOUT_MAX 60
/* group=NAME may be given this often; the daemon reads no more. */
#define OPTIONS_GROUPS_MAX OB_PERSON_GROUPS_MAX
/* A group or pool name: 1 to 32 bytes (the daemon's rule, see
 * validate_group_name). */
#define OPTIONS_NAME_MAX OB_GROUP_NAME_MAX
#define OPTIONS_PATH_MAX 255

struct options {
	/* socket=PATH: absolute, and short enough for sun_path */
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout;              /* timeout=SECONDS, 1..60 */
	bool debug;               /* debug */
	bool unavailable_ignore;  /* unavailable=ignore (default: fail) */
	bool kiosk;               /* kiosk: no username given means "ask for one or a code" */
	/* group=NAME..., the host's groups, each once, in the order given */
	unsigned ngroups;
	char groups[OPTIONS_GROUPS_MAX][OPTIONS_NAME_MAX + 1];
	char pool[OPTIONS_NAME_MAX + 1]; /* pool=NAME, "" when none */
	/* people=PATH: the daemon's people file, absolute */
	char people[OPTIONS_PATH_MAX + 1];
};

/* Called once per unknown option or bad value, with a printf format.
 * The text names the option; it never holds anything but the argument
 * the administrator wrote. */
typedef void (*options_warn_fn)(void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void options_defaults(struct options *o);

/* Fill o with the defaults, then apply argv[0..argc) in order.  A bad
 * value of a known option is warned about and leaves that option as it
 * was (the default, unless a good value came earlier).  group=NAME adds a
 * group (a name given twice counts once); a bad name, or a group past
 * OPTIONS_GROUPS_MAX, is warned about and left out.  A second pool=NAME
 * is warned about and left out: the first one holds.  Returns the number
 * of arguments that were warned about (0 when all were good).  warn may
 * be NULL. */
int options_parse(struct options *o, int argc, const char **argv, options_warn_fn warn,
		  void *ctx);

#endif

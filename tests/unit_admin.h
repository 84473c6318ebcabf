/* What the unit tests of the admin calls share (test_admin,
 * test_admin_org, test_audit): a fixture with a daemon on a store in
 * its own directory and the session of the calls, and the uid to call
 * as.  Header-only like unit.h; include it after cmocka.h. */
#ifndef OB_TEST_UNIT_ADMIN_H
#define OB_TEST_UNIT_ADMIN_H

#include <pwd.h>
#include <sys/types.h>

#include "admin_private.h"
#include "daemon.h"
#include "unit_store.h"

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct daemon d;
	struct admin_session *sess;
};

/* The session, the store and the directory gone, and f freed. */
static inline void unit_admin_close(struct fixture *f)
{
	admin_session_free(f->sess);
	store_close(f->d.store);
	(void)unit_fixture_free(f);
}

/* The uid of a base account, or fail when the host lacks it. */
static inline uid_t unit_uid_of(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (!pw)
		fail_msg("this host has no account %s to call as", name);
	return pw->pw_uid;
}

#endif

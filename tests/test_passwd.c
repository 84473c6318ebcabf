/* The one passwd lookup and the one system-account rule (common/passwd.c)
 * that the PAM module and onboardd share, against this host's own user
 * database. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "passwd.h"

#define NO_SUCH_USER "ob-no-such-user-7q"

static void root_is_root_by_name_and_by_uid(void **state)
{
	struct passwd_entry pw;

	(void)state;
	assert_int_equal(passwd_kind("root", 0, &pw), PASSWD_ROOT);
	assert_int_equal(passwd_by_uid(0, &pw), 1);
	assert_int_equal(pw.uid, 0);
	assert_string_equal(pw.name, "root");
	assert_int_equal(passwd_by_name("root", &pw), 1);
	assert_int_equal(pw.uid, 0);
	assert_int_equal(pw.gid, 0);
}

static void an_unknown_name_is_none(void **state)
{
	struct passwd_entry pw;

	(void)state;
	assert_int_equal(passwd_by_name(NO_SUCH_USER, &pw), 0);
	assert_int_equal(passwd_kind(NO_SUCH_USER, 1000, &pw), PASSWD_NONE);
}

/* uid_min is the first regular uid: an account with uid u is regular
 * for uid_min u and a system account for uid_min u + 1. */
static void uid_min_is_the_line(void **state)
{
	struct passwd_entry pw, kind;
	char name[sizeof(pw.name)];
	uid_t uid = 0;

	(void)state;
	for (uid_t u = 1; u < 1000 && !uid; u++)
		if (passwd_by_uid(u, &pw) == 1 && pw.name[0])
			uid = u;
	if (!uid)
		skip();
	memcpy(name, pw.name, sizeof(name));
	assert_int_equal(passwd_kind(name, uid, &kind), PASSWD_REGULAR);
	assert_int_equal(kind.uid, uid);
	assert_string_equal(kind.name, name);
	assert_int_equal(passwd_kind(name, uid + 1, &kind), PASSWD_SYSTEM);
	assert_int_equal(passwd_kind(name, 0, &kind), PASSWD_REGULAR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(root_is_root_by_name_and_by_uid),
		cmocka_unit_test(an_unknown_name_is_none),
		cmocka_unit_test(uid_min_is_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

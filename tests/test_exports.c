/* The built pam_onboard.so exports the PAM entry points and nothing else:
 * the export list keeps the module's internals and the common code linked
 * into it out of the application's symbol namespace. */
#include "config.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static int module_open(void **state)
{
	const char *path = getenv("PAM_ONBOARD_SO");
	void *h;

	if (!path || !path[0]) {
		fprintf(stderr, "PAM_ONBOARD_SO is not set: run this test through make check\n");
		return -1;
	}
	/* RTLD_LOCAL: the module's symbols must not be found through the
	 * global namespace, only through its handle, as libpam loads it. */
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	*state = h;
	return 0;
}

static int module_close(void **state)
{
	if (*state)
		dlclose(*state);
	return 0;
}

static void pam_entry_points_are_exported(void **state)
{
	static const char *const wanted[] = {
		"pam_sm_authenticate",
		"pam_sm_setcred",
		"pam_sm_acct_mgmt",
		"pam_sm_chauthtok",
	};

	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		dlerror();
		if (!dlsym(*state, wanted[i]))
			fail_msg("%s is not exported: %s", wanted[i], dlerror());
	}
}

static void internal_symbols_are_hidden(void **state)
{
	static const char *const hidden[] = {
		/* the module's own code */
		"options_parse", "options_defaults", "relay_dialogue", "relay_verdict_to_pam",
		/* the common code linked into it */
		"client_connect", "client_call", "client_close", "varlink_parse",
		"varlink_encode", "varlink_wipe", "varlink_get_string", "logindefs_uid_min",
		"code_normalise",
		/* onboard has no session group: nothing may stand in for one */
		"pam_sm_open_session", "pam_sm_close_session",
	};

	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (dlsym(*state, hidden[i]))
			fail_msg("%s is exported by the module; the export list should hide it",
				 hidden[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pam_entry_points_are_exported),
		cmocka_unit_test(internal_symbols_are_hidden),
	};

	return cmocka_run_group_tests(tests, module_open, module_close);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* The module's option parsing and its verdict table, without PAM. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <security/pam_modules.h>

#include "ob_protocol.h"
#include "options.h"
#include "people.h"
#include "relay.h"

/* What the parser said: how often, and its last line. */
struct warnings {
	int count;
	char last[512];
};

static void warn_capture(void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn_capture(void *ctx, const char *fmt, ...)
{
	struct warnings *w = ctx;
	va_list ap;

	w->count++;
	va_start(ap, fmt);
	vsnprintf(w->last, sizeof(w->last), fmt, ap);
	va_end(ap);
}

/* Parse argv (NULL-terminated) and return the warnings. */
static struct warnings parse(struct options *o, const char **argv)
{
	struct warnings w = { 0 };
	int argc = 0, bad;

	while (argv[argc])
		argc++;
	bad = options_parse(o, argc, argv, warn_capture, &w);
	assert_int_equal(bad, w.count);
	return w;
}

static void assert_defaults(const struct options *o)
{
	assert_string_equal(o->socket, OB_DEFAULT_SOCKET);
	assert_int_equal(o->timeout, OPTIONS_TIMEOUT_DEFAULT);
	assert_false(o->debug);
	assert_false(o->unavailable_ignore);
	assert_false(o->kiosk);
	assert_int_equal(o->ngroups, 0);
	assert_string_equal(o->pool, "");
}

static void no_arguments_give_the_defaults(void **state)
{
	const char *argv[] = { NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 0);
	assert_defaults(&o);
	assert_int_equal(OPTIONS_TIMEOUT_DEFAULT, 10);
	assert_string_equal(OB_DEFAULT_SOCKET, "/run/onboard/onboardd.sock");
}

static void every_good_option_is_applied(void **state)
{
	const char *argv[] = { "socket=/tmp/x/onboardd.sock", "timeout=3", "debug",
			       "unavailable=ignore", "kiosk", "group=clinic-a", "pool=lab",
			       "group=clinic-b", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	if (w.count)
		fail_msg("good options warned about: %s", w.last);
	assert_string_equal(o.socket, "/tmp/x/onboardd.sock");
	assert_int_equal(o.timeout, 3);
	assert_true(o.debug);
	assert_true(o.unavailable_ignore);
	assert_true(o.kiosk);
	assert_int_equal(o.ngroups, 2);
	assert_string_equal(o.groups[0], "clinic-a");
	assert_string_equal(o.groups[1], "clinic-b");
	assert_string_equal(o.pool, "lab");
}

static void unavailable_fail_is_accepted(void **state)
{
	const char *argv[] = { "unavailable=ignore", "unavailable=fail", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 0);
	assert_false(o.unavailable_ignore);
}

static void unknown_option_is_warned_by_name(void **state)
{
	const char *argv[] = { "socket=/s", "frobnicate=yes", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 1);
	if (!strstr(w.last, "frobnicate=yes"))
		fail_msg("warning does not name the option: \"%s\"", w.last);
	assert_string_equal(o.socket, "/s");
}

static void option_names_match_whole_words(void **state)
{
	const char *argv[] = { "debugging", "sock=/x", "timeouts=5", "Debug", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 4);
	assert_defaults(&o);
}

static void relative_socket_path_is_refused(void **state)
{
	const char *bad[] = { "socket=run/onboardd.sock", "socket=", "socket",
			      "socket=./x", NULL };

	for (int i = 0; bad[i]; i++) {
		const char *argv[] = { bad[i], NULL };
		struct options o;
		struct warnings w = parse(&o, argv);

		if (w.count != 1)
			fail_msg("\"%s\": %d warnings, want 1", bad[i], w.count);
		if (!strstr(w.last, bad[i]))
			fail_msg("warning does not name \"%s\": \"%s\"", bad[i], w.last);
		assert_string_equal(o.socket, OB_DEFAULT_SOCKET);
	}
}

static void socket_path_too_long_for_sun_path_is_refused(void **state)
{
	char longest[200], too_long[200];
	char arg_ok[220], arg_bad[220];
	struct options o;
	struct warnings w;

	/* sun_path holds 108 bytes with the NUL: 107 characters fit. */
	memset(longest, 'a', sizeof(longest));
	longest[0] = '/';
	longest[sizeof(o.socket) - 1] = '\0';
	memset(too_long, 'b', sizeof(too_long));
	too_long[0] = '/';
	too_long[sizeof(o.socket)] = '\0';
	assert_int_equal(strlen(longest), 107);
	snprintf(arg_ok, sizeof(arg_ok), "socket=%s", longest);
	snprintf(arg_bad, sizeof(arg_bad), "socket=%s", too_long);

	{
		const char *argv[] = { arg_ok, NULL };

		w = parse(&o, argv);
		assert_int_equal(w.count, 0);
		assert_string_equal(o.socket, longest);
	}
	{
		const char *argv[] = { arg_bad, NULL };

		w = parse(&o, argv);
		assert_int_equal(w.count, 1);
		assert_string_equal(o.socket, OB_DEFAULT_SOCKET);
	}
}

static void timeout_accepts_one_to_sixty_seconds(void **state)
{
	static const struct {
		const char *arg;
		int want; /* 0: refused, default kept */
	} rows[] = {
		{ "timeout=1", 1 },    { "timeout=60", 60 },  { "timeout=7", 7 },
		{ "timeout=05", 5 },   { "timeout=0", 0 },    { "timeout=61", 0 },
		{ "timeout=-1", 0 },   { "timeout=+5", 0 },   { "timeout=5s", 0 },
		{ "timeout= 5", 0 },   { "timeout=", 0 },     { "timeout", 0 },
		{ "timeout=1000", 0 }, { "timeout=0x10", 0 }, { "timeout=99999999999999999999", 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *argv[] = { rows[i].arg, NULL };
		struct options o;
		struct warnings w = parse(&o, argv);
		int want = rows[i].want ? rows[i].want : OPTIONS_TIMEOUT_DEFAULT;

		if (o.timeout != want)
			fail_msg("\"%s\": timeout %d, want %d", rows[i].arg, o.timeout, want);
		if (w.count != (rows[i].want ? 0 : 1))
			fail_msg("\"%s\": %d warnings", rows[i].arg, w.count);
	}
}

static void debug_takes_no_value(void **state)
{
	const char *argv[] = { "debug=1", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 1);
	if (!strstr(w.last, "debug=1"))
		fail_msg("warning does not name the option: \"%s\"", w.last);
	assert_false(o.debug);
}

static void unavailable_bad_value_keeps_fail(void **state)
{
	const char *bad[] = { "unavailable=", "unavailable=Ignore", "unavailable=yes",
			      "unavailable", NULL };

	for (int i = 0; bad[i]; i++) {
		const char *argv[] = { bad[i], NULL };
		struct options o;
		struct warnings w = parse(&o, argv);

		if (w.count != 1 || o.unavailable_ignore)
			fail_msg("\"%s\": %d warnings, ignore=%d; want 1 warning and fail", bad[i],
				 w.count, o.unavailable_ignore);
	}
}

static void bad_value_keeps_an_earlier_good_one(void **state)
{
	const char *argv[] = { "timeout=5", "timeout=0", "socket=/a", "socket=b", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 2);
	assert_int_equal(o.timeout, 5);
	assert_string_equal(o.socket, "/a");
}

static void parse_resets_to_defaults_first(void **state)
{
	const char *first[] = { "timeout=5", "debug", "unavailable=ignore", "socket=/x", "kiosk",
				"group=a", "pool=b", NULL };
	const char *none[] = { NULL };
	struct options o;

	parse(&o, first);
	parse(&o, none);
	assert_defaults(&o);
}

static void parse_without_a_warning_callback_still_counts(void **state)
{
	const char *argv[] = { "nonsense", "timeout=99", "debug" };
	struct options o;

	assert_int_equal(options_parse(&o, 3, argv, NULL, NULL), 2);
	assert_true(o.debug);
	assert_int_equal(o.timeout, OPTIONS_TIMEOUT_DEFAULT);
}

static void kiosk_is_a_flag_without_value(void **state)
{
	const char *argv[] = { "kiosk=yes", "Kiosk", "kiosks", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 3);
	assert_false(o.kiosk);
}

static void group_names_follow_the_daemons_rule(void **state)
{
	static const struct {
		const char *arg;
		bool good;
	} rows[] = {
		{ "group=clinic-a", true },
		{ "group=a", true },
		{ "group=_staff", true },
		{ "group=lab.2", true },
		{ "group=abcdefghijklmnopqrstuvwxyz012345", true }, /* 32 */
		{ "group=abcdefghijklmnopqrstuvwxyz0123456", false }, /* 33 */
		{ "group=", false },
		{ "group", false },
		{ "group=Clinic", false },
		{ "group=1lab", false },
		{ "group=-lab", false },
		{ "group=.lab", false },
		{ "group=clinic a", false },
		{ "group=clinic/a", false },
		{ "group=clinic,a", false },
		{ "group=caf\xc3\xa9", false },
		{ "group=a=b", false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *argv[] = { rows[i].arg, NULL };
		struct options o;
		struct warnings w = parse(&o, argv);

		if (rows[i].good && (w.count != 0 || o.ngroups != 1 ||
				     strcmp(o.groups[0], rows[i].arg + 6) != 0))
			fail_msg("\"%s\": %d warnings, %u groups; want it taken", rows[i].arg,
				 w.count, o.ngroups);
		if (!rows[i].good && (w.count != 1 || o.ngroups != 0))
			fail_msg("\"%s\": %d warnings, %u groups; want it warned about and left out",
				 rows[i].arg, w.count, o.ngroups);
		if (!rows[i].good && !strstr(w.last, rows[i].arg))
			fail_msg("warning does not name \"%s\": \"%s\"", rows[i].arg, w.last);
	}
}

static void bad_group_is_left_out_and_the_others_kept(void **state)
{
	const char *argv[] = { "group=a", "group=B", "group=c", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 1);
	assert_int_equal(o.ngroups, 2);
	assert_string_equal(o.groups[0], "a");
	assert_string_equal(o.groups[1], "c");
}

static void group_given_twice_counts_once(void **state)
{
	const char *argv[] = { "group=a", "group=b", "group=a", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(w.count, 0);
	assert_int_equal(o.ngroups, 2);
}

static void ninth_group_is_warned_about_and_left_out(void **state)
{
	const char *argv[] = { "group=g1", "group=g2", "group=g3", "group=g4", "group=g5",
			       "group=g6", "group=g7", "group=g8", "group=g9", "group=g1", NULL };
	struct options o;
	struct warnings w = parse(&o, argv);

	assert_int_equal(OPTIONS_GROUPS_MAX, 8);
	assert_int_equal(w.count, 1);
	if (!strstr(w.last, "group=g9") || !strstr(w.last, "at most 8"))
		fail_msg("warning does not name group=g9 and the limit: \"%s\"", w.last);
	assert_int_equal(o.ngroups, 8);
	assert_string_equal(o.groups[7], "g8");
}

static void one_pool_and_a_second_is_warned_about(void **state)
{
	const char *same[] = { "pool=lab", "pool=lab", NULL };
	const char *two[] = { "pool=lab", "pool=hall", NULL };
	const char *bad[] = { "pool=Lab", "pool=", "pool", NULL };
	struct options o;
	struct warnings w;

	w = parse(&o, same);
	assert_int_equal(w.count, 0);
	assert_string_equal(o.pool, "lab");
	w = parse(&o, two);
	assert_int_equal(w.count, 1);
	if (!strstr(w.last, "pool=hall") || !strstr(w.last, "pool=lab holds"))
		fail_msg("warning does not say which pool holds: \"%s\"", w.last);
	assert_string_equal(o.pool, "lab");
	w = parse(&o, bad);
	assert_int_equal(w.count, 3);
	assert_string_equal(o.pool, "");
}

static void verdicts_map_to_pam_codes(void **state)
{
	static const struct {
		const char *verdict;
		int pam;
	} rows[] = {
		{ OB_VERDICT_SUCCESS, PAM_SUCCESS },
		{ OB_VERDICT_AUTH_ERR, PAM_AUTH_ERR },
		{ OB_VERDICT_PERM_DENIED, PAM_PERM_DENIED },
		{ OB_VERDICT_IGNORE, PAM_IGNORE },
		{ OB_VERDICT_MAXTRIES, PAM_MAXTRIES },
		{ OB_VERDICT_AUTHTOK_ERR, PAM_AUTHTOK_ERR },
		{ OB_VERDICT_UNAVAILABLE, PAM_AUTHINFO_UNAVAIL },
		{ OB_VERDICT_ACCT_EXPIRED, PAM_ACCT_EXPIRED },
		{ "success", PAM_SUCCESS },
		{ "authinfo_unavail", PAM_AUTHINFO_UNAVAIL },
		/* Anything else fails closed. */
		{ "SUCCESS", PAM_SERVICE_ERR },
		{ "success ", PAM_SERVICE_ERR },
		{ "", PAM_SERVICE_ERR },
		{ "ok", PAM_SERVICE_ERR },
		{ "new_authtok_reqd", PAM_SERVICE_ERR },
		{ NULL, PAM_SERVICE_ERR },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = relay_verdict_to_pam(rows[i].verdict);

		if (got != rows[i].pam)
			fail_msg("verdict \"%s\": PAM code %d, want %d",
				 rows[i].verdict ? rows[i].verdict : "(null)", got, rows[i].pam);
	}
}

static void people_option_takes_an_absolute_path(void **state)
{
	struct options o;
	const char *good[] = { "people=/srv/onboard/people", NULL };
	const char *bad[] = { "people=people", NULL };

	options_defaults(&o);
	assert_string_equal(o.people, OB_DEFAULT_PEOPLE);
	assert_int_equal(parse(&o, good).count, 0);
	assert_string_equal(o.people, "/srv/onboard/people");
	assert_int_equal(parse(&o, bad).count, 1);
	assert_string_equal(o.people, OB_DEFAULT_PEOPLE);
}

/* ------------------------------------------------------ the people file */

struct people_dir {
	char dir[64];
	char file[128];
};

static int people_setup(void **state)
{
	struct people_dir *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	snprintf(p->dir, sizeof(p->dir), "/tmp/ob-people-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->file, sizeof(p->file), "%s/people", p->dir);
	*state = p;
	return 0;
}

static int people_teardown(void **state)
{
	struct people_dir *p = *state;
	char other[160];

	unlink(p->file);
	snprintf(other, sizeof(other), "%s/target", p->dir);
	unlink(other);
	rmdir(p->dir);
	free(p);
	return 0;
}

static void people_put(const struct people_dir *p, const char *text, size_t len, mode_t mode)
{
	int fd;

	unlink(p->file);
	fd = open(p->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int lookup(const struct people_dir *p, const char *user)
{
	char err[256] = "";

	return people_file_lookup(p->file, getuid(), user, err, sizeof(err));
}

static void people_file_lists_whole_names_only(void **state)
{
	struct people_dir *p = *state;
	static const char text[] = OB_PEOPLE_HEADER "ada\nerin\n";

	people_put(p, text, sizeof(text) - 1, 0600);
	assert_int_equal(lookup(p, "erin"), 1);
	assert_int_equal(lookup(p, "ada"), 1);
	assert_int_equal(lookup(p, "carol"), 0);
	assert_int_equal(lookup(p, "eri"), 0);
	assert_int_equal(lookup(p, "erinx"), 0);
	/* The header is not a name. */
	assert_int_equal(lookup(p, "# onboardd"), 0);
	/* 0644 reveals nothing a writer could use: it is accepted. */
	people_put(p, text, sizeof(text) - 1, 0644);
	assert_int_equal(lookup(p, "carol"), 0);
}

/* A million people with usernames of the longest kind (32 bytes): the
 * file is 33 MB, and the module still reads it and finds the last. */
static void people_file_of_a_million_longest_names_is_read(void **state)
{
	struct people_dir *p = *state;
	size_t hlen = strlen(OB_PEOPLE_HEADER), len = hlen + 1000000u * (OB_USERNAME_MAX + 1);
	char *text = malloc(len + 1), *at;

	assert_non_null(text);
	memcpy(text, OB_PEOPLE_HEADER, hlen);
	at = text + hlen;
	for (unsigned i = 0; i < 1000000u; i++) {
		snprintf(at, OB_USERNAME_MAX + 2, "%0*u\n", OB_USERNAME_MAX, i);
		at += OB_USERNAME_MAX + 1;
	}
	people_put(p, text, len, 0600);
	free(text);
	assert_int_equal(lookup(p, "00000000000000000000000000999999"), 1);
	assert_int_equal(lookup(p, "carol"), 0);
}

/* Nothing but the daemon's own, whole file proves a name unmanaged. */
static void people_file_that_cannot_be_trusted_proves_nothing(void **state)
{
	struct people_dir *p = *state;
	static const char good[] = OB_PEOPLE_HEADER "erin\n";
	static const char nul[] = OB_PEOPLE_HEADER "erin\n\0carol\n";
	char err[256] = "", target[160];

	assert_int_equal(lookup(p, "carol"), -ENOENT);
	people_put(p, good, sizeof(good) - 1, 0620);
	assert_int_equal(lookup(p, "carol"), -EPERM);
	people_put(p, good, sizeof(good) - 1, 0602);
	assert_int_equal(lookup(p, "carol"), -EPERM);
	/* Someone else's list of names, as long as a real one. */
	people_put(p, "erin\nada\nbob\nroot\nnobody\nmail\nnews\nlp\nsync\nman\ngames\nwww\nx\n",
		   59, 0600);
	assert_int_equal(lookup(p, "carol"), -EBADMSG);
	people_put(p, good, sizeof(good) - 2, 0600); /* no final newline: cut */
	assert_int_equal(lookup(p, "carol"), -EBADMSG);
	people_put(p, nul, sizeof(nul) - 1, 0600);
	assert_int_equal(lookup(p, "carol"), -EBADMSG);
	people_put(p, "", 0, 0600);
	assert_int_equal(lookup(p, "carol"), -EFBIG);
	/* Another owner. */
	people_put(p, good, sizeof(good) - 1, 0600);
	assert_int_equal(people_file_lookup(p->file, getuid() + 1, "carol", err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "owned by"));
	/* A symbolic link, even to a good file. */
	snprintf(target, sizeof(target), "%s/target", p->dir);
	assert_int_equal(rename(p->file, target), 0);
	assert_int_equal(symlink(target, p->file), 0);
	assert_int_equal(lookup(p, "carol"), -ELOOP);
	/* A directory or a FIFO. */
	unlink(p->file);
	assert_int_equal(mkfifo(p->file, 0600), 0);
	assert_int_equal(lookup(p, "carol"), -EPERM);
	unlink(p->file);
	assert_int_equal(mkdir(p->file, 0700), 0);
	assert_true(lookup(p, "carol") < 0);
	rmdir(p->file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_arguments_give_the_defaults),
		cmocka_unit_test(every_good_option_is_applied),
		cmocka_unit_test(unavailable_fail_is_accepted),
		cmocka_unit_test(unknown_option_is_warned_by_name),
		cmocka_unit_test(option_names_match_whole_words),
		cmocka_unit_test(relative_socket_path_is_refused),
		cmocka_unit_test(socket_path_too_long_for_sun_path_is_refused),
		cmocka_unit_test(timeout_accepts_one_to_sixty_seconds),
		cmocka_unit_test(debug_takes_no_value),
		cmocka_unit_test(unavailable_bad_value_keeps_fail),
		cmocka_unit_test(bad_value_keeps_an_earlier_good_one),
		cmocka_unit_test(parse_resets_to_defaults_first),
		cmocka_unit_test(parse_without_a_warning_callback_still_counts),
		cmocka_unit_test(kiosk_is_a_flag_without_value),
		cmocka_unit_test(group_names_follow_the_daemons_rule),
		cmocka_unit_test(bad_group_is_left_out_and_the_others_kept),
		cmocka_unit_test(group_given_twice_counts_once),
		cmocka_unit_test(ninth_group_is_warned_about_and_left_out),
		cmocka_unit_test(one_pool_and_a_second_is_warned_about),
		cmocka_unit_test(verdicts_map_to_pam_codes),
		cmocka_unit_test(people_option_takes_an_absolute_path),
		cmocka_unit_test_setup_teardown(people_file_lists_whole_names_only, people_setup,
						people_teardown),
		cmocka_unit_test_setup_teardown(people_file_of_a_million_longest_names_is_read,
						people_setup, people_teardown),
		cmocka_unit_test_setup_teardown(people_file_that_cannot_be_trusted_proves_nothing,
						people_setup, people_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* The host fuzz_dispatch's daemon sees, made up: a fixed table of
 * accounts in place of the C library's (getpw*, getgr*, getgrouplist),
 * and useradd, userdel and usermod --lock as if they had worked
 * (accounts.h's three calls, wrapped with -Wl,--wrap).  Apart from
 * fuzz_dispatch.c because grp.h's struct group and store.h's cannot
 * meet in one file. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* The accounts the daemon sees: root, a system account, one below
 * uid_min, two regular ones (dana is uid 1000, an index of fuzz_uids)
 * and nobody. */
struct fake_account {
	const char *name;
	uid_t uid;
	const char *home, *shell;
};

static const struct fake_account fake_accounts[] = {
	{ "root", 0, "/root", "/bin/sh" },
	{ "daemon", 1, "/usr/sbin", "/usr/sbin/nologin" },
	{ "sysuser", 500, "/nonexistent", "/usr/sbin/nologin" },
	{ "dana", 1000, "/home/dana", "/bin/sh" },
	{ "bob", 1001, "/home/bob", "/bin/sh" },
	{ "nobody", 65534, "/nonexistent", "/usr/sbin/nologin" },
};
static size_t fake_next; /* getpwent_r's place */

/* Copy s into buf at *at; NULL when it does not fit. */
static char *fake_put(char *buf, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s) + 1;
	char *out = buf + *at;

	if (n > len - *at)
		return NULL;
	memcpy(out, s, n);
	*at += n;
	return out;
}

static int fake_pw(const struct fake_account *a, struct passwd *pw, char *buf, size_t len,
		   struct passwd **res)
{
	size_t at = 0;

	*res = NULL;
	if (!a)
		return 0;
	pw->pw_uid = a->uid;
	pw->pw_gid = a->uid;
	if (!(pw->pw_name = fake_put(buf, len, &at, a->name)) ||
	    !(pw->pw_passwd = fake_put(buf, len, &at, "x")) ||
	    !(pw->pw_gecos = fake_put(buf, len, &at, a->name)) ||
	    !(pw->pw_dir = fake_put(buf, len, &at, a->home)) ||
	    !(pw->pw_shell = fake_put(buf, len, &at, a->shell)))
		return ERANGE;
	*res = pw;
	return 0;
}

static const struct fake_account *fake_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(fake_accounts) / sizeof(fake_accounts[0]); i++)
		if (strcmp(fake_accounts[i].name, name) == 0)
			return &fake_accounts[i];
	return NULL;
}

static const struct fake_account *fake_by_uid(uid_t uid)
{
	for (size_t i = 0; i < sizeof(fake_accounts) / sizeof(fake_accounts[0]); i++)
		if (fake_accounts[i].uid == uid)
			return &fake_accounts[i];
	return NULL;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	return fake_pw(fake_by_name(name), pw, buf, len, res);
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	return fake_pw(fake_by_uid(uid), pw, buf, len, res);
}

struct passwd *getpwnam(const char *name)
{
	static struct passwd pw;
	static char buf[256];
	struct passwd *res;

	return fake_pw(fake_by_name(name), &pw, buf, sizeof(buf), &res) == 0 ? res : NULL;
}

struct passwd *getpwuid(uid_t uid)
{
	static struct passwd pw;
	static char buf[256];
	struct passwd *res;

	return fake_pw(fake_by_uid(uid), &pw, buf, sizeof(buf), &res) == 0 ? res : NULL;
}

void setpwent(void)
{
	fake_next = 0;
}

void endpwent(void)
{
	fake_next = 0;
}

int getpwent_r(struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	int r;

	if (fake_next >= sizeof(fake_accounts) / sizeof(fake_accounts[0])) {
		*res = NULL;
		return ENOENT;
	}
	r = fake_pw(&fake_accounts[fake_next], pw, buf, len, res);
	if (r == 0)
		fake_next++;
	return r;
}

/* Each account's group is its own, of the same name and id, without
 * members. */
int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len, struct group **res)
{
	const struct fake_account *a = fake_by_uid((uid_t)gid);
	size_t at = 0;

	*res = NULL;
	if (!a)
		return 0;
	/* The member list (one NULL) first, aligned as the buffer is. */
	if (len < sizeof(char *))
		return ERANGE;
	gr->gr_mem = (char **)(void *)buf;
	gr->gr_mem[0] = NULL;
	at = sizeof(char *);
	gr->gr_gid = gid;
	if (!(gr->gr_name = fake_put(buf, len, &at, a->name)) ||
	    !(gr->gr_passwd = fake_put(buf, len, &at, "x")))
		return ERANGE;
	*res = gr;
	return 0;
}

int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	(void)user;
	if (*ngroups < 1) {
		*ngroups = 1;
		return -1;
	}
	groups[0] = group;
	*ngroups = 1;
	return 1;
}

/* useradd, userdel and usermod --lock, as if they had worked. */
int __wrap_accounts_create(const char *username, const char *first, const char *last,
			   const char *shell, bool create_home, char *err, size_t errlen);
int __wrap_accounts_create(const char *username, const char *first, const char *last,
			   const char *shell, bool create_home, char *err, size_t errlen)
{
	(void)username, (void)first, (void)last, (void)shell, (void)create_home;
	(void)err, (void)errlen;
	return 0;
}

int __wrap_accounts_remove(const char *username, bool remove_home, char *err, size_t errlen);
int __wrap_accounts_remove(const char *username, bool remove_home, char *err, size_t errlen)
{
	(void)username, (void)remove_home, (void)err, (void)errlen;
	return 0;
}

int __wrap_accounts_lock(const char *username, char *err, size_t errlen);
int __wrap_accounts_lock(const char *username, char *err, size_t errlen)
{
	(void)username, (void)err, (void)errlen;
	return 0;
}

/* Nothing else runs a program either: a call that would is cut short
 * in the child fork made for it. */
int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path, (void)argv, (void)envp;
	_exit(126);
}


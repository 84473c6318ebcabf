/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardctl doctor: finds the mistakes that let a login go around
 * pam_onboard or keep it from working (PAM stacks, sshd, the daemon's
 * socket and files) and reports each as "FILE:LINE: problem:
 * explanation".  doctor.c runs the checks and prints; doctor_pam.c reads
 * the PAM stacks, doctor_sshd.c sshd's configuration. */
#ifndef OB_CTL_DOCTOR_H
#define OB_CTL_DOCTOR_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* What onboardctl was given; NULL for what was not. */
struct doctor_options {
	const char *root;        /* a tree to check instead of "/" */
	const char *socket;      /* default ROOT/run/onboard/onboardd.sock */
	const char *state_dir;   /* default ROOT/var/lib/onboard */
	const char *sshd_config; /* an sshd_config, or saved "sshd -T" output */
	bool json;
};

/* Run every check and print the findings on stdout.  Returns the exit
 * status: 0 when nothing is wrong, 1 when something is (or when doctor
 * could not finish), 2 when --root cannot be resolved or a path is too
 * long (a usage error); the reasons for 1 without findings and for 2
 * go to stderr. */
int doctor_run(const struct doctor_options *o);

/* ------------------------------------------ shared by the doctor_* files */

struct doctor_finding {
	char *file;
	int line; /* 0: the file as a whole */
	char *check;
	char *problem;
	char *explanation;
};

struct doctor {
	char root[PATH_MAX]; /* "" for "/": how findings name the tree */
	/* The checked tree ("/" too), O_PATH: every file doctor reads is
	 * resolved beneath it (doctor_read_file). */
	int rootfd;
	/* No openat2 in this kernel (before 5.6, or refused by a seccomp
	 * filter): only possible without --root, where files are then
	 * opened as named, as before. */
	bool no_openat2;
	const char *sshd_config;
	struct doctor_finding *findings;
	size_t count, cap;
	bool oom;
	/* Learnt from the PAM stacks, for the sshd checks. */
	bool sshd_onboard;      /* the sshd service runs pam_onboard.so */
	bool sshd_onboard_auth; /* ... in its auth stack */
	char sshd_pam[PATH_MAX + 16]; /* where, as FILE:LINE */
	/* Directory entries read by every Include pattern so far: each
	 * pattern has its bound, and a file of many Include lines (or many
	 * such files) would otherwise multiply it. */
	size_t glob_scanned;
	bool glob_stopped; /* ... beyond DOCTOR_GLOB_SCAN_TOTAL_MAX: said once */
};

/* Record a finding (unless the same check already reported that file and
 * line).  Memory exhaustion is remembered in d->oom. */
void doctor_report(struct doctor *d, const char *file, int line, const char *check,
		   const char *problem, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Findings recorded from a mark on can be dropped again. */
size_t doctor_mark(const struct doctor *d);
void doctor_rollback(struct doctor *d, size_t mark);

/* Room for more in arr, a full array of *cap elements of size bytes:
 * arr doubled (first elements when it has none) and *cap updated, or
 * NULL, arr untouched, when out of memory. */
void *doctor_grow(void *arr, size_t *cap, size_t size, size_t first);

/* How findings name the file name (absolute, inside the tree): ROOT and
 * name, with "." and ".." taken as written, never above ROOT.  Returns 0
 * or -ENAMETOOLONG. */
int doctor_display(const struct doctor *d, const char *name, char *out, size_t size);

/* The whole of a regular file of at most max bytes, NUL-terminated (free
 * *text).  With d, name is a path inside the tree (absolute, or relative
 * to its root), resolved there as in a chroot: ".." stops at the root,
 * symlinks (absolute ones too) stay inside it.  Without d, name is a
 * path of this host (--sshd-config), opened as given.  Nothing but a
 * regular file is ever opened for reading: a FIFO or a device is only
 * looked at (st says what it is).  st (may be NULL) gets what was read.
 * Returns 0, -EFBIG, -EINVAL (not a regular file), -ESTALE (replaced
 * while doctor looked) or -errno. */
int doctor_read_file(const struct doctor *d, const char *name, size_t max, char **text,
		     size_t *len, struct stat *st);
/* What name (inside the tree) is, as stat and lstat would say, without
 * opening it: 0 or -errno. */
int doctor_stat(const struct doctor *d, const char *name, struct stat *st);
int doctor_lstat(const struct doctor *d, const char *name, struct stat *st);
/* Why doctor_read_file failed with err, for a finding (st as it filled
 * it). */
const char *doctor_read_error(int err, const struct stat *st);
/* The directory name (inside the tree), for readdir, or NULL with errno. */
DIR *doctor_opendir(const struct doctor *d, const char *name);

/* The names inside the tree that pattern (absolute, glob(3) syntax)
 * matches, walked inside the tree and sorted as glob(3) sorts them. */
#define DOCTOR_GLOB_DEPTH_MAX 4     /* path components with wildcards */
#define DOCTOR_GLOB_MATCHES_MAX 256 /* names matched */
#define DOCTOR_GLOB_SCAN_MAX 8192   /* directory entries read */
#define DOCTOR_GLOB_SCAN_TOTAL_MAX (8 * DOCTOR_GLOB_SCAN_MAX) /* ... by all patterns */
enum doctor_glob_bound {
	DOCTOR_GLOB_OK,
	DOCTOR_GLOB_DEEP,
	DOCTOR_GLOB_MANY,
	DOCTOR_GLOB_WIDE,
};
struct doctor_glob {
	char **names;
	size_t count, cap;
	size_t scanned;
	enum doctor_glob_bound bound; /* a bound hit: names is then empty */
};
/* Returns 0 (also when a bound is hit: see g->bound), -ENOMEM or
 * -ENAMETOOLONG.  g is emptied first; release it with doctor_glob_free. */
int doctor_glob(const struct doctor *d, const char *pattern, struct doctor_glob *g);
void doctor_glob_free(struct doctor_glob *g);

/* Each returns 0 or -ENOMEM; what they find goes to doctor_report. */
int doctor_pam_check(struct doctor *d);
int doctor_sshd_check(struct doctor *d);

#endif

/* onboardctl doctor: finds the mistakes that let a login go around
 * pam_onboard or keep it from working (PAM stacks, sshd, the daemon's
 * socket and files) and reports each as "FILE:LINE: problem:
 * explanation".  doctor.c runs the checks and prints; doctor_pam.c reads
 * the PAM stacks, doctor_sshd.c sshd's configuration. */
#ifndef OB_CTL_DOCTOR_H
#define OB_CTL_DOCTOR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

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
	char root[PATH_MAX]; /* "" for "/": prefixed to every default path */
	const char *sshd_config;
	struct doctor_finding *findings;
	size_t count, cap;
	bool oom;
	/* Learnt from the PAM stacks, for the sshd checks. */
	bool sshd_onboard;      /* the sshd service runs pam_onboard.so */
	bool sshd_onboard_auth; /* ... in its auth stack */
	char sshd_pam[PATH_MAX + 16]; /* where, as FILE:LINE */
};

/* Record a finding (unless the same check already reported that file and
 * line).  Memory exhaustion is remembered in d->oom. */
void doctor_report(struct doctor *d, const char *file, int line, const char *check,
		   const char *problem, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Findings recorded from a mark on can be dropped again. */
size_t doctor_mark(const struct doctor *d);
void doctor_rollback(struct doctor *d, size_t mark);

/* path (absolute) inside the checked tree.  Returns 0 or -ENAMETOOLONG. */
int doctor_path(const struct doctor *d, const char *path, char *out, size_t size);
/* The whole of a regular file of at most max bytes, NUL-terminated (free
 * *text).  Returns 0, -EFBIG, -EINVAL (not a regular file) or -errno. */
int doctor_read_file(const char *path, size_t max, char **text, size_t *len);

/* Each returns 0 or -ENOMEM; what they find goes to doctor_report. */
int doctor_pam_check(struct doctor *d);
int doctor_sshd_check(struct doctor *d);

#endif

/* Classifying host accounts through NSS, and making new ones with
 * shadow's useradd (onboardctl user add --create-account). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

#include "accounts.h"
#include "passwd.h"
#include "text.h"

enum account_kind accounts_kind(const char *username, uid_t uid_min)
{
	struct passwd_entry pw;
	int r = passwd_kind(username, uid_min, &pw);

	if (r == PASSWD_NONE)
		return ACCOUNT_NONE;
	if (r == PASSWD_REGULAR)
		return ACCOUNT_REGULAR;
	return ACCOUNT_SYSTEM; /* root, below uid_min, or a lookup error */
}

/* ------------------------------------------------ creating accounts */

/* shadow's tools, with an environment of our own: nothing the daemon
 * inherited (LD_PRELOAD, IFS, a locale) reaches a program that edits
 * /etc/passwd. */
static const char *const accounts_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
					    NULL };

/* Run argv[0] with argv; 0 when it exits 0, else -EIO with the first
 * line it wrote to stderr (or its status) in err. */
#define ACCOUNTS_TIMEOUT_MS 30000

static long long accounts_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* *code (may be NULL) receives the tool's exit status, -1 when it did
 * not exit. */
static int accounts_run(char *const argv[], int *code, char *err, size_t errlen)
{
	char buf[512], drain[256];
	size_t got = 0;
	ssize_t n;
	bool full;
	int pipefd[2], status = 0;
	long long deadline = accounts_ms() + ACCOUNTS_TIMEOUT_MS;
	bool timed_out = false;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		sigset_t none;

		/* The daemon blocks its signals for signalfd and ignores
		 * SIGPIPE: the tool gets the defaults, as from a shell. */
		sigemptyset(&none);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
		    dup2(pipefd[1], 2) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0 ||
		    signal(SIGPIPE, SIG_DFL) == SIG_ERR)
			_exit(127);
		execve(argv[0], argv, (char *const *)accounts_env);
		_exit(127);
	}
	close(pipefd[1]);
	/* The caller waits (the event loop does): a tool that hangs, on a
	 * lock of /etc/passwd say, is stopped after ACCOUNTS_TIMEOUT_MS. */
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		long long left = deadline - accounts_ms();
		int pr;

		if (left <= 0) {
			kill(pid, SIGKILL);
			timed_out = true;
			break;
		}
		pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue; /* timeout: the deadline check above stops it */
		/* Past the first line's worth, the rest is read and dropped. */
		full = got + 1 >= sizeof(buf);
		n = read(pipefd[0], full ? drain : buf + got, full ? sizeof(drain) : sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!full)
			got += (size_t)n;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		snprintf(err, errlen, "%s took longer than %d seconds and was stopped", argv[0],
			 ACCOUNTS_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (code)
		*code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	text_printable(buf, strlen(buf) + 1, buf, 0);
	if (buf[0])
		snprintf(err, errlen, "%s", buf);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(err, errlen, "%s could not be run", argv[0]);
	else
		snprintf(err, errlen, "%s failed (status %d)", argv[0],
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -EIO;
}

int accounts_create(const char *username, const char *first, const char *last,
		    const char *shell, bool create_home, char *err, size_t errlen)
{
	char gecos[2 * 64 + 2], user[64];
	char *argv[10];
	int i = 0;

	/* useradd refuses ':' and newlines in the comment; ',' and '='
	 * would split it into finger's fields. */
	snprintf(gecos, sizeof(gecos), "%s %s", first, last);
	for (size_t k = 0; gecos[k]; k++)
		if (strchr(":,=\\", gecos[k]) || (unsigned char)gecos[k] < 0x20)
			gecos[k] = ' ';
	snprintf(user, sizeof(user), "%s", username);
	argv[i++] = (char *)ACCOUNTS_USERADD;
	argv[i++] = (char *)"--comment";
	argv[i++] = gecos;
	argv[i++] = (char *)"--shell";
	argv[i++] = (char *)shell;
	argv[i++] = (char *)(create_home ? "--create-home" : "--no-create-home");
	argv[i++] = (char *)"--user-group";
	argv[i++] = user;
	argv[i] = NULL;
	return accounts_run(argv, NULL, err, errlen);
}

int accounts_remove(const char *username, bool remove_home, char *err, size_t errlen)
{
	char user[64];
	char *argv[] = { (char *)ACCOUNTS_USERDEL, (char *)(remove_home ? "--remove" : "--force"),
			 user, NULL };

	int code = 0, r;

	snprintf(user, sizeof(user), "%s", username);
	r = accounts_run(argv, &code, err, errlen);
	/* userdel's status 6: the account does not exist. */
	return r == -EIO && code == 6 ? -ENOENT : r;
}

int accounts_lock(const char *username, char *err, size_t errlen)
{
	char user[64];
	char *argv[] = { (char *)ACCOUNTS_USERMOD, (char *)"--lock", user, NULL };

	snprintf(user, sizeof(user), "%s", username);
	return accounts_run(argv, NULL, err, errlen);
}

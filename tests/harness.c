/* SPDX-License-Identifier: BSD-3-Clause */
/* The PAM tests' harness: wrappers, a real daemon, stand-ins, and one
 * PAM transaction at a time.
 *
 * Why the test re-executes itself: pam_wrapper and nss_wrapper work by
 * LD_PRELOAD, which the dynamic loader reads only when a program starts,
 * and pam_wrapper copies the service files of PAM_WRAPPER_SERVICE_DIR
 * once, in its constructor.  So the first process (the supervisor) makes
 * the test directory and every file that must exist at that moment, sets
 * the environment, runs this same binary again and waits for it; then it
 * removes the directory, even when the run crashed, and exits with the
 * run's status. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <security/pam_appl.h>

#include "client.h"
#include "harness.h"
#include "ob_protocol.h"
#include "varlink.h"

#define HARNESS_ADMIN_TIMEOUT_MS 10000
#define HARNESS_START_WAIT_MS 10000
#define HARNESS_STOP_WAIT_MS 10000

static char harness_dir_buf[PATH_MAX];

static void harness_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void harness_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "harness: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(99); /* a hard error for the automake test driver */
}

static const char *harness_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !v[0])
		harness_die("%s is not set: run the PAM tests through make check", name);
	return v;
}

/* configure's library variables may carry blanks around the path. */
static void harness_trimmed(char *out, size_t size, const char *name)
{
	const char *v = harness_env(name);
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, " \t");
	if (n == 0 || n >= size)
		harness_die("%s does not hold one path", name);
	memcpy(out, v, n);
	out[n] = '\0';
}

const char *harness_dir(void)
{
	return harness_dir_buf;
}

const char *harness_path(char *buf, size_t size, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", harness_dir_buf, name) >= size)
		harness_die("path %s/%s too long", harness_dir_buf, name);
	return buf;
}

const char *harness_module(void)
{
	return harness_env("PAM_ONBOARD_SO");
}

const char *harness_wrapper_modules(void)
{
	return harness_env("PAM_WRAPPER_MODULES");
}

static int harness_put_file(const char *name, const char *text, int mode_flag)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	int fd, err = 0;

	harness_path(path, sizeof(path), name);
	fd = open(path, O_WRONLY | O_CREAT | mode_flag | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

int harness_write_file(const char *name, const char *text)
{
	return harness_put_file(name, text, O_TRUNC);
}

int harness_append_file(const char *name, const char *text)
{
	return harness_put_file(name, text, O_APPEND);
}

int harness_write_service(const char *name, const char *fmt, ...)
{
	char text[4096], file[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -ENAMETOOLONG;
	if ((size_t)snprintf(file, sizeof(file), "pam.d/%s", name) >= sizeof(file))
		return -ENAMETOOLONG;
	return harness_write_file(file, text);
}

ssize_t harness_read_file(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *fp = fopen(harness_path(path, sizeof(path), name), "re");
	size_t n;

	buf[0] = '\0';
	if (!fp)
		return -errno;
	n = fread(buf, 1, size - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* onboardd.conf as it was before a test changed it, put back by
 * harness_fixture_stop; NULL when no test saved it. */
static char *harness_conf_saved;

const char *harness_conf_save(void)
{
	char text[HARNESS_CONF_MAX];
	ssize_t n;

	/* A second change in the same test keeps the first original. */
	if (harness_conf_saved)
		return harness_conf_saved;
	n = harness_read_file("onboardd.conf", text, sizeof(text));
	/* A full buffer may have cut the file: restoring that would lose
	 * its end. */
	if (n <= 0 || (size_t)n == sizeof(text) - 1)
		return NULL;
	harness_conf_saved = strdup(text);
	return harness_conf_saved;
}

int harness_conf_restore(void)
{
	int r = 0;

	if (harness_conf_saved)
		r = harness_write_file("onboardd.conf", harness_conf_saved);
	free(harness_conf_saved);
	harness_conf_saved = NULL;
	return r;
}

/* configure sets ASAN_LIB only for a sanitized build. */
static bool harness_sanitizers(void)
{
	const char *s = getenv("OB_SANITIZERS"), *lib = getenv("ASAN_LIB");

	return (s && strcmp(s, "yes") == 0) || (lib && strspn(lib, " \t") < strlen(lib));
}

/* LD_PRELOAD for a child: the ASan runtime must come first when the
 * binaries are sanitized, then the wrappers. */
static void harness_preload(char *out, size_t size, bool pam_wrapper)
{
	char asan[PATH_MAX] = "", pam[PATH_MAX] = "", nss[PATH_MAX];

	if (harness_sanitizers())
		harness_trimmed(asan, sizeof(asan), "ASAN_LIB");
	if (pam_wrapper)
		harness_trimmed(pam, sizeof(pam), "PAM_WRAPPER_LIB");
	harness_trimmed(nss, sizeof(nss), "NSS_WRAPPER_LIB");
	if ((size_t)snprintf(out, size, "%s%s%s%s%s", asan, asan[0] ? ":" : "", pam,
			     pam[0] ? ":" : "", nss) >= size)
		harness_die("LD_PRELOAD too long");
}

static int harness_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* The files every run needs: host accounts for nss_wrapper, the daemon's
 * configuration (fast hashing for tests), a default PAM service. */
static int harness_write_base(void)
{
	static const char passwd[] =
		"root:x:0:0:root:/root:/bin/sh\n"
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
		"sysuser:x:500:500:a system account:/nonexistent:/usr/sbin/nologin\n"
		"bob:x:1001:1001:Bob:/home/bob:/bin/sh\n";
	static const char group[] = "root:x:0:\ndaemon:x:1:\nsysuser:x:500:\nbob:x:1001:\n";
	static const char conf[] = "# onboardd.conf for the PAM tests: cheap hashing\n"
				   "password_hash_ops = 1\n"
				   "password_hash_memory = 8M\n"
				   "uid_min = 1000\n"
				   /* A dialogue left open at a stop holds it 3 s. */
				   "shutdown_timeout = 3s\n"
				   /* Tests run side by side: none takes the host's
				    * userdb socket. */
				   "userdb_socket =\n";
	/* Without "other", libpam complains on every transaction. */
	static const char other[] = "auth required pam_deny.so\naccount required pam_deny.so\n";
	char path[PATH_MAX];
	int r;

	if ((r = harness_write_file("passwd", passwd)) < 0 ||
	    (r = harness_write_file("group", group)) < 0 ||
	    (r = harness_write_file("onboardd.conf", conf)) < 0)
		return r;
	if (mkdir(harness_path(path, sizeof(path), "pam.d"), 0700) < 0)
		return -errno;
	return harness_write_file("pam.d/other", other);
}

static void harness_setenv_path(const char *var, const char *name)
{
	char path[PATH_MAX];

	setenv(var, harness_path(path, sizeof(path), name), 1);
}

/* In the child of the supervisor: the environment of the real run. */
static void harness_exec_wrapped(char **argv)
{
	char preload[3 * PATH_MAX + 3];

	harness_preload(preload, sizeof(preload), true);
	setenv("LD_PRELOAD", preload, 1);
	setenv("PAM_WRAPPER", "1", 1);
	harness_setenv_path("PAM_WRAPPER_SERVICE_DIR", "pam.d");
	/* pam_wrapper's deep binding and the sanitizers do not mix. */
	if (harness_sanitizers())
		setenv("PAM_WRAPPER_DISABLE_DEEPBIND", "1", 1);
	harness_setenv_path("NSS_WRAPPER_PASSWD", "passwd");
	harness_setenv_path("NSS_WRAPPER_GROUP", "group");
	setenv("OB_TEST_DIR", harness_dir_buf, 1);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "harness: cannot run /proc/self/exe again: %s\n", strerror(errno));
	_exit(99);
}

void harness_init(int argc, char **argv, harness_prepare_fn prepare)
{
	const char *dir = getenv("OB_TEST_DIR");
	int status, r;
	pid_t pid;

	if (getenv("PAM_WRAPPER")) {
		if (!dir || strlen(dir) >= sizeof(harness_dir_buf))
			harness_die("PAM_WRAPPER is set but OB_TEST_DIR is not");
		memcpy(harness_dir_buf, dir, strlen(dir) + 1);
		return;
	}
	/* Fail early, with the variable's name, when not run by make check. */
	harness_env("ONBOARDD");
	harness_env("PAM_ONBOARD_SO");
	harness_env("PAM_WRAPPER_MODULES");
	/* Short and fixed: the daemon's socket path must fit sun_path. */
	snprintf(harness_dir_buf, sizeof(harness_dir_buf), "/tmp/ob-pam-XXXXXX");
	if (!mkdtemp(harness_dir_buf))
		harness_die("mkdtemp: %s", strerror(errno));
	r = harness_write_base();
	if (r >= 0 && prepare)
		r = prepare(harness_dir_buf);
	if (r < 0) {
		nftw(harness_dir_buf, harness_rm, 16, FTW_DEPTH | FTW_PHYS);
		harness_die("cannot prepare %s: %s", harness_dir_buf, strerror(-r));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		harness_die("fork: %s", strerror(errno));
	if (pid == 0)
		harness_exec_wrapped(argv);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	nftw(harness_dir_buf, harness_rm, 16, FTW_DEPTH | FTW_PHYS);
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	fprintf(stderr, "harness: the test run died of signal %d\n", WTERMSIG(status));
	exit(99);
}

/* ------------------------------------------------------------ onboardd */

static long long harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void harness_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void harness_print_log(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	fprintf(stderr, "---- %s\n", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fprintf(stderr, "----\n");
	fclose(f);
}

static bool harness_accepts(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static void harness_exec_daemon(const struct harness_daemon *d)
{
	char preload[3 * PATH_MAX + 3], conf[PATH_MAX];
	const char *onboardd = harness_env("ONBOARDD");
	int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(98);
	if (fd > STDERR_FILENO)
		close(fd);
	harness_preload(preload, sizeof(preload), false);
	if (d->faketime[0]) {
		/* Only the daemon's wall clock moves: its timers use the
		 * monotonic clock, which stays real. */
		size_t n = strlen(preload);

		snprintf(preload + n, sizeof(preload) - n, ":%s", harness_env("FAKETIME_LIB"));
		setenv("FAKETIME", d->faketime, 1);
		setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
		setenv("FAKETIME_NO_CACHE", "1", 1);
	}
	setenv("LD_PRELOAD", preload, 1);
	unsetenv("PAM_WRAPPER");
	unsetenv("PAM_WRAPPER_SERVICE_DIR");
	unsetenv("NOTIFY_SOCKET");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	harness_path(conf, sizeof(conf), "onboardd.conf");
	execl(onboardd, "onboardd", "--foreground", "--socket", d->socket, "--state-dir",
	      d->state, "--config", conf, (char *)NULL);
	fprintf(stderr, "harness: cannot run %s: %s\n", onboardd, strerror(errno));
	_exit(97);
}

/* Fork and exec the daemon described by d, and wait until it accepts. */
static int harness_daemon_spawn(struct harness_daemon *d)
{
	long long deadline = harness_now_ms() + HARNESS_START_WAIT_MS;
	int status;

	fflush(NULL);
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0)
		harness_exec_daemon(d);
	while (harness_now_ms() < deadline) {
		if (harness_accepts(d->socket))
			return 0;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			fprintf(stderr, "harness: onboardd exited at start (status 0x%x)\n", status);
			harness_print_log(d->log);
			d->pid = 0;
			return -ECHILD;
		}
		harness_sleep_ms(10);
	}
	fprintf(stderr, "harness: onboardd did not accept connections within %d ms\n",
		HARNESS_START_WAIT_MS);
	harness_print_log(d->log);
	harness_daemon_stop(d);
	return -ETIMEDOUT;
}

int harness_daemon_start(struct harness_daemon *d)
{
	static unsigned started;
	char name[32];

	memset(d, 0, sizeof(*d));
	harness_path(d->socket, sizeof(d->socket), "onboardd.sock");
	snprintf(name, sizeof(name), "state-%u", started);
	harness_path(d->state, sizeof(d->state), name);
	snprintf(name, sizeof(name), "onboardd-%u.log", started);
	harness_path(d->log, sizeof(d->log), name);
	started++;
	return harness_daemon_spawn(d);
}

int harness_daemon_restart(struct harness_daemon *d, const char *offset)
{
	const char *lib = getenv("FAKETIME_LIB");

	if (offset[0] && (!lib || access(lib, R_OK) < 0)) {
		fprintf(stderr, "harness: libfaketime not found (FAKETIME_LIB=%s)\n",
			lib ? lib : "");
		return -ENOENT;
	}
	if (harness_daemon_stop(d) != 0)
		return -ECHILD;
	snprintf(d->faketime, sizeof(d->faketime), "%s", offset);
	return harness_daemon_spawn(d);
}

int harness_daemon_stop(struct harness_daemon *d)
{
	long long deadline = harness_now_ms() + HARNESS_STOP_WAIT_MS;
	int status = 0, ret;

	if (d->pid <= 0)
		return 0;
	kill(d->pid, SIGTERM);
	for (;;) {
		pid_t w = waitpid(d->pid, &status, WNOHANG);

		if (w == d->pid)
			break;
		if (w < 0 && errno != EINTR) {
			d->pid = 0;
			return -1;
		}
		if (harness_now_ms() > deadline) {
			fprintf(stderr, "harness: onboardd ignored SIGTERM for %d ms: killed\n",
				HARNESS_STOP_WAIT_MS);
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
			harness_print_log(d->log);
			d->pid = 0;
			return -1;
		}
		harness_sleep_ms(10);
	}
	d->pid = 0;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (ret != 0) {
		fprintf(stderr, "harness: onboardd stopped with status %d\n", ret);
		harness_print_log(d->log);
	}
	return ret;
}

/* ----------------------------------------------------------- admin calls */

/* One admin call.  params is taken over.  On success *rparams (when
 * wanted) is borrowed from *reply, which the caller releases. */
static int harness_admin(const struct harness_daemon *d, const char *method,
			 struct json_object *params, struct json_object **reply,
			 struct json_object **rparams)
{
	struct json_object *rep = NULL, *rp = NULL;
	const char *error = NULL;
	struct client c;
	int r;

	r = client_connect(&c, d->socket, HARNESS_ADMIN_TIMEOUT_MS);
	if (r < 0) {
		json_object_put(params);
		fprintf(stderr, "harness: %s: cannot connect: %s\n", method, strerror(-r));
		return r;
	}
	r = client_call(&c, method, params, &rep, &rp, &error);
	client_close(&c);
	json_object_put(params);
	if (r < 0)
		fprintf(stderr, "harness: %s: %s\n", method, strerror(-r));
	else if (r > 0)
		fprintf(stderr, "harness: %s: %s: %s\n", method, error,
			client_error_message(rp, error));
	if (r == 0 && reply) {
		*reply = rep;
		if (rparams)
			*rparams = rp;
	} else {
		json_object_put(rep);
	}
	return r;
}

int harness_user_add(const struct harness_daemon *d, const char *username, const char *first,
		     const char *last)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "username", json_object_new_string(username));
	json_object_object_add(p, "first_name", json_object_new_string(first));
	json_object_object_add(p, "last_name", json_object_new_string(last));
	return harness_admin(d, OB_ADMIN_USER_ADD, p, NULL, NULL);
}

int harness_admin_call(const struct harness_daemon *d, const char *method,
		       struct json_object *params)
{
	return harness_admin(d, method, params, NULL, NULL);
}

int harness_admin_reply(const struct harness_daemon *d, const char *method,
			struct json_object *params, struct json_object **reply,
			struct json_object **rparams)
{
	return harness_admin(d, method, params, reply, rparams);
}

int harness_code_issue(const struct harness_daemon *d, const char *username, long long lifetime,
		       char code[32], long long *expires)
{
	return harness_code_issue_ex(d, username, lifetime, false, code, expires);
}

int harness_code_issue_ex(const struct harness_daemon *d, const char *username,
			  long long lifetime, bool reset_mfa, char code[32], long long *expires)
{
	struct json_object *p = json_object_new_object(), *reply = NULL, *rp = NULL;
	const char *s = NULL;
	long long e = 0;
	int r;

	json_object_object_add(p, "username", json_object_new_string(username));
	if (lifetime > 0)
		json_object_object_add(p, "lifetime", json_object_new_int64(lifetime));
	if (reset_mfa)
		json_object_object_add(p, "reset_mfa", json_object_new_boolean(1));
	r = harness_admin(d, OB_ADMIN_CODE_ISSUE, p, &reply, &rp);
	if (r != 0)
		return r;
	if (varlink_get_string(rp, "code", 31, &s) < 0 ||
	    varlink_get_int(rp, "expires", &e) < 0) {
		fprintf(stderr, "harness: CodeIssue reply without code or expires\n");
		json_object_put(reply);
		return -EBADMSG;
	}
	memcpy(code, s, strlen(s) + 1);
	if (expires)
		*expires = e;
	json_object_put(reply);
	return 0;
}

int harness_code_revoke(const struct harness_daemon *d, const char *username)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "username", json_object_new_string(username));
	return harness_admin(d, OB_ADMIN_CODE_REVOKE, p, NULL, NULL);
}

/* ------------------------------------------------------ stand-in daemons */

static int harness_listen(const char *path, int flags)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void fake_send(int fd, struct json_object *msg)
{
	char *buf = NULL;
	size_t len = 0;

	if (msg && varlink_encode(msg, &buf, &len) == 0)
		send(fd, buf, len, MSG_NOSIGNAL);
	free(buf);
	json_object_put(msg);
}

static void fake_message(struct json_object *arr, const char *style, const char *text)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "style", json_object_new_string(style));
	json_object_object_add(m, "text", json_object_new_string(text));
	json_object_array_add(arr, m);
}

/* A reply with one message (style NULL: none) and maybe a verdict. */
static struct json_object *fake_reply(const char *style, const char *text, const char *verdict)
{
	struct json_object *p = json_object_new_object(), *arr = json_object_new_array();

	if (style)
		fake_message(arr, style, text);
	json_object_object_add(p, "messages", arr);
	if (verdict)
		json_object_object_add(p, "verdict", json_object_new_string(verdict));
	return varlink_reply_new(p);
}

/* FAKE_ECHO: three questions on Start; on Answer, the record and a
 * verdict naming the person after the text answer. */
static void fake_echo(int fd, const char *method, struct json_object *params,
		      struct json_object **start)
{
	struct json_object *p, *arr, *answers = NULL, *line;
	const char *name = "?";
	char path[PATH_MAX];
	FILE *f;

	if (strcmp(method, OB_LOGIN_START) == 0) {
		json_object_put(*start);
		*start = json_object_get(params);
		p = json_object_new_object();
		arr = json_object_new_array();
		fake_message(arr, OB_STYLE_INFO, "fake: hello");
		fake_message(arr, OB_STYLE_SECRET, "fake secret: ");
		fake_message(arr, OB_STYLE_TEXT, "fake text: ");
		json_object_object_add(p, "messages", arr);
		fake_send(fd, varlink_reply_new(p));
		return;
	}
	json_object_object_get_ex(params, "answers", &answers);
	if (json_object_array_length(answers) == 2)
		name = json_object_get_string(json_object_array_get_idx(answers, 1));
	line = json_object_new_object();
	json_object_object_add(line, "start", json_object_get(*start));
	json_object_object_add(line, "answers", json_object_get(answers));
	f = fopen(harness_path(path, sizeof(path), "fake.log"), "ae");
	if (f) {
		fprintf(f, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
		fclose(f);
	}
	json_object_put(line);
	p = json_object_new_object();
	arr = json_object_new_array();
	fake_message(arr, OB_STYLE_INFO, "fake: done");
	json_object_object_add(p, "messages", arr);
	json_object_object_add(p, "verdict", json_object_new_string(OB_VERDICT_SUCCESS));
	json_object_object_add(p, "user", json_object_new_string(name));
	fake_send(fd, varlink_reply_new(p));
}

static void fake_answer(int fd, enum harness_fake mode, struct json_object *call,
			struct json_object **start)
{
	struct json_object *params = NULL;
	const char *method = NULL;
	bool oneway;

	if (varlink_call_split(call, &method, &params, &oneway) < 0)
		return;
	switch (mode) {
	case FAKE_HUNG:
		break;
	case FAKE_GARBAGE:
		send(fd, "not json", sizeof("not json"), MSG_NOSIGNAL);
		break;
	case FAKE_BUSY:
		fake_send(fd, varlink_error_msg(OB_ERR_LOGIN_BUSY, "all workers busy"));
		break;
	case FAKE_PROMPT_IN_VERDICT:
		fake_send(fd, fake_reply(OB_STYLE_SECRET, "Password: ", OB_VERDICT_SUCCESS));
		break;
	case FAKE_ENDLESS:
		fake_send(fd, fake_reply(OB_STYLE_SECRET, "Again: ", NULL));
		break;
	case FAKE_UNKNOWN_VERDICT:
		fake_send(fd, fake_reply(NULL, NULL, "welcome"));
		break;
	case FAKE_LONG_MESSAGE: {
		struct json_object *p = json_object_new_object(), *arr = json_object_new_array();
		char text[OB_MESSAGE_MAX + 2];

		memset(text, 'x', sizeof(text) - 1);
		text[sizeof(text) - 1] = '\0';
		fake_message(arr, OB_STYLE_INFO, text);
		fake_message(arr, OB_STYLE_SECRET, "Password: ");
		json_object_object_add(p, "messages", arr);
		fake_send(fd, varlink_reply_new(p));
		break;
	}
	case FAKE_ECHO:
	case FAKE_ECHO_NOT_ROOT: /* turned into FAKE_ECHO once listening */
		fake_echo(fd, method, params, start);
		break;
	case FAKE_BUSY_ON_ANSWER:
	case FAKE_DROP_ON_ANSWER:
		if (strcmp(method, OB_LOGIN_START) == 0)
			fake_send(fd, fake_reply(OB_STYLE_SECRET, "Password: ", NULL));
		else if (mode == FAKE_BUSY_ON_ANSWER)
			fake_send(fd, varlink_error_msg(OB_ERR_LOGIN_BUSY, "all workers busy"));
		else
			shutdown(fd, SHUT_RDWR);
		break;
	}
}

/* Serve one connection until the peer hangs up. */
static void fake_serve(int fd, enum harness_fake mode)
{
	struct varlink_reader rd = { 0 };
	struct json_object *start = NULL;

	for (;;) {
		struct json_object *msg = NULL;
		char *at;
		size_t room;
		ssize_t n;
		int r = varlink_reader_next(&rd, &msg);

		if (r > 0) {
			fake_answer(fd, mode, msg, &start);
			json_object_put(msg);
			continue;
		}
		if (r < 0 || varlink_reader_space(&rd, &at, &room) < 0 || room == 0)
			break;
		n = recv(fd, at, room, 0);
		if (n <= 0)
			break;
		varlink_reader_commit(&rd, (size_t)n);
	}
	json_object_put(start);
	varlink_reader_free(&rd);
}

pid_t harness_fake_start(const char *path, enum harness_fake mode)
{
	char log[PATH_MAX], ready;
	bool nobody = mode == FAKE_ECHO_NOT_ROOT;
	int lfd = harness_listen(path, 0), sync[2];
	pid_t pid;

	/* Each stand-in starts with an empty record. */
	unlink(harness_path(log, sizeof(log), "fake.log"));
	if (lfd < 0)
		return lfd;
	if (pipe2(sync, O_CLOEXEC) < 0) {
		close(lfd);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(lfd);
		return err;
	}
	if (pid == 0) {
		close(sync[0]);
		if (nobody) {
			/* The kernel records a listener's credentials at
			 * listen(): listen again as nobody to be seen as nobody. */
			if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
			    listen(lfd, 8) < 0)
				_exit(1);
			mode = FAKE_ECHO;
		}
		(void)!write(sync[1], "r", 1);
		close(sync[1]);
		for (;;) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd < 0) {
				if (errno == EINTR)
					continue;
				_exit(1);
			}
			fake_serve(fd, mode);
			close(fd);
		}
	}
	close(lfd);
	close(sync[1]);
	if (read(sync[0], &ready, 1) != 1) {
		close(sync[0]);
		harness_fake_stop(pid);
		return -ECHILD;
	}
	close(sync[0]);
	return pid;
}

void harness_fake_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int harness_tripwire_open(const char *path)
{
	return harness_listen(path, SOCK_NONBLOCK);
}

bool harness_tripwire_touched(int fd)
{
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (c < 0)
		return false;
	close(c);
	return true;
}

/* ------------------------------------------------------- a PAM transaction */

void harness_item_env(const char *var, const char *value)
{
	if (value)
		setenv(var, value, 1);
	else
		unsetenv(var);
}

static size_t harness_count(char lines[][HARNESS_LINE_MAX])
{
	size_t n = 0;

	while (n < HARNESS_MAX_LINES && lines[n][0])
		n++;
	return n;
}

void harness_login_run(struct harness_login *l)
{
	const char *secret[HARNESS_MAX_ANSWERS + 1], *text[HARNESS_MAX_ANSWERS + 1];
	char *info[HARNESS_MAX_LINES], *err[HARNESS_MAX_LINES];
	struct pamtest_conv_data conv = {
		.in_echo_off = secret, .in_echo_on = text, .out_err = err, .out_info = info,
	};
	/* Keep the handle after a success, to read PAM_USER. */
	struct pam_testcase tests[] = {
		pam_test_flags(l->op, PAM_SUCCESS, l->flags),
		pam_test(PAMTEST_KEEPHANDLE, PAM_SUCCESS),
	};
	enum pamtest_err perr;
	long long t0;

	memcpy(secret, l->secret, sizeof(l->secret));
	memcpy(text, l->text, sizeof(l->text));
	secret[HARNESS_MAX_ANSWERS] = text[HARNESS_MAX_ANSWERS] = NULL;
	memset(l->info, 0, sizeof(l->info));
	memset(l->err, 0, sizeof(l->err));
	for (size_t i = 0; i < HARNESS_MAX_LINES; i++) {
		info[i] = l->info[i];
		err[i] = l->err[i];
	}
	l->user_out = NULL;
	/* pam_set_items.so, first in the fake's stack, sets these items. */
	harness_item_env("PAM_RHOST", l->rhost);
	harness_item_env("PAM_RUSER", l->ruser);
	harness_item_env("PAM_TTY", l->tty);

	t0 = harness_now_ms();
	perr = run_pamtest(l->service, l->user, &conv, tests, NULL);
	l->seconds = (double)(harness_now_ms() - t0) / 1000.0;
	l->rv = tests[0].op_rv;
	l->ninfo = harness_count(l->info);
	l->nerr = harness_count(l->err);
	harness_item_env("PAM_RHOST", NULL);
	harness_item_env("PAM_RUSER", NULL);
	harness_item_env("PAM_TTY", NULL);

	if (perr == PAMTEST_ERR_OK) {
		pam_handle_t *ph = tests[1].case_out.ph;
		const void *u = NULL;

		if (pam_get_item(ph, PAM_USER, &u) == PAM_SUCCESS && u)
			l->user_out = strdup(u);
		pam_end(ph, PAM_SUCCESS);
	} else if (perr != PAMTEST_ERR_CASE) {
		fail_msg("libpamtest failed on service %s: %s", l->service, pamtest_strerror(perr));
	}
}

bool harness_login_said(const struct harness_login *l, const char *fragment)
{
	for (size_t i = 0; i < l->ninfo; i++)
		if (strstr(l->info[i], fragment))
			return true;
	for (size_t i = 0; i < l->nerr; i++)
		if (strstr(l->err[i], fragment))
			return true;
	return false;
}

const char *harness_login_transcript(const struct harness_login *l, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->ninfo && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "[info] %s ", l->info[i]);
	for (size_t i = 0; i < l->nerr && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "[error] %s ", l->err[i]);
	return buf;
}

/* ------------------------------------------------------------ fixtures */

int harness_fixture_start(void **state, size_t size)
{
	struct harness_daemon *d;

	/* The daemon is the fixture's first member: see harness.h. */
	if (size < sizeof(*d) || !(d = calloc(1, size)))
		return -1;
	*state = d;
	return harness_daemon_start(d) < 0 ? -1 : 0;
}

int harness_fixture_stop(void **state)
{
	struct harness_daemon *d = *state;
	int r;

	if (!d)
		return 0;
	r = harness_daemon_stop(d);
	free(d);
	*state = NULL;
	if (harness_conf_restore() < 0)
		r = -1;
	return r == 0 ? 0 : -1;
}

int harness_main(int argc, char **argv, const char *name, const char *why_root,
		 harness_prepare_fn prepare, const struct CMUnitTest *tests, size_t n)
{
	if (geteuid() != 0) {
		printf("SKIP: %s needs root (%s)\n", name, why_root);
		return 77;
	}
	harness_init(argc, argv, prepare);
	/* OB_TEST_FILTER=pattern runs only the matching tests. */
	if (getenv("OB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("OB_TEST_FILTER"));
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

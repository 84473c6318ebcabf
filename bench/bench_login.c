/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_login: logins and administration against a real onboardd.
 *
 * It starts onboardd in a fresh temporary directory (as root: logins for
 * other people need uid 0), creates people through io.onboard.Admin, and
 * measures
 *   (a) access-code logins: Start, code, username, new password twice;
 *   (b) password logins with 1, 2, 8 and 32 clients at once;
 *   (c) how many of 64 simultaneous password logins are told Busy when
 *       the worker queue is small;
 *   (d) Admin.UserAdd calls for 10,000 people, and the database size.
 * With --storm N it measures only a storm instead (for bench/goals.sh):
 * N password logins at the same moment against a fresh daemon, its
 * throughput, its Busy replies, its peak memory and its memory once idle.
 * Every login opens its own connection, as pam_onboard.so does.  It prints
 * figures only; nothing here asserts anything about time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sodium.h>

#include "client.h"
#include "conf.h"
#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "varlink.h"
#include "bench_args.h"

/* A login queued behind 31 others waits for their hashing: be patient. */
#define LB_TIMEOUT_MS 60000
#define LB_START_WAIT_MS 10000
#define LB_STOP_WAIT_MS 10000
#define LB_MAX_LEVELS 8
#define LB_MAX_CLIENTS 256
#define LB_CODE_MAX 32

enum lb_outcome { LB_OK, LB_BUSY, LB_REFUSED, LB_FAILED, LB_OUTCOMES };

/* How many clients at once, level after level. */
struct lb_levels {
	unsigned at[LB_MAX_LEVELS], n;
};

struct lb_opts {
	const char *onboardd;
	const char *config; /* the administrator's base configuration, or NULL */
	struct lb_levels code_levels;
	unsigned code_logins; /* per level of (a) */
	struct lb_levels levels;
	unsigned logins; /* per level of (b) */
	unsigned busy_clients, busy_queue;
	unsigned admin_people;
	unsigned storm, storm_rounds; /* --storm: only the storm, for bench/goals.sh */
	bool keep;
};

struct lb_daemon {
	pid_t pid;
	char sock[108];
	char state[128];
	char conf[128];
	char log[128];
	struct config cfg; /* as the daemon reads its configuration */
};

struct lb_person {
	char user[OB_USERNAME_MAX + 1];
	char code[LB_CODE_MAX];
	char password[32];
};

enum lb_kind { LB_KIND_CODE, LB_KIND_PASSWORD, LB_KIND_BUSY };

/* One measured batch of logins, shared by its client threads. */
struct lb_run {
	const char *sock;
	enum lb_kind kind;
	struct lb_person *people;
	unsigned npeople, first; /* people used: first, first + 1, ... */
	unsigned clients, total;
	unsigned next; /* the next job to take (atomic) */
	pthread_barrier_t go;
	double *lat; /* per job, seconds */
	enum lb_outcome *out;
	pthread_mutex_t lock;
	char first_error[256];
};

static char lb_dir[32]; /* /tmp/onboard-bench.XXXXXX */

static double lb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lb_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------ the daemon */

/* lb_dir/name into buf. */
static int lb_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", lb_dir, name);

	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "bench_login: path %s/%s too long\n", lb_dir, name);
		return -1;
	}
	return 0;
}

/* Whether line is a "key = value" line for key. */
static bool lb_line_sets(const char *line, const char *key)
{
	size_t n = strlen(key);

	line += strspn(line, " \t");
	return strncmp(line, key, n) == 0 && (line[n] == '=' || line[n] == ' ' || line[n] == '\t');
}

/* DIR/c.conf: the administrator's configuration (--config) with the
 * bench's own keys in place of theirs; mode 0600 as onboardd wants. */
static int lb_write_config(struct lb_daemon *d, const struct lb_opts *o,
			   const char *const *keys, const unsigned *values, size_t nkeys)
{
	char line[1024], err[512];
	FILE *in = NULL, *out;
	int fd;

	fd = open(d->conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0 || !(out = fdopen(fd, "w"))) {
		fprintf(stderr, "bench_login: %s: %s\n", d->conf, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(out, "# written by bench_login\n");
	if (o->config && !(in = fopen(o->config, "re"))) {
		fprintf(stderr, "bench_login: %s: %s\n", o->config, strerror(errno));
		fclose(out);
		return -1;
	}
	while (in && fgets(line, sizeof(line), in)) {
		bool ours = false;

		for (size_t i = 0; i < nkeys; i++)
			ours |= lb_line_sets(line, keys[i]);
		fprintf(out, "%s%s", ours ? "# replaced by the bench: " : "", line);
		if (!strchr(line, '\n'))
			fputc('\n', out);
	}
	if (in)
		fclose(in);
	for (size_t i = 0; i < nkeys; i++)
		fprintf(out, "%s = %u\n", keys[i], values[i]);
	/* The figures are of the password and its hash: the bench's people
	 * have no authenticator app, so none is demanded. */
	if (!o->config)
		fprintf(out, "mfa = optional\n");
	/* The bench's daemon never takes the host's userdb socket. */
	if (!o->config)
		fprintf(out, "userdb_socket =\n");
	/* A million people need a million uids (the default holds 34,464). */
	if (!o->config)
		fprintf(out, "uid_range = 700000000-701999999\n");
	if (fclose(out) != 0) {
		fprintf(stderr, "bench_login: %s: %s\n", d->conf, strerror(errno));
		return -1;
	}
	/* Read it the way onboardd will, to print what it runs with. */
	config_defaults(&d->cfg);
	if (config_load(&d->cfg, d->conf, true, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_login: configuration: %s\n", err);
		return -1;
	}
	return 0;
}

static void lb_print_log(const struct lb_daemon *d)
{
	char line[1024];
	FILE *f = fopen(d->log, "re");

	if (!f)
		return;
	fprintf(stderr, "--- %s\n", d->log);
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fclose(f);
}

/* Start onboardd on DIR/s.sock with state DIR/state_name and wait until it
 * accepts connections. */
static int lb_daemon_start(struct lb_daemon *d, const struct lb_opts *o, const char *state_name,
			   unsigned worker_queue)
{
	static const char *const keys[] = { "worker_queue" };
	unsigned values[] = { worker_queue };
	double deadline = lb_now() + LB_START_WAIT_MS / 1000.0;
	struct client c;
	int status;

	d->pid = 0;
	if (lb_path(d->sock, sizeof(d->sock), "s.sock") < 0 ||
	    lb_path(d->state, sizeof(d->state), state_name) < 0 ||
	    lb_path(d->conf, sizeof(d->conf), "c.conf") < 0 ||
	    lb_path(d->log, sizeof(d->log), "onboardd.log") < 0)
		return -1;
	if (lb_write_config(d, o, keys, values, worker_queue ? 1 : 0) < 0)
		return -1;
	d->pid = fork();
	if (d->pid < 0) {
		fprintf(stderr, "bench_login: fork: %s\n", strerror(errno));
		return -1;
	}
	if (d->pid == 0) {
		int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* The daemon must not outlive an interrupted bench. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(o->onboardd, "onboardd", "--foreground", "--socket", d->sock, "--state-dir",
		      d->state, "--config", d->conf, (char *)NULL);
		_exit(127);
	}
	while (lb_now() < deadline) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			fprintf(stderr, "bench_login: onboardd (%s) exited at start-up\n",
				o->onboardd);
			d->pid = 0;
			lb_print_log(d);
			return -1;
		}
		if (client_connect(&c, d->sock, 200) == 0) {
			client_close(&c);
			return 0;
		}
		lb_sleep_ms(20);
	}
	fprintf(stderr, "bench_login: onboardd did not accept connections within %d ms\n",
		LB_START_WAIT_MS);
	lb_print_log(d);
	return -1;
}

static void lb_daemon_stop(struct lb_daemon *d)
{
	double deadline = lb_now() + LB_STOP_WAIT_MS / 1000.0;
	int status = 0;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	while (waitpid(d->pid, &status, WNOHANG) != d->pid) {
		if (lb_now() > deadline) {
			fprintf(stderr, "bench_login: onboardd ignored SIGTERM: killed\n");
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
			break;
		}
		lb_sleep_ms(10);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_login: onboardd did not stop cleanly (status 0x%x)\n",
			(unsigned)status);
		lb_print_log(d);
	}
	d->pid = 0;
}

/* ----------------------------------------------------------- admin calls */

/* One admin call on c.  Returns 0 with *reply (to put) and *rp borrowed,
 * or -1 after saying why. */
static int lb_admin(struct client *c, const char *method, struct json_object *params,
		    struct json_object **reply, struct json_object **rp)
{
	const char *error;
	int r = client_call(c, method, params, reply, rp, &error);

	json_object_put(params);
	if (r == 0)
		return 0;
	if (r > 0)
		fprintf(stderr, "bench_login: %s: %s: %s\n", method, error,
			client_error_message(*rp, error));
	else
		fprintf(stderr, "bench_login: %s: %s\n", method, strerror(-r));
	json_object_put(*reply);
	*reply = NULL;
	return -1;
}

static int lb_user_add(struct client *c, const char *user, const char *first, const char *last,
		       bool email)
{
	struct json_object *p = json_object_new_object(), *reply, *rp;
	char addr[OB_USERNAME_MAX + 16];

	json_object_object_add(p, "username", json_object_new_string(user));
	json_object_object_add(p, "first_name", json_object_new_string(first));
	json_object_object_add(p, "last_name", json_object_new_string(last));
	if (email) {
		snprintf(addr, sizeof(addr), "%s@example.org", user);
		json_object_object_add(p, "email", json_object_new_string(addr));
	}
	if (lb_admin(c, OB_ADMIN_USER_ADD, p, &reply, &rp) < 0)
		return -1;
	json_object_put(reply);
	return 0;
}

static int lb_code_issue(struct client *c, struct lb_person *who)
{
	struct json_object *p = json_object_new_object(), *reply, *rp;
	const char *code;
	int r = -1;

	json_object_object_add(p, "username", json_object_new_string(who->user));
	if (lb_admin(c, OB_ADMIN_CODE_ISSUE, p, &reply, &rp) < 0)
		return -1;
	if (varlink_get_string(rp, "code", LB_CODE_MAX - 1, &code) == 0) {
		snprintf(who->code, sizeof(who->code), "%s", code);
		r = 0;
	} else {
		fprintf(stderr, "bench_login: CodeIssue reply without a code\n");
	}
	varlink_wipe(reply);
	json_object_put(reply);
	return r;
}

static int lb_status(struct client *c, long long *people, long long *map_used)
{
	struct json_object *reply, *rp;
	int r;

	if (lb_admin(c, OB_ADMIN_STATUS, NULL, &reply, &rp) < 0)
		return -1;
	r = varlink_get_int(rp, "people", people) < 0 || varlink_get_int(rp, "map_used", map_used) < 0
		    ? -1
		    : 0;
	json_object_put(reply);
	return r;
}

/* --------------------------------------------------------------- logins */

/* Keep the first failure of a run ("what: why") to print under its row. */
static void lb_fail_note(struct lb_run *run, const char *what, const char *why)
{
	pthread_mutex_lock(&run->lock);
	if (!run->first_error[0])
		snprintf(run->first_error, sizeof(run->first_error), "%s: %s", what, why);
	pthread_mutex_unlock(&run->lock);
}

/* One call of a dialogue: LB_OK when the reply asks for want answers (or,
 * want 0, holds the verdict "success"). */
static enum lb_outcome lb_step(struct lb_run *run, struct client *c, const char *method,
			       struct json_object *params, unsigned want)
{
	struct json_object *reply, *rp, *arr, *v;
	const char *error, *verdict = NULL;
	enum lb_outcome out = LB_OK;
	unsigned asks = 0;
	int r;

	r = client_call(c, method, params, &reply, &rp, &error);
	varlink_wipe(params);
	json_object_put(params);
	if (r < 0) {
		lb_fail_note(run, method, strerror(-r));
		return r == -ETIMEDOUT ? LB_FAILED : LB_REFUSED;
	}
	if (r > 0) {
		if (strcmp(error, OB_ERR_LOGIN_BUSY) == 0) {
			out = LB_BUSY;
		} else {
			lb_fail_note(run, method, error);
			out = LB_FAILED;
		}
		json_object_put(reply);
		return out;
	}
	if (json_object_object_get_ex(rp, "messages", &arr) &&
	    json_object_is_type(arr, json_type_array))
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			const char *style = NULL;

			v = json_object_array_get_idx(arr, i);
			if (varlink_get_string(v, "style", 16, &style) == 0 &&
			    (strcmp(style, OB_STYLE_SECRET) == 0 || strcmp(style, OB_STYLE_TEXT) == 0))
				asks++;
		}
	(void)varlink_get_string(rp, "verdict", 64, &verdict);
	if (want ? verdict || asks != want : !verdict || strcmp(verdict, OB_VERDICT_SUCCESS)) {
		lb_fail_note(run, method, json_object_to_json_string_ext(rp, JSON_C_TO_STRING_PLAIN));
		out = LB_FAILED;
	}
	json_object_put(reply);
	return out;
}

static struct json_object *lb_start_params(const char *user)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "phase", json_object_new_string(OB_PHASE_AUTH));
	json_object_object_add(p, "user", json_object_new_string(user));
	json_object_object_add(p, "service", json_object_new_string("bench"));
	json_object_object_add(p, "rhost", json_object_new_string("localhost"));
	return p;
}

static struct json_object *lb_answers(const char *a, const char *b)
{
	struct json_object *p = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	json_object_array_add(arr, json_object_new_string(a));
	if (b)
		json_object_array_add(arr, json_object_new_string(b));
	json_object_object_add(p, "answers", arr);
	return p;
}

static enum lb_outcome lb_connect(struct lb_run *run, struct client *c)
{
	int r = client_connect(c, run->sock, LB_TIMEOUT_MS);

	if (r < 0) {
		lb_fail_note(run, "connect", strerror(-r));
		return LB_REFUSED;
	}
	return LB_OK;
}

/* One whole login as a person types it: after Start, the access-code
 * dialogue (code, username, the new password twice), or the password. */
static enum lb_outcome lb_login(struct lb_run *run, const struct lb_person *p, bool code)
{
	enum lb_outcome o;
	struct client c;

	if ((o = lb_connect(run, &c)) != LB_OK)
		return o;
	o = lb_step(run, &c, OB_LOGIN_START, lb_start_params(p->user), 1);
	if (o == LB_OK && !code)
		o = lb_step(run, &c, OB_LOGIN_ANSWER, lb_answers(p->password, NULL), 0);
	else if (o == LB_OK &&
		 (o = lb_step(run, &c, OB_LOGIN_ANSWER, lb_answers(p->code, NULL), 1)) == LB_OK &&
		 (o = lb_step(run, &c, OB_LOGIN_ANSWER, lb_answers(p->user, NULL), 2)) == LB_OK)
		o = lb_step(run, &c, OB_LOGIN_ANSWER, lb_answers(p->password, p->password), 0);
	client_close(&c);
	return o;
}

/* (c): every client gets its password prompt first, then all answer at
 * the same moment; the latency is that of the answer alone. */
static void lb_busy_client(struct lb_run *run, unsigned i)
{
	const struct lb_person *p = &run->people[i % run->npeople];
	enum lb_outcome o;
	struct client c;
	double t0;

	o = lb_connect(run, &c);
	if (o == LB_OK)
		o = lb_step(run, &c, OB_LOGIN_START, lb_start_params(p->user), 1);
	pthread_barrier_wait(&run->go);
	t0 = lb_now();
	if (o == LB_OK)
		o = lb_step(run, &c, OB_LOGIN_ANSWER, lb_answers(p->password, NULL), 0);
	run->lat[i] = lb_now() - t0;
	run->out[i] = o;
	if (c.fd >= 0)
		client_close(&c);
}

static void *lb_client_main(void *arg)
{
	struct lb_run *run = arg;
	unsigned i;

	if (run->kind == LB_KIND_BUSY) {
		lb_busy_client(run, __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED));
		return NULL;
	}
	pthread_barrier_wait(&run->go);
	while ((i = __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED)) < run->total) {
		double t0 = lb_now();

		if (run->kind == LB_KIND_CODE)
			run->out[i] = lb_login(run, &run->people[run->first + i], true);
		else
			run->out[i] = lb_login(run, &run->people[i % run->npeople], false);
		run->lat[i] = lb_now() - t0;
	}
	return NULL;
}

/* Run run->total jobs on run->clients threads.  Returns the wall time
 * from the moment all were ready, or a negative value. */
static double lb_run_clients(struct lb_run *run)
{
	pthread_t tids[LB_MAX_CLIENTS];
	unsigned started = 0;
	double t0;

	run->next = 0;
	run->first_error[0] = '\0';
	pthread_mutex_init(&run->lock, NULL);
	pthread_barrier_init(&run->go, NULL, run->clients + 1);
	for (; started < run->clients; started++) {
		pthread_attr_t attr;
		int r;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		r = pthread_create(&tids[started], &attr, lb_client_main, run);
		pthread_attr_destroy(&attr);
		if (r != 0) {
			/* Half a run would measure something else: give up. */
			fprintf(stderr, "bench_login: pthread_create: %s\n", strerror(r));
			abort();
		}
	}
	pthread_barrier_wait(&run->go);
	t0 = lb_now();
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	t0 = lb_now() - t0;
	pthread_barrier_destroy(&run->go);
	pthread_mutex_destroy(&run->lock);
	return t0;
}

/* ---------------------------------------------------------------- report */

static int lb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..1] of n sorted values. */
static double lb_pct(const double *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)(q * (double)n + 0.999999);
	return v[(k ? k : 1) - 1];
}

struct lb_stats {
	unsigned count[LB_OUTCOMES];
	double p50, p95, p99, max; /* ms, of the jobs with outcome `of` */
};

static void lb_stats(const struct lb_run *run, unsigned n, enum lb_outcome of,
		     struct lb_stats *s)
{
	double *v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	memset(s, 0, sizeof(*s));
	if (!v)
		abort();
	for (unsigned i = 0; i < n; i++) {
		s->count[run->out[i]]++;
		if (run->out[i] == of)
			v[k++] = run->lat[i] * 1e3;
	}
	qsort(v, k, sizeof(*v), lb_cmp_double);
	s->p50 = lb_pct(v, k, 0.50);
	s->p95 = lb_pct(v, k, 0.95);
	s->p99 = lb_pct(v, k, 0.99);
	s->max = k ? v[k - 1] : 0;
	free(v);
}

static void lb_table_head(void)
{
	printf("  %7s %7s %5s %5s %7s %7s %10s %8s %8s %8s %8s\n", "clients", "logins", "ok", "busy",
	       "refused", "failed", "logins/s", "p50 ms", "p95 ms", "p99 ms", "max ms");
}

static void lb_table_row(const struct lb_run *run, double wall)
{
	struct lb_stats s;

	lb_stats(run, run->total, LB_OK, &s);
	printf("  %7u %7u %5u %5u %7u %7u %10.1f %8.1f %8.1f %8.1f %8.1f\n", run->clients,
	       run->total, s.count[LB_OK], s.count[LB_BUSY], s.count[LB_REFUSED],
	       s.count[LB_FAILED], wall > 0 ? s.count[LB_OK] / wall : 0.0, s.p50, s.p95, s.p99,
	       s.max);
	if (run->first_error[0])
		printf("          first failure: %s\n", run->first_error);
}

/* ------------------------------------------------------------ the phases */

static int lb_alloc_run(struct lb_run *run, unsigned total)
{
	free(run->lat);
	free(run->out);
	run->lat = calloc(total ? total : 1, sizeof(*run->lat));
	run->out = calloc(total ? total : 1, sizeof(*run->out));
	return run->lat && run->out ? 0 : -1;
}

/* People with an access code each; their passwords come from (a). */
static int lb_setup_people(const char *sock, struct lb_person *people, unsigned n)
{
	struct client c;
	double t0 = lb_now();
	int r;

	if ((r = client_connect(&c, sock, LB_TIMEOUT_MS)) < 0) {
		fprintf(stderr, "bench_login: connect: %s\n", strerror(-r));
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(people[i].user, sizeof(people[i].user), "obbench%05u", i);
		snprintf(people[i].password, sizeof(people[i].password), "Tern-%05u-quay-river", i);
		if (lb_user_add(&c, people[i].user, "Bench", "Person", false) < 0 ||
		    lb_code_issue(&c, &people[i]) < 0) {
			client_close(&c);
			return -1;
		}
	}
	client_close(&c);
	printf("setup: %u people added and given a code in %.2f s\n\n", n, lb_now() - t0);
	return 0;
}

static void lb_phase_codes(const struct lb_opts *o, struct lb_run *run)
{
	printf("(a) access-code logins: Start, code, username, new password twice\n");
	lb_table_head();
	run->kind = LB_KIND_CODE;
	run->first = 0;
	for (unsigned l = 0; l < o->code_levels.n; l++) {
		run->clients = o->code_levels.at[l];
		run->total = o->code_logins;
		if (lb_alloc_run(run, run->total) < 0)
			abort();
		lb_table_row(run, lb_run_clients(run));
		run->first += o->code_logins;
	}
	printf("\n");
}

static void lb_phase_passwords(const struct lb_opts *o, struct lb_run *run)
{
	printf("(b) password logins: Start, password\n");
	lb_table_head();
	run->kind = LB_KIND_PASSWORD;
	for (unsigned l = 0; l < o->levels.n; l++) {
		unsigned total = o->logins;

		run->clients = o->levels.at[l];
		/* Every client logs in at least twice. */
		if (total < 2 * run->clients)
			total = 2 * run->clients;
		run->total = total;
		if (lb_alloc_run(run, total) < 0)
			abort();
		lb_table_row(run, lb_run_clients(run));
	}
	printf("\n");
}

static void lb_phase_busy(const struct lb_opts *o, const struct lb_daemon *d, struct lb_run *run)
{
	struct lb_stats ok, busy;

	run->kind = LB_KIND_BUSY;
	run->clients = run->total = o->busy_clients;
	if (lb_alloc_run(run, run->total) < 0)
		abort();
	(void)lb_run_clients(run);
	lb_stats(run, run->total, LB_OK, &ok);
	lb_stats(run, run->total, LB_BUSY, &busy);
	printf("(c) %u password answers sent at once; workers %u, worker_queue %u\n",
	       run->total, d->cfg.workers, d->cfg.worker_queue);
	printf("  %-9s %5s %8s %8s %8s %8s\n", "outcome", "count", "p50 ms", "p95 ms", "p99 ms",
	       "max ms");
	printf("  %-9s %5u %8.1f %8.1f %8.1f %8.1f\n", "success", ok.count[LB_OK], ok.p50, ok.p95,
	       ok.p99, ok.max);
	printf("  %-9s %5u %8.1f %8.1f %8.1f %8.1f\n", "Busy", busy.count[LB_BUSY], busy.p50,
	       busy.p95, busy.p99, busy.max);
	printf("  %-9s %5u\n  %-9s %5u\n", "refused", ok.count[LB_REFUSED], "failed",
	       ok.count[LB_FAILED]);
	if (run->first_error[0])
		printf("  first failure: %s\n", run->first_error);
	printf("\n");
}

/* ------------------------------------------------------------- the storm */

/* A line of /proc/PID/status ("VmRSS", "VmHWM") in KiB, or -1. */
static long lb_proc_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static double lb_hash_alone(const struct config *cfg);

/* Each round: a fresh daemon on the same database, its memory, o->storm
 * password logins at once (the daemon's own worker_queue: the rest must
 * be told Busy), then its memory a second after the last verdict.  One
 * "storm_round" line per round; bench/goals.sh takes the medians. */
static int lb_phase_storm(const struct lb_opts *o, struct lb_daemon *d, struct lb_run *run,
			  struct lb_person *people, unsigned npeople)
{
	run->sock = d->sock;
	run->people = people;
	run->npeople = npeople;
	if (lb_daemon_start(d, o, "state", 0) < 0 || lb_setup_people(d->sock, people, npeople) < 0)
		return -1;
	/* Passwords for everyone: access-code logins, two at a time. */
	run->kind = LB_KIND_CODE;
	run->first = 0;
	run->clients = 2;
	run->total = npeople;
	if (lb_alloc_run(run, npeople) < 0)
		return -1;
	(void)lb_run_clients(run);
	for (unsigned i = 0; i < npeople; i++)
		if (run->out[i] != LB_OK) {
			fprintf(stderr, "bench_login: storm setup: %s\n", run->first_error);
			return -1;
		}
	lb_daemon_stop(d);
	printf("storm_workers %u\nstorm_cpus %ld\n", d->cfg.workers,
	       sysconf(_SC_NPROCESSORS_ONLN));
	for (unsigned r = 0; r < o->storm_rounds; r++) {
		struct lb_stats ok, busy;
		struct client c;
		long fresh, idle, peak;
		double wall, hash = lb_hash_alone(&d->cfg);

		if (lb_daemon_start(d, o, "state", 0) < 0)
			return -1;
		/* Fresh: started, and one connection served. */
		if (client_connect(&c, d->sock, LB_TIMEOUT_MS) == 0)
			client_close(&c);
		lb_sleep_ms(200);
		fresh = lb_proc_kib(d->pid, "VmRSS");
		run->kind = LB_KIND_PASSWORD;
		run->clients = run->total = o->storm;
		if (lb_alloc_run(run, run->total) < 0)
			return -1;
		wall = lb_run_clients(run);
		peak = lb_proc_kib(d->pid, "VmHWM");
		lb_sleep_ms(1000);
		idle = lb_proc_kib(d->pid, "VmRSS");
		lb_stats(run, run->total, LB_OK, &ok);
		lb_stats(run, run->total, LB_BUSY, &busy);
		printf("storm_round %u ok %u busy %u refused %u failed %u wall_s %.3f "
		       "logins_per_s %.2f ok_p50_ms %.1f busy_p50_ms %.2f fresh_kib %ld "
		       "peak_kib %ld idle_kib %ld hash_ms %.2f\n",
		       r + 1, ok.count[LB_OK], ok.count[LB_BUSY], ok.count[LB_REFUSED],
		       ok.count[LB_FAILED], wall, wall > 0 ? ok.count[LB_OK] / wall : 0.0, ok.p50,
		       busy.p50, fresh, peak, idle, hash);
		if (run->first_error[0])
			printf("storm_first_failure %s\n", run->first_error);
		fflush(stdout);
		lb_daemon_stop(d);
	}
	return 0;
}

/* Every page of Admin.UserList, following "next".  Returns 0, or -1 with
 * why set. */
static int lb_list_all(struct client *c, unsigned *pages, unsigned long *people, char *why,
		       size_t size)
{
	char after[OB_USERNAME_MAX + 1] = "";

	for (;;) {
		struct json_object *p = json_object_new_object(), *reply, *rp, *arr;
		const char *error, *next = NULL;
		int r;

		json_object_object_add(p, "after", json_object_new_string(after));
		r = client_call(c, OB_ADMIN_USER_LIST, p, &reply, &rp, &error);
		json_object_put(p);
		if (r != 0) {
			snprintf(why, size, "%s", r > 0 ? error : strerror(-r));
			json_object_put(reply);
			return -1;
		}
		if (!json_object_object_get_ex(rp, "people", &arr) ||
		    !json_object_is_type(arr, json_type_array)) {
			snprintf(why, size, "reply without people");
			json_object_put(reply);
			return -1;
		}
		(*pages)++;
		*people += json_object_array_length(arr);
		r = varlink_get_string(rp, "next", OB_USERNAME_MAX, &next);
		/* A next that does not move forward would loop for ever. */
		if (r == 0 && strcmp(next, after) <= 0)
			r = -EINVAL;
		if (r == 0)
			snprintf(after, sizeof(after), "%s", next);
		json_object_put(reply);
		if (r == -ENOENT)
			return 0;
		if (r < 0) {
			snprintf(why, size, "a reply's next is not valid or does not advance");
			return -1;
		}
	}
}

/* (d) one administrator adding people one after another, as an import
 * would, on a fresh database. */
static int lb_phase_admin(const struct lb_opts *o, const struct lb_daemon *d)
{
	long long people0, used0, people1, used1;
	struct lb_run stats_run = { 0 };
	unsigned ok = 0, pages = 0;
	unsigned long listed = 0;
	struct client c;
	struct lb_stats s;
	double t0, wall;
	char why[256];
	int r;

	if ((r = client_connect(&c, d->sock, LB_TIMEOUT_MS)) < 0) {
		fprintf(stderr, "bench_login: connect: %s\n", strerror(-r));
		return -1;
	}
	if (lb_status(&c, &people0, &used0) < 0 || lb_alloc_run(&stats_run, o->admin_people) < 0) {
		client_close(&c);
		return -1;
	}
	t0 = lb_now();
	for (unsigned i = 0; i < o->admin_people; i++) {
		char user[OB_USERNAME_MAX + 1];
		double t = lb_now();

		snprintf(user, sizeof(user), "obadmin%06u", i);
		r = lb_user_add(&c, user, "Admin", "Bench", true);
		stats_run.lat[i] = lb_now() - t;
		stats_run.out[i] = r < 0 ? LB_FAILED : LB_OK;
		if (r < 0)
			break;
		ok++;
	}
	wall = lb_now() - t0;
	lb_stats(&stats_run, ok, LB_OK, &s);
	if (lb_status(&c, &people1, &used1) < 0) {
		client_close(&c);
		free(stats_run.lat);
		free(stats_run.out);
		return -1;
	}
	printf("(d) Admin.UserAdd, one connection, one call after another, fresh database\n");
	printf("  %7s %9s %8s %8s %8s %8s\n", "people", "calls/s", "p50 ms", "p95 ms", "p99 ms",
	       "max ms");
	printf("  %7u %9.1f %8.2f %8.2f %8.2f %8.2f\n", ok, wall > 0 ? ok / wall : 0.0, s.p50,
	       s.p95, s.p99, s.max);
	printf("  database (Admin.Status map_used): %lld KiB before, %lld KiB after "
	       "(%lld people): %.0f bytes per person\n",
	       used0 / 1024, used1 / 1024, people1,
	       ok ? (double)(used1 - used0) / ok : 0.0);

	/* Page through all of them, as an administrator's client must. */
	t0 = lb_now();
	r = lb_list_all(&c, &pages, &listed, why, sizeof(why));
	wall = lb_now() - t0;
	if (r == 0)
		printf("  Admin.UserList, all pages: %lu people in %u pages, %.1f ms (%.0f people/s)\n",
		       listed, pages, wall * 1e3, wall > 0 ? listed / wall : 0.0);
	else
		printf("  Admin.UserList, all pages: failed on page %u after %.1f ms: %s\n",
		       pages + 1, wall * 1e3, why);
	client_close(&c);
	free(stats_run.lat);
	free(stats_run.out);
	return ok == o->admin_people ? 0 : -1;
}

/* ------------------------------------------------------------------ main */

static void lb_usage(FILE *f)
{
	fprintf(f,
		"usage: bench_login [OPTIONS]\n"
		"  --onboardd PATH      the daemon (default $ONBOARDD, else ./onboardd)\n"
		"  --config FILE        start from this onboardd.conf (default: none, so the\n"
		"                       daemon's own defaults, hash cost included)\n"
		"  --code-clients LIST  clients at once in (a) (default 1,2)\n"
		"  --code-logins N      access-code logins per level of (a) (default 32)\n"
		"  --clients LIST       clients at once in (b) (default 1,2,8,32)\n"
		"  --logins N           password logins per level of (b) (default 96)\n"
		"  --busy-clients N     simultaneous logins in (c) (default 64)\n"
		"  --busy-queue N       worker_queue in (c) (default 4)\n"
		"  --admin-people N     people added in (d) (default 10000)\n"
		"  --storm N            only a storm: N password logins at once, against\n"
		"                       a fresh daemon each round (for bench/goals.sh)\n"
		"  --storm-rounds N     rounds of the storm (default 5)\n"
		"  --keep               keep the temporary directory\n"
		"Needs root: it runs logins for people other than itself.\n");
}

/* A comma-separated list of client counts, for --code-clients and
 * --clients. */
static int lb_list(const char *s, void *dst)
{
	struct lb_levels *l = dst;
	char buf[128], *save = NULL, *tok;
	unsigned long long v;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	l->n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (l->n == LB_MAX_LEVELS || bench_number(tok, 1, LB_MAX_CLIENTS, &v) < 0)
			return -1;
		l->at[l->n++] = (unsigned)v;
	}
	return l->n ? 0 : -1;
}

static int lb_parse_args(int argc, char **argv, struct lb_opts *o)
{
	const struct bench_arg args[] = {
		BENCH_TEXT("onboardd", o->onboardd),
		BENCH_TEXT("config", o->config),
		BENCH_PARSE("code-clients", lb_list, &o->code_levels),
		BENCH_NUMBER("code-logins", o->code_logins, 1, 100000),
		BENCH_PARSE("clients", lb_list, &o->levels),
		BENCH_NUMBER("logins", o->logins, 1, 1000000),
		BENCH_NUMBER("busy-clients", o->busy_clients, 1, LB_MAX_CLIENTS),
		BENCH_NUMBER("busy-queue", o->busy_queue, 1, 4096),
		BENCH_NUMBER("admin-people", o->admin_people, 1, 10000000),
		BENCH_NUMBER("storm", o->storm, 1, LB_MAX_CLIENTS),
		BENCH_NUMBER("storm-rounds", o->storm_rounds, 1, 100),
		BENCH_FLAG("keep", o->keep),
	};
	const char *env = getenv("ONBOARDD");

	*o = (struct lb_opts){
		.onboardd = env && env[0] ? env : "./onboardd",
		.code_levels = { { 1, 2 }, 2 },
		.code_logins = 32,
		.levels = { { 1, 2, 8, 32 }, 4 },
		.logins = 96,
		.busy_clients = 64,
		.busy_queue = 4,
		.admin_people = 10000,
		.storm_rounds = 5,
	};
	return bench_parse_args(argc, argv, "bench_login", args, 0, lb_usage);
}

static int lb_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* One argon2id hash at the daemon's cost, here and alone: the floor of a
 * login's latency.  The median of three, in ms; negative on failure. */
static double lb_hash_alone(const struct config *cfg)
{
	char hash[crypto_pwhash_STRBYTES];
	double t[3];

	for (size_t i = 0; i < OB_ARRAY_SIZE(t); i++) {
		double t0 = lb_now();

		if (crypto_pwhash_str(hash, "Tern-00000-quay-river", 21, cfg->pwhash_ops,
				      cfg->pwhash_mem) != 0)
			return -1;
		t[i] = (lb_now() - t0) * 1e3;
	}
	qsort(t, OB_ARRAY_SIZE(t), sizeof(t[0]), lb_cmp_double);
	return t[1];
}

static void lb_print_header(const struct lb_opts *o, const struct lb_daemon *d)
{
	double alone = lb_hash_alone(&d->cfg);
	FILE *f = fopen("/proc/loadavg", "re");
	double load1, load5;
	char when[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	printf("onboardd login benchmark, %s\n", when);
	printf("  onboardd         %s\n", o->onboardd);
	printf("  cpus online      %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	if (f && fscanf(f, "%lf %lf", &load1, &load5) == 2)
		printf("  load average     %.2f, %.2f (1, 5 min; other work skews every figure)\n",
		       load1, load5);
	if (f)
		fclose(f);
	printf("  password hash    argon2id, ops %llu, memory %zu MiB (%s)\n", d->cfg.pwhash_ops,
	       d->cfg.pwhash_mem >> 20, o->config ? o->config : "daemon default");
	printf("  one hash alone   %.1f ms in this process, nothing else of ours running\n",
	       alone);
	printf("  workers          %u, worker_queue %u (%u in (c))\n", d->cfg.workers,
	       d->cfg.worker_queue, o->busy_queue);
	printf("  connections      %u per uid (set by the bench), %u in all\n",
	       d->cfg.max_connections_per_uid, d->cfg.max_connections);
	printf("  client deadline  %d ms per reply; every login on its own connection\n\n",
	       LB_TIMEOUT_MS);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct lb_person *people = NULL;
	struct lb_run run = { 0 };
	struct lb_daemon d = { 0 };
	struct lb_opts o;
	unsigned npeople;
	int ret = lb_parse_args(argc, argv, &o);

	if (ret != 0)
		return ret > 0 ? 0 : 2;
	ret = 1;
	if (geteuid() != 0) {
		printf("bench_login: skipped: it must run as root (logins for other people "
		       "need uid 0)\n");
		return 0;
	}
	if (sodium_init() < 0)
		return 1;
	/* A dropped connection must be an error return, never a signal. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(lb_dir, sizeof(lb_dir), "/tmp/onboard-bench.XXXXXX");
	if (!mkdtemp(lb_dir)) {
		fprintf(stderr, "bench_login: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	npeople = o.code_logins * o.code_levels.n;
	people = calloc(npeople, sizeof(*people));
	if (!people)
		goto out;

	if (o.storm) {
		if (lb_phase_storm(&o, &d, &run, people, npeople) == 0)
			ret = 0;
		goto out;
	}
	if (lb_daemon_start(&d, &o, "state", 0) < 0)
		goto out;
	lb_print_header(&o, &d);
	if (lb_setup_people(d.sock, people, npeople) < 0)
		goto out;
	run.sock = d.sock;
	run.people = people;
	run.npeople = npeople;
	lb_phase_codes(&o, &run);
	lb_phase_passwords(&o, &run);
	fflush(stdout);
	lb_daemon_stop(&d);

	if (lb_daemon_start(&d, &o, "state", o.busy_queue) < 0)
		goto out;
	lb_phase_busy(&o, &d, &run);
	fflush(stdout);
	lb_daemon_stop(&d);

	if (lb_daemon_start(&d, &o, "state-admin", 0) < 0 || lb_phase_admin(&o, &d) < 0)
		goto out;
	ret = 0;
out:
	lb_daemon_stop(&d);
	if (people) {
		sodium_memzero(people, npeople * sizeof(*people));
		free(people);
	}
	free(run.lat);
	free(run.out);
	if (o.keep)
		printf("kept %s\n", lb_dir);
	else
		nftw(lb_dir, lb_rm, 16, FTW_DEPTH | FTW_PHYS);
	return ret;
}

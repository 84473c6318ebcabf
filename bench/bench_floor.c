/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_floor: the floors that onboard's figures are measured against.
 *
 * Each is the least any implementation of the same step could cost on
 * this machine, built from the same parts (a Unix socket, json-c, LMDB,
 * libsodium's argon2id) and nothing of onboard's:
 *   echo     a plain Unix-socket round trip: connect, send a Login.Start
 *            sized message, read it back, close;
 *   rt       a minimal daemon round trip: the same connection, but the
 *            server parses the call with json-c, reads the person from an
 *            LMDB database (built by build) in a read transaction, decodes
 *            the record with json-c and answers with an encoded reply;
 *   build    N person-sized JSON records written in one LMDB transaction
 *            (the floor of an import, and of loading a whole organisation);
 *   commit   one small durable LMDB commit (the floor of a redemption);
 *   hash     one argon2id hash at a given cost.
 * It prints "key value" lines for bench/goals.sh, and asserts nothing. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <lmdb.h>
#include <sodium.h>

#include "bench_args.h"
#include "bench_stats.h"

#define BF_MSG_MAX 4096

struct bf_opts {
	const char *dir;
	unsigned long n;     /* records in the database */
	unsigned long count; /* samples */
	unsigned long long ops;
	size_t mem;
};

static void bf_die(const char *what, int err)
{
	fprintf(stderr, "bench_floor: %s: %s\n", what, err > 0 ? strerror(err) : mdb_strerror(err));
	exit(1);
}

/* --------------------------------------------------------------- records */

static void bf_user(char *buf, size_t size, unsigned long i)
{
	snprintf(buf, size, "fl%07lu", i);
}

/* A person as a store would keep one: about 300 bytes of JSON. */
static struct json_object *bf_record(unsigned long i)
{
	struct json_object *o = json_object_new_object();
	char user[32];

	bf_user(user, sizeof(user), i);
	json_object_object_add(o, "version", json_object_new_int64(1));
	json_object_object_add(o, "username", json_object_new_string(user));
	json_object_object_add(o, "first_name", json_object_new_string("Bench"));
	json_object_object_add(o, "last_name", json_object_new_string("Person"));
	json_object_object_add(o, "email", json_object_new_string(""));
	json_object_object_add(o, "org", json_object_new_string(""));
	json_object_object_add(o, "flags", json_object_new_int(0));
	json_object_object_add(o, "pwhash",
			       json_object_new_string("$argon2id$v=19$m=65536,t=3,p=1$"
						      "c2FsdHNhbHRzYWx0c2FsdA$"
						      "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"));
	json_object_object_add(o, "created", json_object_new_int64(1760000000));
	json_object_object_add(o, "updated", json_object_new_int64(1760000000));
	json_object_object_add(o, "password_set", json_object_new_int64(1760000000));
	json_object_object_add(o, "role", json_object_new_int(0));
	return o;
}

static MDB_env *bf_env(const char *dir, unsigned flags, MDB_dbi *dbi)
{
	MDB_env *env;
	MDB_txn *txn;
	int r;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		bf_die(dir, errno);
	if ((r = mdb_env_create(&env)) || (r = mdb_env_set_mapsize(env, (size_t)8 << 30)) ||
	    (r = mdb_env_open(env, dir, flags, 0600)))
		bf_die("mdb_env_open", r);
	if ((r = mdb_txn_begin(env, NULL, flags & MDB_RDONLY, &txn)) ||
	    (r = mdb_dbi_open(txn, NULL, 0, dbi)) ||
	    (r = mdb_txn_commit(txn)))
		bf_die("mdb_dbi_open", r);
	return env;
}

/* build: o->n records, one transaction, synced; prints its wall time. */
static int bf_build(const struct bf_opts *o)
{
	MDB_dbi dbi;
	MDB_env *env = bf_env(o->dir, 0, &dbi);
	MDB_txn *txn;
	double t0 = bench_now();
	int r;

	if ((r = mdb_txn_begin(env, NULL, 0, &txn)))
		bf_die("mdb_txn_begin", r);
	for (unsigned long i = 0; i < o->n; i++) {
		struct json_object *rec = bf_record(i);
		const char *text = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
		char user[32];
		MDB_val k, v;

		bf_user(user, sizeof(user), i);
		k.mv_data = user;
		k.mv_size = strlen(user);
		v.mv_data = (void *)text;
		v.mv_size = strlen(text);
		if ((r = mdb_put(txn, dbi, &k, &v, 0)))
			bf_die("mdb_put", r);
		json_object_put(rec);
	}
	if ((r = mdb_txn_commit(txn)))
		bf_die("mdb_txn_commit", r);
	printf("build_s %.3f\nbuild_records %lu\n", bench_now() - t0, o->n);
	mdb_env_close(env);
	return 0;
}

/* commit: o->count durable commits of one small record each. */
static int bf_commit(const struct bf_opts *o)
{
	MDB_dbi dbi;
	MDB_env *env = bf_env(o->dir, 0, &dbi);
	double *lat = calloc(o->count, sizeof(*lat));

	if (!lat)
		bf_die("calloc", ENOMEM);
	for (unsigned long i = 0; i < o->count; i++) {
		char key[32], val[160];
		MDB_val k = { 0 }, v = { 0 };
		MDB_txn *txn;
		double t0 = bench_now();
		int r;

		snprintf(key, sizeof(key), "code%07lu", i % 1000);
		memset(val, 'x', sizeof(val));
		k.mv_data = key;
		k.mv_size = strlen(key);
		v.mv_data = val;
		v.mv_size = sizeof(val);
		if ((r = mdb_txn_begin(env, NULL, 0, &txn)) || (r = mdb_put(txn, dbi, &k, &v, 0)) ||
		    (r = mdb_txn_commit(txn)))
			bf_die("commit", r);
		lat[i] = bench_now() - t0;
	}
	bench_report_us("commit", lat, o->count);
	free(lat);
	mdb_env_close(env);
	return 0;
}

/* hash: o->count argon2id hashes; the median in ms. */
static int bf_hash(const struct bf_opts *o)
{
	char hash[crypto_pwhash_STRBYTES];
	double *t = calloc(o->count, sizeof(*t));

	if (!t)
		bf_die("calloc", ENOMEM);
	for (unsigned long i = 0; i < o->count; i++) {
		double t0 = bench_now();

		if (crypto_pwhash_str(hash, "Tern-00000-quay-river", 21, o->ops, o->mem) != 0)
			bf_die("crypto_pwhash_str", ENOMEM);
		t[i] = bench_now() - t0;
	}
	qsort(t, o->count, sizeof(*t), bench_cmp);
	printf("hash_ms %.2f\n", bench_pct(t, o->count, 0.5) * 1e3);
	free(t);
	return 0;
}

/* ------------------------------------------------------ socket round trips */

/* Read up to and including a NUL.  Returns the length with it, or -1. */
static ssize_t bf_read_msg(int fd, char *buf, size_t size)
{
	size_t have = 0;

	while (have < size) {
		ssize_t n = read(fd, buf + have, size - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		have += (size_t)n;
		if (memchr(buf + have - (size_t)n, '\0', (size_t)n))
			return (ssize_t)have;
	}
	return -1;
}

static int bf_write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The minimal daemon's answer to one call: parse, read, decode, reply. */
static int bf_serve_rt(int fd, char *buf, ssize_t n, MDB_env *env, MDB_dbi dbi)
{
	struct json_object *call = json_tokener_parse(buf), *params, *user, *rec = NULL, *reply;
	const char *text, *name = "";
	MDB_txn *txn;
	MDB_val k, v;
	int r, ret;

	(void)n;
	if (call && json_object_object_get_ex(call, "parameters", &params) &&
	    json_object_object_get_ex(params, "user", &user))
		name = json_object_get_string(user);
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	if ((r = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)))
		bf_die("mdb_txn_begin", r);
	if (mdb_get(txn, dbi, &k, &v) == 0) {
		char *copy = strndup(v.mv_data, v.mv_size);

		rec = copy ? json_tokener_parse(copy) : NULL;
		free(copy);
	}
	mdb_txn_abort(txn);
	reply = json_object_new_object();
	params = json_object_new_object();
	json_object_object_add(params, "verdict",
			       json_object_new_string(rec ? "success" : "ignore"));
	json_object_object_add(reply, "parameters", params);
	text = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	ret = bf_write_all(fd, text, strlen(text) + 1);
	json_object_put(reply);
	json_object_put(rec);
	json_object_put(call);
	return ret;
}

/* A server in a child process, one connection at a time: an echo, or
 * the minimal daemon on the database in dir (opened in the child: an LMDB
 * environment does not cross a fork). */
static pid_t bf_server(const char *path, const char *dir, bool rt)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	MDB_env *env = NULL;
	MDB_dbi dbi = 0;
	pid_t pid;

	if (strlen(path) >= sizeof(sa.sun_path))
		bf_die(path, ENAMETOOLONG);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0)
		bf_die(path, errno);
	pid = fork();
	if (pid < 0)
		bf_die("fork", errno);
	if (pid > 0) {
		close(lfd);
		return pid;
	}
	if (rt)
		env = bf_env(dir, MDB_RDONLY, &dbi);
	for (;;) {
		char buf[BF_MSG_MAX];
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		ssize_t n;

		if (fd < 0)
			continue;
		n = bf_read_msg(fd, buf, sizeof(buf));
		if (n > 0) {
			if (env)
				bf_serve_rt(fd, buf, n, env, dbi);
			else
				bf_write_all(fd, buf, (size_t)n);
		}
		close(fd);
	}
}

/* echo or rt: o->count round trips, each on its own connection as
 * pam_onboard.so makes them, for people spread over the database. */
static int bf_round_trips(const struct bf_opts *o, bool rt)
{
	char path[100], buf[BF_MSG_MAX];
	double *lat = calloc(o->count, sizeof(*lat));
	pid_t pid;

	if (!lat)
		bf_die("calloc", ENOMEM);
	if (snprintf(path, sizeof(path), "%s/floor.sock", o->dir) >= (int)sizeof(path))
		bf_die(o->dir, ENAMETOOLONG);
	pid = bf_server(path, o->dir, rt);
	for (unsigned long i = 0; i < o->count; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		char user[32], call[512];
		double t0;
		int fd, len;

		bf_user(user, sizeof(user), (i * 7919) % (o->n ? o->n : 1));
		len = snprintf(call, sizeof(call),
			       "{\"method\":\"io.onboard.Login.Start\",\"parameters\":{\"phase\":"
			       "\"account\",\"user\":\"%s\",\"service\":\"sshd\",\"rhost\":"
			       "\"192.0.2.7\",\"tty\":\"ssh\"},\"more\":false}",
			       user);
		memcpy(sa.sun_path, path, strlen(path) + 1);
		t0 = bench_now();
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    bf_write_all(fd, call, (size_t)len + 1) < 0 ||
		    bf_read_msg(fd, buf, sizeof(buf)) < 0)
			bf_die("round trip", errno ? errno : EPROTO);
		close(fd);
		lat[i] = bench_now() - t0;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(path);
	bench_report_us(rt ? "rt" : "echo", lat, o->count);
	free(lat);
	return 0;
}

static void bf_usage(FILE *f)
{
	fprintf(f, "usage: bench_floor echo|rt|build|commit|hash [--dir DIR] [--records N]\n"
		   "                   [--count N] [--ops N] [--memory BYTES]\n"
		   "  echo    Unix-socket round trips (DIR holds the socket)\n"
		   "  rt      minimal daemon round trips to the database DIR of N records\n"
		   "  build   N records into DIR in one transaction\n"
		   "  commit  durable commits into DIR\n"
		   "  hash    argon2id hashes at --ops and --memory\n");
}

int main(int argc, char **argv)
{
	struct bf_opts o = { .dir = ".", .n = 0, .count = 1000, .ops = 3, .mem = 64u << 20 };
	const struct bench_arg args[] = {
		BENCH_TEXT("dir", o.dir),
		BENCH_NUMBER("records", o.n, 0, ULONG_MAX),
		BENCH_NUMBER("count", o.count, 1, 10000000),
		BENCH_NUMBER("ops", o.ops, 0, ULLONG_MAX),
		BENCH_NUMBER("memory", o.mem, 0, SIZE_MAX),
	};
	const char *cmd;
	int r;

	r = bench_parse_args(argc, argv, "bench_floor", args, 1, bf_usage);
	if (r != 0)
		return r > 0 ? 0 : 2;
	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	cmd = argv[optind];
	if (strcmp(cmd, "echo") == 0)
		return bf_round_trips(&o, false);
	if (strcmp(cmd, "rt") == 0)
		return bf_round_trips(&o, true);
	if (strcmp(cmd, "build") == 0)
		return bf_build(&o);
	if (strcmp(cmd, "commit") == 0)
		return bf_commit(&o);
	if (strcmp(cmd, "hash") == 0)
		return bf_hash(&o);
	bf_usage(stderr);
	return 2;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* The LMDB storage backend, its top: the environment, the translation of
 * LMDB's errors for opening it, the meta database (the schema version,
 * its migrations, the key check) and the statistics.  Below it, and
 * never calling it: the records of each kind in store_lmdb_people.c,
 * _codes.c, _invites.c, _groups.c and _audit.c, what they share per
 * person in store_lmdb_records.c, the transactions' helpers and the
 * listing walk in store_lmdb_txn.c, and the look at data.mdb before
 * LMDB maps it in store_lmdb_probe.c; the order of the files is in
 * store_lmdb_private.h.  Only these files include lmdb.h.
 *
 * Layout: named databases "meta" (schema_version), "people" (username ->
 * person), "codes" (username -> the person's current access code),
 * "code_hashes" (32-byte code hash -> username, for active codes only),
 * "invitations" (username -> the person's latest invitation), and since
 * schema 2 "groups" (name -> host group), "pools" (name -> seat pool with
 * its count of seats used), "emails" (organisation, 0x1f, lower-case
 * e-mail -> username) and "audit" (8-byte big-endian id -> event).
 * Records are small JSON objects carrying "rv" (record format) and their
 * "version" counter, so that mdb_dump shows readable text and fields can
 * be added.  Every LMDB return code is translated in these files:
 * callers see only enum store_result and -errno.
 *
 * The records themselves (JSON, versions, sizes) are store_record.c's. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sodium.h>

#include "log.h"
#include "store_lmdb_private.h"

#define STORE_MAX_DBS 12
#define STORE_KEY_SCHEMA "schema_version"
#define STORE_KEY_CHECK "key_check" /* store_key_check */

/* ------------------------------------------------------------ errors */

/* LMDB's own codes are negative, system errors positive errno values. */
static int store_errno(int rc)
{
	if (rc >= 0)
		return -rc;
	switch (rc) {
	case MDB_MAP_FULL:
		return -ENOSPC;
	case MDB_READERS_FULL:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

/* ------------------------------------------------------------ open */

static bool store_db_empty(MDB_txn *txn, MDB_dbi dbi, int *rc)
{
	MDB_stat ms;

	*rc = mdb_stat(txn, dbi, &ms);
	return *rc == 0 && ms.ms_entries == 0;
}

/* In a migration's write transaction: fn for every person that can be
 * read, in username order (a record that cannot be read is named and
 * left out: it fails alone, as anywhere else).  fn returns an LMDB code;
 * non-zero stops the walk.  0, or the LMDB code that stopped it. */
static int store_migrate_people(struct store *st, MDB_txn *txn,
				int (*fn)(struct store *st, MDB_txn *txn, const struct person *p,
					  void *arg),
				void *arg)
{
	MDB_val pk, pv;
	MDB_cursor *cur;
	int rc;

	rc = mdb_cursor_open(txn, st->people, &cur);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(cur, &pk, &pv, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &pk, &pv, MDB_NEXT)) {
		_cleanup_person_ struct person p;

		if (!record_person_decode(&STORE_SPAN(&pk), &STORE_SPAN(&pv), &p)) {
			store_corrupt_key("people", &pk);
			continue;
		}
		rc = fn(st, txn, &p, arg);
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Record that the database is now of schema version (one digit). */
static int store_schema_set(struct store *st, MDB_txn *txn, unsigned version)
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_SCHEMA), .mv_data = (void *)STORE_KEY_SCHEMA };
	char digit = (char)('0' + version);
	MDB_val v = { .mv_size = 1, .mv_data = &digit };
	int rc = mdb_put(txn, st->meta, &k, &v, 0);

	if (rc)
		return store_errno(rc);
	st->schema_version = version;
	return 0;
}

/* Schema 1 had no e-mail index: build it from the people (the new
 * databases start empty).  Two people of one organisation with the same
 * address were allowed then: the first in username order keeps it in the
 * index, and the others are named in the log. */
static int store_migrate_1_person(struct store *st, MDB_txn *txn, const struct person *p,
				  void *arg)
{
	char buf[OB_ORG_MAX + OB_EMAIL_MAX + 2];
	MDB_val ek, v;
	int rc;

	(void)arg;
	if (!p->email[0] || !store_email_key(&ek, buf, sizeof(buf), p->org, p->email))
		return 0;
	v.mv_data = (void *)p->username;
	v.mv_size = strlen(p->username);
	rc = mdb_put(txn, st->emails, &ek, &v, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		log_warnx("store: %s shares an e-mail address with another person of %s: fix it "
			  "with onboardctl user modify", p->username, p->org);
		rc = 0;
	}
	return rc;
}

static int store_migrate_1(struct store *st, MDB_txn *txn)
{
	int rc = store_migrate_people(st, txn, store_migrate_1_person, NULL);

	if (rc)
		return store_errno(rc);
	rc = store_schema_set(st, txn, 2);
	if (rc == 0)
		log_info("store: database brought from schema version 1 to 2");
	return rc;
}

/* Schema 2 kept no authenticator parameters with the person: every
 * enrolled person got the configuration's at each login.  Stamp that
 * (legacy) on each of them now, once, so that a later change of the
 * configuration no longer reaches them.  Who needs it is listed first:
 * writing while a cursor walks the same database is best left alone. */
struct store_names {
	char (*names)[OB_USERNAME_MAX + 1];
	size_t n, cap;
};

static int store_migrate_2_person(struct store *st, MDB_txn *txn, const struct person *p,
				  void *arg)
{
	struct store_names *l = arg;
	char (*more)[OB_USERNAME_MAX + 1];

	(void)st;
	(void)txn;
	if (!(p->flags & PERSON_MFA_ENROLLED) || p->totp.digits)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		more = realloc(l->names, l->cap * sizeof(*l->names));
		if (!more)
			return ENOMEM;
		l->names = more;
	}
	memcpy(l->names[l->n++], p->username, sizeof(p->username));
	return 0;
}

static int store_migrate_2(struct store *st, MDB_txn *txn, const struct store_totp *legacy)
{
	static const struct store_totp defaults = { .algorithm = 0, .digits = 6, .period = 30 };
	struct store_names l = { 0 };
	MDB_val pk, pv;
	int rc;

	if (!legacy)
		legacy = &defaults;
	rc = store_migrate_people(st, txn, store_migrate_2_person, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		_cleanup_person_ struct person p;

		pk.mv_data = l.names[i];
		pk.mv_size = strlen(l.names[i]);
		rc = mdb_get(txn, st->people, &pk, &pv);
		if (rc)
			break;
		if (!record_person_decode(&STORE_SPAN(&pk), &STORE_SPAN(&pv), &p)) {
			rc = MDB_CORRUPTED;
			break;
		}
		p.totp = *legacy;
		rc = store_person_write(st, txn, &p, p.version);
	}
	free(l.names);
	if (rc)
		return store_errno(rc);
	rc = store_schema_set(st, txn, 3);
	if (rc == 0)
		log_info("store: database brought from schema version 2 to 3: %zu enrolled people "
			 "keep the authenticator parameters in force now (algorithm %u, %u digits, "
			 "%u s)", l.n, (unsigned)legacy->algorithm, (unsigned)legacy->digits,
			 (unsigned)legacy->period);
	return rc;
}

/* A fresh database gets our schema version; any other is refused. */
static int store_schema_check(struct store *st, MDB_txn *txn, const struct store_totp *legacy)
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_SCHEMA),
		      .mv_data = (void *)STORE_KEY_SCHEMA };
	MDB_val v;
	char buf[16];
	unsigned long n;
	char *end = buf;
	int rc, r;

	rc = mdb_get(txn, st->meta, &k, &v);
	if (rc == MDB_NOTFOUND) {
		if (!store_db_empty(txn, st->people, &rc) || !store_db_empty(txn, st->codes, &rc) ||
		    !store_db_empty(txn, st->code_hashes, &rc)) {
			if (rc)
				return store_errno(rc);
			log_warnx("store: the database holds records but no schema version");
			return -EPROTO;
		}
		v.mv_size = (size_t)snprintf(buf, sizeof(buf), "%d", STORE_SCHEMA_VERSION);
		v.mv_data = buf;
		rc = mdb_put(txn, st->meta, &k, &v, 0);
		if (rc)
			return store_errno(rc);
		st->schema_version = STORE_SCHEMA_VERSION;
		return 0;
	}
	if (rc)
		return store_errno(rc);
	n = 0;
	if (v.mv_size > 0 && v.mv_size < sizeof(buf)) {
		memcpy(buf, v.mv_data, v.mv_size);
		buf[v.mv_size] = '\0';
		errno = 0;
		if (buf[0] >= '0' && buf[0] <= '9')
			n = strtoul(buf, &end, 10);
		if (errno || *end)
			n = 0;
	}
	if (n == 1 && (r = store_migrate_1(st, txn)) < 0)
		return r;
	if (n == 1 || n == 2)
		return store_migrate_2(st, txn, legacy);
	if (n != STORE_SCHEMA_VERSION) {
		log_warnx("store: the database has schema version %lu, not %d", n,
			  STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	st->schema_version = (uint32_t)n;
	return 0;
}

static int store_open_dbs(struct store *st, const struct store_totp *legacy)
{
	MDB_txn *txn;
	int rc, r;

	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_errno(rc);
	if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &st->meta)) ||
	    (rc = mdb_dbi_open(txn, "people", MDB_CREATE, &st->people)) ||
	    (rc = mdb_dbi_open(txn, "codes", MDB_CREATE, &st->codes)) ||
	    (rc = mdb_dbi_open(txn, "code_hashes", MDB_CREATE, &st->code_hashes)) ||
	    (rc = mdb_dbi_open(txn, "invitations", MDB_CREATE, &st->invitations)) ||
	    (rc = mdb_dbi_open(txn, "groups", MDB_CREATE, &st->groups)) ||
	    (rc = mdb_dbi_open(txn, "pools", MDB_CREATE, &st->pools)) ||
	    (rc = mdb_dbi_open(txn, "emails", MDB_CREATE, &st->emails)) ||
	    (rc = mdb_dbi_open(txn, "audit", MDB_CREATE, &st->audit)) ||
	    (rc = mdb_dbi_open(txn, "ids", MDB_CREATE, &st->ids))) {
		mdb_txn_abort(txn);
		return store_errno(rc);
	}
	r = store_schema_check(st, txn, legacy);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	rc = mdb_txn_commit(txn);
	return rc ? store_errno(rc) : 0;
}

/* The walk of store_check, in the child: every database named in the
 * main one, every record, its first and last byte touched (an overflow
 * page is mapped like any other).  Exits 0, or 1 with LMDB's error. */
static void __attribute__((noreturn)) store_check_child(const char *dir, uint64_t map_size)
{
	volatile unsigned char sink = 0;
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_cursor *top = NULL, *cur;
	MDB_dbi main_dbi, dbi;
	MDB_val k, v, rk, rv;
	int rc;

	/* A loop in a damaged tree ends here rather than holding the start. */
	alarm(120);
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, STORE_MAX_DBS)) ||
	    (rc = mdb_env_set_mapsize(env, (size_t)map_size)) ||
	    (rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS | MDB_NOLOCK, 0600)) ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &main_dbi)) ||
	    (rc = mdb_cursor_open(txn, main_dbi, &top)))
		goto out;
	while ((rc = mdb_cursor_get(top, &k, &v, MDB_NEXT)) == 0) {
		char name[64];

		if (k.mv_size == 0 || k.mv_size >= sizeof(name)) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if ((rc = mdb_dbi_open(txn, name, 0, &dbi)) || (rc = mdb_cursor_open(txn, dbi, &cur)))
			break;
		while ((rc = mdb_cursor_get(cur, &rk, &rv, MDB_NEXT)) == 0) {
			if (rk.mv_size)
				sink ^= ((unsigned char *)rk.mv_data)[rk.mv_size - 1];
			if (rv.mv_size)
				sink ^= ((unsigned char *)rv.mv_data)[0] ^
					((unsigned char *)rv.mv_data)[rv.mv_size - 1];
		}
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND)
			break;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
out:
	/* Closed, for valgrind's count of the child's leaks. */
	if (top)
		mdb_cursor_close(top);
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	(void)sink;
	if (rc)
		fprintf(stderr, "%s\n", mdb_strerror(rc));
	_exit(rc ? 1 : 0);
}

/* Read the whole of an existing database once before using it, in a
 * child process: LMDB keeps no checksum and trusts every page number it
 * reads, so damaged pages (a disk's or someone's) made it follow a page
 * past the file's end and onboardd died of SIGBUS at start, or an
 * assertion aborted it, or a read failed later on one person.  A child
 * that dies, or finds LMDB's own signs of damage, stops the start with
 * one line.  0, or -EUCLEAN (logged), or -errno. */
static int store_check(const char *dir, uint64_t map_size)
{
	char why[128] = "";
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		/* Only LMDB's one line goes to the pipe: nothing of ours. */
		if (dup2(fds[1], STDERR_FILENO) < 0)
			_exit(1);
		store_check_child(dir, map_size);
	}
	close(fds[1]);
	n = read(fds[0], why, sizeof(why) - 1);
	close(fds[0]);
	why[n > 0 ? n : 0] = '\0';
	why[strcspn(why, "\n")] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "reading it whole ended in signal %d, %s",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	log_warnx("store: %s/data.mdb is damaged (%s): restore it from backup; onboardd did "
		  "not start", dir, why[0] ? why : "LMDB cannot read it");
	return -EUCLEAN;
}

int store_open(struct store **out, const char *dir, uint64_t map_size)
{
	return store_open_upgrade(out, dir, map_size, NULL);
}

int store_open_upgrade(struct store **out, const char *dir, uint64_t map_size,
		       const struct store_totp *legacy)
{
	long page = sysconf(_SC_PAGESIZE);
	struct store *st;
	int rc, r, dead;

	*out = NULL;
	if (!dir || map_size == 0 || map_size > SIZE_MAX / 2)
		return -EINVAL;
	/* LMDB maps whole pages; the file stays sparse whatever the size. */
	if (page > 0 && map_size % (uint64_t)page)
		map_size += (uint64_t)page - map_size % (uint64_t)page;
	/* Before LMDB maps it: an empty, truncated or foreign file is
	 * refused here with a reason, never opened. */
	r = store_probe(dir);
	if (r == 1)
		r = store_check(dir, map_size);
	if (r < 0)
		return r;
	st = calloc(1, sizeof(*st));
	if (st) {
		st->idcfg.first = STORE_IDS_FIRST;
		st->idcfg.last = STORE_IDS_LAST;
	}
	if (!st)
		return -ENOMEM;
	rc = mdb_env_create(&st->env);
	if (rc) {
		free(st);
		return store_errno(rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->env, STORE_MAX_DBS)) ||
	    (rc = mdb_env_set_mapsize(st->env, (size_t)map_size)) ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600))) {
		r = store_errno(rc);
		if (rc < 0) /* LMDB's own reason; the caller reports errno */
			log_warnx("store: database in %s: %s", dir, mdb_strerror(rc));
		goto fail;
	}
	/* Free reader slots left by a process that died. */
	mdb_reader_check(st->env, &dead);
	r = store_open_dbs(st, legacy);
	if (r < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	mdb_env_close(st->env);
	free(st);
	return r;
}

int store_key_check(struct store *st, const uint8_t check[STORE_KEY_CHECK_BYTES])
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_CHECK), .mv_data = (void *)STORE_KEY_CHECK };
	MDB_val v;
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_errno(rc);
	rc = mdb_get(txn, st->meta, &k, &v);
	if (rc == 0) {
		bool same = v.mv_size == STORE_KEY_CHECK_BYTES &&
			    sodium_memcmp(v.mv_data, check, STORE_KEY_CHECK_BYTES) == 0;

		mdb_txn_abort(txn);
		return same ? 0 : -EKEYREJECTED;
	}
	if (rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return store_errno(rc);
	}
	v.mv_data = (void *)check;
	v.mv_size = STORE_KEY_CHECK_BYTES;
	rc = mdb_put(txn, st->meta, &k, &v, 0);
	if (rc) {
		mdb_txn_abort(txn);
		return store_errno(rc);
	}
	rc = mdb_txn_commit(txn);
	return rc ? store_errno(rc) : 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	mdb_env_close(st->env);
	store_people_news_clear(st);
	free(st);
}

/* ------------------------------------------------------------ stats */

/* ------------------------------------------------------------ Unix ids */

struct store_ids_count {
	unsigned n;
	enum store_result r;
};

static int store_ids_person(struct store *st, MDB_txn *txn, const struct person *p, void *arg)
{
	struct store_ids_count *cnt = arg;
	_cleanup_person_ struct person q = *p;
	int rc;

	if (p->uid)
		return 0;
	rc = store_id_take(st, txn, STORE_ID_PERSON, q.username, &q.uid, &cnt->r);
	if (rc || cnt->r != STORE_OK)
		return rc ? rc : -1; /* stop the walk: not an LMDB code */
	cnt->n++;
	/* The same version: an id is no edit anyone could conflict with. */
	return store_person_write(st, txn, &q, q.version);
}

static int store_ids_groups(struct store *st, MDB_txn *txn, struct store_ids_count *cnt)
{
	MDB_val k, v;
	MDB_cursor *cur;
	int rc;

	rc = mdb_cursor_open(txn, st->groups, &cur);
	if (rc)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		_cleanup_json_ struct json_object *o = NULL;
		struct group g;

		if (!record_group_decode(&STORE_SPAN(&k), &STORE_SPAN(&v), &g)) {
			store_corrupt_key("groups", &k);
			continue;
		}
		if (g.gid)
			continue;
		rc = store_id_take(st, txn, STORE_ID_GROUP, g.name, &g.gid, &cnt->r);
		if (rc || cnt->r != STORE_OK)
			break;
		o = record_group_encode(&g);
		rc = o ? store_put_json(txn, st->groups, &k, o, false) : ENOMEM;
		if (rc)
			break;
		cnt->n++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

enum store_result store_ids_assign(struct store *st, unsigned *people, unsigned *groups)
{
	struct store_ids_count pc = { 0, STORE_OK }, gc = { 0, STORE_OK };
	MDB_txn *txn;
	int rc;

	*people = *groups = 0;
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return store_fail(NULL, rc, "give ids");
	rc = store_migrate_people(st, txn, store_ids_person, &pc);
	if (rc == -1 && pc.r != STORE_OK)
		rc = 0;
	if (!rc && pc.r == STORE_OK)
		rc = store_ids_groups(st, txn, &gc);
	if (rc)
		return store_fail(txn, rc, "give ids");
	if (pc.r != STORE_OK || gc.r != STORE_OK) {
		mdb_txn_abort(txn);
		return pc.r != STORE_OK ? pc.r : gc.r;
	}
	if (!pc.n && !gc.n) {
		mdb_txn_abort(txn);
		return STORE_OK;
	}
	*people = pc.n;
	*groups = gc.n;
	return store_commit(txn, "give ids");
}

enum store_result store_stats(struct store *st, struct store_stats *out)
{
	MDB_envinfo info;
	MDB_stat es, ps;
	MDB_txn *txn;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = mdb_env_info(st->env, &info)) || (rc = mdb_env_stat(st->env, &es)))
		return store_fail(NULL, rc, "stats");
	rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
	if (rc)
		return store_fail(NULL, rc, "stats");
	rc = mdb_stat(txn, st->people, &ps);
	if (rc)
		return store_fail(txn, rc, "stats");
	mdb_txn_abort(txn);
	out->schema_version = st->schema_version;
	out->people = ps.ms_entries;
	out->map_size = info.me_mapsize;
	out->map_used = ((uint64_t)info.me_last_pgno + 1) * es.ms_psize;
	return STORE_OK;
}

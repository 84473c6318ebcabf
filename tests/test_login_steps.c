/* SPDX-License-Identifier: BSD-3-Clause */
/* What one step of a login (a Login.Start, a Login.Answer, or the end of
 * its job on the worker pool) costs the event loop (issue 11).
 *
 * It reads the person from the store once: the dialogue runs in this
 * process, as the server drives it, against a real store and worker
 * pool; the linker's --wrap counts the person's read transactions the
 * login makes (store_person_get, store_throttle_get) and every decoding
 * of a person record, also inside the store's own write transactions.
 *
 * A new password's libpwquality check (its dictionary: half a
 * millisecond) runs on the worker pool with the hash, not on the loop:
 * the answer is not replied to until the job ends, and the person reads
 * the same reason as before. */
#include "config.h"

#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <lmdb.h>
#include <sodium.h>

#include "audit.h"
#include "code.h"
#include "daemon.h"
#include "keys.h"
#include "login.h"
#include "ob_protocol.h"
#include "policy.h"
#include "store.h"
#include "store_record.h"
#include "totp.h"
#include "unit_store.h"
#include "worker.h"

#define T0 1800000000LL

static unsigned reads, decodes, secret_reads;

/* Each wrapped call counted in counter, then made: -Wl,--wrap=NAME sends
 * the library's calls of NAME here (Makefile.am). */
#define COUNTED(counter, type, name, params, args)	\
	type __real_##name params;			\
	type __wrap_##name params;			\
	type __wrap_##name params			\
	{						\
		counter++;				\
		return __real_##name args;		\
	}

COUNTED(reads, enum store_result, store_person_get,
	(struct store *st, const char *username, struct person *out), (st, username, out))
COUNTED(reads, enum store_result, store_throttle_get,
	(struct store *st, const char *username, struct throttle *out), (st, username, out))
COUNTED(reads, enum store_result, store_person_get_secrets,
	(struct store *st, const char *username, struct person *out, struct access_code *code,
	 enum store_result *code_r, struct invitation *invite, enum store_result *invite_r),
	(st, username, out, code, code_r, invite, invite_r))
/* The access code's and the invitation's own reads. */
COUNTED(secret_reads, enum store_result, store_code_get,
	(struct store *st, const char *username, struct access_code *out), (st, username, out))
COUNTED(secret_reads, enum store_result, store_invite_get,
	(struct store *st, const char *username, struct invitation *out), (st, username, out))
COUNTED(decodes, bool, record_person_decode,
	(const struct store_bytes *key, const struct store_bytes *v, struct person *p),
	(key, v, p))

/* Durable commits (issue 11, P6): the write transactions committed.  An
 * environment's write transaction is always the same object, which no
 * read transaction ever is. */
static MDB_txn *write_txn;
static unsigned commits;
/* The audit log's append (the one mdb_put with MDB_APPEND) finds the map
 * full. */
static bool audit_full;

int __real_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn);
int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn);
int __wrap_mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags, MDB_txn **txn)
{
	int rc = __real_mdb_txn_begin(env, parent, flags, txn);

	if (rc == 0 && !(flags & MDB_RDONLY))
		write_txn = *txn;
	return rc;
}

int __real_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_txn_commit(MDB_txn *txn)
{
	bool durable = txn == write_txn;
	int rc = __real_mdb_txn_commit(txn);

	if (durable && rc == 0)
		commits++;
	return rc;
}

int __real_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags);
int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags);
int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned int flags)
{
	if (audit_full && (flags & MDB_APPEND))
		return MDB_MAP_FULL;
	return __real_mdb_put(txn, dbi, key, data, flags);
}

static int64_t test_now(void)
{
	return T0;
}

struct fixture {
	char dir[UNIT_DIR_MAX];
	struct daemon d;
	char verdict[32];
	char last_text[512];
	char texts[16384]; /* every message of the last reply, a line each (a QR code) */
	bool replied;
};

static void on_send(void *ctx, struct json_object *msg)
{
	struct fixture *f = ctx;
	struct json_object *params, *v, *arr;

	f->replied = true;
	f->verdict[0] = '\0';
	f->texts[0] = '\0';
	if (json_object_object_get_ex(msg, "parameters", &params)) {
		if (json_object_object_get_ex(params, "messages", &arr))
			for (size_t i = 0; i < json_object_array_length(arr); i++)
				if (json_object_object_get_ex(json_object_array_get_idx(arr, i),
							      "text", &v))
					snprintf(f->texts + strlen(f->texts),
						 sizeof(f->texts) - strlen(f->texts), "%s\n",
						 json_object_get_string(v));
		if (json_object_object_get_ex(params, "verdict", &v))
			snprintf(f->verdict, sizeof(f->verdict), "%s", json_object_get_string(v));
		if (json_object_object_get_ex(params, "messages", &arr) &&
		    json_object_array_length(arr) > 0 &&
		    json_object_object_get_ex(json_object_array_get_idx(
						      arr, json_object_array_length(arr) - 1),
					      "text", &v))
			snprintf(f->last_text, sizeof(f->last_text), "%s",
				 json_object_get_string(v));
	} else {
		snprintf(f->verdict, sizeof(f->verdict), "error");
	}
	json_object_put(msg);
}

static int setup(void **state)
{
	struct fixture *f = unit_fixture_new(sizeof(*f), unit_tmpfs(), "test_login_steps");

	assert_non_null(f);
	unit_daemon_open(&f->d, f->dir, 16 << 20, test_now, T0);
	f->d.cfg.mfa = MFA_OFF;
	f->d.cfg.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
	f->d.cfg.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	f->d.cfg.lockout_attempts = 2;
	assert_int_equal(worker_pool_new(&f->d.workers, 1, 4), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	worker_pool_free(f->d.workers);
	store_close(f->d.store);
	return unit_fixture_free(f);
}

static void add_person(struct fixture *f, const char *username, const char *password)
{
	struct person p;
	char hash[crypto_pwhash_STRBYTES] = "";

	if (password)
		assert_int_equal(crypto_pwhash_str(hash, password, strlen(password),
						   f->d.cfg.pwhash_ops, f->d.cfg.pwhash_mem),
				 0);
	unit_person(&p, username, "Ada", "Lovelace", "default", hash);
	p.created = p.updated = T0 - 100;
	if (password)
		p.password_set = T0 - 100;
	assert_int_equal(store_person_create(f->d.store, &p), STORE_OK);
}

/* Start a dialogue for user in phase: its reads. */
static unsigned start(struct fixture *f, struct login *l, const char *phase, const char *user)
{
	char text[256];
	struct json_object *params;
	unsigned before = reads;

	snprintf(text, sizeof(text),
		 "{\"phase\":\"%s\",\"user\":\"%s\",\"service\":\"sshd\","
		 "\"rhost\":\"192.0.2.7\"}",
		 phase, user);
	params = json_tokener_parse(text);
	assert_non_null(params);
	f->replied = false;
	assert_int_equal(login_call(l, OB_LOGIN_START, params), 0);
	json_object_put(params);
	assert_true(f->replied);
	return reads - before;
}

/* One answer (two for a new password): its reads. */
static unsigned answer(struct fixture *f, struct login *l, const char *a, const char *b)
{
	struct json_object *params = json_object_new_object(), *arr = json_object_new_array();
	unsigned before = reads;

	json_object_array_add(arr, json_object_new_string(a));
	if (b)
		json_object_array_add(arr, json_object_new_string(b));
	json_object_object_add(params, "answers", arr);
	f->replied = false;
	assert_int_equal(login_call(l, OB_LOGIN_ANSWER, params), 0);
	json_object_put(params);
	return reads - before;
}

/* The end of the job the answer submitted, as the event loop runs it:
 * its reads. */
static unsigned job_end(struct fixture *f, struct login *l)
{
	struct pollfd p = { .fd = worker_pool_fd(f->d.workers), .events = POLLIN };
	unsigned before = reads;

	assert_false(f->replied);
	assert_true(login_busy(l));
	while (!f->replied) {
		assert_true(poll(&p, 1, 60000) > 0);
		worker_pool_drain(f->d.workers);
	}
	return reads - before;
}

static void report(const char *step, unsigned n, unsigned d, unsigned s)
{
	print_message("%-44s %u person read%s, %u decoded; %u read%s of a code or "
		      "invitation alone\n",
		      step, n, n == 1 ? "" : "s", d, s, s == 1 ? "" : "s");
}

/* A step's reads of the person are expect; the code and the invitation
 * are read with the person (store_person_get_secrets), never alone. */
#define STEP(what, call, expect)                                              \
	do {                                                                  \
		unsigned d0_ = decodes, s0_ = secret_reads, n_ = (call);      \
		report(what, n_, decodes - d0_, secret_reads - s0_);          \
		assert_int_equal(n_, (expect));                               \
		assert_int_equal(secret_reads - s0_, 0);                      \
	} while (0)

static void account_phase_reads_once(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = login_new(&f->d, &root, on_send, f);

	add_person(f, "ada", "long enough password");
	STEP("account: Start", start(f, l, OB_PHASE_ACCOUNT, "ada"), 1);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	login_free(l);
}

static void password_login_reads_once_per_step(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = login_new(&f->d, &root, on_send, f);

	add_person(f, "ada", "long enough password");
	STEP("password: Start", start(f, l, OB_PHASE_AUTH, "ada"), 1);
	STEP("password: Answer (the password)", answer(f, l, "long enough password", NULL), 1);
	STEP("password: its check's end", job_end(f, l), 1);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	login_free(l);
}

/* While a right password's hash runs (about a second at the real cost),
 * an administrator disables the person, deletes them to the user bank,
 * sets another password or resets it: the password was checked against
 * the hash read at the answer, and proves nothing once that has changed.
 * The job's end refuses the login instead of letting it in. */
static void change_during_password_check_refuses_the_login(void **state)
{
	static const struct {
		const char *what;
		uint32_t set_flags;
		bool bank, new_password, reset;
	} rows[] = {
		{ "disabled", PERSON_DISABLED, false, false, false },
		{ "deleted to the user bank", PERSON_DISABLED, true, false, false },
		{ "given another password", 0, false, true, false },
		{ "reset (password cleared)", 0, false, false, true },
	};
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char user[16];
		struct person p;
		struct login *l;

		snprintf(user, sizeof(user), "ada%zu", i);
		add_person(f, user, "long enough password");
		l = login_new(&f->d, &root, on_send, f);
		start(f, l, OB_PHASE_AUTH, user);
		answer(f, l, "long enough password", NULL);
		/* The job is on the worker pool; its end waits for the loop. */
		assert_int_equal(store_person_get(f->d.store, user, &p), STORE_OK);
		p.flags |= rows[i].set_flags;
		if (rows[i].bank)
			p.deleted = T0;
		if (rows[i].new_password)
			assert_int_equal(crypto_pwhash_str(p.pwhash, "another password here", 21,
							   f->d.cfg.pwhash_ops,
							   f->d.cfg.pwhash_mem),
					 0);
		if (rows[i].reset)
			memset(p.pwhash, 0, sizeof(p.pwhash));
		p.updated = T0;
		assert_int_equal(store_person_put(f->d.store, &p), STORE_OK);
		job_end(f, l);
		if (strcmp(f->verdict, OB_VERDICT_SUCCESS) == 0)
			fail_msg("a person %s during the password check got in", rows[i].what);
		login_free(l);
	}
	/* Nothing changed: the same steps let the person in. */
	{
		struct login *l = login_new(&f->d, &root, on_send, f);

		add_person(f, "bea", "long enough password");
		start(f, l, OB_PHASE_AUTH, "bea");
		answer(f, l, "long enough password", NULL);
		job_end(f, l);
		assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
		login_free(l);
	}
}

/* A wrong password that locks the person (lockout_attempts = 2): the
 * failure is counted, and the lock audited, from the person read. */
static void wrong_password_reads_once_per_step(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };

	add_person(f, "ada", "long enough password");
	for (int i = 0; i < 2; i++) {
		struct login *l = login_new(&f->d, &root, on_send, f);

		STEP("wrong password: Start", start(f, l, OB_PHASE_AUTH, "ada"), 1);
		STEP("wrong password: Answer", answer(f, l, "not the password", NULL), 1);
		STEP(i ? "wrong password: its check's end (locks)"
		       : "wrong password: its check's end",
		     job_end(f, l), 1);
		assert_string_equal(f->verdict, i ? OB_VERDICT_MAXTRIES : OB_VERDICT_AUTH_ERR);
		login_free(l);
	}
}

/* An access code, then a new password: the redemption writes the
 * person, who is read again after it (one read before, one after). */
static void code_login_reads_once_per_step(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = login_new(&f->d, &root, on_send, f);
	char code[CODE_LETTERS + 1];
	uint8_t hash[CODE_HASH_BYTES];
	struct access_code c;

	add_person(f, "ada", NULL);
	code_generate(code);
	keys_code_hash(&f->d.keys, code, hash);
	assert_int_equal(store_code_issue(f->d.store, "ada", hash, T0 - 10, T0 + 86400, 0, &c),
			 STORE_OK);
	STEP("code: Start", start(f, l, OB_PHASE_AUTH, "ada"), 1);
	STEP("code: Answer (the code)", answer(f, l, code, NULL), 1);
	STEP("code: Answer (the username)", answer(f, l, "ada", NULL), 0);
	STEP("code: Answer (new password)",
	     answer(f, l, "Quiet lantern meadow 48", "Quiet lantern meadow 48"), 0);
	STEP("code: its hash's end (redeems)", job_end(f, l), 2);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	login_free(l);
}

/* A password, then the authenticator's code: its step reads the person
 * once, for the throttle; the watermark's write and the success that
 * clears nothing read nothing more. */
static void totp_login_reads_once_per_step(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct totp_params tp = { .algorithm = TOTP_SHA1, .digits = 6, .period = 30, .window = 1 };
	uint8_t secret[TOTP_SECRET_BYTES];
	char hash[crypto_pwhash_STRBYTES], code[TOTP_CODE_MAX + 1];
	struct login *l;
	struct person p;

	f->d.cfg.mfa = MFA_REQUIRED;
	memset(f->d.keys.secret_key, 0x3c, sizeof(f->d.keys.secret_key));
	assert_int_equal(crypto_pwhash_str(hash, "long enough password", 20,
					   f->d.cfg.pwhash_ops, f->d.cfg.pwhash_mem),
			 0);
	unit_person(&p, "ada", "Ada", "Lovelace", "default", hash);
	p.created = p.updated = p.password_set = p.mfa_enrolled = T0 - 100;
	totp_secret_new(secret);
	totp_seal(&f->d.keys, secret, p.totp_sealed);
	p.flags |= PERSON_MFA_ENROLLED;
	p.totp.digits = 6;
	p.totp.period = 30;
	assert_int_equal(store_person_create(f->d.store, &p), STORE_OK);
	assert_int_equal(totp_generate(&tp, secret, T0, code), 0);
	l = login_new(&f->d, &root, on_send, f);
	STEP("totp: Start", start(f, l, OB_PHASE_AUTH, "ada"), 1);
	STEP("totp: Answer (the password)", answer(f, l, "long enough password", NULL), 1);
	STEP("totp: its check's end (asks the code)", job_end(f, l), 1);
	assert_string_equal(f->verdict, "");
	STEP("totp: Answer (the authenticator's code)", answer(f, l, code, NULL), 1);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	login_free(l);
}

/* A new password our rules refuse is told at once; one libpwquality
 * refuses only when the job ends, with its reason, and the person is
 * asked again; a good one is hashed by the same job. */
static void quality_check_runs_on_the_worker_pool(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = login_new(&f->d, &root, on_send, f);
	char code[CODE_LETTERS + 1];
	uint8_t hash[CODE_HASH_BYTES];
	struct access_code c;

	add_person(f, "ada", NULL);
	code_generate(code);
	keys_code_hash(&f->d.keys, code, hash);
	assert_int_equal(store_code_issue(f->d.store, "ada", hash, T0 - 10, T0 + 86400, 0, &c),
			 STORE_OK);
	start(f, l, OB_PHASE_AUTH, "ada");
	answer(f, l, code, NULL);
	answer(f, l, "ada", NULL);
	/* Too short: our rule, on the loop. */
	answer(f, l, "short", "short");
	assert_true(f->replied);
	assert_false(login_busy(l));
	assert_non_null(strstr(f->texts, "at least"));
	/* A palindrome: libpwquality's, on the worker pool. */
	answer(f, l, "racecar-racecar", "racecar-racecar");
	assert_false(f->replied);
	assert_true(login_busy(l));
	job_end(f, l);
	assert_string_equal(f->verdict, "");
	if (!strstr(f->texts, "palindrome"))
		fail_msg("the reply says: %s", f->texts);
	assert_false(login_busy(l));
	answer(f, l, "Quiet lantern meadow 48", "Quiet lantern meadow 48");
	assert_false(f->replied);
	job_end(f, l);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	login_free(l);
}

/* The audit events of an event name and result in the log. */
struct count_events {
	const char *event, *result;
	unsigned n;
};

static int count_event(const struct audit_event *e, void *ctx)
{
	struct count_events *c = ctx;

	if (strcmp(e->event, c->event) == 0 && strcmp(e->result, c->result) == 0)
		c->n++;
	return 0;
}

static unsigned events(struct fixture *f, const char *event, const char *result)
{
	struct count_events c = { event, result, 0 };

	assert_int_equal(store_audit_each(f->d.store, 0, count_event, &c), STORE_OK);
	return c.n;
}

/* Events an earlier test could not store are recorded (as one,
 * "audit.dropped") with the next event that is: with this one, not with
 * the step whose commits a test counts. */
static void flush_dropped(struct fixture *f)
{
	audit_host(&f->d, "test.flush", "ok", "before the step counted");
}

/* A login with an access code up to the new password's hash: the
 * redemption is the job's end. */
static struct login *code_login(struct fixture *f, const struct peer *peer)
{
	struct login *l = login_new(&f->d, peer, on_send, f);
	char code[CODE_LETTERS + 1];
	uint8_t hash[CODE_HASH_BYTES];
	struct access_code c;

	add_person(f, "ada", NULL);
	code_generate(code);
	keys_code_hash(&f->d.keys, code, hash);
	assert_int_equal(store_code_issue(f->d.store, "ada", hash, T0 - 10, T0 + 86400, 0, &c),
			 STORE_OK);
	start(f, l, OB_PHASE_AUTH, "ada");
	answer(f, l, code, NULL);
	answer(f, l, "ada", NULL);
	answer(f, l, "Quiet lantern meadow 48", "Quiet lantern meadow 48");
	return l;
}

/* P6: the redemption and its audit event are one durable commit (they
 * were two: the code's, then the event's). */
static void code_redemption_is_one_durable_commit(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = code_login(f, &root);
	unsigned before;

	flush_dropped(f);
	before = commits;
	job_end(f, l);
	print_message("code: the redemption's durable commits: %u\n", commits - before);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	assert_int_equal(commits - before, 1);
	assert_int_equal(events(f, "login.code", "ok"), 1);
	login_free(l);
}

/* Both or neither: an audit log that cannot take the event (the map is
 * full at its append) leaves the code unredeemed and the password unset. */
static void code_redemption_without_its_event_redeems_nothing(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = code_login(f, &root);
	struct access_code c;
	struct person p;

	audit_full = true;
	job_end(f, l);
	audit_full = false;
	assert_string_equal(f->verdict, OB_VERDICT_UNAVAILABLE);
	assert_int_equal(store_code_get(f->d.store, "ada", &c), STORE_OK);
	assert_int_equal(c.state, CODE_ACTIVE);
	assert_int_equal(store_person_get(f->d.store, "ada", &p), STORE_OK);
	assert_string_equal(p.pwhash, "");
	assert_int_equal(events(f, "login.code", "ok"), 0);
	login_free(l);
	store_person_wipep(&p);
}

/* store_invite_accept with its event: one durable commit, both or
 * neither. */
static void invite_acceptance_is_one_durable_commit(void **state)
{
	struct fixture *f = *state;
	uint8_t hash[CODE_HASH_BYTES];
	struct audit_event e;
	struct invitation inv;
	struct person p;
	unsigned before;

	memset(hash, 0x42, sizeof(hash));
	add_person(f, "ada", NULL);
	add_person(f, "bob", NULL);
	assert_int_equal(store_invite_issue(f->d.store, "ada", hash, NULL, T0, T0 + 86400, &inv),
			 STORE_OK);
	assert_int_equal(store_invite_issue(f->d.store, "bob", hash, NULL, T0, T0 + 86400,
					    &inv),
			 STORE_OK);
	assert_int_equal(store_person_get(f->d.store, "ada", &p), STORE_OK);
	audit_login_fill(&f->d, &e, &p, "login.invite", "ok", "first password set");
	flush_dropped(f);
	before = commits;
	assert_int_equal(store_invite_accept(f->d.store, "ada", hash, NULL, "req-1", T0 + 1, "Ada",
					     "Lovelace", "$argon2id$v=19$m=8,t=1,p=1$x$y", NULL,
					     &e, NULL),
			 STORE_OK);
	assert_int_equal(commits - before, 1);
	assert_true(e.id > 0);
	assert_int_equal(events(f, "login.invite", "ok"), 1);

	/* Its event cannot be stored: the invitation stays pending. */
	store_person_wipep(&p);
	assert_int_equal(store_person_get(f->d.store, "bob", &p), STORE_OK);
	audit_login_fill(&f->d, &e, &p, "login.invite", "ok", "first password set");
	audit_full = true;
	assert_int_equal(store_invite_accept(f->d.store, "bob", hash, NULL, "req-2", T0 + 1, "Bob",
					     "Builder", "$argon2id$v=19$m=8,t=1,p=1$x$y", NULL,
					     &e, NULL),
			 STORE_FULL);
	audit_full = false;
	assert_int_equal(store_invite_get(f->d.store, "bob", &inv), STORE_OK);
	assert_int_equal(inv.state, INVITE_PENDING);
	store_person_wipep(&p);
	assert_int_equal(store_person_get(f->d.store, "bob", &p), STORE_OK);
	assert_string_equal(p.pwhash, "");
	assert_int_equal(events(f, "login.invite", "ok"), 1);
	store_person_wipep(&p);
}

/* passwd: the new hash and its audit event are one durable commit. */
static void password_change_is_one_durable_commit(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = login_new(&f->d, &root, on_send, f);
	unsigned before;

	add_person(f, "ada", "long enough password");
	start(f, l, OB_PHASE_PASSWORD, "ada");
	answer(f, l, "long enough password", NULL);
	job_end(f, l);
	answer(f, l, "Quiet lantern meadow 48", "Quiet lantern meadow 48");
	flush_dropped(f);
	before = commits;
	job_end(f, l);
	print_message("passwd: the change's durable commits: %u\n", commits - before);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	assert_int_equal(commits - before, 1);
	assert_int_equal(events(f, "login.password", "ok"), 1);
	login_free(l);
}

/* Both or neither: no event, no change of password. */
static void password_change_without_its_event_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct login *l = login_new(&f->d, &root, on_send, f);
	_cleanup_person_ struct person before, after;

	add_person(f, "ada", "long enough password");
	assert_int_equal(store_person_get(f->d.store, "ada", &before), STORE_OK);
	start(f, l, OB_PHASE_PASSWORD, "ada");
	answer(f, l, "long enough password", NULL);
	job_end(f, l);
	answer(f, l, "Quiet lantern meadow 48", "Quiet lantern meadow 48");
	audit_full = true;
	job_end(f, l);
	audit_full = false;
	assert_string_not_equal(f->verdict, OB_VERDICT_SUCCESS);
	assert_int_equal(store_person_get(f->d.store, "ada", &after), STORE_OK);
	assert_string_equal(after.pwhash, before.pwhash);
	assert_int_equal(events(f, "login.password", "ok"), 0);
	login_free(l);
}

/* The authenticator's secret of an enrolment reply, from its URI's
 * "secret=" (RFC 4648 base32). */
static void enrol_secret(const char *texts, uint8_t secret[TOTP_SECRET_BYTES])
{
	const char *b32 = strstr(texts, "secret="), *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned bits = 0, n = 0;
	uint32_t acc = 0;

	assert_non_null(b32);
	for (b32 += 7; *b32 && strchr(alphabet, *b32) && n < TOTP_SECRET_BYTES; b32++) {
		acc = acc << 5 | (uint32_t)(strchr(alphabet, *b32) - alphabet);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			secret[n++] = (uint8_t)(acc >> bits);
		}
	}
	assert_int_equal(n, TOTP_SECRET_BYTES);
}

/* The authenticator's enrolment and its audit event are one durable
 * commit. */
static void mfa_enrolment_is_one_durable_commit(void **state)
{
	struct fixture *f = *state;
	struct peer root = { 0, 0, 1 };
	struct totp_params tp = { .algorithm = TOTP_SHA1, .digits = 6, .period = 30, .window = 1 };
	uint8_t secret[TOTP_SECRET_BYTES];
	char code[TOTP_CODE_MAX + 1];
	struct login *l = login_new(&f->d, &root, on_send, f);
	unsigned before;

	f->d.cfg.mfa = MFA_REQUIRED;
	memset(f->d.keys.secret_key, 0x3c, sizeof(f->d.keys.secret_key));
	add_person(f, "ada", "long enough password");
	start(f, l, OB_PHASE_AUTH, "ada");
	answer(f, l, "long enough password", NULL);
	job_end(f, l);
	enrol_secret(f->texts, secret);
	assert_int_equal(totp_generate(&tp, secret, T0, code), 0);
	flush_dropped(f);
	before = commits;
	answer(f, l, code, NULL);
	print_message("mfa: the enrolment's durable commits: %u\n", commits - before);
	assert_string_equal(f->verdict, OB_VERDICT_SUCCESS);
	assert_int_equal(commits - before, 1);
	assert_int_equal(events(f, "login.mfa_enrolled", "ok"), 1);
	login_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(account_phase_reads_once, setup, teardown),
		cmocka_unit_test_setup_teardown(password_login_reads_once_per_step, setup,
						teardown),
		cmocka_unit_test_setup_teardown(wrong_password_reads_once_per_step, setup,
						teardown),
		cmocka_unit_test_setup_teardown(code_login_reads_once_per_step, setup, teardown),
		cmocka_unit_test_setup_teardown(totp_login_reads_once_per_step, setup, teardown),
		cmocka_unit_test_setup_teardown(change_during_password_check_refuses_the_login, setup,
						teardown),
		cmocka_unit_test_setup_teardown(quality_check_runs_on_the_worker_pool, setup,
						teardown),
		cmocka_unit_test_setup_teardown(code_redemption_is_one_durable_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(code_redemption_without_its_event_redeems_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(invite_acceptance_is_one_durable_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(password_change_is_one_durable_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(mfa_enrolment_is_one_durable_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(password_change_without_its_event_changes_nothing,
						setup, teardown),
	};

	if (sodium_init() < 0 || totp_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

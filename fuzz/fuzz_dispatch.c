/* SPDX-License-Identifier: BSD-3-Clause */
/* The daemon's whole dispatch against sequences of calls: Login.Start and
 * Answer dialogues, Admin calls and the service's own, on up to four
 * connections at once, each with the peer uid the input chooses, against
 * a scratch store made fresh for every input.  A call goes the way
 * server.c's conn_dispatch sends it: varlink_parse, varlink_call_split,
 * then login_call (with a login per connection), admin_call (with an
 * admin session per connection) or the service's replies; every reply is
 * encoded as conn_send would.  The socket and the epoll loop are left
 * out: their reader is fuzz_varlink's.
 *
 * An input is records ended by a NUL byte (as on the socket):
 *
 *   CONTROL JSON-MESSAGE \0
 *
 * CONTROL's bits: 0-1 the connection (0-3); 2-4 the uid its peer has
 * when the connection is opened (fuzz_uids below); 5-6 the clock moved
 * on before the call (0, 1 s, 10 min, 1 day); 7 the connection closed
 * first and opened again.  In an answer, the string "@code" becomes the
 * last access code a reply of this input showed, and "@totp" the
 * authenticator code of the last secret drawn at the input's clock
 * (totp_secret_new is wrapped: -Wl,--wrap), so that dialogues reach past
 * the code and the enrolment.  The codes and secrets are drawn from a
 * generator seeded the same for every input: the same input takes the
 * same path.
 *
 * Determinism: the password hashing jobs go to the real worker pool and
 * the call waits for each (as test_login_steps does), so no two jobs
 * race; argon2id runs at its minimum cost; the clock is the input's.
 *
 * The host is never touched, whoever runs this (root, in make check):
 * the accounts the daemon sees are a fixed table of fuzz_host.c (its
 * getpw*, getgr* and getgrouplist take the C library's place), and
 * useradd, userdel and usermod --lock are not run (accounts_create,
 * accounts_remove and accounts_lock are wrapped: -Wl,--wrap).  Before
 * this, an input could add, lock or remove accounts of the machine
 * running it (UserAdd with create_account or existing_account, then
 * UserPurge), and the host's NSS made an import take seconds.
 *
 * userdb (io.systemd.UserDatabase, issue 12): its calls join the
 * dispatch in fuzz_call below, where the marked place is, once the
 * daemon answers them. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <json-c/json.h>

#include "admin.h"
#include "daemon.h"
#include "log.h"
#include "login.h"
#include "ob_protocol.h"
#include "quality.h"
#include "store.h"
#include "totp.h"
#include "varlink.h"
#include "worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CONNS 4
#define FUZZ_T0 INT64_C(1800000000)
/* Enough calls for any dialogue and a few of them; more only slows. */
#define FUZZ_MAX_CALLS 64

/* Root (the main administrator and sshd), a system account, ordinary
 * users, nobody and uids no account has. */
static const uid_t fuzz_uids[8] = { 0, 0, 1, 1000, 1001, 65534, 4242, 2000000 };
static const int64_t fuzz_steps[4] = { 0, 1, 600, 86400 };

struct fuzz_conn {
	struct peer peer;
	struct login *login;
	struct admin_session *admin;
	bool open;
	bool oneway;
};

static struct daemon d;
static int64_t fuzz_clock;
static char fuzz_code[OB_TEXT_MAX];
static uint8_t fuzz_totp[TOTP_SECRET_BYTES];
static unsigned fuzz_replies;
/* FUZZ_TRACE=1 prints the calls and replies (the codes are the fixed
 * generator's: nothing real), to write seeds and read a crash. */
static bool fuzz_trace;

/* ------------------------------------------------- deterministic random */

/* randombytes with a fixed seed, reset for every input: a crash found
 * replays with the same codes, salts and secrets. */
static uint8_t rnd_seed[randombytes_SEEDBYTES];
static uint64_t rnd_counter;

static const char *rnd_name(void)
{
	return "fuzz";
}

static void rnd_buf(void *buf, size_t size)
{
	uint8_t seed[randombytes_SEEDBYTES];

	/* Each draw from its own seed: the seed and a counter hashed. */
	rnd_counter++;
	crypto_generichash(seed, sizeof(seed), (const uint8_t *)&rnd_counter, sizeof(rnd_counter),
			   rnd_seed, sizeof(rnd_seed));
	randombytes_buf_deterministic(buf, size, seed);
}

static uint32_t rnd_random(void)
{
	uint32_t v;

	rnd_buf(&v, sizeof(v));
	return v;
}

static struct randombytes_implementation rnd_impl = {
	.implementation_name = rnd_name,
	.random = rnd_random,
	.buf = rnd_buf,
};

/* The secret an enrolment draws, kept for "@totp". */
void __real_totp_secret_new(uint8_t secret[TOTP_SECRET_BYTES]);
void __wrap_totp_secret_new(uint8_t secret[TOTP_SECRET_BYTES]);
void __wrap_totp_secret_new(uint8_t secret[TOTP_SECRET_BYTES])
{
	__real_totp_secret_new(secret);
	memcpy(fuzz_totp, secret, TOTP_SECRET_BYTES);
}

/* ------------------------------------------------------------- set-up */

static int64_t fuzz_now(void)
{
	return fuzz_clock;
}

static void fuzz_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	memset(rnd_seed, 0x42, sizeof(rnd_seed));
	if (randombytes_set_implementation(&rnd_impl) != 0 || sodium_init() < 0 ||
	    totp_init() < 0 || quality_init(NULL) < 0 ||
	    worker_pool_new(&d.workers, 1, 4) < 0) {
		fprintf(stderr, "fuzz_dispatch: cannot set up\n");
		abort();
	}
	log_init(false, false);
	fuzz_trace = getenv("FUZZ_TRACE") != NULL;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh store in a scratch directory (on /dev/shm when there is one:
 * an input is many commits). */
static int fuzz_open(char *dir, size_t size)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(dir, size, "%s/onboard-fuzz-dispatch.XXXXXX", base);
	if (!mkdtemp(dir))
		return -errno;
	config_defaults(&d.cfg);
	/* The cheapest argon2id, and small bounds the input can reach. */
	d.cfg.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
	d.cfg.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
	d.cfg.db_map_size = 8 << 20;
	memset(d.keys.code_key, 0x5a, sizeof(d.keys.code_key));
	memset(d.keys.secret_key, 0xa5, sizeof(d.keys.secret_key));
	d.now = fuzz_now;
	d.started = FUZZ_T0;
	d.state_dir = dir;
	d.socket_path = "/run/onboard/fuzz.sock";
	d.people_synced = 0;
	return store_open(&d.store, dir, d.cfg.db_map_size);
}

/* ------------------------------------------------------------ replies */

/* The last access code a reply showed, for "@code". */
static void harvest(struct json_object *o, int depth)
{
	if (depth > 8)
		return;
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			harvest(json_object_array_get_idx(o, i), depth + 1);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "code") == 0 && json_object_is_type(val, json_type_string))
			snprintf(fuzz_code, sizeof(fuzz_code), "%s", json_object_get_string(val));
		else
			harvest(val, depth + 1);
	}
}

/* What conn_send does with a reply, less the socket. */
static void fuzz_send(void *ctx, struct json_object *msg)
{
	struct fuzz_conn *c = ctx;
	char *buf = NULL;
	size_t len = 0;
	int r;

	fuzz_replies++;
	if (!msg)
		return;
	harvest(msg, 0);
	if (fuzz_trace)
		fprintf(stderr, "  <- %s\n", json_object_to_json_string(msg));
	if (c && c->oneway) {
		varlink_wipe(msg);
		json_object_put(msg);
		return;
	}
	r = varlink_encode(msg, &buf, &len);
	varlink_wipe(msg);
	json_object_put(msg);
	if (r == 0) {
		/* A reply must be what a client would accept. */
		if (len == 0 || buf[len - 1] != '\0' || strlen(buf) != len - 1)
			abort();
		sodium_memzero(buf, len);
		free(buf);
	} else if (r != -EMSGSIZE && r != -ENOMEM) {
		abort();
	}
}

/* --------------------------------------------------------------- calls */

static void conn_close(struct fuzz_conn *c)
{
	login_free(c->login);
	admin_session_free(c->admin);
	memset(c, 0, sizeof(*c));
}

/* "@code" in Answer's answers becomes the last code shown, "@totp" the
 * authenticator's code now. */
static void fill_code(struct json_object *params)
{
	struct totp_params tp = { .algorithm = (enum totp_algorithm)d.cfg.totp_algorithm,
				  .digits = d.cfg.totp_digits, .period = 30, .window = 1 };
	struct json_object *answers;
	char totp[TOTP_CODE_MAX + 1];

	if (!json_object_object_get_ex(params, "answers", &answers) ||
	    !json_object_is_type(answers, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(answers); i++) {
		struct json_object *a = json_object_array_get_idx(answers, i);

		if (!json_object_is_type(a, json_type_string))
			continue;
		if (fuzz_code[0] && strcmp(json_object_get_string(a), "@code") == 0)
			json_object_array_put_idx(answers, i, json_object_new_string(fuzz_code));
		else if (strcmp(json_object_get_string(a), "@totp") == 0 &&
			 totp_generate(&tp, fuzz_totp, fuzz_clock, totp) == 0)
			json_object_array_put_idx(answers, i, json_object_new_string(totp));
	}
}

/* The password jobs end as the event loop would end them. */
static void wait_jobs(struct fuzz_conn *c)
{
	struct pollfd p = { .fd = worker_pool_fd(d.workers), .events = POLLIN };

	while (c->login && login_busy(c->login)) {
		if (poll(&p, 1, 60000) <= 0)
			abort(); /* a job that never ends */
		worker_pool_drain(d.workers);
	}
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One call on c; false when the connection would be closed. */
static bool fuzz_call(struct fuzz_conn *c, struct json_object *msg)
{
	struct json_object *params;
	const char *method;
	bool oneway = false;
	unsigned before = fuzz_replies;
	int r = varlink_call_split(msg, &method, &params, &oneway);

	c->oneway = oneway;
	if (r == -EOPNOTSUPP) {
		fuzz_send(c, varlink_error_new(VL_ERR_INVALID_PARAMETER, NULL));
		return true;
	}
	if (r < 0)
		return false;
	if (has_prefix(method, OB_IFACE_LOGIN ".")) {
		fill_code(params);
		if (!c->login)
			c->login = login_new(&d, &c->peer, fuzz_send, c);
		if (!c->login || login_call(c->login, method, params) < 0)
			return false;
		wait_jobs(c);
		/* Exactly one reply for each call (login.h). */
		if (fuzz_replies != before + 1)
			abort();
	} else if (has_prefix(method, OB_IFACE_ADMIN ".")) {
		fuzz_send(c, admin_call(&d, &c->peer, &c->admin, method, params));
		/* userdb: io.systemd.UserDatabase calls go here, to the
		 * daemon's userdb dispatch, once it has one (issue 12). */
	} else {
		/* The service's calls and unknown interfaces: server.c
		 * answers them itself (its static service_call), out of
		 * reach here. */
		fuzz_send(c, varlink_error_new(VL_ERR_METHOD_NOT_FOUND, NULL));
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_conn conns[FUZZ_CONNS];
	char dir[256];
	size_t off = 0;
	unsigned calls = 0;

	fuzz_init();
	memset(conns, 0, sizeof(conns));
	rnd_counter = 0;
	fuzz_clock = FUZZ_T0;
	fuzz_code[0] = '\0';
	memset(fuzz_totp, 0, sizeof(fuzz_totp));
	if (fuzz_open(dir, sizeof(dir)) < 0) {
		fprintf(stderr, "fuzz_dispatch: cannot open a scratch store in %s\n", dir);
		abort();
	}
	while (off < size && calls++ < FUZZ_MAX_CALLS) {
		const uint8_t *end = memchr(data + off, '\0', size - off);
		size_t len = end ? (size_t)(end - (data + off)) : size - off;
		uint8_t ctl = data[off];
		struct fuzz_conn *c = &conns[ctl & 3];
		struct json_object *msg = NULL;

		if ((ctl & 0x80) && c->open)
			conn_close(c);
		if (!c->open) {
			c->open = true;
			c->peer.uid = fuzz_uids[(ctl >> 2) & 7];
			c->peer.gid = c->peer.uid;
			c->peer.pid = 1;
		}
		fuzz_clock += fuzz_steps[(ctl >> 5) & 3];
		if (fuzz_trace)
			fprintf(stderr, "%d uid %u -> %.*s\n", ctl & 3, (unsigned)c->peer.uid,
				len > 1 ? (int)(len - 1) : 0, (const char *)data + off + 1);
		if (len > 1 && varlink_parse((const char *)data + off + 1, len - 1, &msg) == 0) {
			if (!fuzz_call(c, msg))
				conn_close(c);
			varlink_wipe(msg);
			json_object_put(msg);
		} else if (len > 1) {
			conn_close(c); /* a malformed message drops the connection */
		}
		off += len + 1;
	}
	for (int i = 0; i < FUZZ_CONNS; i++)
		conn_close(&conns[i]);
	admin_import_sweep(&d);
	store_close(d.store);
	d.store = NULL;
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	sodium_memzero(fuzz_code, sizeof(fuzz_code));
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* TOTP against RFC 6238's own vectors and the oathtool binary, the
 * verification window and replay watermark as tables, the key formats
 * and URI as exact strings, and the sealed storage. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <liboath/oath.h>
#include <sodium.h>

#include "conf.h"
#include "ob_protocol.h"
#include "totp.h"

/* RFC 6238 Appendix B: the seeds are ASCII digits, one length per hash. */
static const char seed_sha1[] = "12345678901234567890";
static const char seed_sha256[] = "12345678901234567890123456789012";
static const char seed_sha512[] = "12345678901234567890123456789012"
				   "34567890123456789012345678901234";

#define RFC_SEED ((const uint8_t *)seed_sha1)
#define RFC_SEED_BASE32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static const struct totp_params defaults = {
	.algorithm = TOTP_SHA1, .digits = 6, .period = 30, .window = 1
};

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || totp_init() < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	totp_done();
	return 0;
}

static void rfc6238_appendix_b_vectors(void **state)
{
	static const struct {
		int64_t t;
		enum totp_algorithm a;
		const char *want;
	} rows[] = {
		{ 59, TOTP_SHA1, "94287082" },
		{ 59, TOTP_SHA256, "46119246" },
		{ 59, TOTP_SHA512, "90693936" },
		{ 1111111109, TOTP_SHA1, "07081804" },
		{ 1111111109, TOTP_SHA256, "68084774" },
		{ 1111111109, TOTP_SHA512, "25091201" },
		{ 1111111111, TOTP_SHA1, "14050471" },
		{ 1111111111, TOTP_SHA256, "67062674" },
		{ 1111111111, TOTP_SHA512, "99943326" },
		{ 1234567890, TOTP_SHA1, "89005924" },
		{ 1234567890, TOTP_SHA256, "91819424" },
		{ 1234567890, TOTP_SHA512, "93441116" },
		{ 2000000000, TOTP_SHA1, "69279037" },
		{ 2000000000, TOTP_SHA256, "90698825" },
		{ 2000000000, TOTP_SHA512, "38618901" },
		{ 20000000000LL, TOTP_SHA1, "65353130" },
		{ 20000000000LL, TOTP_SHA256, "77737706" },
		{ 20000000000LL, TOTP_SHA512, "47863826" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct totp_params p = { .algorithm = rows[i].a, .digits = 8, .period = 30 };
		const char *seed = rows[i].a == TOTP_SHA1     ? seed_sha1
				   : rows[i].a == TOTP_SHA256 ? seed_sha256
							      : seed_sha512;
		char got8[TOTP_CODE_MAX + 1], got6[TOTP_CODE_MAX + 1];
		int r;

		r = totp_generate_key(&p, (const uint8_t *)seed, strlen(seed), rows[i].t, got8);
		if (r != 0)
			fail_msg("row %zu (%s, T=%lld): totp_generate_key returned %d", i,
				 totp_algorithm_name(rows[i].a), (long long)rows[i].t, r);
		if (strcmp(got8, rows[i].want) != 0)
			fail_msg("row %zu (%s, T=%lld): want %s, got %s", i,
				 totp_algorithm_name(rows[i].a), (long long)rows[i].t,
				 rows[i].want, got8);

		/* Truncation is modulo 10^digits: 6 digits are the last 6. */
		p.digits = 6;
		r = totp_generate_key(&p, (const uint8_t *)seed, strlen(seed), rows[i].t, got6);
		if (r != 0 || strcmp(got6, rows[i].want + 2) != 0)
			fail_msg("row %zu (%s, T=%lld): 6 digits: want %s, got %s (r=%d)", i,
				 totp_algorithm_name(rows[i].a), (long long)rows[i].t,
				 rows[i].want + 2, got6, r);
	}
}

static void generate_uses_the_twenty_byte_secret(void **state)
{
	struct totp_params p = defaults;
	char a[TOTP_CODE_MAX + 1], b[TOTP_CODE_MAX + 1];

	(void)state;
	assert_int_equal(totp_generate(&p, RFC_SEED, 1234567890, a), 0);
	assert_string_equal(a, "005924");
	assert_int_equal(totp_generate_key(&p, RFC_SEED, TOTP_SECRET_BYTES, 1234567890, b), 0);
	assert_string_equal(a, b);
}

static void generate_refuses_bad_parameters(void **state)
{
	static const struct {
		struct totp_params p;
		int64_t t;
	} rows[] = {
		{ { TOTP_SHA1, 7, 30, 1 }, 0 },
		{ { TOTP_SHA1, 5, 30, 1 }, 0 },
		{ { TOTP_SHA1, 9, 30, 1 }, 0 },
		{ { TOTP_SHA1, 6, 0, 1 }, 0 },
		{ { TOTP_SHA1, 6, 86401, 1 }, 0 },
		{ { TOTP_SHA1, 6, 30, TOTP_WINDOW_MAX + 1 }, 0 },
		{ { (enum totp_algorithm)7, 6, 30, 1 }, 0 },
		{ { TOTP_SHA1, 6, 30, 1 }, -1 },
	};
	char out[TOTP_CODE_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r = totp_generate(&rows[i].p, RFC_SEED, rows[i].t, out);

		if (r != -EINVAL)
			fail_msg("row %zu: want -EINVAL, got %d", i, r);
	}
}

/* now is 1 s into step 37037037. */
#define NOW 1111111111LL
#define NOW_STEP (NOW / 30)

static void verify_accepts_one_step_either_side_and_no_further(void **state)
{
	static const struct {
		int64_t code_at;
		int want;
		int64_t want_step;
	} rows[] = {
		{ NOW, 0, NOW_STEP },
		{ NOW - 30, 0, NOW_STEP - 1 },
		{ NOW + 30, 0, NOW_STEP + 1 },
		{ NOW - 60, -EACCES, 0 },
		{ NOW + 60, -EACCES, 0 },
		{ NOW - 3600, -EACCES, 0 },
	};
	struct totp_params p = defaults;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char code[TOTP_CODE_MAX + 1];
		int64_t step = -1;
		int r;

		assert_int_equal(totp_generate(&p, RFC_SEED, rows[i].code_at, code), 0);
		r = totp_verify(&p, RFC_SEED, code, NOW, 0, &step);
		if (r != rows[i].want)
			fail_msg("row %zu: code of now%+lld s: want %d, got %d", i,
				 (long long)(rows[i].code_at - NOW), rows[i].want, r);
		if (r == 0 && step != rows[i].want_step)
			fail_msg("row %zu: want step %lld, got %lld", i,
				 (long long)rows[i].want_step, (long long)step);
	}
}

static void verify_window_zero_accepts_only_now(void **state)
{
	struct totp_params p = defaults;
	char code[TOTP_CODE_MAX + 1];
	int64_t step;

	(void)state;
	p.window = 0;
	assert_int_equal(totp_generate(&p, RFC_SEED, NOW, code), 0);
	assert_int_equal(totp_verify(&p, RFC_SEED, code, NOW, 0, &step), 0);
	assert_int_equal(step, NOW_STEP);
	assert_int_equal(totp_generate(&p, RFC_SEED, NOW - 30, code), 0);
	assert_int_equal(totp_verify(&p, RFC_SEED, code, NOW, 0, &step), -EACCES);
}

static void verify_refuses_replay_at_or_below_watermark(void **state)
{
	static const struct {
		int64_t last_step;
		int want;
	} rows[] = {
		{ 0, 0 },
		{ NOW_STEP - 1, 0 },
		{ NOW_STEP, -EALREADY },
		{ NOW_STEP + 1, -EALREADY },
	};
	struct totp_params p = defaults;
	char code[TOTP_CODE_MAX + 1];

	(void)state;
	assert_int_equal(totp_generate(&p, RFC_SEED, NOW, code), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t step = -1;
		int r = totp_verify(&p, RFC_SEED, code, NOW, rows[i].last_step, &step);

		if (r != rows[i].want)
			fail_msg("row %zu: last_step %+lld from the matched step: want %d, got %d", i,
				 (long long)(rows[i].last_step - NOW_STEP), rows[i].want, r);
		if (r == 0 && step != NOW_STEP)
			fail_msg("row %zu: want step %lld, got %lld", i, (long long)NOW_STEP,
				 (long long)step);
	}
}

/* With the RFC seed, steps 61331809 and 61331811 share the 6-digit code
 * 768734 (found by search): a code matching two steps of the window
 * counts as the later one, and is a replay only if that one is used. */
#define TWIN_LOW 61331809LL
#define TWIN_HIGH 61331811LL
#define TWIN_CODE "768734"

static void verify_takes_the_highest_matching_step(void **state)
{
	static const struct {
		int64_t last_step;
		int want;
	} rows[] = {
		{ 0, 0 },
		{ TWIN_LOW, 0 },
		{ TWIN_LOW + 1, 0 },
		{ TWIN_HIGH, -EALREADY },
	};
	struct totp_params p = defaults;
	char a[TOTP_CODE_MAX + 1], b[TOTP_CODE_MAX + 1];

	(void)state;
	assert_int_equal(totp_generate(&p, RFC_SEED, TWIN_LOW * 30, a), 0);
	assert_int_equal(totp_generate(&p, RFC_SEED, TWIN_HIGH * 30, b), 0);
	if (strcmp(a, TWIN_CODE) != 0 || strcmp(b, TWIN_CODE) != 0)
		fail_msg("premise: steps %lld and %lld should both give %s, got %s and %s",
			 (long long)TWIN_LOW, (long long)TWIN_HIGH, TWIN_CODE, a, b);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t step = -1;
		int r = totp_verify(&p, RFC_SEED, TWIN_CODE, (TWIN_LOW + 1) * 30 + 7,
				    rows[i].last_step, &step);

		if (r != rows[i].want)
			fail_msg("row %zu: last_step %lld: want %d, got %d", i,
				 (long long)rows[i].last_step, rows[i].want, r);
		if (r == 0 && step != TWIN_HIGH)
			fail_msg("row %zu: want the later step %lld, got %lld", i,
				 (long long)TWIN_HIGH, (long long)step);
	}
}

static void verify_malformed_code_is_invalid(void **state)
{
	static const struct {
		unsigned digits;
		const char *typed;
	} rows[] = {
		{ 6, "12345" },    { 6, "1234567" }, { 6, "12345a" },   { 6, "abcdef" },
		{ 6, "" },         { 6, "   " },     { 6, "123 456" },  { 6, "123-456" },
		{ 6, "+12345" },   { 6, "１２３４５６" }, { 8, "123456" },  { 8, "123456789" },
		{ 8, "1234 5678" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct totp_params p = defaults;
		int64_t step;
		int r;

		p.digits = rows[i].digits;
		r = totp_verify(&p, RFC_SEED, rows[i].typed, NOW, 0, &step);
		if (r != -EINVAL)
			fail_msg("row %zu: \"%s\" with %u digits: want -EINVAL, got %d", i,
				 rows[i].typed, rows[i].digits, r);
	}
	assert_int_equal(totp_verify(&defaults, RFC_SEED, NULL, NOW, 0, &(int64_t){ 0 }), -EINVAL);
}

static void verify_ignores_surrounding_spaces(void **state)
{
	char code[TOTP_CODE_MAX + 1], typed[32];
	int64_t step;

	(void)state;
	assert_int_equal(totp_generate(&defaults, RFC_SEED, NOW, code), 0);
	snprintf(typed, sizeof(typed), "  %s \t\n", code);
	assert_int_equal(totp_verify(&defaults, RFC_SEED, typed, NOW, 0, &step), 0);
	assert_int_equal(step, NOW_STEP);
}

static void verify_eight_digits_sha512(void **state)
{
	struct totp_params p = { .algorithm = TOTP_SHA512, .digits = 8, .period = 30, .window = 1 };
	char code[TOTP_CODE_MAX + 1];
	int64_t step;

	(void)state;
	assert_int_equal(totp_generate(&p, RFC_SEED, NOW + 30, code), 0);
	assert_int_equal(strlen(code), 8);
	assert_int_equal(totp_verify(&p, RFC_SEED, code, NOW, 0, &step), 0);
	assert_int_equal(step, NOW_STEP + 1);
	/* the same code is not a SHA1 code */
	p.algorithm = TOTP_SHA1;
	assert_int_equal(totp_verify(&p, RFC_SEED, code, NOW, 0, &step), -EACCES);
}

static void base32_of_rfc_seed(void **state)
{
	char out[TOTP_BASE32_MAX];

	(void)state;
	assert_int_equal(totp_secret_base32(RFC_SEED, out, sizeof(out)), 0);
	assert_string_equal(out, RFC_SEED_BASE32);
	assert_int_equal(totp_secret_base32(RFC_SEED, out, 32), -ENOSPC);
	assert_int_equal(totp_secret_base32(RFC_SEED, out, 33), 0);
	assert_string_equal(out, RFC_SEED_BASE32);
}

/* Our encoder against liboath's on random secrets (padding stripped:
 * 20 bytes need none). */
static void base32_matches_liboath(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		uint8_t secret[TOTP_SECRET_BYTES];
		char ours[TOTP_BASE32_MAX], *theirs = NULL;
		size_t len = 0;

		totp_secret_new(secret);
		assert_int_equal(totp_secret_base32(secret, ours, sizeof(ours)), 0);
		assert_int_equal(oath_base32_encode((const char *)secret, sizeof(secret), &theirs,
						    &len),
				 OATH_OK);
		while (len > 0 && theirs[len - 1] == '=')
			theirs[--len] = '\0';
		if (strcmp(ours, theirs) != 0)
			fail_msg("secret %d: ours %s, liboath %s", i, ours, theirs);
		free(theirs);
	}
}

static void grouped_key_for_typing(void **state)
{
	char out[TOTP_BASE32_MAX];

	(void)state;
	assert_int_equal(totp_secret_grouped(RFC_SEED, out, sizeof(out)), 0);
	assert_string_equal(out, "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
	assert_int_equal(totp_secret_grouped(RFC_SEED, out, 39), -ENOSPC);
}

static void uri_carries_issuer_account_and_parameters(void **state)
{
	static const struct {
		struct totp_params p;
		const char *issuer, *account, *want;
	} rows[] = {
		{ { TOTP_SHA1, 6, 30, 1 }, "onboard on host1", "alice",
		  "otpauth://totp/onboard%20on%20host1:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		  "&issuer=onboard%20on%20host1&algorithm=SHA1&digits=6&period=30" },
		{ { TOTP_SHA256, 8, 30, 1 }, "onboard on host1", "alice",
		  "otpauth://totp/onboard%20on%20host1:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		  "&issuer=onboard%20on%20host1&algorithm=SHA256&digits=8&period=30" },
		{ { TOTP_SHA512, 6, 60, 1 }, "a&b=c?d", "bob:x@y.z/~_-",
		  "otpauth://totp/a%26b%3Dc%3Fd:bob%3Ax%40y.z%2F~_-?secret="
		  "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=a%26b%3Dc%3Fd&algorithm=SHA512"
		  "&digits=6&period=60" },
		{ { TOTP_SHA1, 6, 30, 1 }, "Zürich", "élodie",
		  "otpauth://totp/Z%C3%BCrich:%C3%A9lodie?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		  "&issuer=Z%C3%BCrich&algorithm=SHA1&digits=6&period=30" },
		{ { TOTP_SHA1, 6, 30, 1 }, "", "alice",
		  "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		  "&algorithm=SHA1&digits=6&period=30" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char out[512];
		int r = totp_uri(&rows[i].p, rows[i].issuer, rows[i].account, RFC_SEED, out,
				 sizeof(out));

		if (r != 0)
			fail_msg("row %zu: totp_uri returned %d", i, r);
		if (strcmp(out, rows[i].want) != 0)
			fail_msg("row %zu:\nwant %s\ngot  %s", i, rows[i].want, out);
	}
}

static void uri_that_does_not_fit_leaves_no_key_behind(void **state)
{
	const char *want = "otpauth://totp/onboard%20on%20host1:alice?secret="
			   "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=onboard%20on%20host1"
			   "&algorithm=SHA1&digits=6&period=30";
	size_t len = strlen(want);
	char out[256];

	(void)state;
	assert_int_equal(totp_uri(&defaults, "onboard on host1", "alice", RFC_SEED, out, len + 1),
			 0);
	assert_string_equal(out, want);
	memset(out, 'x', sizeof(out));
	assert_int_equal(totp_uri(&defaults, "onboard on host1", "alice", RFC_SEED, out, len),
			 -ENOSPC);
	for (size_t i = 0; i < len; i++)
		if (out[i] != '\0')
			fail_msg("byte %zu of a refused URI is 0x%02x, not wiped", i,
				 (unsigned char)out[i]);
	assert_int_equal(totp_uri(&defaults, "onboard", "", RFC_SEED, out, sizeof(out)), -EINVAL);
}

/* The longest issuer the configuration allows, of characters that are
 * percent-encoded, and the longest username: the URI still fits
 * TOTP_URI_MAX, the buffer the enrolment uses. */
static void uri_of_longest_issuer_and_account_fits(void **state)
{
	char issuer[CONFIG_ISSUER_MAX + 1], account[OB_USERNAME_MAX + 1];
	char out[TOTP_URI_MAX(CONFIG_ISSUER_MAX, OB_USERNAME_MAX)];
	struct totp_params p = defaults;

	(void)state;
	/* "é" is two bytes, each encoded as three. */
	for (size_t i = 0; i + 2 <= CONFIG_ISSUER_MAX; i += 2)
		memcpy(issuer + i, "\xc3\xa9", 2);
	issuer[CONFIG_ISSUER_MAX] = '\0';
	memset(account, '_', OB_USERNAME_MAX);
	account[OB_USERNAME_MAX] = '\0';
	p.algorithm = TOTP_SHA512;
	p.digits = 8;
	assert_int_equal(totp_uri(&p, issuer, account, RFC_SEED, out, sizeof(out)), 0);
	if (strlen(out) < 2 * 3 * CONFIG_ISSUER_MAX)
		fail_msg("the issuer was not percent-encoded twice: %s", out);
}

static void fill_key(struct keys *k)
{
	memset(k, 0, sizeof(*k));
	randombytes_buf(k->secret_key, sizeof(k->secret_key));
}

static void seal_then_open_round_trips(void **state)
{
	uint8_t secret[TOTP_SECRET_BYTES], sealed[TOTP_SEALED_BYTES], back[TOTP_SECRET_BYTES];
	struct keys k;

	(void)state;
	fill_key(&k);
	totp_secret_new(secret);
	totp_seal(&k, secret, sealed);
	assert_null(memmem(sealed, sizeof(sealed), secret, sizeof(secret)));
	assert_int_equal(totp_open(&k, sealed, back), 0);
	assert_memory_equal(secret, back, sizeof(secret));
}

static void open_refuses_other_key_and_any_flipped_byte(void **state)
{
	uint8_t secret[TOTP_SECRET_BYTES], sealed[TOTP_SEALED_BYTES], back[TOTP_SECRET_BYTES];
	static const uint8_t zero[TOTP_SECRET_BYTES];
	struct keys k, other;

	(void)state;
	fill_key(&k);
	fill_key(&other);
	totp_secret_new(secret);
	totp_seal(&k, secret, sealed);

	memset(back, 0xaa, sizeof(back));
	assert_int_equal(totp_open(&other, sealed, back), -EBADMSG);
	assert_memory_equal(back, zero, sizeof(back));

	/* nonce, MAC and ciphertext alike */
	for (size_t i = 0; i < sizeof(sealed); i++) {
		uint8_t damaged[TOTP_SEALED_BYTES];
		int r;

		memcpy(damaged, sealed, sizeof(damaged));
		damaged[i] ^= 0x01;
		r = totp_open(&k, damaged, back);
		if (r != -EBADMSG)
			fail_msg("byte %zu flipped: want -EBADMSG, got %d", i, r);
	}
	assert_int_equal(totp_open(&k, sealed, back), 0);
	assert_memory_equal(secret, back, sizeof(secret));
}

static void two_seals_of_one_secret_differ(void **state)
{
	uint8_t secret[TOTP_SECRET_BYTES], a[TOTP_SEALED_BYTES], b[TOTP_SEALED_BYTES];
	struct keys k;

	(void)state;
	fill_key(&k);
	totp_secret_new(secret);
	totp_seal(&k, secret, a);
	totp_seal(&k, secret, b);
	assert_memory_not_equal(a, b, crypto_secretbox_NONCEBYTES);
	assert_memory_not_equal(a + crypto_secretbox_NONCEBYTES, b + crypto_secretbox_NONCEBYTES,
				sizeof(a) - crypto_secretbox_NONCEBYTES);
}

static void new_secrets_differ(void **state)
{
	uint8_t a[TOTP_SECRET_BYTES], b[TOTP_SECRET_BYTES];

	(void)state;
	totp_secret_new(a);
	totp_secret_new(b);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void algorithm_names_and_parse(void **state)
{
	static const struct {
		const char *text;
		int want;
		enum totp_algorithm a;
	} rows[] = {
		{ "sha1", 0, TOTP_SHA1 },     { "SHA1", 0, TOTP_SHA1 },
		{ "Sha256", 0, TOTP_SHA256 }, { "sha512", 0, TOTP_SHA512 },
		{ "SHA512", 0, TOTP_SHA512 }, { "sha384", -EINVAL, 0 },
		{ "sha", -EINVAL, 0 },        { "md5", -EINVAL, 0 },
		{ "", -EINVAL, 0 },           { "sha1 ", -EINVAL, 0 },
		{ "sha-256", -EINVAL, 0 },
	};
	enum totp_algorithm a;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int r;

		a = (enum totp_algorithm)99;
		r = totp_algorithm_parse(rows[i].text, &a);
		if (r != rows[i].want)
			fail_msg("row %zu \"%s\": want %d, got %d", i, rows[i].text, rows[i].want, r);
		if (r == 0 && a != rows[i].a)
			fail_msg("row %zu \"%s\": parsed to %d", i, rows[i].text, (int)a);
	}
	assert_int_equal(totp_algorithm_parse(NULL, &a), -EINVAL);
	assert_string_equal(totp_algorithm_name(TOTP_SHA1), "SHA1");
	assert_string_equal(totp_algorithm_name(TOTP_SHA256), "SHA256");
	assert_string_equal(totp_algorithm_name(TOTP_SHA512), "SHA512");
}

/* Runs oathtool with args and the key; 0 and its first line in out. */
static int run_oathtool(const char *args, const char *key, char *out, size_t size)
{
	char cmd[256];
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "oathtool %s -b %s 2>&1", args, key);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	st = pclose(f);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

static void codes_match_oathtool(void **state)
{
	static const struct {
		const char *args;
		struct totp_params p;
	} rows[] = {
		{ "--totp -d 6", { TOTP_SHA1, 6, 30, 1 } },
		{ "--totp=sha256 -d 6", { TOTP_SHA256, 6, 30, 1 } },
		{ "--totp=sha512 -d 8", { TOTP_SHA512, 8, 30, 1 } },
		{ "--totp=sha256 -d 8 --now=@2000000000", { TOTP_SHA256, 8, 30, 1 } },
	};

	(void)state;
	if (system("command -v oathtool >/dev/null 2>&1") != 0) {
		print_message("oathtool is not installed: comparison with it skipped\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t secret[TOTP_SECRET_BYTES];
		char key[TOTP_BASE32_MAX], theirs[64], at0[TOTP_CODE_MAX + 1],
			at1[TOTP_CODE_MAX + 1];
		bool fixed = strstr(rows[i].args, "--now") != NULL;
		int64_t t0, t1;
		int r;

		totp_secret_new(secret);
		assert_int_equal(totp_secret_base32(secret, key, sizeof(key)), 0);
		t0 = fixed ? 2000000000 : (int64_t)time(NULL);
		r = run_oathtool(rows[i].args, key, theirs, sizeof(theirs));
		t1 = fixed ? 2000000000 : (int64_t)time(NULL);
		if (r != 0)
			fail_msg("row %zu: oathtool %s failed: %s", i, rows[i].args, theirs);
		/* the clock may cross a step while oathtool runs */
		assert_int_equal(totp_generate(&rows[i].p, secret, t0, at0), 0);
		assert_int_equal(totp_generate(&rows[i].p, secret, t1, at1), 0);
		if (strcmp(theirs, at0) != 0 && strcmp(theirs, at1) != 0)
			fail_msg("row %zu: oathtool %s gives %s, we give %s", i, rows[i].args,
				 theirs, at0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc6238_appendix_b_vectors),
		cmocka_unit_test(generate_uses_the_twenty_byte_secret),
		cmocka_unit_test(generate_refuses_bad_parameters),
		cmocka_unit_test(verify_accepts_one_step_either_side_and_no_further),
		cmocka_unit_test(verify_window_zero_accepts_only_now),
		cmocka_unit_test(verify_refuses_replay_at_or_below_watermark),
		cmocka_unit_test(verify_takes_the_highest_matching_step),
		cmocka_unit_test(verify_malformed_code_is_invalid),
		cmocka_unit_test(verify_ignores_surrounding_spaces),
		cmocka_unit_test(verify_eight_digits_sha512),
		cmocka_unit_test(base32_of_rfc_seed),
		cmocka_unit_test(base32_matches_liboath),
		cmocka_unit_test(grouped_key_for_typing),
		cmocka_unit_test(uri_carries_issuer_account_and_parameters),
		cmocka_unit_test(uri_that_does_not_fit_leaves_no_key_behind),
		cmocka_unit_test(uri_of_longest_issuer_and_account_fits),
		cmocka_unit_test(seal_then_open_round_trips),
		cmocka_unit_test(open_refuses_other_key_and_any_flipped_byte),
		cmocka_unit_test(two_seals_of_one_secret_differ),
		cmocka_unit_test(new_secrets_differ),
		cmocka_unit_test(algorithm_names_and_parse),
		cmocka_unit_test(codes_match_oathtool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

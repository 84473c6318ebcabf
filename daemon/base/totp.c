/* SPDX-License-Identifier: BSD-3-Clause */
/* TOTP (RFC 6238): liboath computes the codes; this file keeps the
 * secrets sealed, writes the otpauth:// URI that apps scan, and decides
 * whether a typed code is good, late, replayed or wrong. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <liboath/oath.h>
#include <sodium.h>

#include "ob_cleanup.h"
#include "totp.h"

_Static_assert(TOTP_SEALED_BYTES ==
		       crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + TOTP_SECRET_BYTES,
	       "the sealed layout is nonce | MAC | secret");
_Static_assert(sizeof(((struct keys *)0)->secret_key) == crypto_secretbox_KEYBYTES,
	       "the key file's secret_key is a secretbox key");
/* 20 bytes are 160 bits: 32 base32 characters, 8 groups of 4. */
_Static_assert(TOTP_BASE32_MAX >= 32 + 7 + 1, "room for the grouped key");

#define TOTP_PERIOD_MAX 86400u

static const char totp_b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int totp_init(void)
{
	return oath_init() == OATH_OK ? 0 : -EIO;
}

void totp_done(void)
{
	oath_done();
}

static const struct {
	enum totp_algorithm a;
	const char *name;
} totp_algorithms[] = {
	{ TOTP_SHA1, "SHA1" },
	{ TOTP_SHA256, "SHA256" },
	{ TOTP_SHA512, "SHA512" },
};

const char *totp_algorithm_name(enum totp_algorithm a)
{
	for (size_t i = 0; i < sizeof(totp_algorithms) / sizeof(totp_algorithms[0]); i++)
		if (totp_algorithms[i].a == a)
			return totp_algorithms[i].name;
	return "unknown";
}

int totp_algorithm_parse(const char *s, enum totp_algorithm *out)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(totp_algorithms) / sizeof(totp_algorithms[0]); i++)
		if (strcasecmp(s, totp_algorithms[i].name) == 0) {
			*out = totp_algorithms[i].a;
			return 0;
		}
	return -EINVAL;
}

void totp_secret_new(uint8_t secret[TOTP_SECRET_BYTES])
{
	randombytes_buf(secret, TOTP_SECRET_BYTES);
}

/* RFC 4648 base32 without padding.  Written here rather than with
 * oath_base32_encode so that the secret never goes through the heap. */
static int totp_base32(const uint8_t *in, size_t len, char *out, size_t size)
{
	size_t need = (len * 8 + 4) / 5, o = 0;
	unsigned bits = 0, nbits = 0;

	if (size < need + 1)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++) {
		bits = (bits << 8) | in[i];
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			out[o++] = totp_b32_alphabet[(bits >> nbits) & 0x1f];
		}
	}
	if (nbits > 0)
		out[o++] = totp_b32_alphabet[(bits << (5 - nbits)) & 0x1f];
	out[o] = '\0';
	return 0;
}

int totp_secret_base32(const uint8_t secret[TOTP_SECRET_BYTES], char *out, size_t size)
{
	return totp_base32(secret, TOTP_SECRET_BYTES, out, size);
}

int totp_secret_grouped(const uint8_t secret[TOTP_SECRET_BYTES], char *out, size_t size)
{
	char b32[TOTP_BASE32_MAX];
	size_t len, o = 0;
	int r;

	r = totp_base32(secret, TOTP_SECRET_BYTES, b32, sizeof(b32));
	if (r < 0)
		return r;
	len = strlen(b32);
	if (size < len + (len - 1) / 4 + 1) {
		OB_WIPE(b32);
		return -ENOSPC;
	}
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = b32[i];
	}
	out[o] = '\0';
	OB_WIPE(b32);
	return 0;
}

/* A bounded writer: once something does not fit, nothing more is written
 * and the result is -ENOSPC. */
struct totp_buf {
	char *p;
	size_t size;
	size_t len;
	bool full;
};

static void totp_put(struct totp_buf *b, const char *s, size_t n)
{
	if (b->full || n >= b->size - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void totp_puts(struct totp_buf *b, const char *s)
{
	totp_put(b, s, strlen(s));
}

/* RFC 3986 percent-encoding: the unreserved characters as they are,
 * every other byte (space, ':', '@', '&', UTF-8) as %XX. */
static void totp_put_encoded(struct totp_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			totp_put(b, (const char *)&c, 1);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 0xf] };

			totp_put(b, esc, sizeof(esc));
		}
	}
}

static bool totp_params_ok(const struct totp_params *p)
{
	return (p->digits == 6 || p->digits == 8) && p->period > 0 &&
	       p->period <= TOTP_PERIOD_MAX && p->window <= TOTP_WINDOW_MAX &&
	       (p->algorithm == TOTP_SHA1 || p->algorithm == TOTP_SHA256 ||
		p->algorithm == TOTP_SHA512);
}

int totp_uri(const struct totp_params *p, const char *issuer, const char *account,
	     const uint8_t secret[TOTP_SECRET_BYTES], char *out, size_t size)
{
	struct totp_buf b = { .p = out, .size = size };
	char b32[TOTP_BASE32_MAX], num[16];
	int r;

	if (!totp_params_ok(p) || !account || !*account)
		return -EINVAL;
	if (size == 0)
		return -ENOSPC;
	out[0] = '\0';
	r = totp_base32(secret, TOTP_SECRET_BYTES, b32, sizeof(b32));
	if (r < 0)
		return r;

	/* Key URI format: the label is "issuer:account", and the issuer is
	 * repeated as a parameter, which apps prefer over the prefix. */
	totp_puts(&b, "otpauth://totp/");
	if (issuer && *issuer) {
		totp_put_encoded(&b, issuer);
		totp_puts(&b, ":");
	}
	totp_put_encoded(&b, account);
	totp_puts(&b, "?secret=");
	totp_puts(&b, b32);
	if (issuer && *issuer) {
		totp_puts(&b, "&issuer=");
		totp_put_encoded(&b, issuer);
	}
	totp_puts(&b, "&algorithm=");
	totp_puts(&b, totp_algorithm_name(p->algorithm));
	snprintf(num, sizeof(num), "%u", p->digits);
	totp_puts(&b, "&digits=");
	totp_puts(&b, num);
	snprintf(num, sizeof(num), "%u", p->period);
	totp_puts(&b, "&period=");
	totp_puts(&b, num);
	OB_WIPE(b32);

	if (b.full) {
		/* a truncated URI may still hold part of the key */
		sodium_memzero(out, size);
		return -ENOSPC;
	}
	return 0;
}

int totp_generate_key(const struct totp_params *p, const uint8_t *key, size_t key_len,
		      int64_t t, char out[TOTP_CODE_MAX + 1])
{
	int flags = 0, r;

	if (!totp_params_ok(p) || t < 0 || !key || key_len == 0)
		return -EINVAL;
	if (p->algorithm == TOTP_SHA256)
		flags = OATH_TOTP_HMAC_SHA256;
	else if (p->algorithm == TOTP_SHA512)
		flags = OATH_TOTP_HMAC_SHA512;

	r = oath_totp_generate2((const char *)key, key_len, (time_t)t, p->period,
				OATH_TOTP_DEFAULT_START_TIME, p->digits, flags, out);
	if (r != OATH_OK || strlen(out) != p->digits) {
		sodium_memzero(out, TOTP_CODE_MAX + 1);
		return -EIO;
	}
	return 0;
}

int totp_generate(const struct totp_params *p, const uint8_t secret[TOTP_SECRET_BYTES],
		  int64_t t, char out[TOTP_CODE_MAX + 1])
{
	return totp_generate_key(p, secret, TOTP_SECRET_BYTES, t, out);
}

static bool totp_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Typed text to exactly digits digits in out, or -EINVAL. */
static int totp_parse_typed(const char *typed, unsigned digits, char out[TOTP_CODE_MAX + 1])
{
	const char *start = typed, *end;

	if (!typed)
		return -EINVAL;
	while (totp_is_space(*start))
		start++;
	end = start + strlen(start);
	while (end > start && totp_is_space(end[-1]))
		end--;
	if ((size_t)(end - start) != digits)
		return -EINVAL;
	for (unsigned i = 0; i < digits; i++) {
		if (start[i] < '0' || start[i] > '9')
			return -EINVAL;
		out[i] = start[i];
	}
	out[digits] = '\0';
	return 0;
}

int totp_verify(const struct totp_params *p, const uint8_t secret[TOTP_SECRET_BYTES],
		const char *typed, int64_t now, int64_t last_step, int64_t *step)
{
	char want[TOTP_CODE_MAX + 1], code[TOTP_CODE_MAX + 1];
	int64_t cur, best = -1;
	int r;

	if (!totp_params_ok(p) || now < 0)
		return -EINVAL;
	r = totp_parse_typed(typed, p->digits, want);
	if (r < 0)
		return r;

	/* Every step of the window is computed and compared, matching or
	 * not, so the time taken does not tell which one matched.  Steps
	 * rise through the loop: the last match is the highest. */
	cur = now / (int64_t)p->period;
	for (int64_t s = cur - (int64_t)p->window; s <= cur + (int64_t)p->window; s++) {
		int64_t mask;

		if (s < 0)
			continue;
		r = totp_generate_key(p, secret, TOTP_SECRET_BYTES, s * (int64_t)p->period, code);
		if (r < 0)
			break;
		mask = -(int64_t)(sodium_memcmp(code, want, p->digits) == 0);
		best = (best & ~mask) | (s & mask);
	}
	OB_WIPE(code);
	OB_WIPE(want);
	if (r < 0)
		return r;

	if (best < 0)
		return -EACCES;
	if (best <= last_step)
		return -EALREADY;
	*step = best;
	return 0;
}

void totp_seal(const struct keys *k, const uint8_t secret[TOTP_SECRET_BYTES],
	       uint8_t out[TOTP_SEALED_BYTES])
{
	uint8_t *nonce = out, *box = out + crypto_secretbox_NONCEBYTES;

	/* A random 24-byte nonce never repeats in practice, so one key
	 * may seal any number of secrets. */
	randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box, secret, TOTP_SECRET_BYTES, nonce, k->secret_key);
}

int totp_open(const struct keys *k, const uint8_t in[TOTP_SEALED_BYTES],
	      uint8_t secret[TOTP_SECRET_BYTES])
{
	const uint8_t *nonce = in, *box = in + crypto_secretbox_NONCEBYTES;

	if (crypto_secretbox_open_easy(secret, box, TOTP_SEALED_BYTES - crypto_secretbox_NONCEBYTES,
				       nonce, k->secret_key) != 0) {
		sodium_memzero(secret, TOTP_SECRET_BYTES);
		return -EBADMSG;
	}
	return 0;
}

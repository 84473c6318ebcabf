/* SPDX-License-Identifier: BSD-3-Clause */
/* Time-based one-time passwords (RFC 6238) for authenticator apps:
 * secrets, their sealed storage, the otpauth:// URI, and verification
 * with a window and a replay watermark.  Codes are computed by liboath. */
#ifndef OB_TOTP_H
#define OB_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "store.h"

#define TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define TOTP_SEALED_BYTES STORE_TOTP_SEALED_BYTES
#define TOTP_BASE32_MAX 40   /* base32 of the secret, no padding, + NUL */
#define TOTP_CODE_MAX 8

enum totp_algorithm { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };

struct totp_params {
	enum totp_algorithm algorithm; /* default TOTP_SHA1: what every app reads */
	unsigned digits;               /* 6 or 8 */
	unsigned period;               /* seconds per step: 30 */
	unsigned window;               /* steps accepted either side of now: 1 */
};

/* liboath's global set-up; call once at start.  Returns 0 or -EIO. */
int totp_init(void);
void totp_done(void);

/* Name of an algorithm as in the URI ("SHA1"), and back ("sha1" in any
 * case).  totp_algorithm_parse returns -EINVAL for anything else. */
const char *totp_algorithm_name(enum totp_algorithm a);
int totp_algorithm_parse(const char *s, enum totp_algorithm *out);

/* A new secret from the system's random source. */
void totp_secret_new(uint8_t secret[TOTP_SECRET_BYTES]);

/* RFC 4648 base32 of the secret without padding ("JBSWY3DPEHPK3PXP..."),
 * and the same in groups of four separated by spaces, for typing.
 * Return 0 or -ENOSPC. */
int totp_secret_base32(const uint8_t secret[TOTP_SECRET_BYTES], char *out, size_t size);
int totp_secret_grouped(const uint8_t secret[TOTP_SECRET_BYTES], char *out, size_t size);

/* otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=...
 * &digits=...&period=..., issuer and account percent-encoded.  Returns 0
 * or -ENOSPC. */
int totp_uri(const struct totp_params *p, const char *issuer, const char *account,
	     const uint8_t secret[TOTP_SECRET_BYTES], char *out, size_t size);
/* The longest such URI (with its NUL) for an issuer of at most
 * issuer_max and an account of at most account_max bytes: the issuer
 * twice and the account, each byte percent-encoded at worst (3 bytes),
 * the base32 secret, and the fixed parts (under 128 bytes). */
#define TOTP_URI_MAX(issuer_max, account_max) \
	(2 * 3 * (issuer_max) + 3 * (account_max) + 2 * TOTP_SECRET_BYTES + 128)

/* The code for time t (seconds since the epoch), NUL-terminated, digits
 * long.  Returns 0 or -EIO. */
int totp_generate(const struct totp_params *p, const uint8_t secret[TOTP_SECRET_BYTES],
		  int64_t t, char out[TOTP_CODE_MAX + 1]);

/* The same with a key of any length: totp_generate calls it, and the
 * tests use it for RFC 6238's 32- and 64-byte SHA256/SHA512 seeds.
 * Parameters out of range (digits not 6 or 8, period 0 or over a day,
 * window over TOTP_WINDOW_MAX, t negative) give -EINVAL here, in
 * totp_generate, totp_verify and totp_uri (also for an empty account). */
#define TOTP_WINDOW_MAX 10
int totp_generate_key(const struct totp_params *p, const uint8_t *key, size_t key_len,
		      int64_t t, char out[TOTP_CODE_MAX + 1]);

/* Check a typed code (surrounding spaces ignored) at time now against
 * the steps now/period - window .. + window.  Every candidate is compared
 * in constant time.  Returns 0 and the matching step in *step when it
 * matches a step later than last_step; -EALREADY when it matches only a
 * step <= last_step (replay); -EACCES when it matches none; -EINVAL when
 * it is not digits long or not all digits. */
int totp_verify(const struct totp_params *p, const uint8_t secret[TOTP_SECRET_BYTES],
		const char *typed, int64_t now, int64_t last_step, int64_t *step);

/* Seal and open a secret with the key file's secret_key (crypto_secretbox,
 * random nonce).  totp_open returns 0 or -EBADMSG when the box does not
 * authenticate (another key, or a damaged record). */
void totp_seal(const struct keys *k, const uint8_t secret[TOTP_SECRET_BYTES],
	       uint8_t out[TOTP_SEALED_BYTES]);
int totp_open(const struct keys *k, const uint8_t in[TOTP_SEALED_BYTES],
	      uint8_t secret[TOTP_SECRET_BYTES]);

#endif

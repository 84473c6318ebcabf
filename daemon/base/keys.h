/* SPDX-License-Identifier: BSD-3-Clause */
/* Secret keys kept outside the database, in a file of their own created
 * at first start with mode 0600. */
#ifndef OB_KEYS_H
#define OB_KEYS_H

#include <stdint.h>
#include <sodium.h>

#define KEYS_FILE_BYTES 64

struct keys {
	/* keyed BLAKE2b for access and invitation codes */
	uint8_t code_key[crypto_generichash_KEYBYTES];
	/* reserved for encrypting TOTP secrets */
	uint8_t secret_key[crypto_secretbox_KEYBYTES];
};

/* Load the key file at path, creating it (O_EXCL, 0600) with fresh random
 * keys when it does not exist.  Refuses a file that is not a regular file
 * owned by us, is readable by group or others, or has the wrong size.
 * Returns 0 or -errno, with a one-line reason in err. */
int keys_load(struct keys *k, const char *path, char *err, size_t errlen);
void keys_wipe(struct keys *k);

/* out = BLAKE2b-256 keyed with code_key over the canonical code text. */
void keys_code_hash(const struct keys *k, const char *canonical, uint8_t out[32]);

/* out = BLAKE2b-256 keyed with code_key over a fixed label and
 * secret_key: a value that tells the key file apart (it is stored in the
 * database, store_key_check) and reveals nothing of either key. */
void keys_check_value(const struct keys *k, uint8_t out[32]);

#endif

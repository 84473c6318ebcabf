/* SPDX-License-Identifier: BSD-3-Clause */
/* Field rules for people: what a username, a name, an e-mail address and
 * a phone number may be.  Pure functions; each failure is one line of
 * English that names the rule. */
#ifndef OB_VALIDATE_H
#define OB_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "ob_protocol.h"

/* Well-formed UTF-8 (no overlongs, no surrogates, nothing above
 * U+10FFFF) of exactly len bytes. */
bool validate_utf8(const char *s, size_t len);

/* Portable Unix user name: 1..32 bytes, a lower-case letter or '_' first,
 * then lower-case letters, digits, '_', '-' or '.'.  NULL when valid,
 * otherwise the reason. */
const char *validate_username(const char *s);

/* A first or last name: UTF-8, 1..OB_NAME_MAX bytes, no control
 * characters, no ':' (it would break /etc/passwd), not only spaces and no
 * leading or trailing space.  what is "first name" or "last name" and is
 * used in the reason. Writes the reason into buf. Returns NULL when valid. */
const char *validate_name(const char *s, const char *what, char *buf, size_t size);

/* addr-spec of an everyday e-mail address: local part of 1..64 bytes of
 * letters, digits and !#$%&'*+/=?^_`{|}~.- (no leading, trailing or
 * double dot), '@', a domain of at least two dot-separated labels of
 * 1..63 letters, digits or hyphens (no hyphen at either end), at most
 * OB_EMAIL_MAX bytes in all.  NULL when valid. */
const char *validate_email(const char *s);

/* E.164 number: after dropping spaces, dashes, dots, parentheses and a
 * "(0)" trunk prefix right after the country code ("+46 (0)70 ..."), a
 * '+', a digit 1-9 and 6..14 more digits.  Writes the canonical form
 * ("+46701234567") to out. NULL when valid. */
const char *validate_phone(const char *s, char out[OB_PHONE_MAX + 1]);

/* Organisation name: same characters as a username, 1..OB_ORG_MAX bytes. */
const char *validate_org(const char *s);
/* A host group or seat pool name: the username rule, at most 32. */
const char *validate_group_name(const char *s);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* Field rules for people.  Every function is pure and bounded: it never
 * reads more than one byte past the longest value it would accept. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "utf8.h"
#include "validate.h"

bool validate_utf8(const char *s, size_t len)
{
	return utf8_valid(s, len);
}

/* C0, DEL and C1 controls, and the Unicode line and paragraph
 * separators: none belongs in a one-line name, a log line or a GECOS. */
static bool validate_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

/* The portable name rule (common/names.h), with the words for each way
 * a name can break it. */
static const char *validate_portable(const char *s, size_t max, const char *too_long,
				     const char *bad_first, const char *bad_char)
{
	switch (name_check(s, max)) {
	case NAME_OK:
		return NULL;
	case NAME_LENGTH:
		return too_long;
	case NAME_FIRST:
		return bad_first;
	case NAME_CHAR:
		break;
	}
	return bad_char;
}

const char *validate_username(const char *s)
{
	return validate_portable(s, OB_USERNAME_MAX,
				 "username must be 1 to 32 characters",
				 "username must start with a lower-case letter or '_'",
				 "username may contain only lower-case letters, digits, '_', '-' and '.'");
}

const char *validate_org(const char *s)
{
	return validate_portable(s, OB_ORG_MAX,
				 "organisation name must be 1 to 64 characters",
				 "organisation name must start with a lower-case letter or '_'",
				 "organisation name may contain only lower-case letters, digits, '_', '-' and '.'");
}

const char *validate_group_name(const char *s)
{
	return validate_portable(s, OB_GROUP_NAME_MAX,
				 "group and pool names must be 1 to 32 characters",
				 "group and pool names must start with a lower-case letter or '_'",
				 "group and pool names may contain only lower-case letters, digits, '_', '-' and '.'");
}

static const char *validate_say(char *buf, size_t size, const char *what, const char *rule)
{
	if (!buf || size == 0)
		return "name is not valid";
	snprintf(buf, size, "%s %s", what, rule);
	return buf;
}

const char *validate_name(const char *s, const char *what, char *buf, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i = 0;
	uint32_t cp;

	if (!what)
		what = "name";
	if (!s || !s[0])
		return validate_say(buf, size, what, "must not be empty");
	n = strnlen(s, OB_NAME_MAX + 1);
	if (n > OB_NAME_MAX)
		return validate_say(buf, size, what, "must be at most 64 bytes of UTF-8");
	if (!validate_utf8(s, n))
		return validate_say(buf, size, what, "is not valid UTF-8");
	while (i < n) {
		utf8_next(u, n, &i, &cp);
		if (validate_is_control(cp))
			return validate_say(buf, size, what, "must not contain control characters");
		if (cp == ':')
			return validate_say(buf, size, what, "must not contain ':'");
		/* Refused, not escaped on output: a name with U+202E reads
		 * backwards in every program that prints it, not only ours. */
		if (utf8_is_format(cp)) {
			char rule[80];

			snprintf(rule, sizeof(rule),
				 "must not contain invisible or text-direction characters (U+%04X)",
				 (unsigned)cp);
			return validate_say(buf, size, what, rule);
		}
	}
	if (s[0] == ' ' || s[n - 1] == ' ')
		return validate_say(buf, size, what, "must not start or end with a space");
	return NULL;
}

/* atext of RFC 5322, the characters of a dot-atom local part. */
static bool validate_email_local_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool validate_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

static const char *validate_email_local(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return "e-mail address is not valid: the part before '@' must be 1 to 64 characters";
	if (s[0] == '.' || s[n - 1] == '.')
		return "e-mail address is not valid: the part before '@' must not start or end with '.'";
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return "e-mail address is not valid: it must not contain '..'";
			continue;
		}
		if (!validate_email_local_char(s[i]))
			return "e-mail address is not valid: the part before '@' has a character that is not allowed";
	}
	return NULL;
}

static const char *validate_email_domain(const char *s, size_t n)
{
	size_t labels = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		size_t len;

		if (i < n && s[i] != '.') {
			if (!validate_label_char(s[i]))
				return "e-mail address is not valid: the domain may contain only letters, digits, '-' and '.'";
			continue;
		}
		len = i - start;
		if (len == 0)
			return "e-mail address is not valid: the domain must not start or end with '.' or contain '..'";
		if (len > 63)
			return "e-mail address is not valid: each part of the domain must be at most 63 characters";
		if (s[start] == '-' || s[i - 1] == '-')
			return "e-mail address is not valid: a part of the domain must not start or end with '-'";
		labels++;
		start = i + 1;
	}
	if (labels < 2)
		return "e-mail address is not valid: the domain needs at least two parts, e.g. example.org";
	return NULL;
}

const char *validate_email(const char *s)
{
	const char *at;
	size_t n;
	const char *r;

	if (!s || !s[0])
		return "e-mail address is not valid: it is empty";
	n = strnlen(s, OB_EMAIL_MAX + 1);
	if (n > OB_EMAIL_MAX)
		return "e-mail address is not valid: it must be at most 254 characters";
	at = memchr(s, '@', n);
	if (!at || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return "e-mail address is not valid: it needs exactly one '@'";
	r = validate_email_local(s, (size_t)(at - s));
	if (r)
		return r;
	return validate_email_domain(at + 1, n - (size_t)(at - s) - 1);
}

/* Punctuation people write inside phone numbers; none of it is dialled. */
static bool validate_phone_separator(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Longest typed form read as a phone number: E.164 with generous
 * grouping, bounded so a hostile value costs nothing. */
#define VALIDATE_PHONE_INPUT_MAX 64

const char *validate_phone(const char *s, char out[OB_PHONE_MAX + 1])
{
	static const char reason[] =
		"phone number must be in international E.164 form, e.g. +46701234567";
	bool trunk = false;
	size_t n = 0;

	out[0] = '\0';
	if (!s || strnlen(s, VALIDATE_PHONE_INPUT_MAX + 1) > VALIDATE_PHONE_INPUT_MAX)
		return reason;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];

		/* "+46 (0)70 ...": the trunk zero dialled at home, written
		 * once right after a country code of 1 to 3 digits; it is
		 * not part of the number.  Anywhere else it is a mistake
		 * nobody could dial. */
		if (strncmp(s + i, "(0)", 3) == 0) {
			if (trunk || n < 2 || n > 4)
				goto bad;
			trunk = true;
			i += 2;
			continue;
		}
		if (validate_phone_separator(c))
			continue;
		if (n == 0) {
			if (c != '+')
				goto bad;
		} else if (c < '0' || c > '9' || (n == 1 && c == '0')) {
			goto bad;
		}
		if (n >= OB_PHONE_MAX)
			goto bad; /* more than 15 digits */
		out[n++] = c;
	}
	/* '+', a digit 1-9 and 6..14 more: 8..16 characters. */
	if (n < 8)
		goto bad;
	out[n] = '\0';
	return NULL;
bad:
	memset(out, 0, OB_PHONE_MAX + 1);
	return reason;
}

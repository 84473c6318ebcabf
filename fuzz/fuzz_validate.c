/* SPDX-License-Identifier: BSD-3-Clause */
/* Every field rule against arbitrary bytes.  What a rule accepts is
 * checked again here by a second, plainer reading of the same rule. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode trusting the structure, then re-encode: well-formed UTF-8 is
 * exactly what comes back unchanged as scalar values. */
static void fuzz_check_utf8(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i], enc[4];
		size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, k;
		uint32_t cp = n == 1 ? c : c & (0x7f >> n);

		if (i + n > len)
			abort();
		for (k = 1; k < n; k++)
			cp = (cp << 6) | (s[i + k] & 0x3f);
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			abort();
		if (cp < 0x80) {
			enc[0] = (uint8_t)cp;
			k = 1;
		} else if (cp < 0x800) {
			enc[0] = (uint8_t)(0xc0 | cp >> 6);
			enc[1] = (uint8_t)(0x80 | (cp & 0x3f));
			k = 2;
		} else if (cp < 0x10000) {
			enc[0] = (uint8_t)(0xe0 | cp >> 12);
			enc[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			enc[2] = (uint8_t)(0x80 | (cp & 0x3f));
			k = 3;
		} else {
			enc[0] = (uint8_t)(0xf0 | cp >> 18);
			enc[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
			enc[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			enc[3] = (uint8_t)(0x80 | (cp & 0x3f));
			k = 4;
		}
		if (k != n || memcmp(enc, s + i, n) != 0)
			abort();
		i += n;
	}
}

static bool portable(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[128], phone[OB_PHONE_MAX + 1], again[OB_PHONE_MAX + 1];
	const char *why;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (validate_utf8((const char *)data, size))
		fuzz_check_utf8(data, size);

	if ((validate_username(s) == NULL) != portable(s, OB_USERNAME_MAX))
		abort();
	if ((validate_org(s) == NULL) != portable(s, OB_ORG_MAX))
		abort();

	why = validate_name(s, "first name", buf, sizeof(buf));
	if (why) {
		if (why != buf || strncmp(buf, "first name ", 11) != 0)
			abort();
	} else {
		size_t n = strlen(s);

		if (n == 0 || n > OB_NAME_MAX || !validate_utf8(s, n) || strchr(s, ':') ||
		    s[0] == ' ' || s[n - 1] == ' ' || utf8_has_format(s, n, NULL))
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				abort();
	}

	if (!validate_email(s)) {
		const char *at = strchr(s, '@');

		if (strlen(s) > OB_EMAIL_MAX || !at || strchr(at + 1, '@') || at == s ||
		    (size_t)(at - s) > 64 || !strchr(at, '.') || s[strlen(s) - 1] == '.')
			abort();
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
				abort();
	}

	if (!validate_phone(s, phone)) {
		size_t n = strlen(phone);

		if (n < 8 || n > OB_PHONE_MAX || phone[0] != '+' || phone[1] < '1' ||
		    strspn(phone + 1, "0123456789") != n - 1)
			abort();
		if (validate_phone(phone, again) || strcmp(phone, again) != 0)
			abort();
	} else if (phone[0] != '\0') {
		abort();
	}
	free(s);
	return 0;
}

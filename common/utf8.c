/* SPDX-License-Identifier: BSD-3-Clause */
/* Strict UTF-8 (Unicode table 3-7), shared by the codec and the field
 * rules. */
#include "config.h"

#include "utf8.h"

/* Unicode table 3-7, a row a range of lead bytes: how many continuation
 * bytes follow, the lead's payload bits, and the range of the first
 * continuation byte (the later ones are always 80..BF).  The narrower
 * first ranges shut out overlong forms, surrogates and what lies above
 * U+10FFFF; C0, C1, F5..FF and bare continuation bytes have no row. */
static const struct utf8_lead {
	unsigned char first, last, need, mask, lo, hi;
} utf8_leads[] = {
	{ 0xc2, 0xdf, 1, 0x1f, 0x80, 0xbf },
	{ 0xe0, 0xe0, 2, 0x0f, 0xa0, 0xbf }, /* overlong below U+0800 */
	{ 0xe1, 0xec, 2, 0x0f, 0x80, 0xbf },
	{ 0xed, 0xed, 2, 0x0f, 0x80, 0x9f }, /* surrogates U+D800..U+DFFF */
	{ 0xee, 0xef, 2, 0x0f, 0x80, 0xbf },
	{ 0xf0, 0xf0, 3, 0x07, 0x90, 0xbf }, /* overlong below U+10000 */
	{ 0xf1, 0xf3, 3, 0x07, 0x80, 0xbf },
	{ 0xf4, 0xf4, 3, 0x07, 0x80, 0x8f }, /* above U+10FFFF */
};

/* Decode one code point at s[*i] (len bytes in all).  Returns false on
 * anything that is not the shortest well-formed encoding of a scalar
 * value (Unicode table 3-7). */
bool utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	unsigned char c = s[*i];
	const struct utf8_lead *l = NULL;
	unsigned char lo, hi;
	size_t need;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return true;
	}
	for (size_t k = 0; k < sizeof(utf8_leads) / sizeof(utf8_leads[0]); k++)
		if (c >= utf8_leads[k].first && c <= utf8_leads[k].last) {
			l = &utf8_leads[k];
			break;
		}
	if (!l)
		return false; /* continuation byte, C0/C1 overlong lead, F5..FF */
	need = l->need;
	v = c & l->mask;
	lo = l->lo;
	hi = l->hi;
	if (len - *i - 1 < need)
		return false; /* truncated */
	for (size_t k = 1; k <= need; k++) {
		unsigned char t = s[*i + k];

		if (t < lo || t > hi)
			return false;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (t & 0x3f);
	}
	*i += need + 1;
	*cp = v;
	return true;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	if (!s)
		return len == 0;
	while (i < len)
		if (!utf8_next(u, len, &i, &cp))
			return false;
	return true;
}

/* Category Cf of Unicode 15.1, from UnicodeData.txt, in order. */
static const struct {
	uint32_t lo, hi;
} utf8_format_ranges[] = {
	{ 0x00ad, 0x00ad },   { 0x0600, 0x0605 },   { 0x061c, 0x061c },   { 0x06dd, 0x06dd },
	{ 0x070f, 0x070f },   { 0x0890, 0x0891 },   { 0x08e2, 0x08e2 },   { 0x180e, 0x180e },
	{ 0x200b, 0x200f },   { 0x202a, 0x202e },   { 0x2060, 0x2064 },
	/* U+2065 is unassigned but reserved for more of the same. */
	{ 0x2065, 0x206f },   { 0xfeff, 0xfeff },   { 0xfff9, 0xfffb },   { 0x110bd, 0x110bd },
	{ 0x110cd, 0x110cd }, { 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
	{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
};

bool utf8_is_format(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(utf8_format_ranges) / sizeof(utf8_format_ranges[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < utf8_format_ranges[mid].lo)
			hi = mid;
		else if (cp > utf8_format_ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool utf8_has_format(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t c;

	while (s && i < len) {
		if (!utf8_next(u, len, &i, &c)) {
			i++;
			continue;
		}
		if (utf8_is_format(c)) {
			if (cp)
				*cp = c;
			return true;
		}
	}
	return false;
}

/* Strict UTF-8 (Unicode table 3-7), shared by the codec and the field
 * rules. */
#include "config.h"

#include "utf8.h"

/* Decode one code point at s[*i] (len bytes in all).  Returns false on
 * anything that is not the shortest well-formed encoding of a scalar
 * value (Unicode table 3-7). */
bool utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	unsigned char c = s[*i];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return true;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return false; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
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

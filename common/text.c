/* SPDX-License-Identifier: BSD-3-Clause */
/* The printable-text filter (see text.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "text.h"
#include "utf8.h"

char *text_printable(char *dst, size_t size, const char *src, unsigned flags)
{
	size_t o = 0, len;

	if (size == 0)
		return dst;
	if (!src)
		src = "";
	len = strlen(src);
	for (size_t i = 0; src[i] && o + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];
		size_t next = i;
		uint32_t cp;

		if (c < 0x20) {
			dst[o++] = (flags & TEXT_LINES) && (c == '\n' || c == '\t') ? (char)c : '?';
			continue;
		}
		if (c == 0x7f || (c >= 0x80 && (flags & TEXT_ASCII))) {
			dst[o++] = '?';
			continue;
		}
		if (c >= 0x80 && (flags & TEXT_UNICODE)) {
			/* U+0080..U+009F: 0xc2 0x80..0x9f. */
			if (c == 0xc2 && (unsigned char)src[i + 1] >= 0x80 &&
			    (unsigned char)src[i + 1] <= 0x9f) {
				dst[o++] = '?';
				i++;
				continue;
			}
			/* Text-direction and invisible characters: they
			 * would turn the text around them. */
			if (c >= 0xc2 && utf8_next((const unsigned char *)src, len, &next, &cp) &&
			    utf8_is_format(cp)) {
				dst[o++] = '?';
				i = next - 1;
				continue;
			}
		}
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return dst;
}

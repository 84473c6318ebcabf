/* SPDX-License-Identifier: BSD-3-Clause */
/* The one printable-text filter: what a name, a reply or a tool's output
 * may carry into a log line or onto a terminal. */
#ifndef OB_TEXT_H
#define OB_TEXT_H

#include <stddef.h>

/* What passes besides printable ASCII (0x20..0x7e).  C0 controls and DEL
 * always become '?'. */
enum {
	/* Newline and tab pass: a message shown to a person. */
	TEXT_LINES = 1 << 0,
	/* Every byte from 0x80 up becomes '?' too: a log line, where a
	 * name's bytes are data, not text to render. */
	TEXT_ASCII = 1 << 1,
	/* Bytes from 0x80 up pass, except a C1 control (U+0080..U+009F) or
	 * a format character (utf8_is_format), each of which becomes one
	 * '?': a terminal that renders UTF-8.  Without TEXT_ASCII or this,
	 * bytes from 0x80 up pass as they are. */
	TEXT_UNICODE = 1 << 2,
};

/* Copy src (NULL reads as "") into dst, size bytes with the NUL, cut to
 * fit, with what flags do not let through replaced as above.  dst may
 * be src: the copy never grows.  Returns dst. */
char *text_printable(char *dst, size_t size, const char *src, unsigned flags);

#endif

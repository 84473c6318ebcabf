/* SPDX-License-Identifier: BSD-3-Clause */
/* Strict UTF-8: only the shortest encoding of a Unicode scalar value (no
 * overlongs, no surrogates, nothing above U+10FFFF). */
#ifndef OB_UTF8_H
#define OB_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the code point at s[*i] (len bytes in all) into *cp and move *i
 * past it.  Returns false, leaving *i, on a malformed or truncated
 * sequence. */
bool utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp);

/* Whether s[0..len) is well-formed UTF-8 (a NUL byte is a valid code
 * point here: callers check for NULs themselves). */
bool utf8_valid(const char *s, size_t len);

/* Whether cp is a Unicode format character (general category Cf, Unicode
 * 15.1, plus the unassigned U+2065 inside the bidi block): the bidi
 * embeddings, overrides, isolates and marks, zero-width spaces and
 * joiners, the soft hyphen, the byte order mark, interlinear annotation
 * and tag characters.  They draw nothing, or turn the text around them,
 * so a name that holds one reads differently from what it is.  The one
 * rule for every field a person or administrator sets. */
bool utf8_is_format(uint32_t cp);

/* Whether s[0..len) holds a format character; the first one in *cp
 * (may be NULL).  Bytes that are not UTF-8 are skipped: validity is the
 * caller's check. */
bool utf8_has_format(const char *s, size_t len, uint32_t *cp);

#endif

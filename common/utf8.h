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

#endif

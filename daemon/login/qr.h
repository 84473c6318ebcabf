/* SPDX-License-Identifier: BSD-3-Clause */
/* QR codes drawn with text characters, for a terminal at a login prompt:
 * libqrencode builds the symbol, we draw two rows of modules per line of
 * text with the block characters U+2580, U+2584 and U+2588. */
#ifndef OB_QR_H
#define OB_QR_H

#include <stddef.h>

/* Draw text as a QR code (error correction level L or better, the
 * smallest version that fits) with a quiet zone of at least 2 modules,
 * light modules drawn as blocks: the usual dark terminal shows it as
 * scanners expect, a light one shows it inverted (see qr.c).  *out is a malloc'd NUL-terminated string of lines
 * ending in '\n'; *cols is the width in terminal columns and *lines the
 * number of lines.  Returns 0, -E2BIG when it would be wider than
 * max_cols, -EINVAL for an empty text, -ENOMEM. */
int qr_render(const char *text, unsigned max_cols, char **out, unsigned *cols, unsigned *lines);

#endif

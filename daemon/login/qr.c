/* SPDX-License-Identifier: BSD-3-Clause */
/* A QR code as lines of text for a login prompt.  Terminals have no
 * pixels, but a character cell is about twice as high as it is wide, so
 * two module rows per line with half blocks give square modules. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <qrencode.h>

#include "qr.h"

/* The standard asks for 4 light modules around the symbol.  On a
 * terminal the zone is drawn in light blocks against the dark screen;
 * terminal renderers commonly use 2 and phone scanners read that (zbar
 * does, in tests/test_qr.c).  Every module spared is half a line. */
#define QR_QUIET 2

/* Light modules are the drawn blocks, as terminal renderers do it: on a
 * dark terminal the blocks are the light part of the symbol, as scanners
 * expect.  A light terminal shows the symbol inverted, which only
 * scanners that also try inverted codes read (zbar 0.23 does not). */
#define QR_UPPER "\u2580" /* upper half light */
#define QR_LOWER "\u2584" /* lower half light */
#define QR_FULL "\u2588"  /* both light */
#define QR_BLOCK_BYTES 3  /* each of them in UTF-8 */

/* Dark module at (x, y) of the symbol with its quiet zone around it. */
static bool qr_dark(const QRcode *q, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return q->data[(size_t)y * (size_t)q->width + (size_t)x] & 1;
}

/* Version 0 lets libqrencode pick the smallest version for the level. */
static int qr_encode_level(const char *text, QRecLevel level, QRcode **out)
{
	QRcode *q = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);

	if (!q) {
		if (errno == ENOMEM)
			return -ENOMEM;
		return errno == ERANGE ? -E2BIG : -EINVAL; /* ERANGE: over version 40 */
	}
	*out = q;
	return 0;
}

/* The smallest symbol, at level M when M fits in it, else L.  M repairs
 * more of a glare-struck screen, but height is what a login terminal
 * lacks: a typical 140-byte otpauth URI is 25 lines at L and 27 at M,
 * and an 80x24 screen scrolls the top of a taller code away. */
static int qr_encode(const char *text, unsigned max_cols, QRcode **out)
{
	QRcode *l = NULL, *m = NULL;
	int r;

	r = qr_encode_level(text, QR_ECLEVEL_L, &l);
	if (r < 0)
		return r;
	if ((unsigned)l->width + 2 * QR_QUIET > max_cols) {
		QRcode_free(l);
		return -E2BIG;
	}
	r = qr_encode_level(text, QR_ECLEVEL_M, &m);
	if (r == -ENOMEM) {
		QRcode_free(l);
		return r;
	}
	if (r == 0 && m->width == l->width) {
		QRcode_free(l);
		*out = m;
		return 0;
	}
	if (m)
		QRcode_free(m);
	*out = l;
	return 0;
}

int qr_render(const char *text, unsigned max_cols, char **out, unsigned *cols, unsigned *lines)
{
	QRcode *q = NULL;
	unsigned n, nlines;
	size_t size, o = 0;
	char *buf;
	int r;

	if (!text || !*text)
		return -EINVAL;
	r = qr_encode(text, max_cols, &q);
	if (r < 0)
		return r;

	n = (unsigned)q->width + 2 * QR_QUIET;
	nlines = (n + 1) / 2;
	size = (size_t)nlines * ((size_t)n * QR_BLOCK_BYTES + 1) + 1;
	buf = malloc(size);
	if (!buf) {
		QRcode_free(q);
		return -ENOMEM;
	}

	for (unsigned line = 0; line < nlines; line++) {
		int y = (int)line * 2;

		for (unsigned x = 0; x < n; x++) {
			bool up = !qr_dark(q, (int)x, y);
			/* With an odd number of rows the last line has only
			 * an upper half: its lower half stays unpainted. */
			bool low = (unsigned)y + 1 < n && !qr_dark(q, (int)x, y + 1);
			const char *s = up && low ? QR_FULL : up ? QR_UPPER : low ? QR_LOWER : " ";
			size_t len = strlen(s);

			memcpy(buf + o, s, len);
			o += len;
		}
		buf[o++] = '\n';
	}
	buf[o] = '\0';
	QRcode_free(q);

	*out = buf;
	*cols = n;
	*lines = nlines;
	return 0;
}

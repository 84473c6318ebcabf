/* SPDX-License-Identifier: BSD-3-Clause */
/* The text drawing of a QR code: its size, its shape, and that reading
 * the characters back gives exactly libqrencode's symbol (and, when zbar
 * is installed, that a real decoder reads it). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <qrencode.h>
#include <sodium.h>

#include "qr.h"
#include "totp.h"

#define QUIET 2

/* What an enrolment shows: a real URI from totp_uri. */
static void enrolment_uri(const char *issuer, const char *account, char *out, size_t size)
{
	static const struct totp_params p = {
		.algorithm = TOTP_SHA1, .digits = 6, .period = 30, .window = 1
	};
	uint8_t secret[TOTP_SECRET_BYTES];

	totp_secret_new(secret);
	assert_int_equal(totp_uri(&p, issuer, account, secret, out, size), 0);
}

/* Reads the drawing back into module rows: light[y * cols + x] for
 * 2 * lines rows.  Fails the test on any line that is not exactly cols
 * of the four drawing characters. */
static bool *drawing_read(const char *out, unsigned cols, unsigned lines)
{
	bool *light = calloc((size_t)cols * lines * 2, sizeof(bool));
	const char *p = out;

	assert_non_null(light);
	for (unsigned line = 0; line < lines; line++) {
		unsigned x = 0;

		for (; *p && *p != '\n'; x++) {
			bool up = false, low = false;

			if (p[0] == ' ') {
				up = low = false;
				p += 1;
			} else if (strncmp(p, "\u2580", 3) == 0) {
				up = true, low = false;
				p += 3;
			} else if (strncmp(p, "\u2584", 3) == 0) {
				up = false, low = true;
				p += 3;
			} else if (strncmp(p, "\u2588", 3) == 0) {
				up = low = true;
				p += 3;
			} else {
				fail_msg("line %u, column %u: unexpected byte 0x%02x", line, x,
					 (unsigned char)*p);
			}
			if (x >= cols)
				fail_msg("line %u is wider than %u columns", line, cols);
			light[(size_t)(2 * line) * cols + x] = up;
			light[(size_t)(2 * line + 1) * cols + x] = low;
		}
		if (x != cols)
			fail_msg("line %u has %u columns, want %u", line, x, cols);
		if (*p != '\n')
			fail_msg("line %u does not end in a newline", line);
		p++;
	}
	if (*p != '\0')
		fail_msg("text after the %u announced lines: \"%.20s\"", lines, p);
	return light;
}

/* The drawing must be libqrencode's symbol for the same text and level:
 * dark modules as spaces, light ones and the quiet zone as blocks. */
static void drawing_matches_symbol(const char *out, unsigned cols, unsigned lines,
				   const char *text, QRecLevel level)
{
	QRcode *q = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
	bool *light;

	assert_non_null(q);
	if ((unsigned)q->width + 2 * QUIET != cols)
		fail_msg("drawing is %u columns; level %d symbol is %d modules + 2 x %d quiet",
			 cols, (int)level, q->width, QUIET);
	if (lines != (cols + 1) / 2)
		fail_msg("%u lines for %u module rows", lines, cols);
	light = drawing_read(out, cols, lines);

	for (unsigned y = 0; y < 2 * lines; y++) {
		for (unsigned x = 0; x < cols; x++) {
			int sx = (int)x - QUIET, sy = (int)y - QUIET;
			bool want;

			if (y >= cols)
				want = false; /* below the last row: left unpainted */
			else if (sx < 0 || sy < 0 || sx >= q->width || sy >= q->width)
				want = true; /* quiet zone */
			else
				want = !(q->data[sy * q->width + sx] & 1);
			if (light[(size_t)y * cols + x] != want)
				fail_msg("module row %u, column %u: drawn %s, symbol says %s", y, x,
					 light[(size_t)y * cols + x] ? "light" : "dark",
					 want ? "light" : "dark");
		}
	}
	free(light);
	QRcode_free(q);
}

static int symbol_width(const char *text, QRecLevel level)
{
	QRcode *q = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
	int w;

	assert_non_null(q);
	w = q->width;
	QRcode_free(q);
	return w;
}

/* The rule of qr.c: the smallest symbol, at M when M is no larger. */
static QRecLevel expected_level(const char *text)
{
	return symbol_width(text, QR_ECLEVEL_M) == symbol_width(text, QR_ECLEVEL_L) ? QR_ECLEVEL_M
										    : QR_ECLEVEL_L;
}

static void typical_otpauth_uri_fits_80_columns(void **state)
{
	char uri[512], *out = NULL;
	unsigned cols = 0, lines = 0;

	(void)state;
	enrolment_uri("onboard on host1", "alice", uri, sizeof(uri));
	assert_in_range(strlen(uri), 100, 160);
	assert_int_equal(qr_render(uri, 80, &out, &cols, &lines), 0);
	print_message("%zu-byte URI: %u columns, %u lines\n", strlen(uri), cols, lines);
	if (cols > 80 || lines > 25)
		fail_msg("%zu-byte URI drawn in %u columns x %u lines, want within 80 x 25",
			 strlen(uri), cols, lines);
	drawing_matches_symbol(out, cols, lines, uri, expected_level(uri));
	free(out);
}

/* Longer issuers and accounts still fit a login terminal. */
static void drawings_decode_to_the_symbol(void **state)
{
	static const struct {
		const char *issuer, *account;
	} rows[] = {
		{ "onboard", "bob" },
		{ "onboard on host1", "alice" },
		{ "onboard on build-server-01.example.org", "alexandra.vanderberg-longname" },
		{ "Zürich Bürgerspital", "élodie" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char uri[512], *out = NULL;
		unsigned cols = 0, lines = 0;
		int r;

		enrolment_uri(rows[i].issuer, rows[i].account, uri, sizeof(uri));
		r = qr_render(uri, 80, &out, &cols, &lines);
		if (r != 0)
			fail_msg("row %zu (%zu bytes): qr_render returned %d", i, strlen(uri), r);
		drawing_matches_symbol(out, cols, lines, uri, expected_level(uri));
		free(out);
	}
}

/* Height is short at a login prompt: L when M would need a larger
 * version, whatever the width allows. */
static void level_l_when_m_would_be_larger(void **state)
{
	char uri[512], *out = NULL;
	unsigned cols = 0, lines = 0;
	int wm, wl;

	(void)state;
	enrolment_uri("onboard on host1", "alice", uri, sizeof(uri));
	wm = symbol_width(uri, QR_ECLEVEL_M);
	wl = symbol_width(uri, QR_ECLEVEL_L);
	if (wl >= wm)
		fail_msg("premise: level L (%d) should be narrower than M (%d) for this URI", wl,
			 wm);

	assert_int_equal(qr_render(uri, 200, &out, &cols, &lines), 0);
	assert_int_equal(cols, (unsigned)wl + 2 * QUIET);
	drawing_matches_symbol(out, cols, lines, uri, QR_ECLEVEL_L);
	free(out);

	/* exactly as wide as the limit still fits */
	assert_int_equal(qr_render(uri, (unsigned)wl + 2 * QUIET, &out, &cols, &lines), 0);
	assert_int_equal(cols, (unsigned)wl + 2 * QUIET);
	free(out);
}

static void level_m_when_it_costs_no_size(void **state)
{
	static const char text[] = "otpauth://totp/alice?secret=abcdefghijkl";
	char *out = NULL;
	unsigned cols = 0, lines = 0;
	int wm, wl;

	(void)state;
	wm = symbol_width(text, QR_ECLEVEL_M);
	wl = symbol_width(text, QR_ECLEVEL_L);
	if (wl != wm)
		fail_msg("premise: levels L (%d) and M (%d) should give one size here", wl, wm);
	assert_int_equal(qr_render(text, 80, &out, &cols, &lines), 0);
	drawing_matches_symbol(out, cols, lines, text, QR_ECLEVEL_M);
	free(out);
}

static void too_narrow_is_e2big(void **state)
{
	char uri[512], big[5000], *out = NULL;
	unsigned cols = 0, lines = 0;

	(void)state;
	enrolment_uri("onboard on host1", "alice", uri, sizeof(uri));
	assert_int_equal(qr_render(uri, (unsigned)symbol_width(uri, QR_ECLEVEL_L) + 2 * QUIET - 1,
				   &out, &cols, &lines),
			 -E2BIG);
	assert_null(out);
	assert_int_equal(qr_render("x", 20, &out, &cols, &lines), -E2BIG);
	assert_int_equal(qr_render("x", 0, &out, &cols, &lines), -E2BIG);

	/* more than version 40 holds at any level */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(qr_render(big, 1000, &out, &cols, &lines), -E2BIG);
	assert_null(out);
}

static void empty_text_is_invalid(void **state)
{
	char *out = NULL;
	unsigned cols = 0, lines = 0;

	(void)state;
	assert_int_equal(qr_render("", 80, &out, &cols, &lines), -EINVAL);
	assert_int_equal(qr_render(NULL, 80, &out, &cols, &lines), -EINVAL);
	assert_null(out);
}

static void text_is_case_sensitive(void **state)
{
	char *a = NULL, *b = NULL;
	unsigned ca, cb, la, lb;

	(void)state;
	assert_int_equal(qr_render("otpauth://totp/Alice?secret=ABC", 80, &a, &ca, &la), 0);
	assert_int_equal(qr_render("otpauth://totp/alice?secret=abc", 80, &b, &cb, &lb), 0);
	assert_string_not_equal(a, b);
	drawing_matches_symbol(a, ca, la, "otpauth://totp/Alice?secret=ABC",
			       expected_level("otpauth://totp/Alice?secret=ABC"));
	drawing_matches_symbol(b, cb, lb, "otpauth://totp/alice?secret=abc",
			       expected_level("otpauth://totp/alice?secret=abc"));
	free(a);
	free(b);
}

/* The drawing as a dark terminal shows it, blocks light and the rest
 * dark, with dark screen around the 2-module quiet zone, handed to zbar. */
static void zbar_reads_the_drawing(void **state)
{
	enum { SCALE = 6, BORDER = 6 };
	char uri[512], dir[] = "/tmp/test_qr.XXXXXX", path[64], errpath[64], cmd[192], got[600],
		err[256], *out = NULL;
	unsigned cols = 0, lines = 0, w, h;
	bool *light;
	FILE *f;
	int st;

	(void)state;
	if (system("command -v zbarimg >/dev/null 2>&1") != 0) {
		print_message("zbarimg is not installed (Debian: zbar-tools): decoding skipped\n");
		skip();
	}
	enrolment_uri("onboard on host1", "alice", uri, sizeof(uri));
	assert_int_equal(qr_render(uri, 80, &out, &cols, &lines), 0);
	light = drawing_read(out, cols, lines);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qr.pgm", dir);
	snprintf(errpath, sizeof(errpath), "%s/zbar.err", dir);
	w = (cols + 2 * BORDER) * SCALE;
	h = (2 * lines + 2 * BORDER) * SCALE;
	f = fopen(path, "wb");
	assert_non_null(f);
	fprintf(f, "P5\n%u %u\n255\n", w, h);
	for (unsigned py = 0; py < h; py++) {
		for (unsigned px = 0; px < w; px++) {
			int x = (int)(px / SCALE) - BORDER, y = (int)(py / SCALE) - BORDER;
			bool on = x >= 0 && y >= 0 && (unsigned)x < cols && (unsigned)y < 2 * lines &&
				  light[(size_t)y * cols + (size_t)x];

			fputc(on ? 255 : 0, f);
		}
	}
	assert_int_equal(fclose(f), 0);

	snprintf(cmd, sizeof(cmd), "zbarimg -q --raw %s 2>%s", path, errpath);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (!fgets(got, sizeof(got), f))
		got[0] = '\0';
	got[strcspn(got, "\n")] = '\0';
	st = pclose(f);
	err[0] = '\0';
	f = fopen(errpath, "r");
	if (f) {
		size_t n = fread(err, 1, sizeof(err) - 1, f);

		err[n] = '\0';
		fclose(f);
	}
	unlink(errpath);
	unlink(path);
	rmdir(dir);
	free(light);
	free(out);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("zbarimg did not decode the drawing (status %d): %s", st, err);
	if (strcmp(got, uri) != 0)
		fail_msg("zbarimg read\n%s\nwant\n%s", got, uri);
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typical_otpauth_uri_fits_80_columns),
		cmocka_unit_test(drawings_decode_to_the_symbol),
		cmocka_unit_test(level_l_when_m_would_be_larger),
		cmocka_unit_test(level_m_when_it_costs_no_size),
		cmocka_unit_test(too_narrow_is_e2big),
		cmocka_unit_test(empty_text_is_invalid),
		cmocka_unit_test(text_is_case_sensitive),
		cmocka_unit_test(zbar_reads_the_drawing),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

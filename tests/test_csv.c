/* SPDX-License-Identifier: BSD-3-Clause */
/* The CSV reader of onboardctl (ctl/csv.c): what spreadsheets write,
 * read right, with the line where each record starts; what is broken,
 * refused with the line that says where. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../ctl/csv.h" /* not libcsv's csv.h */

#define ROWS_MAX 20000

/* Parse text (a C string) and return the table; the test fails when the
 * reader refuses it. */
static void read_ok(const char *text, struct csv_table *t)
{
	struct csv_error err;
	int r = csv_read(text, strlen(text), ROWS_MAX, t, &err);

	if (r != 0)
		fail_msg("refused (%d) at line %u: %s", r, err.line, err.text);
}

/* Parse len bytes, expect a refusal r at line with text in the reason. */
static void read_refused(const char *data, size_t len, int want, unsigned line, const char *text)
{
	struct csv_table t;
	struct csv_error err;
	int r = csv_read(data, len, ROWS_MAX, &t, &err);

	csv_table_free(&t);
	if (r != want)
		fail_msg("expected %d, got %d (line %u: %s)", want, r, err.line, err.text);
	if (err.line != line)
		fail_msg("expected the error at line %u, got line %u: %s", line, err.line,
			 err.text);
	if (!strstr(err.text, text))
		fail_msg("expected '%s' in the reason, got: %s", text, err.text);
}

static void expect_record(const struct csv_table *t, size_t i, unsigned line, unsigned n, ...)
{
	const struct csv_record *r;
	va_list ap;

	if (i >= t->nrecords)
		fail_msg("record %zu missing: only %zu records", i, t->nrecords);
	r = &t->records[i];
	if (r->line != line)
		fail_msg("record %zu starts at line %u, expected %u", i, r->line, line);
	if (r->nfields != n)
		fail_msg("record %zu has %u fields, expected %u", i, r->nfields, n);
	va_start(ap, n);
	for (unsigned f = 0; f < n; f++) {
		const char *want = va_arg(ap, const char *);

		if (strcmp(r->fields[f], want) != 0)
			fail_msg("record %zu field %u is '%s', expected '%s'", i, f, r->fields[f],
				 want);
	}
	va_end(ap);
}

static void csv_reads_good_file(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("username,first_name,last_name\n"
		"alice,Alice,Liddell\n"
		"bob,Bob,Smith\n", &t);
	assert_int_equal(t.delimiter, ',');
	assert_int_equal(t.nrecords, 3);
	expect_record(&t, 0, 1, 3, "username", "first_name", "last_name");
	expect_record(&t, 1, 2, 3, "alice", "Alice", "Liddell");
	expect_record(&t, 2, 3, 3, "bob", "Bob", "Smith");
	csv_table_free(&t);
}

static void csv_last_line_needs_no_newline(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("a,b\n1,2", &t);
	assert_int_equal(t.nrecords, 2);
	expect_record(&t, 1, 2, 2, "1", "2");
	csv_table_free(&t);
}

static void csv_strips_utf8_bom(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("\xef\xbb\xbfusername,first_name\nasa,\xc3\x85sa\n", &t);
	expect_record(&t, 0, 1, 2, "username", "first_name");
	expect_record(&t, 1, 2, 2, "asa", "\xc3\x85sa");
	csv_table_free(&t);
}

static void csv_detects_semicolon_delimiter(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("username;first_name;last_name\nalice;Alice;Liddell, Jr.\n", &t);
	assert_int_equal(t.delimiter, ';');
	expect_record(&t, 1, 2, 3, "alice", "Alice", "Liddell, Jr.");
	csv_table_free(&t);
}

static void csv_semicolon_inside_quotes_does_not_count(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("\"a;b;c\",d\n1,2\n", &t);
	assert_int_equal(t.delimiter, ',');
	expect_record(&t, 0, 1, 2, "a;b;c", "d");
	csv_table_free(&t);
}

static void csv_reads_crlf(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("a,b\r\n1,2\r\n\r\n3,4\r\n", &t);
	assert_int_equal(t.nrecords, 3);
	expect_record(&t, 1, 2, 2, "1", "2");
	expect_record(&t, 2, 4, 2, "3", "4");
	csv_table_free(&t);
}

static void csv_lone_cr_ends_a_line(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("a,b\r1,2\r3,4", &t);
	expect_record(&t, 1, 2, 2, "1", "2");
	expect_record(&t, 2, 3, 2, "3", "4");
	csv_table_free(&t);
}

static void csv_quoted_fields_keep_commas_quotes_and_newlines(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("name,note\n"
		"\"Smith, Anna\",\"she said \"\"hi\"\"\"\n"
		"\"two\nlines\",\"three\r\nlines\nhere\"\n"
		"after,quoted\n", &t);
	expect_record(&t, 1, 2, 2, "Smith, Anna", "she said \"hi\"");
	expect_record(&t, 2, 3, 2, "two\nlines", "three\r\nlines\nhere");
	/* The record above spans lines 3 to 6. */
	expect_record(&t, 3, 7, 2, "after", "quoted");
	csv_table_free(&t);
}

static void csv_skips_empty_lines(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("\n\na,b\n\n   \n1,2\n\n", &t);
	assert_int_equal(t.nrecords, 2);
	expect_record(&t, 0, 3, 2, "a", "b");
	expect_record(&t, 1, 6, 2, "1", "2");
	csv_table_free(&t);
}

static void csv_empty_cells_are_empty_strings(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("a,b,c\n,,\n1,,\"\"\n", &t);
	expect_record(&t, 1, 2, 3, "", "", "");
	expect_record(&t, 2, 3, 3, "1", "", "");
	csv_table_free(&t);
}

static void csv_row_with_fewer_fields_is_kept(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("a,b,c\n1\n", &t);
	expect_record(&t, 1, 2, 1, "1");
	csv_table_free(&t);
}

static void csv_refuses_row_with_too_many_fields(void **state)
{
	const char *s = "a,b\n1,2\n\"x\ny\",2,3\n";

	(void)state;
	read_refused(s, strlen(s), -EINVAL, 3, "more fields than the header's 2");
}

static void csv_refuses_unterminated_quote(void **state)
{
	const char *s = "a,b\n1,2\n3,\"open\n4,5\n";

	(void)state;
	read_refused(s, strlen(s), -EINVAL, 3, "not closed");
}

static void csv_refuses_quote_inside_unquoted_field(void **state)
{
	const char *s = "a,b\n1,2\n3,ab\"c\n";

	(void)state;
	read_refused(s, strlen(s), -EINVAL, 3, "quote");
}

static void csv_refuses_text_after_closing_quote(void **state)
{
	const char *s = "a,b\n\"x\"y,2\n";

	(void)state;
	read_refused(s, strlen(s), -EINVAL, 2, "closing quote");
}

static void csv_refuses_invalid_utf8(void **state)
{
	/* Latin-1 "Åsa" on line 3, as an old spreadsheet saves it. */
	const char *s = "a,b\n1,2\n\xc5sa,2\n";

	(void)state;
	read_refused(s, strlen(s), -EINVAL, 3, "not valid UTF-8");
}

static void csv_refuses_utf16(void **state)
{
	static const char s[] = "\xff\xfe" "a\0,\0b\0";

	(void)state;
	read_refused(s, sizeof(s) - 1, -EINVAL, 0, "UTF-16");
}

static void csv_refuses_nul_byte(void **state)
{
	static const char s[] = "a,b\n1,\0002\n";

	(void)state;
	read_refused(s, sizeof(s) - 1, -EINVAL, 2, "NUL");
}

static void csv_refuses_overlong_field(void **state)
{
	char buf[4000];
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "a,b\n1,2\nx,");
	memset(buf + n, 'y', CSV_FIELD_MAX + 1);
	memcpy(buf + n + CSV_FIELD_MAX + 1, "\n", 2);
	read_refused(buf, strlen(buf), -EINVAL, 3, "longer than 1024 bytes");
}

static void csv_accepts_field_of_1024_bytes(void **state)
{
	char buf[4000];
	struct csv_table t;
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "a,b\nx,");
	memset(buf + n, 'y', CSV_FIELD_MAX);
	memcpy(buf + n + CSV_FIELD_MAX, "\n", 2);
	read_ok(buf, &t);
	assert_int_equal(strlen(t.records[1].fields[1]), CSV_FIELD_MAX);
	csv_table_free(&t);
}

static void csv_refuses_open_quote_running_on(void **state)
{
	/* A quote never closed swallows the rest: refused at the field's
	 * limit, naming the record where it opened. */
	size_t len = 200000, n;
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	n = (size_t)snprintf(buf, len, "a,b\n1,\"2\n");
	for (size_t i = n; i < len; i++)
		buf[i] = i % 40 == 0 ? '\n' : 'z';
	read_refused(buf, len, -EINVAL, 2, "longer than 1024 bytes");
	free(buf);
}

static void csv_refuses_empty_file(void **state)
{
	(void)state;
	read_refused("", 0, -EINVAL, 0, "empty");
	read_refused("\n\r\n  \n", 6, -EINVAL, 0, "empty");
	read_refused("\xef\xbb\xbf", 3, -EINVAL, 0, "empty");
}

static void csv_header_only_has_no_rows(void **state)
{
	struct csv_table t;

	(void)state;
	read_ok("username,first_name,last_name\n", &t);
	assert_int_equal(t.nrecords, 1);
	csv_table_free(&t);
}

static void csv_refuses_more_rows_than_allowed(void **state)
{
	struct csv_table t;
	struct csv_error err;
	const char *s = "a\n1\n2\n3\n";

	(void)state;
	assert_int_equal(csv_read(s, strlen(s), 2, &t, &err), -EFBIG);
	assert_int_equal(err.line, 4);
	csv_table_free(&t);
	assert_int_equal(csv_read(s, strlen(s), 3, &t, &err), 0);
	csv_table_free(&t);
}

static void csv_reads_10000_rows(void **state)
{
	size_t cap = 10001 * 96, len = 0;
	char *buf = malloc(cap);
	struct csv_table t;
	char want[64];

	(void)state;
	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len, "username;first_name;last_name;groups\r\n");
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(buf + len, cap - len,
					i % 1000 == 7 ? "u%05d;\"First;%d\";\"Last\n%d\";\"a b\"\r\n"
						      : "u%05d;First%d;Last%d;a\r\n",
					i, i, i);
	buf[len] = '\0';
	read_ok(buf, &t);
	assert_int_equal(t.nrecords, 10001);
	assert_int_equal(t.delimiter, ';');
	/* Ten records span two lines each: line numbers move on after them. */
	for (int i = 0; i < 10000; i++) {
		const struct csv_record *r = &t.records[i + 1];
		unsigned line = 2 + (unsigned)i + (unsigned)((i + 1000 - 8) / 1000);

		if (r->line != line)
			fail_msg("row %d starts at line %u, expected %u", i, r->line, line);
		snprintf(want, sizeof(want), "u%05d", i);
		assert_string_equal(r->fields[0], want);
		assert_int_equal(r->nfields, 4);
	}
	assert_string_equal(t.records[8].fields[1], "First;7");
	assert_string_equal(t.records[8].fields[2], "Last\n7");
	csv_table_free(&t);
	free(buf);
}

static void csv_refuses_file_over_64_mib(void **state)
{
	char dir[] = "/tmp/test_csv.XXXXXX", path[64];
	struct csv_table t;
	struct csv_error err;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.csv", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	/* Sparse: a hole reads as NUL bytes, but the size is refused first. */
	assert_int_equal(ftruncate(fd, (off_t)CSV_FILE_MAX + 1), 0);
	close(fd);
	assert_int_equal(csv_read_file(path, ROWS_MAX, &t, &err), -EFBIG);
	assert_non_null(strstr(err.text, "larger than 64 MiB"));
	csv_table_free(&t);
	unlink(path);
	rmdir(dir);
}

static void csv_read_file_names_missing_file(void **state)
{
	struct csv_table t;
	struct csv_error err;

	(void)state;
	assert_int_equal(csv_read_file("/nonexistent/people.csv", ROWS_MAX, &t, &err), -ENOENT);
	assert_string_equal(err.text, strerror(ENOENT));
	csv_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_reads_good_file),
		cmocka_unit_test(csv_last_line_needs_no_newline),
		cmocka_unit_test(csv_strips_utf8_bom),
		cmocka_unit_test(csv_detects_semicolon_delimiter),
		cmocka_unit_test(csv_semicolon_inside_quotes_does_not_count),
		cmocka_unit_test(csv_reads_crlf),
		cmocka_unit_test(csv_lone_cr_ends_a_line),
		cmocka_unit_test(csv_quoted_fields_keep_commas_quotes_and_newlines),
		cmocka_unit_test(csv_skips_empty_lines),
		cmocka_unit_test(csv_empty_cells_are_empty_strings),
		cmocka_unit_test(csv_row_with_fewer_fields_is_kept),
		cmocka_unit_test(csv_refuses_row_with_too_many_fields),
		cmocka_unit_test(csv_refuses_unterminated_quote),
		cmocka_unit_test(csv_refuses_quote_inside_unquoted_field),
		cmocka_unit_test(csv_refuses_text_after_closing_quote),
		cmocka_unit_test(csv_refuses_invalid_utf8),
		cmocka_unit_test(csv_refuses_utf16),
		cmocka_unit_test(csv_refuses_nul_byte),
		cmocka_unit_test(csv_refuses_overlong_field),
		cmocka_unit_test(csv_accepts_field_of_1024_bytes),
		cmocka_unit_test(csv_refuses_open_quote_running_on),
		cmocka_unit_test(csv_refuses_empty_file),
		cmocka_unit_test(csv_header_only_has_no_rows),
		cmocka_unit_test(csv_refuses_more_rows_than_allowed),
		cmocka_unit_test(csv_reads_10000_rows),
		cmocka_unit_test(csv_refuses_file_over_64_mib),
		cmocka_unit_test(csv_read_file_names_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

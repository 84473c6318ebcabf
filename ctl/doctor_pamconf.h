/* SPDX-License-Identifier: BSD-3-Clause */
/* One /etc/pam.d file read the way Linux-PAM 1.5 reads it: logical
 * lines (a trailing '\' joins the next line, '#' starts a comment), the
 * type, the control (keyword or [value=action ...]) and the module.
 * Pure: the caller reads the file; the fuzz target feeds it arbitrary
 * bytes. */
#ifndef OB_DOCTOR_PAMCONF_H
#define OB_DOCTOR_PAMCONF_H

#include <stdbool.h>
#include <stddef.h>

/* Logical lines longer than this are not read (and kept as lines that
 * fail). */
#define PAMCONF_LINE_MAX 8192
/* libpam 1.5 reads a line with fgets into 1024 bytes: a longer one is
 * read in pieces, each a line of its own (see long_line). */
#define PAMCONF_LINE_LIBPAM 1023
#define PAMCONF_ERROR_MAX 160

enum pamconf_type {
	PAMCONF_AUTH,
	PAMCONF_ACCOUNT,
	PAMCONF_PASSWORD,
	PAMCONF_SESSION,
	PAMCONF_TYPE_COUNT,
	/* "@include NAME": every type of NAME, in place */
	PAMCONF_ANY = PAMCONF_TYPE_COUNT,
	/* a type Linux-PAM does not know: it installs a line that fails */
	PAMCONF_TYPE_BAD,
};

enum pamconf_control {
	PAMCONF_REQUIRED,
	PAMCONF_REQUISITE,
	PAMCONF_SUFFICIENT,
	PAMCONF_OPTIONAL,
	PAMCONF_BRACKET,
	PAMCONF_INCLUDE,
	PAMCONF_SUBSTACK,
	PAMCONF_AT_INCLUDE,
	PAMCONF_CONTROL_BAD,
};

/* The return values a control can name, in Linux-PAM's order (the index
 * is the PAM_* code). */
enum pamconf_rv {
	PAMCONF_RV_SUCCESS = 0,
	PAMCONF_RV_PERM_DENIED = 6,
	PAMCONF_RV_AUTH_ERR = 7,
	PAMCONF_RV_AUTHINFO_UNAVAIL = 9,
	PAMCONF_RV_NEW_AUTHTOK_REQD = 12,
	PAMCONF_RV_IGNORE = 25,
	PAMCONF_RV_COUNT = 32,
};

/* Actions: a positive value jumps over that many modules. */
#define PAMCONF_ACT_IGNORE 0
#define PAMCONF_ACT_OK (-1)
#define PAMCONF_ACT_DONE (-2)
#define PAMCONF_ACT_BAD (-3)
#define PAMCONF_ACT_DIE (-4)
#define PAMCONF_ACT_RESET (-5)
#define PAMCONF_ACT_UNDEF (-6)
/* Larger jumps are refused; no real stack is that long. */
#define PAMCONF_JUMP_MAX 9999

struct pamconf_line {
	int lineno;   /* the first physical line of the logical line */
	bool silent;  /* "-type": a module that cannot be loaded is skipped */
	enum pamconf_type type;
	enum pamconf_control control;
	int action[PAMCONF_RV_COUNT];
	char *module; /* module path, or the file an include names; may be NULL */
	/* Why Linux-PAM would install this line as one that always fails,
	 * or "" when it reads well. */
	char error[PAMCONF_ERROR_MAX];
	/* More than PAMCONF_LINE_LIBPAM bytes in the file: parsed whole here
	 * (as libpam 1.6 and later do), but libpam 1.5 reads the rest as
	 * further lines. */
	bool long_line;
};

struct pamconf_file {
	struct pamconf_line *lines;
	size_t count;
	/* The first physical line of a line still continued with '\' when
	 * the file ends, or 0.  libpam then refuses the whole file. */
	int unfinished;
};

/* Parse len bytes of text (NUL bytes allowed: they end the physical line
 * there, as for Linux-PAM's C strings).  Lines that do not read well are
 * kept, with error set.  Returns 0 or -ENOMEM; f is emptied first and
 * must be released with pamconf_free. */
int pamconf_parse(struct pamconf_file *f, const char *text, size_t len);
void pamconf_free(struct pamconf_file *f);

/* The name of a return value ("success"), or NULL. */
const char *pamconf_rv_name(int rv);
/* "auth", "account"... */
const char *pamconf_type_name(enum pamconf_type t);
/* The module's file name without its directory. */
const char *pamconf_module_base(const struct pamconf_line *l);

#endif

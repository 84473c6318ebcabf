/* SPDX-License-Identifier: BSD-3-Clause */
/* The portable name rule of usernames, organisations, host groups and
 * seat pools: a lower-case letter or '_' first, then lower-case letters,
 * digits, '_', '-' and '.'.  Shared by the daemon's validators and the
 * module's options, so that a host can name only what the daemon takes. */
#ifndef OB_NAMES_H
#define OB_NAMES_H

#include <stddef.h>

enum name_fault {
	NAME_OK,
	NAME_LENGTH, /* empty, NULL or longer than max */
	NAME_FIRST,  /* does not start with a lower-case letter or '_' */
	NAME_CHAR,   /* holds another character */
};

enum name_fault name_check(const char *s, size_t max);

/* The length of s when it is 1 to max bytes long; 0 when it is NULL,
 * empty or longer (the length half of name_check, for keys). */
size_t name_length(const char *s, size_t max);

#endif

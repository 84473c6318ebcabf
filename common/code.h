/* SPDX-License-Identifier: BSD-3-Clause */
/* Access codes as people see and type them: 16 letters, shown grouped as
 * ABCD-EFGH-JKMN-PQRS, accepted in any case with or without dashes and
 * spaces.  The letters I, L and O are never used: they are too easily
 * read as 1, 1 and 0. */
#ifndef OB_CODE_H
#define OB_CODE_H

#include <stdbool.h>
#include <stddef.h>

#define CODE_LETTERS 16
#define CODE_FORMATTED 19 /* four groups of four and three dashes */
#define CODE_ALPHABET "ABCDEFGHJKMNPQRSTUVWXYZ"
/* Longest typed form we try to read as a code. */
#define CODE_INPUT_MAX 64

/* The verification code of an invitation (invite_verification = admin):
 * 8 letters of the same alphabet, shown as ABCD-EFGH. */
#define VERIFY_LETTERS 8
#define VERIFY_FORMATTED 9

/* The functions below for a code of any length of at most
 * CODE_INPUT_MAX letters: out holds letters + 1 bytes (generate,
 * normalise), or letters + letters / 4 bytes (format: a dash after each
 * group of four but the last). */
void code_generate_len(char *out, size_t letters);
int code_normalise_len(const char *typed, char *out, size_t letters);
int code_format_len(const char *code, char *out, size_t letters);

/* Fill out with CODE_LETTERS random letters of CODE_ALPHABET and a NUL,
 * from the system's random source (libsodium must be initialised). */
void code_generate(char out[CODE_LETTERS + 1]);

/* Canonical form of what a person typed: upper case, dashes and white
 * space dropped.  Returns 0 and fills out when exactly CODE_LETTERS letters
 * of the alphabet remain, -EINVAL otherwise (out is then wiped). */
int code_normalise(const char *typed, char out[CODE_LETTERS + 1]);

/* ABCD-EFGH-JKMN-PQRS from the canonical form.  Returns -EINVAL when code
 * is not canonical. */
int code_format(const char *code, char out[CODE_FORMATTED + 1]);

#endif

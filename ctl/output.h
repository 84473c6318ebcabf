/* SPDX-License-Identifier: BSD-3-Clause */
/* What onboardctl prints on stdout: the daemon's reply as one JSON
 * document (--json), or as aligned text for people.  Each function
 * returns 0, or -EIO when stdout cannot be written. */
#ifndef OB_CTL_OUTPUT_H
#define OB_CTL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* The reply parameters as one JSON document. */
int output_json(struct json_object *params);

int output_status(struct json_object *params);
/* One person (the "person" member) and, if present, its "code". */
int output_person(struct json_object *params);
/* A table of the "people" array. */
int output_people(struct json_object *params);
/* A table of the "codes" array. */
int output_codes(struct json_object *params);
/* The freshly issued code on a line of its own, then who and until when.
 * Written unbuffered from a buffer that is wiped afterwards. */
int output_code_issued(struct json_object *params);
/* What Unlock lifted: the lock and failures, or that there was none. */
int output_unlocked(struct json_object *params);
int output_source_unlocked(struct json_object *params);
/* A freshly issued invitation code (and verification code) on lines of
 * their own, then who and until when; written as output_code_issued. */
int output_invitation_issued(struct json_object *params);
/* UserAdd with an invitation: the person, then the codes. */
int output_user_invited(struct json_object *params);
/* A table of the "invitations" array. */
int output_invitations(struct json_object *params);
/* A table of the "people" array of BankList: when each was deleted. */
int output_bank(struct json_object *params);
/* Tables of the "groups" and "pools" arrays. */
int output_groups(struct json_object *params);
int output_pools(struct json_object *params);
/* The "events" array of Audit, one line each, times in UTC. */
int output_events(struct json_object *params);
/* One line of plain text. */
int output_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* s with control characters and Unicode format characters (bidi
 * controls, zero widths: utf8_is_format) replaced by '?', cut to fit
 * size: text from the daemon or a file, printed where it could drive a
 * terminal or turn a line around. */
const char *output_sanitize(const char *s, char *buf, size_t size);

/* Flush stdout; -EIO when anything written to it was lost. */
int output_finish(void);

#endif

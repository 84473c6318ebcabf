/* SPDX-License-Identifier: BSD-3-Clause */
/* The kinds of audit event and their journal MESSAGE_IDs. */
#ifndef OB_AUDIT_EVENTS_H
#define OB_AUDIT_EVENTS_H

struct audit_event_kind {
	const char *event;      /* "user.add", ... */
	const char *message_id; /* 32 lowercase hex digits, as sd-journal wants */
};

/* The kind of the event named event; a generic one for a name not
 * listed.  Never NULL. */
const struct audit_event_kind *audit_event_kind(const char *event);

#endif

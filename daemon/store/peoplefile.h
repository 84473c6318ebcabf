/* SPDX-License-Identifier: BSD-3-Clause */
/* The people file (OB_PEOPLE_FILE in the state directory): every
 * username in the store, for the module to read when it cannot ask the
 * daemon, so that local users onboard does not manage are not refused
 * while onboardd is down.  Root's, mode 0600: written whole through a
 * new file renamed over the old one, and added to at its end (appended,
 * flushed) when people were only created. */
#ifndef OB_PEOPLEFILE_H
#define OB_PEOPLEFILE_H

struct daemon;

/* Write the file from the store now.  On failure the old file is removed
 * (a stale list could leave out someone added since: without a file the
 * module fails closed for everyone) and -errno returned, logged. */
int peoplefile_write(struct daemon *d);

/* Bring it up to date when people were created or removed since the
 * last write (store_people_changes): the names created are appended
 * (store_people_news), so that the cost is theirs and not that of
 * everyone in the store; after a removal it is written whole (a walk of
 * the usernames, no record read).  Called after every admin call, before
 * its reply: a person added is in the file when the call returns. */
void peoplefile_sync(struct daemon *d);

#endif

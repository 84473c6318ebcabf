/* The people file (OB_PEOPLE_FILE in the state directory): every
 * username in the store, for the module to read when it cannot ask the
 * daemon, so that local users onboard does not manage are not refused
 * while onboardd is down.  Root's, mode 0600, replaced atomically. */
#ifndef OB_PEOPLEFILE_H
#define OB_PEOPLEFILE_H

struct daemon;

/* Write the file from the store now.  On failure the old file is removed
 * (a stale list could leave out someone added since: without a file the
 * module fails closed for everyone) and -errno returned, logged. */
int peoplefile_write(struct daemon *d);

/* Write it again when people were created or removed since the last
 * write (store_people_changes).  Called after every admin call. */
void peoplefile_sync(struct daemon *d);

#endif

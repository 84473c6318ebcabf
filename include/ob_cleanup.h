/* SPDX-License-Identifier: BSD-3-Clause */
/* Cleanup attributes: early returns free what a scope owns, and wipe
 * secrets before the memory goes back to the allocator. */
#ifndef OB_CLEANUP_H
#define OB_CLEANUP_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _must_check_ __attribute__((warn_unused_result))

static inline void ob_freep(void *p)
{
	free(*(void **)p);
}

static inline void ob_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Zero a NUL-terminated secret, then free it. explicit_bzero is not
 * optimised away. */
static inline void ob_secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static inline void ob_secret_freep(char **s)
{
	ob_secret_free(*s);
}

/* Wipe a variable (a struct or an array, not a pointer to one) in place:
 * OB_WIPE(key) for uint8_t key[32], OB_WIPE(p) for a struct. */
#define OB_WIPE(v) explicit_bzero(&(v), sizeof(v))

#define _cleanup_free_ _cleanup_(ob_freep)
#define _cleanup_close_ _cleanup_(ob_closep)
#define _cleanup_secret_ _cleanup_(ob_secret_freep)

#define OB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif

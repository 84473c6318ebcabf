/* SPDX-License-Identifier: BSD-3-Clause */
/* Whole reads and writes on a file descriptor: the loop that short
 * transfers and EINTR ask of every caller, written once. */
#ifndef OB_FDIO_H
#define OB_FDIO_H

#include <stddef.h>

/* Write all len bytes of buf to fd.  0, or -errno (-EIO when write
 * writes nothing), after which an unknown part was written. */
int fd_write_all(int fd, const void *buf, size_t len);

/* Read exactly len bytes from fd into buf.  0, or -errno (-EIO at an
 * end of file before them). */
int fd_read_all(int fd, void *buf, size_t len);

#endif

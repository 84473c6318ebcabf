/* SPDX-License-Identifier: BSD-3-Clause */
/* The varlink interface definitions, embedded at build time from
 * the varlink interface files (scripts/embed-varlink.sh). */
#ifndef OB_INTERFACES_H
#define OB_INTERFACES_H

struct varlink_interface {
	const char *name;
	const char *description;
};

extern const struct varlink_interface varlink_interfaces[];
extern const unsigned varlink_interfaces_count;

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* The cleanup attribute for json-c objects: a scope that owns a reference
 * drops it on every way out.  json_object_put takes NULL. */
#ifndef OB_JSON_H
#define OB_JSON_H

#include <json-c/json.h>

#include "ob_cleanup.h"

static inline void ob_json_putp(struct json_object **o)
{
	json_object_put(*o);
}

#define _cleanup_json_ _cleanup_(ob_json_putp)

/* Hand a scope's reference on: the cleanup then has nothing to drop. */
static inline struct json_object *ob_json_take(struct json_object **o)
{
	struct json_object *r = *o;

	*o = NULL;
	return r;
}

#endif

/* Reading UID_MIN from login.defs. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logindefs.h"

uid_t logindefs_uid_min(const char *path)
{
	char line[512];
	uid_t uid = LOGINDEFS_UID_MIN_DEFAULT;
	FILE *f = fopen(path, "re");

	if (!f)
		return uid;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned long v;

		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "UID_MIN", 7) != 0 || !isspace((unsigned char)p[7]))
			continue;
		p += 7;
		while (isspace((unsigned char)*p))
			p++;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || end == p || v == 0 || v > 0x7fffffffUL)
			continue;
		while (isspace((unsigned char)*end))
			end++;
		if (*end && *end != '#')
			continue;
		uid = (uid_t)v;
	}
	fclose(f);
	return uid;
}

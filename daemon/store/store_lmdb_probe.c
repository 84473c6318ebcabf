/* SPDX-License-Identifier: BSD-3-Clause */
/* The look at data.mdb before LMDB maps it (store_probe, called by
 * store_open): an empty, truncated or foreign file, or one that someone
 * else could have written, is refused with a reason instead of opened.
 * It reads the file's first pages itself, without LMDB. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "log.h"
#include "store.h"

/* What LMDB 0.9 keeps at the start of data.mdb, as far as the probe reads
 * it (lmdb's mdb.c: MDB_page, MDB_meta, MDB_db; the file is in this
 * build's byte order and word size, S = sizeof(size_t), which is LMDB's
 * pgno_t and txnid_t).  Pages 0 and 1 are the two meta pages: a page
 * header (page number S, padding 2, flags 2 with P_META 0x08, 4 more),
 * then the meta: magic 4, format version 4, fixed address S, map size S,
 * the free and main database records (8 + 5 S each; the free one's
 * first 4 bytes hold the page size), the last page used S and the id of
 * the transaction that wrote it S.  LMDB uses the meta with the higher
 * transaction id.  On x86-64: magic at 16, page size at 40, last page at
 * 136, transaction at 144. */
#define STORE_LMDB_MAGIC 0xBEEFC0DEu
#define STORE_LMDB_VERSION 1u
#define STORE_LMDB_P_META 0x08u
#define STORE_S sizeof(size_t)
#define STORE_PAGE_HEADER (STORE_S + 8)
#define STORE_META_FLAGS (STORE_S + 2)
#define STORE_META_MAGIC STORE_PAGE_HEADER
#define STORE_META_VERSION (STORE_PAGE_HEADER + 4)
#define STORE_META_PSIZE (STORE_PAGE_HEADER + 8 + 2 * STORE_S)
#define STORE_META_LAST_PG (STORE_META_PSIZE + 2 * (8 + 5 * STORE_S))
#define STORE_META_TXNID (STORE_META_LAST_PG + STORE_S)
#define STORE_META_END (STORE_META_TXNID + STORE_S)

struct store_meta {
	uint32_t psize;
	uint64_t last_pg;
	uint64_t txnid;
};

static ssize_t store_pread_all(int fd, uint8_t *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Decode one meta page from buf; NULL, or why it is not one. */
static const char *store_meta_parse(const uint8_t buf[STORE_META_END], struct store_meta *m)
{
	uint32_t magic, version;
	uint16_t flags;
	size_t last_pg, txnid;

	memcpy(&flags, buf + STORE_META_FLAGS, sizeof(flags));
	memcpy(&magic, buf + STORE_META_MAGIC, sizeof(magic));
	memcpy(&version, buf + STORE_META_VERSION, sizeof(version));
	memcpy(&m->psize, buf + STORE_META_PSIZE, sizeof(m->psize));
	memcpy(&last_pg, buf + STORE_META_LAST_PG, sizeof(last_pg));
	memcpy(&txnid, buf + STORE_META_TXNID, sizeof(txnid));
	m->last_pg = last_pg;
	m->txnid = txnid;
	if (magic != STORE_LMDB_MAGIC)
		return "not an LMDB database (no LMDB magic number at its start)";
	if (version != STORE_LMDB_VERSION)
		return "an LMDB database of another format version";
	if (!(flags & STORE_LMDB_P_META))
		return "an LMDB database whose meta page is damaged";
	/* LMDB's pages are powers of two from 512 bytes to 64 KiB. */
	if (m->psize < 512 || m->psize > 65536 || (m->psize & (m->psize - 1)))
		return "an LMDB database with an impossible page size";
	if (m->last_pg < 1 || m->last_pg > (uint64_t)INT64_MAX / m->psize - 1)
		return "an LMDB database with an impossible size";
	return NULL;
}

/* Whether a file of the database (st, at path) is one nobody else could
 * have written: whoever owns it, or may write to it, could go on changing
 * the database (or LMDB's reader table) under the daemon, as could
 * whoever planted it while the state directory was open to them.
 * forbidden: the mode bits it must not have.  Logs why not. */
static bool store_file_trusted(const char *path, const struct stat *st, mode_t forbidden,
			       const char *fix)
{
	mode_t mode = st->st_mode & 07777;

	if (S_ISLNK(st->st_mode)) {
		log_warnx("store: %s is a symbolic link; LMDB would follow it: %s; onboardd did "
			  "not start", path, fix);
		return false;
	}
	if (!S_ISREG(st->st_mode)) {
		log_warnx("store: %s is not a regular file; onboardd did not start", path);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		log_warnx("store: %s is owned by uid %u, not by root%s: whoever owns it can change "
			  "the database; onboardd did not start", path, (unsigned)st->st_uid,
			  geteuid() ? " or the uid that runs onboardd" : "");
		return false;
	}
	if (mode & forbidden) {
		log_warnx("store: %s is %s by group or others (mode %04o): chmod 0600 it; "
			  "onboardd did not start", path, mode & forbidden & 022 ? "writable" : "readable",
			  (unsigned)mode);
		return false;
	}
	return true;
}

int store_probe(const char *dir)
{
	uint8_t buf[STORE_META_END];
	struct store_meta m[2];
	const char *why[2] = { NULL, NULL };
	char path[PATH_MAX];
	struct stat sb;
	uint64_t need;
	ssize_t n;
	int fd, pick, r;

	/* lock.mdb first, whether or not there is a data.mdb: LMDB opens it
	 * (creating it if missing) through any link, and keeps in it who
	 * reads which pages. */
	if (snprintf(path, sizeof(path), "%s/lock.mdb", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (lstat(path, &sb) == 0) {
		if (!store_file_trusted(path, &sb, 022,
					"remove it (LMDB makes it afresh when no onboardd runs)"))
			return -EUCLEAN;
	} else if (errno != ENOENT) {
		r = -errno;
		log_warnx("store: %s: cannot stat: %s", path, strerror(-r));
		return r;
	}
	if (snprintf(path, sizeof(path), "%s/data.mdb", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			return 0;
		if (r == -ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
			store_file_trusted(path, &sb, 077, "put the database itself there");
			return -EUCLEAN;
		}
		log_warnx("store: %s: cannot open: %s", path, strerror(-r));
		return r;
	}
	r = -EUCLEAN;
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		log_warnx("store: %s: cannot stat: %s", path, strerror(-r));
		goto out;
	}
	/* It holds the password hashes: 0600, as LMDB made it. */
	if (!store_file_trusted(path, &sb, 077, ""))
		goto out;
	/* LMDB would take an empty file for a new database: every person
	 * would be gone without a word. */
	if (sb.st_size == 0) {
		log_warnx("store: %s is empty (0 bytes): restore it from backup (remove it only "
			  "to start a new, empty database); onboardd did not start", path);
		goto out;
	}
	n = store_pread_all(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		r = (int)n;
		log_warnx("store: %s: cannot read: %s", path, strerror(-r));
		goto out;
	}
	if (n < (ssize_t)sizeof(buf) || (why[0] = store_meta_parse(buf, &m[0]))) {
		log_warnx("store: %s is %s: restore it from backup; onboardd did not start", path,
			  why[0] ? why[0] : "too short to be an LMDB database");
		goto out;
	}
	/* The second meta page, one page further. */
	n = store_pread_all(fd, buf, sizeof(buf), (off_t)m[0].psize);
	if (n < 0) {
		r = (int)n;
		log_warnx("store: %s: cannot read: %s", path, strerror(-r));
		goto out;
	}
	if (n < (ssize_t)sizeof(buf)) {
		log_warnx("store: %s is truncated (%lld bytes, less than its two meta pages): "
			  "restore it from backup; onboardd did not start",
			  path, (long long)sb.st_size);
		goto out;
	}
	why[1] = store_meta_parse(buf, &m[1]);
	if (why[1] || m[1].psize != m[0].psize) {
		log_warnx("store: %s: its second meta page is %s: restore it from backup; "
			  "onboardd did not start", path, why[1] ? why[1] : "of another page size");
		goto out;
	}
	/* Every page up to the last one used must be in the file: LMDB maps
	 * it, and a page past the end is a SIGBUS at the first touch. */
	pick = m[1].txnid > m[0].txnid;
	need = (m[pick].last_pg + 1) * m[pick].psize;
	if ((uint64_t)sb.st_size < need) {
		log_warnx("store: %s is truncated (%lld bytes; its last page used ends at %llu): "
			  "restore it from backup; onboardd did not start",
			  path, (long long)sb.st_size, (unsigned long long)need);
		goto out;
	}
	r = 1;
out:
	close(fd);
	return r;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* onboardd: start-up, the order of things, and shutdown. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"
#include "quality.h"
#include "ob_protocol.h"
#include "peoplefile.h"
#include "server.h"
#include "userdb.h"
#include "totp.h"
#include "worker.h"

struct options {
	const char *config;
	bool config_given;
	const char *socket;
	const char *state_dir;
	bool foreground;
	bool debug;
};

static int64_t clock_now(void)
{
	return (int64_t)time(NULL);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: onboardd [--config FILE] [--socket PATH] [--state-dir DIR] [--foreground] [--debug]\n"
		"\n"
		"  --config FILE    configuration (default %s; missing means built-in defaults)\n"
		"  --socket PATH    Unix socket to listen on (default %s)\n"
		"  --state-dir DIR  database and key file (default %s)\n"
		"  --foreground     stay in the foreground and log to stderr\n"
		"  --debug          log debug messages\n"
		"  --help           show this help\n"
		"  --version        print the version\n",
		OB_DEFAULT_CONFIG, OB_DEFAULT_SOCKET, OB_DEFAULT_STATE_DIR);
}

static int parse_args(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){
		.config = OB_DEFAULT_CONFIG,
		.socket = OB_DEFAULT_SOCKET,
		.state_dir = OB_DEFAULT_STATE_DIR,
	};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'd':
			o->state_dir = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'D':
			o->debug = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("onboardd %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			/* getopt said what is wrong, in one line: point to
			 * the rest rather than bury it under the usage. */
			fprintf(stderr, "Try 'onboardd --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "onboardd: unexpected argument: %s\nTry 'onboardd --help'.\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Create dir (mode) if missing; refuse anything that is not a directory. */
static int ensure_dir(const char *dir, mode_t mode)
{
	struct stat st;

	if (mkdir(dir, mode) == 0) {
		/* mkdir's mode passed through our umask of 077. */
		if (chmod(dir, mode) < 0)
			return -errno;
	} else if (errno != EEXIST) {
		return -errno;
	}
	if (stat(dir, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Why a directory cannot hold or lead to onboard's state, or NULL: it
 * must belong to root or to the uid we run as, and nobody else may write
 * to it, since whoever can may plant links where the lock file, the key
 * and the database go, or swap the directory itself.  Above the state
 * directory a directory others can write to is allowed when sticky (as
 * /tmp): they cannot rename or remove what is not theirs in it. */
static const char *state_dir_fault(const struct stat *st, bool above)
{
	if (!S_ISDIR(st->st_mode))
		return "not a directory";
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "owned by another user";
	if ((st->st_mode & 022) && !(above && (st->st_mode & S_ISVTX)))
		return "writable by group or others";
	return NULL;
}

/* The path of an open directory, for a message. */
static const char *fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n <= 0)
		return "a directory";
	buf[n] = '\0';
	return buf;
}

/* Check every directory above dfd up to /, through "..": the directories
 * really there, whatever links the path went through. */
static int check_state_parents(const char *what, const char *dir, int dfd)
{
	char where[PATH_MAX];
	struct stat st, up;
	const char *why;
	int fd = dfd, parent, r = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	for (;;) {
		/* O_PATH: no read permission is needed to look at it. */
		parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0) {
			r = -errno;
			log_warnx("%s %s: cannot open a directory above it: %s", what, dir,
				  strerror(-r));
			break;
		}
		if (fd != dfd)
			close(fd);
		fd = parent;
		if (fstat(fd, &up) < 0) {
			r = -errno;
			break;
		}
		why = state_dir_fault(&up, true);
		if (why) {
			log_warnx("%s %s: %s, a directory above it, is %s (mode %04o, "
				  "uid %u); onboardd did not start", what, dir,
				  fd_path(fd, where, sizeof(where)),
				  strcmp(why, "owned by another user") == 0 ?
					  "owned by another user than root or onboardd's" :
					  "writable by group or others without the sticky bit",
				  (unsigned)(up.st_mode & 07777), (unsigned)up.st_uid);
			r = -EPERM;
			break;
		}
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break; /* "/" is its own parent */
		st = up;
	}
	if (fd != dfd)
		close(fd);
	return r;
}

/* The directories the path names on the way (each prefix that ends
 * before a '/'), as they resolve: a symbolic link among them can be
 * replaced by whoever may write to the directory that holds it, which is
 * the prefix before it, checked here too.  The ".." walk of
 * check_state_parents sees only where the links led. */
static int check_state_path(const char *what, const char *dir)
{
	char prefix[PATH_MAX], where[PATH_MAX];
	size_t n = strlen(dir);
	struct stat st;
	const char *why;

	if (n >= sizeof(prefix))
		return -ENAMETOOLONG;
	for (size_t i = 1; i < n; i++) {
		if (dir[i] != '/' || dir[i - 1] == '/')
			continue;
		memcpy(prefix, dir, i);
		prefix[i] = '\0';
		if (stat(prefix, &st) < 0) {
			log_warnx("%s %s: %s: %s", what, dir, prefix, strerror(errno));
			return -errno;
		}
		why = state_dir_fault(&st, true);
		if (why) {
			snprintf(where, sizeof(where), "%s", prefix);
			log_warnx("%s %s: %s, a directory on its path, is %s (mode %04o, uid %u); "
				  "onboardd did not start", what, dir, where,
				  strcmp(why, "owned by another user") == 0 ?
					  "owned by another user than root or onboardd's" :
					  "writable by group or others without the sticky bit",
				  (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
			return -EPERM;
		}
	}
	return 0;
}

/* Open dir (what: "state directory", ...) without following a link,
 * creating it first (mode 0700) when create, and check it, the
 * directories on its path and those above it.  Every file of ours in it
 * is then made or opened through a directory nobody else can write to.
 * Returns the directory's fd, or -errno (logged). */
static int open_trusted_dir(const char *what, const char *dir, bool create)
{
	struct stat st;
	const char *why;
	int fd, r;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		log_warnx("%s %s: cannot create: %s", what, dir, strerror(-r));
		return r;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if ((r == -ELOOP || r == -ENOTDIR) && lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			log_warnx("%s %s: is a symbolic link; refusing to follow it "
				  "(give the directory itself); onboardd did not start", what, dir);
		else
			log_warnx("%s %s: %s", what, dir, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		log_warnx("%s %s: %s", what, dir, strerror(-r));
		close(fd);
		return r;
	}
	why = state_dir_fault(&st, false);
	if (why) {
		if (strcmp(why, "owned by another user") == 0)
			log_warnx("%s %s: owned by uid %u; it must belong to root%s; "
				  "onboardd did not start", what, dir, (unsigned)st.st_uid,
				  geteuid() ? " or to the uid that runs onboardd" : "");
		else
			log_warnx("%s %s: %s (mode %04o): chmod go-w it; onboardd did not start",
				  what, dir, why, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	if ((r = check_state_path(what, dir)) < 0 || (r = check_state_parents(what, dir, fd)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* The directory of a key file named in the configuration gets the same
 * checks as the state directory (the default key file is in it). */
static int check_key_dir(const char *key_path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(key_path, '/');
	int fd;

	if (!slash || (size_t)(slash - key_path) >= sizeof(dir))
		return -EINVAL; /* config_load took only absolute paths */
	if (slash == key_path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - key_path), key_path);
	fd = open_trusted_dir("key file directory", dir, false);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* A missing key file is made afresh only for a new database: beside an
 * existing data.mdb a new key would silently make every authenticator and
 * access code unusable (they are sealed and hashed with the old one).
 * Any data.mdb counts, even one with nobody in it yet: starting afresh is
 * removing both, on purpose. */
static int check_key_beside_database(int dfd, const char *dir, const char *key_path)
{
	struct stat st;

	if (lstat(key_path, &st) == 0 || errno != ENOENT)
		return 0; /* there (keys_load checks it), or not ours to judge */
	if (fstatat(dfd, "data.mdb", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	log_warnx("key file %s is missing, but %s/data.mdb exists: restore the key file from "
		  "backup (a new key would make every authenticator and access code unusable; "
		  "remove data.mdb too only to start afresh with nobody); onboardd did not start",
		  key_path, dir);
	return -ENOKEY;
}

/* A missing data.mdb is a new database only when nothing says there was
 * one with people in it.  The people file (written at every start and
 * after every change) naming anyone says so: a new, empty database would
 * make every one of them someone onboard does not manage, their logins
 * left to the rest of the stack, and the people file rewritten empty.
 * Called only when store_probe found no data.mdb. */
static int check_database_beside_people(int dfd, const char *dir)
{
	struct stat st;

	if (fstatat(dfd, OB_PEOPLE_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* The file is the header and one username a line. */
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size <= strlen(OB_PEOPLE_HEADER))
		return 0;
	log_warnx("%s/data.mdb is missing, but %s/" OB_PEOPLE_FILE " names the people it held: "
		  "restore data.mdb from backup (a new, empty database would leave their logins "
		  "to the rest of the PAM stack; remove the people file too only to start "
		  "afresh with nobody); onboardd did not start", dir, dir);
	return -ENOENT;
}

/* One daemon per state directory: LMDB would allow two, the rules not. */
static int lock_state_dir(int dfd)
{
	struct stat st;
	int fd;

	fd = openat(dfd, "onboardd.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		    0600);
	if (fd < 0)
		return -errno;
	/* One left by whoever could write to the directory once is theirs to
	 * lock, and onboardd would never start again: only our own. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The sockets systemd passed (sd_listen_fds_with_names, read once): the
 * one named "userdb" (FileDescriptorName=userdb in onboardd-userdb.socket)
 * is the userdb socket, any other the main one. */
static int listen_n = -1, listen_main = -1, listen_userdb = -1, listen_others;

static void listen_fds_read(void)
{
	char **names = NULL;
	int n;

	if (listen_n >= 0)
		return;
	n = sd_listen_fds_with_names(1, &names);
	listen_n = n > 0 ? n : 0;
	for (int i = 0; i < listen_n; i++) {
		if (names && names[i] && strcmp(names[i], "userdb") == 0)
			listen_userdb = SD_LISTEN_FDS_START + i;
		else if (listen_main < 0)
			listen_main = SD_LISTEN_FDS_START + i;
		else
			listen_others++;
	}
	for (int i = 0; names && i < listen_n; i++)
		free(names[i]);
	free(names);
}

/* How many main sockets systemd passed, and the first in *fd. */
static int listen_fds_main(int *fd)
{
	listen_fds_read();
	*fd = listen_main;
	return listen_main < 0 ? 0 : 1 + listen_others;
}

/* The userdb socket: systemd's, or ours at path (created with its
 * directory 0755, the socket 0666: every process looks users up).
 * -1 with nothing to do when path is "" and systemd passed none. */
static int open_userdb_listener(const char *path, bool *owned)
{
	char parent[PATH_MAX], *slash;
	int fd, r;

	*owned = false;
	listen_fds_read();
	if (listen_userdb >= 0) {
		fd = listen_userdb;
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0)
			return -ENOTSOCK;
		r = fcntl(fd, F_GETFL);
		if (r < 0 || fcntl(fd, F_SETFL, r | O_NONBLOCK) < 0)
			return -errno;
		return fd;
	}
	if (!path[0])
		return -1;
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		r = ensure_dir(parent, 0755);
		if (r < 0)
			return r;
	}
	fd = server_listen(path);
	*owned = fd >= 0;
	return fd;
}

/* The socket systemd passed us (its path goes to bound), or our own.
 * *owned tells whether we must remove the file at exit. */
static int open_listener(const char *path, bool *owned, char *bound, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t sl = sizeof(sa);
	char parent[PATH_MAX];
	char *slash;
	int n, fd, r;

	*owned = false;
	snprintf(bound, size, "%s", path);
	n = listen_fds_main(&fd);
	if (n > 1) {
		log_warnx("systemd passed %d sockets; expected one (and one named userdb)", n);
		return -EINVAL;
	}
	if (n == 1) {
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0)
			return -ENOTSOCK;
		r = fcntl(fd, F_GETFL);
		if (r < 0 || fcntl(fd, F_SETFL, r | O_NONBLOCK) < 0)
			return -errno;
		if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0 && sa.sun_path[0])
			snprintf(bound, size, "%.*s", (int)sizeof(sa.sun_path), sa.sun_path);
		return fd;
	}
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		r = ensure_dir(parent, 0755);
		if (r < 0)
			return r;
	}
	fd = server_listen(path);
	*owned = fd >= 0;
	return fd;
}

/* Detach from the terminal when not under systemd and not told to stay.
 * Done before any thread or database handle exists. */
static int detach(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	log_init(false, true);
	return 0;
}

static int block_signals(void)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	server_signals(&mask);
	/* Threads started later inherit the mask: signals reach only the
	 * loop's signalfd. */
	return sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ? -errno : 0;
}

static int run(const struct options *o)
{
	struct daemon d = { .now = clock_now, .socket_path = o->socket, .state_dir = o->state_dir };
	struct server *srv = NULL;
	char err[512], key_path[PATH_MAX], sock_path[PATH_MAX];
	bool owned = false, systemd = getenv("NOTIFY_SOCKET") || getenv("LISTEN_FDS");
	int dir_fd = -1, lock_fd = -1, listen_fd = -1, userdb_fd = -1, r;
	bool userdb_owned = false, userdb_started = false;
	const char *bypass = getenv("SYSTEMD_BYPASS_USERDB");
	char bypass_new[512];

	/* Before the socket exists: a SIGTERM sent as soon as it answers must
	 * wait in the signalfd, not kill us half-started. */
	r = block_signals();
	if (r < 0) {
		log_warnx("cannot block signals: %s", strerror(-r));
		return r;
	}
	config_defaults(&d.cfg);
	r = config_load(&d.cfg, o->config, o->config_given, err, sizeof(err));
	if (r < 0) {
		log_warnx("%s", err);
		return r;
	}
	/* nss-systemd in this process must never ask our own userdb socket:
	 * the one thread that would answer is the one asking.  Before any
	 * NSS call; added to what the environment already bypasses. */
	if (d.cfg.userdb_socket[0] || getenv("LISTEN_FDS")) {
		const char *svc = strrchr(d.cfg.userdb_socket, '/');

		svc = svc ? svc + 1 : "io.onboard";
		snprintf(bypass_new, sizeof(bypass_new), "%s%s%s", bypass && *bypass ? bypass : "",
			 bypass && *bypass ? ":" : "", svc);
		if (setenv("SYSTEMD_BYPASS_USERDB", bypass_new, 1) < 0)
			return -errno;
	}
	dir_fd = open_trusted_dir("state directory", o->state_dir, true);
	if (dir_fd < 0)
		return dir_fd;
	lock_fd = lock_state_dir(dir_fd);
	if (lock_fd < 0) {
		log_warnx("state directory %s: %s", o->state_dir,
			  lock_fd == -EBUSY ? "another onboardd is using it"
			  : lock_fd == -EPERM ? "onboardd.lock in it is not a regular file of "
						"root's (or onboardd's) that only its owner may "
						"write: remove it; onboardd did not start"
					      : strerror(-lock_fd));
		r = lock_fd;
		goto out;
	}
	/* What data.mdb is, before a key is made for it: it is only read
	 * here (LMDB opens it after detach). */
	r = store_probe(o->state_dir);
	if (r < 0) {
		if (r != -EUCLEAN)
			log_warnx("database in %s: %s", o->state_dir, strerror(-r));
		goto out;
	}
	if (r == 0 && (r = check_database_beside_people(dir_fd, o->state_dir)) < 0) {
		if (r != -ENOENT)
			log_warnx("state directory %s: %s", o->state_dir, strerror(-r));
		goto out;
	}
	r = 0;
	if (d.cfg.key_file[0]) {
		snprintf(key_path, sizeof(key_path), "%s", d.cfg.key_file);
		if ((r = check_key_dir(key_path)) < 0)
			goto out;
	} else if (snprintf(key_path, sizeof(key_path), "%s/secret.key", o->state_dir) >=
		 (int)sizeof(key_path))
		r = -ENAMETOOLONG;
	if (r == 0 && (r = check_key_beside_database(dir_fd, o->state_dir, key_path)) < 0)
		goto out;
	if (r < 0 || (r = keys_load(&d.keys, key_path, err, sizeof(err))) < 0) {
		log_warnx("%s", r == -ENAMETOOLONG ? "key file path too long" : err);
		goto out;
	}
	listen_fd = open_listener(o->socket, &owned, sock_path, sizeof(sock_path));
	d.socket_path = sock_path;
	if (listen_fd < 0) {
		r = listen_fd;
		log_warnx("socket %s: %s", o->socket,
			  r == -EADDRINUSE ? "another onboardd answers there" : strerror(-r));
		goto out;
	}
	if (!o->foreground && !systemd && (r = detach()) < 0) {
		log_warnx("cannot detach: %s", strerror(-r));
		goto out;
	}
	/* A database of schema 2 is brought to 3 with the configuration's
	 * authenticator parameters: those its enrolled people use today. */
	r = store_open_upgrade(&d.store, o->state_dir, d.cfg.db_map_size,
			       &(const struct store_totp){ .algorithm = (uint8_t)d.cfg.totp_algorithm,
							   .digits = (uint8_t)d.cfg.totp_digits,
							   .period = 30 });
	if (r < 0) {
		if (r == -EPROTO)
			log_warnx("database in %s has another schema version than this onboardd (%d)",
				  o->state_dir, STORE_SCHEMA_VERSION);
		else if (r != -EUCLEAN) /* the store said what is wrong with the file */
			log_warnx("database in %s: %s", o->state_dir, strerror(-r));
		goto out;
	}
	/* The key file must be the one this database was used with: another
	 * would make every access code and authenticator fail, silently. */
	{
		uint8_t check[STORE_KEY_CHECK_BYTES];

		keys_check_value(&d.keys, check);
		r = store_key_check(d.store, check);
		sodium_memzero(check, sizeof(check));
		if (r == -EKEYREJECTED) {
			log_warnx("key file %s does not belong to the database in %s (its check "
				  "value differs from the one stored there): restore the key file "
				  "that goes with this database from backup; onboardd did not start",
				  key_path, o->state_dir);
			goto out;
		}
		if (r < 0) {
			log_warnx("database in %s: cannot check the key file: %s", o->state_dir,
				  strerror(-r));
			goto out;
		}
	}
	if ((r = userdb_start(&d)) < 0)
		goto out;
	userdb_started = true;
	if ((r = worker_pool_new(&d.workers, d.cfg.workers, d.cfg.worker_queue)) < 0 ||
	    (r = server_new(&srv, &d, listen_fd)) < 0) {
		log_warnx("start-up failed: %s", strerror(-r));
		goto out;
	}
	userdb_fd = open_userdb_listener(d.cfg.userdb_socket, &userdb_owned);
	if (userdb_fd < -1) {
		r = userdb_fd;
		log_warnx("userdb socket %s: %s", d.cfg.userdb_socket,
			  r == -EADDRINUSE ? "another daemon answers there" : strerror(-r));
		goto out;
	}
	if (userdb_fd >= 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		socklen_t sl = sizeof(sa);
		const char *svc = strrchr(d.cfg.userdb_socket, '/');

		/* The service name is the socket's basename (systemd's rule). */
		if (getsockname(userdb_fd, (struct sockaddr *)&sa, &sl) == 0 && sa.sun_path[0] &&
		    strrchr(sa.sun_path, '/'))
			svc = strrchr(sa.sun_path, '/');
		svc = svc ? svc + 1 : "io.onboard";
		if ((r = server_add_userdb(srv, userdb_fd, svc)) < 0) {
			log_warnx("userdb socket: %s", strerror(-r));
			goto out;
		}
		log_info("userdb: answering io.systemd.UserDatabase as %s", svc);
	}
	/* Before the first login: the module reads it when we are down. */
	peoplefile_write(&d);
	d.started = d.now();
	log_info("ready on %s (state %s)", d.socket_path, o->state_dir);
	sd_notify(0, "READY=1");
	r = server_run(srv);
	sd_notify(0, "STOPPING=1");
	if (r < 0)
		log_warnx("event loop failed: %s", strerror(-r));
out:
	server_free(srv);
	worker_pool_free(d.workers);
	if (d.store)
		store_close(d.store);
	keys_wipe(&d.keys);
	if (listen_fd >= 0)
		close(listen_fd);
	if (owned)
		unlink(o->socket);
	if (userdb_fd >= 0)
		close(userdb_fd);
	if (userdb_owned)
		unlink(d.cfg.userdb_socket);
	if (userdb_started)
		userdb_stop(&d);
	if (lock_fd >= 0)
		close(lock_fd);
	if (dir_fd >= 0)
		close(dir_fd);
	return r;
}

int main(int argc, char **argv)
{
	struct options o;
	int r;

	log_init(false, false);
	if (parse_args(&o, argc, argv) < 0)
		return 2;
	log_init(o.debug, false);
	if (sodium_init() < 0 || totp_init() < 0 || quality_init(NULL) < 0) {
		log_warnx("libsodium, liboath or libpwquality could not be initialised");
		return 1;
	}
	umask(077);
	r = run(&o);
	totp_done();
	return r < 0 ? 1 : 0;
}

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
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "onboardd: unexpected argument: %s\n", argv[optind]);
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

/* One daemon per state directory: LMDB would allow two, the rules not. */
static int lock_state_dir(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/onboardd.lock", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return r;
	}
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
	n = sd_listen_fds(1);
	if (n > 1) {
		log_warnx("systemd passed %d sockets; expected one", n);
		return -EINVAL;
	}
	if (n == 1) {
		fd = SD_LISTEN_FDS_START;
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
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
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
	int lock_fd = -1, listen_fd = -1, r;

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
	r = ensure_dir(o->state_dir, 0700);
	if (r < 0) {
		log_warnx("state directory %s: %s", o->state_dir, strerror(-r));
		return r;
	}
	lock_fd = lock_state_dir(o->state_dir);
	if (lock_fd < 0) {
		log_warnx("state directory %s: %s", o->state_dir,
			  lock_fd == -EBUSY ? "another onboardd is using it" : strerror(-lock_fd));
		return lock_fd;
	}
	if (d.cfg.key_file[0])
		snprintf(key_path, sizeof(key_path), "%s", d.cfg.key_file);
	else if (snprintf(key_path, sizeof(key_path), "%s/secret.key", o->state_dir) >=
		 (int)sizeof(key_path))
		r = -ENAMETOOLONG;
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
	r = store_open(&d.store, o->state_dir, d.cfg.db_map_size);
	if (r < 0) {
		if (r == -EPROTO)
			log_warnx("database in %s has another schema version than this onboardd (%d)",
				  o->state_dir, STORE_SCHEMA_VERSION);
		else
			log_warnx("database in %s: %s", o->state_dir, strerror(-r));
		goto out;
	}
	if ((r = worker_pool_new(&d.workers, d.cfg.workers, d.cfg.worker_queue)) < 0 ||
	    (r = server_new(&srv, &d, listen_fd)) < 0) {
		log_warnx("start-up failed: %s", strerror(-r));
		goto out;
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
	if (lock_fd >= 0)
		close(lock_fd);
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

/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_codec: how fast the one varlink codec handles the messages onboard
 * actually sends.  For each sample message it times varlink_parse, the
 * daemon's path through varlink_reader_next (copy in, cut at the NUL,
 * parse, wipe), varlink_call_split or varlink_reply_split, and
 * varlink_encode, and prints messages/s and MB/s (10^6 bytes of JSON, NUL
 * not counted): the median of several runs, each long enough to dwarf the
 * clock's resolution.  It prints figures only; it asserts nothing about
 * time. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <sodium.h>

#include "ob_cleanup.h"
#include "ob_protocol.h"
#include "varlink.h"

#define CODEC_RUNS_DEFAULT 5
#define CODEC_MIN_TIME_DEFAULT 0.1 /* seconds per run */
#define CODEC_RUNS_MAX 99
#define CODEC_USERLIST_PEOPLE 1000
#define CODEC_USERLIST_PAGE 64 /* the daemon's default page */
#define CODEC_BIG_TARGET (60 * 1024) /* bytes of the "60 KiB" message */

enum codec_op { OP_PARSE, OP_READER, OP_SPLIT, OP_ENCODE, OP_COUNT };

static const char *const codec_op_names[OP_COUNT] = {
	[OP_PARSE] = "parse",
	[OP_READER] = "reader_next",
	[OP_SPLIT] = "split",
	[OP_ENCODE] = "encode",
};

struct codec_sample {
	char title[64];
	bool is_call;
	char *text; /* the message as json-c renders it, without the NUL */
	size_t len;
	struct json_object *obj; /* the same message, built, for split/encode */
};

struct codec_opts {
	unsigned runs;
	double min_time;
};

static double codec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ messages */

static void codec_add_string(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static struct json_object *codec_login_start(void)
{
	struct json_object *p = json_object_new_object();

	codec_add_string(p, "phase", OB_PHASE_AUTH);
	codec_add_string(p, "user", "alice.martin");
	codec_add_string(p, "service", "sshd");
	codec_add_string(p, "rhost", "2001:db8:1f70::999:de8:7648:6e8");
	codec_add_string(p, "tty", "ssh");
	return varlink_call_new(OB_LOGIN_START, p);
}

static void codec_add_message(struct json_object *arr, const char *style, const char *text)
{
	struct json_object *m = json_object_new_object();

	codec_add_string(m, "style", style);
	codec_add_string(m, "text", text);
	json_object_array_add(arr, m);
}

/* What the daemon sends after a username confirmation. */
static struct json_object *codec_login_prompts(void)
{
	struct json_object *p = json_object_new_object();
	struct json_object *arr = json_object_new_array();

	codec_add_message(arr, OB_STYLE_INFO, "Choose your new password: at least 8 characters.");
	codec_add_message(arr, OB_STYLE_SECRET, "New password: ");
	codec_add_message(arr, OB_STYLE_SECRET, "Repeat new password: ");
	json_object_object_add(p, "messages", arr);
	return varlink_reply_new(p);
}

/* One Person as io.onboard.Admin.UserList returns it; the fields vary
 * the way a real organisation's do (some without e-mail or phone, some
 * names outside ASCII). */
static struct json_object *codec_person(unsigned i)
{
	static const char *const first[] = { "Alice", "Björn", "Chloé", "Dmitri", "Eve",
					     "Fatima", "Giulia", "Håkon" };
	static const char *const last[] = { "Martin", "Øberg", "Nakamura", "Smith-Jones",
					    "García Márquez", "Okafor" };
	struct json_object *o = json_object_new_object();
	char buf[96];

	snprintf(buf, sizeof(buf), "user%04u", i);
	codec_add_string(o, "username", buf);
	codec_add_string(o, "first_name", first[i % OB_ARRAY_SIZE(first)]);
	codec_add_string(o, "last_name", last[i % OB_ARRAY_SIZE(last)]);
	if (i % 3 != 2) {
		snprintf(buf, sizeof(buf), "user%04u@example.org", i);
		codec_add_string(o, "email", buf);
	}
	if (i % 3 == 1) {
		snprintf(buf, sizeof(buf), "+467012%05u", i);
		codec_add_string(o, "phone", buf);
	}
	codec_add_string(o, "org", "default");
	codec_add_string(o, "state", i % 4 ? "active" : "unfinished");
	json_object_object_add(o, "existing_account", json_object_new_boolean(false));
	json_object_object_add(o, "created", json_object_new_int64(1732400000 + i));
	if (i % 4)
		json_object_object_add(o, "password_set", json_object_new_int64(1732500000 + i));
	return o;
}

/* people Persons; a page that is not the last one names the next. */
static struct json_object *codec_user_list(unsigned people, bool more,
					   struct json_object **arr_out)
{
	struct json_object *p = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char next[32];

	for (unsigned i = 0; i < people; i++)
		json_object_array_add(arr, codec_person(i));
	json_object_object_add(p, "people", arr);
	if (more && people) {
		snprintf(next, sizeof(next), "user%04u", people - 1);
		codec_add_string(p, "next", next);
	}
	if (arr_out)
		*arr_out = arr;
	return varlink_reply_new(p);
}

static size_t codec_rendered_len(struct json_object *o)
{
	size_t n = 0;

	json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	return n;
}

/* The UserList reply with as many people as the 64 KiB cap allows. */
static struct json_object *codec_user_list_fitting(unsigned *people)
{
	struct json_object *arr;
	struct json_object *msg = codec_user_list(0, false, &arr);
	unsigned n = 0;

	for (;;) {
		json_object_array_add(arr, codec_person(n));
		if (codec_rendered_len(msg) > OB_MAX_MESSAGE) {
			json_object_array_del_idx(arr, n, 1);
			break;
		}
		n++;
	}
	*people = n;
	return msg;
}

/* A GetInterfaceDescription reply of exactly CODEC_BIG_TARGET bytes: the
 * largest kind of message the daemon sends in normal use. */
static struct json_object *codec_big_description(void)
{
	/* Room for the envelope {"parameters":{"description":"..."}}. */
	const size_t budget = CODEC_BIG_TARGET - 64;
	size_t len = 0, rendered = 0, have;
	char *desc = malloc(CODEC_BIG_TARGET + 1);
	struct json_object *p, *msg;

	if (!desc)
		return NULL;
	desc[0] = '\0';
	for (unsigned i = 0;; i++) {
		char line[160];
		int n = snprintf(line, sizeof(line),
				 "# Field %u of the interface, documented in one line.\n"
				 "method Call%u(name: string, count: ?int) -> (ok: bool)\n",
				 i, i);

		/* Each of the two newlines renders as two bytes (\n). */
		if (rendered + (size_t)n + 2 > budget)
			break;
		memcpy(desc + len, line, (size_t)n + 1);
		len += (size_t)n;
		rendered += (size_t)n + 2;
	}
	p = json_object_new_object();
	json_object_object_add(p, "description", json_object_new_string(desc));
	msg = varlink_reply_new(p);
	have = codec_rendered_len(msg);
	if (have < CODEC_BIG_TARGET && len + CODEC_BIG_TARGET - have <= CODEC_BIG_TARGET) {
		/* Pad with blanks (one byte each when rendered) to the target. */
		size_t pad = CODEC_BIG_TARGET - have;

		memset(desc + len, ' ', pad);
		desc[len + pad] = '\0';
		json_object_object_add(p, "description", json_object_new_string(desc));
	}
	free(desc);
	return msg;
}

static int codec_sample_init(struct codec_sample *s, const char *title, bool is_call,
			     struct json_object *obj)
{
	const char *t;
	size_t n = 0;

	if (!obj)
		return -ENOMEM;
	snprintf(s->title, sizeof(s->title), "%s", title);
	s->is_call = is_call;
	s->obj = obj;
	t = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &n);
	if (!t)
		return -ENOMEM;
	s->text = malloc(n + 1);
	if (!s->text)
		return -ENOMEM;
	memcpy(s->text, t, n + 1);
	s->len = n;
	return 0;
}

/* ----------------------------------------------------------- operations */

/* One operation on one sample; returns what the codec returned. */
static int codec_op_once(enum codec_op op, struct codec_sample *s, struct varlink_reader *rd)
{
	struct json_object *m = NULL, *params;
	const char *name;
	char *at, *buf;
	size_t room, len;
	bool oneway;
	int r;

	switch (op) {
	case OP_PARSE:
		r = varlink_parse(s->text, s->len, &m);
		json_object_put(m);
		return r;
	case OP_READER:
		r = varlink_reader_space(rd, &at, &room);
		if (r < 0)
			return r;
		len = s->len + 1 <= room ? s->len + 1 : room;
		memcpy(at, s->text, len); /* s->text ends in its NUL */
		varlink_reader_commit(rd, len);
		r = varlink_reader_next(rd, &m);
		json_object_put(m);
		if (r < 0)
			rd->len = 0; /* the daemon drops such a peer */
		return r;
	case OP_SPLIT:
		if (s->is_call)
			return varlink_call_split(s->obj, &name, &params, &oneway);
		return varlink_reply_split(s->obj, &name, &params);
	case OP_ENCODE:
		r = varlink_encode(s->obj, &buf, &len);
		free(buf);
		return r;
	default:
		return -EINVAL;
	}
}

static double codec_time(enum codec_op op, struct codec_sample *s, struct varlink_reader *rd,
			 unsigned long iters)
{
	double t0 = codec_now();

	for (unsigned long i = 0; i < iters; i++)
		(void)codec_op_once(op, s, rd);
	return codec_now() - t0;
}

static int codec_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Messages per second: the median of o->runs runs of one calibrated
 * length. */
static double codec_rate(enum codec_op op, struct codec_sample *s, struct varlink_reader *rd,
			 const struct codec_opts *o)
{
	double rates[CODEC_RUNS_MAX], t;
	unsigned long iters = 1;

	for (;;) {
		t = codec_time(op, s, rd, iters);
		if (t >= o->min_time)
			break;
		if (t < o->min_time / 100)
			iters *= 10;
		else
			iters = (unsigned long)((double)iters * o->min_time * 1.1 / t) + 1;
	}
	rates[0] = (double)iters / t;
	for (unsigned i = 1; i < o->runs; i++)
		rates[i] = (double)iters / codec_time(op, s, rd, iters);
	qsort(rates, o->runs, sizeof(rates[0]), codec_cmp_double);
	return rates[o->runs / 2];
}

static const char *codec_result(int r)
{
	static char buf[32];

	if (r >= 0)
		return "ok";
	if (r == -EMSGSIZE)
		return "refused: EMSGSIZE";
	if (r == -EBADMSG)
		return "refused: EBADMSG";
	snprintf(buf, sizeof(buf), "error %d", r);
	return buf;
}

static void codec_report(struct codec_sample *s, struct varlink_reader *rd,
			 const struct codec_opts *o)
{
	for (int op = 0; op < OP_COUNT; op++) {
		int r = codec_op_once(op, s, rd);
		double rate = codec_rate(op, s, rd, o);

		char mps[32] = "-", mbps[32] = "-";

		/* A refusal's throughput and a split's bytes per second mean
		 * nothing: only its time per message is shown. */
		if (r >= 0)
			snprintf(mps, sizeof(mps), "%.0f", rate);
		if (r >= 0 && op != OP_SPLIT)
			snprintf(mbps, sizeof(mbps), "%.1f", rate * (double)s->len / 1e6);
		printf("%-40s %7zu  %-11s %12s %9s %10.2f  %s\n", op == 0 ? s->title : "",
		       s->len, codec_op_names[op], mps, mbps, 1e6 / rate, codec_result(r));
	}
}

static void codec_usage(FILE *f)
{
	fprintf(f,
		"usage: bench_codec [--runs N] [--min-time SECONDS]\n"
		"  --runs N            runs per figure, the median is shown (default %d)\n"
		"  --min-time SECONDS  shortest run (default %.2f)\n",
		CODEC_RUNS_DEFAULT, CODEC_MIN_TIME_DEFAULT);
}

static int codec_parse_args(int argc, char **argv, struct codec_opts *o)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "min-time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	o->runs = CODEC_RUNS_DEFAULT;
	o->min_time = CODEC_MIN_TIME_DEFAULT;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			errno = 0;
			o->runs = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || o->runs < 1 || o->runs > CODEC_RUNS_MAX) {
				fprintf(stderr, "bench_codec: --runs must be 1 to %d\n",
					CODEC_RUNS_MAX);
				return -EINVAL;
			}
			break;
		case 't':
			errno = 0;
			o->min_time = strtod(optarg, &end);
			if (errno || *end || !(o->min_time >= 0.001 && o->min_time <= 60)) {
				fprintf(stderr, "bench_codec: --min-time must be 0.001 to 60\n");
				return -EINVAL;
			}
			break;
		case 'h':
			codec_usage(stdout);
			exit(0);
		default:
			codec_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		codec_usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct codec_sample samples[5] = { 0 };
	struct varlink_reader rd = { 0 };
	struct codec_opts o;
	unsigned fitting = 0;
	char title[64];
	int r = 0;

	if (codec_parse_args(argc, argv, &o) < 0)
		return 2;
	if (sodium_init() < 0) {
		fprintf(stderr, "bench_codec: libsodium failed to initialise\n");
		return 1;
	}
	snprintf(title, sizeof(title), "Admin.UserList reply, %u people", CODEC_USERLIST_PEOPLE);
	if ((r = codec_sample_init(&samples[0], "Login.Start call", true, codec_login_start())) <
		    0 ||
	    (r = codec_sample_init(&samples[1], "Login reply, 3 prompts", false,
				   codec_login_prompts())) < 0 ||
	    (r = codec_sample_init(&samples[2], title, false,
				   codec_user_list(CODEC_USERLIST_PEOPLE, false, NULL))) < 0)
		goto out;
	snprintf(title, sizeof(title), "Admin.UserList page, %u people", CODEC_USERLIST_PAGE);
	if ((r = codec_sample_init(&samples[3], title, false,
				   codec_user_list(CODEC_USERLIST_PAGE, true, NULL))) < 0)
		goto out;
	json_object_put(codec_user_list_fitting(&fitting));
	if ((r = codec_sample_init(&samples[4], "GetInterfaceDescription reply, 60 KiB", false,
				   codec_big_description())) < 0)
		goto out;

	printf("varlink codec (json-c %s), median of %u runs of at least %.2f s each;\n"
	       "MB/s counts 10^6 bytes of JSON; the message cap is %d bytes.\n\n",
	       json_c_version(), o.runs, o.min_time, OB_MAX_MESSAGE);
	printf("%-40s %7s  %-11s %12s %9s %10s  %s\n", "message", "bytes", "operation", "msg/s",
	       "MB/s", "us/msg", "result");
	for (size_t i = 0; i < OB_ARRAY_SIZE(samples); i++)
		codec_report(&samples[i], &rd, &o);
	printf("\nA message over %d bytes is refused; at most %u people of the shape used\n"
	       "here fit in one Admin.UserList reply, hence its pages.\n",
	       OB_MAX_MESSAGE, fitting);
out:
	if (r < 0)
		fprintf(stderr, "bench_codec: cannot build the sample messages: %s\n",
			strerror(-r));
	for (size_t i = 0; i < OB_ARRAY_SIZE(samples); i++) {
		json_object_put(samples[i].obj);
		free(samples[i].text);
	}
	varlink_reader_free(&rd);
	return r < 0 ? 1 : 0;
}

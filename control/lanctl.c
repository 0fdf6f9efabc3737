/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl: send one command to lanswitchd over its control socket and print the answer.
 *
 * lanctl links the switch's grammar (api/grammar.h): it finds the command and checks its
 * words against the command's forms before it connects, so a usage error is exit code 2
 * with the grammar's message whether or not the switch runs, and --help needs no switch.
 * Commands marked CMD_LOCAL (help) run here and are never sent. The rest go to the daemon
 * verbatim, and the daemon checks them again (config files and other clients need that).
 * What lanctl adds is the transport (connect, one request line, one reply line, a
 * timeout), the exit codes, and a human form of the results that have one; -j prints
 * every result as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h> /* isfinite(), a macro: no libm */
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "api/grammar.h"
#include "lanctl.h"

/* Far above any real table, low enough that a runaway peer cannot eat the host's memory. */
#define LANCTL_REPLY_MAX (16 * 1024 * 1024)
#define LANCTL_REPLY_CHUNK 4096
#define LANCTL_TIMEOUT_DEFAULT_S 10.0
#define LANCTL_TIMEOUT_MAX_S 86400.0 /* keeps deadline arithmetic far from overflow */

struct lanctl_opts {
	const char *socket;
	double timeout_s; /* 0: wait forever */
	bool json;
	bool help;
};

/* The commands whose result has a human form, by enum cmd_id; the others print JSON. */
struct lanctl_printer {
	int (*print)(struct json_object *result, FILE *out);
};

static const struct lanctl_printer lanctl_printers[CMD_MAX] = {
	[CMD_PORT_LIST] = { cmd_port_list_print },     [CMD_PORT_ADD] = { cmd_port_add_print },
	[CMD_FDB_SHOW] = { cmd_fdb_show_print },       [CMD_STATS] = { cmd_stats_print },
	[CMD_CONFIG_SHOW] = { cmd_config_show_print },
};

/* The commands lanctl runs itself (CMD_LOCAL), by enum cmd_id. */
struct lanctl_local {
	int (*run)(int argc, char **argv); /* argv after the command's words; an exit code */
};

static const struct lanctl_local lanctl_locals[CMD_MAX] = {
	[CMD_HELP] = { help_run },
};

static const struct option lanctl_long_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int lanctl_parse_timeout(const char *arg, double *timeout_s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end != '\0' || !isfinite(v) || v < 0 ||
	    v > LANCTL_TIMEOUT_MAX_S)
		return -EINVAL;
	*timeout_s = v;
	return 0;
}

static void lanctl_bad_option(int opt, char **argv)
{
	/* optopt is 0 for a long option; its text is the word getopt just consumed. */
	const char *name = argv[optind - 1];

	if (opt == ':')
		fprintf(stderr, "lanctl: option %s needs an argument\n", name);
	else if (optopt)
		fprintf(stderr, "lanctl: unknown option -%c\n", optopt);
	else
		fprintf(stderr, "lanctl: unknown option %s\n", name);
}

/* "+": stop at the first command word, so options of commands (--server) reach the daemon. */
static int lanctl_parse_opts(int argc, char **argv, struct lanctl_opts *opts)
{
	const char *env = getenv("LANSWITCH_SOCKET");
	int opt;

	opts->socket = env && *env ? env : CTL_DEFAULT_SOCKET;
	opts->timeout_s = LANCTL_TIMEOUT_DEFAULT_S;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:s:jt:h", lanctl_long_opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (*optarg == '\0') {
				fprintf(stderr, "lanctl: empty socket path\n");
				return -EINVAL;
			}
			opts->socket = optarg;
			break;
		case 'j':
			opts->json = true;
			break;
		case 't':
			if (lanctl_parse_timeout(optarg, &opts->timeout_s) < 0) {
				fprintf(stderr,
				        "lanctl: bad timeout \"%s\": want 0 to %.0f seconds\n",
				        optarg, LANCTL_TIMEOUT_MAX_S);
				return -EINVAL;
			}
			break;
		case 'h':
			opts->help = true;
			break;
		default:
			lanctl_bad_option(opt, argv);
			return -EINVAL;
		}
	}
	return 0;
}

/* One request line: {"args":[...]}\n. json-c escapes whatever the words hold. */
static int lanctl_request_build(char **words, int nwords, char **request, size_t *len)
{
	struct json_object *req, *args;
	const char *s;
	int i, rc = -ENOMEM;

	req = json_object_new_object();
	args = json_object_new_array();
	if (!req || !args)
		goto free_objs;
	for (i = 0; i < nwords; i++) {
		if (json_object_array_add(args, json_object_new_string(words[i])) < 0)
			goto free_objs;
	}
	json_object_object_add(req, CTL_KEY_ARGS, args);
	args = NULL; /* owned by req now */

	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (!s)
		goto free_objs;
	*len = strlen(s) + 1;
	/* The daemon would refuse it and close; saying so here names the real limit. */
	rc = -E2BIG;
	if (*len > CTL_MAX_REQUEST)
		goto free_objs;
	rc = -ENOMEM;
	if (asprintf(request, "%s\n", s) < 0)
		goto free_objs;
	rc = 0;
free_objs:
	json_object_put(args);
	json_object_put(req);
	return rc;
}

static struct timespec lanctl_deadline(double timeout_s)
{
	struct timespec now;
	double end;

	clock_gettime(CLOCK_MONOTONIC, &now);
	end = (double)now.tv_sec + now.tv_nsec / 1e9 + timeout_s;
	return (struct timespec){ .tv_sec = (time_t)end,
		                  .tv_nsec = (long)((end - (double)(time_t)end) * 1e9) };
}

/* Milliseconds left for poll(): -1 without a deadline, 0 once it passed. */
static int lanctl_remaining_ms(const struct timespec *deadline)
{
	struct timespec now;
	double ms;

	if (!deadline)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(deadline->tv_sec - now.tv_sec) * 1e3 +
	     (double)(deadline->tv_nsec - now.tv_nsec) / 1e6;
	if (ms <= 0)
		return 0;
	/* Round up: a poll() that wakes just before the deadline would spin once more. */
	return ms >= INT_MAX - 1 ? INT_MAX : (int)ms + 1;
}

/*
 * A unix socket's connect() blocks while the daemon's listen backlog is full and honours
 * SO_SNDTIMEO, so that one option bounds both connect() and send().
 */
static int lanctl_connect(const char *path, double timeout_s, int *fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = (time_t)timeout_s,
		              .tv_usec = (long)((timeout_s - (double)(time_t)timeout_s) * 1e6) };
	int s, rc;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path));

	/* A zero timeval would mean "block forever", the opposite of a tiny -t. */
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (timeout_s > 0 && setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		rc = -errno;
		goto close_socket;
	}
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
		goto close_socket;
	}
	*fd = s;
	return 0;
close_socket:
	close(s);
	return rc;
}

/* MSG_NOSIGNAL: a daemon that went away is exit code 3 with a message, not a SIGPIPE death. */
static int lanctl_send(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Reads up to the first newline into *line (NUL-terminated, without the newline), until
 * *deadline (NULL: no deadline).
 */
static int lanctl_recv_line(int fd, const struct timespec *deadline, char **line, size_t *len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t used = 0, cap = 0;
	char *buf = NULL, *nl, *grown;
	ssize_t n;
	int rc;

	for (;;) {
		rc = poll(&pfd, 1, lanctl_remaining_ms(deadline));
		if (rc < 0 && errno == EINTR)
			continue;
		rc = rc < 0 ? -errno : rc == 0 ? -ETIMEDOUT : 0;
		if (rc < 0)
			goto free_buf;
		if (used + 1 >= cap) {
			rc = -EMSGSIZE;
			if (cap >= LANCTL_REPLY_MAX)
				goto free_buf;
			cap = cap ? cap * 2 : LANCTL_REPLY_CHUNK;
			rc = -ENOMEM;
			grown = realloc(buf, cap);
			if (!grown)
				goto free_buf;
			buf = grown;
		}
		n = recv(fd, buf + used, cap - used - 1, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* The daemon answers every request, so EOF first means it died or refused us. */
		rc = n < 0 ? -errno : n == 0 ? -ECONNRESET : 0;
		if (rc < 0)
			goto free_buf;
		nl = memchr(buf + used, '\n', n);
		used += n;
		if (nl) {
			*nl = '\0';
			*len = nl - buf;
			*line = buf;
			return 0;
		}
	}
free_buf:
	free(buf);
	return rc;
}

/* NULL when the envelope is right, else what is wrong with it; "result" is for printers. */
static const char *lanctl_reply_check(struct json_object *reply)
{
	struct json_object *ok;

	if (!json_object_is_type(reply, json_type_object))
		return "not a JSON object";
	if (!json_object_object_get_ex(reply, CTL_KEY_OK, &ok))
		return "no \"" CTL_KEY_OK "\" member";
	if (!json_object_is_type(ok, json_type_boolean))
		return "\"" CTL_KEY_OK "\" is not a boolean";
	return NULL;
}

static int lanctl_reply_parse(const char *line, size_t len, struct json_object **reply,
                              const char **why)
{
	struct json_tokener *tok;
	enum json_tokener_error err;
	struct json_object *obj;
	size_t end;

	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	obj = json_tokener_parse_ex(tok, line, len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (!obj && err == json_tokener_continue)
		*why = "truncated JSON";
	else if (!obj && err != json_tokener_success)
		*why = json_tokener_error_desc(err);
	else if (strspn(line + end, " \t\r") != len - end)
		*why = "data after the JSON value";
	else
		*why = lanctl_reply_check(obj);
	if (*why) {
		json_object_put(obj);
		return -EPROTO;
	}
	*reply = obj;
	return 0;
}

static void lanctl_fail(const struct lanctl_opts *opts, const char *step, const char *why)
{
	if (step)
		fprintf(stderr, "lanctl: %s: %s: %s\n", opts->socket, step, why);
	else
		fprintf(stderr, "lanctl: %s: %s\n", opts->socket, why);
}

/* EOF and an oversized reply get words of their own: their errno would mislead. */
static void lanctl_fail_recv(const struct lanctl_opts *opts, int rc)
{
	char step[64];

	switch (rc) {
	case -ETIMEDOUT:
		snprintf(step, sizeof(step), "no reply after %g s", opts->timeout_s);
		lanctl_fail(opts, step, strerror(-rc));
		break;
	case -ECONNRESET:
		lanctl_fail(opts, "reading reply", "connection closed before the reply");
		break;
	case -EMSGSIZE:
		lanctl_fail(opts, "reading reply", "reply longer than 16 MiB");
		break;
	default:
		lanctl_fail(opts, "reading reply", strerror(-rc));
		break;
	}
}

/* One exchange: connect, send, read one line, parse. Says what failed, naming the socket. */
static int lanctl_call(const struct lanctl_opts *opts, const char *request, size_t len,
                       struct json_object **reply)
{
	struct timespec deadline = lanctl_deadline(opts->timeout_s);
	char *line = NULL;
	const char *why;
	size_t line_len;
	int fd = -1, rc;

	rc = lanctl_connect(opts->socket, opts->timeout_s, &fd);
	if (rc < 0) {
		lanctl_fail(opts, NULL, strerror(-rc));
		return rc;
	}
	rc = lanctl_send(fd, request, len);
	if (rc < 0) {
		lanctl_fail(opts, "sending request", strerror(-rc));
		goto close_fd;
	}
	rc = lanctl_recv_line(fd, opts->timeout_s > 0 ? &deadline : NULL, &line, &line_len);
	if (rc < 0) {
		lanctl_fail_recv(opts, rc);
		goto close_fd;
	}
	rc = lanctl_reply_parse(line, line_len, reply, &why);
	if (rc < 0)
		lanctl_fail(opts, "malformed reply", rc == -EPROTO ? why : strerror(-rc));
	free(line);
close_fd:
	close(fd);
	return rc;
}

/*
 * An empty result prints nothing whatever the command, so a printer sees only what it can
 * show. A shape the printer does not know is still shown, as JSON, rather than hidden.
 */
static int lanctl_print_result(const struct lanctl_opts *opts, const struct cmd_def *def,
                               struct json_object *result)
{
	const struct lanctl_printer *printer = &lanctl_printers[grammar_id(def)];
	int rc;

	if (opts->json)
		return print_json_plain(result, stdout);
	if (!result || (json_object_is_type(result, json_type_object) &&
	                json_object_object_length(result) == 0))
		return 0;
	if (printer->print) {
		rc = printer->print(result, stdout);
		if (rc != -EPROTO)
			return rc;
	}
	return print_json_pretty(result, stdout);
}

/* The daemon's refusal, as one line; its text already names what was wrong. */
static int lanctl_refused(struct json_object *reply)
{
	struct json_object *err;

	if (json_object_object_get_ex(reply, CTL_KEY_ERROR, &err) &&
	    json_object_is_type(err, json_type_string))
		fprintf(stderr, "lanctl: %s\n", json_object_get_string(err));
	else
		fprintf(stderr, "lanctl: the daemon refused the command without saying why\n");
	return LANCTL_EXIT_REFUSED;
}

static int lanctl_run(const struct lanctl_opts *opts, const struct cmd_def *def, char **words,
                      int nwords)
{
	struct json_object *reply = NULL, *result, *ok;
	int rc, status = LANCTL_EXIT_SOCKET;
	char *request = NULL;
	size_t len;

	if (nwords > CTL_MAX_ARGS) {
		fprintf(stderr, "lanctl: %d words, the daemon takes at most %d\n", nwords,
		        CTL_MAX_ARGS);
		return LANCTL_EXIT_USAGE;
	}
	rc = lanctl_request_build(words, nwords, &request, &len);
	if (rc == -E2BIG) {
		fprintf(stderr, "lanctl: command of %zu bytes, the daemon takes at most %d\n", len,
		        CTL_MAX_REQUEST);
		return LANCTL_EXIT_USAGE;
	} else if (rc < 0) {
		fprintf(stderr, "lanctl: building the request: %s\n", strerror(-rc));
		return LANCTL_EXIT_SOCKET;
	}
	if (lanctl_call(opts, request, len, &reply) < 0)
		goto free_request;

	json_object_object_get_ex(reply, CTL_KEY_OK, &ok);
	if (!json_object_get_boolean(ok)) {
		status = lanctl_refused(reply);
		goto put_reply;
	}
	/* Missing "result" on success is read as {}: the command did succeed. */
	if (!json_object_object_get_ex(reply, CTL_KEY_RESULT, &result)) {
		result = json_object_new_object();
		json_object_object_add(reply, CTL_KEY_RESULT, result);
	}
	/* A full disk or a closed pipe must not pass for success in a script. */
	errno = 0;
	rc = lanctl_print_result(opts, def, result);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = errno ? -errno : -EIO;
	if (rc == 0)
		status = LANCTL_EXIT_OK;
	else
		fprintf(stderr, "lanctl: writing output: %s\n", strerror(-rc));
put_reply:
	json_object_put(reply);
free_request:
	free(request);
	return status;
}

/*
 * "--help" or "-h" among the command's words (lanctl port add -h): the help of what the
 * words before it name. No command takes either as a value: no name starts with a dash.
 */
static int lanctl_help_asked(int nwords, char **words)
{
	int i;

	for (i = 0; i < nwords; i++) {
		if (!strcmp(words[i], "--help") || !strcmp(words[i], "-h"))
			return i;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct lanctl_opts opts = { 0 };
	char err[GRAMMAR_ERR_MAX], **words;
	const struct cmd_def *def;
	int nwords, n, at;

	if (lanctl_parse_opts(argc, argv, &opts) < 0) {
		fprintf(stderr, "Try 'lanctl --help'.\n");
		return LANCTL_EXIT_USAGE;
	}
	words = argv + optind;
	nwords = argc - optind;
	if (opts.help)
		return help_topic(stdout, nwords, words);
	if (nwords == 0) {
		help_all(stderr);
		return LANCTL_EXIT_USAGE;
	}
	at = lanctl_help_asked(nwords, words);
	if (at >= 0)
		return help_topic(stdout, at, words);
	/* the switch's own grammar, before the socket: a usage error is the same without it */
	def = grammar_find(nwords, words, &n, err, sizeof(err));
	if (!def)
		return help_unknown(err, nwords, words);
	if (grammar_check(def, nwords - n, words + n, err, sizeof(err)) < 0)
		return help_usage_error(def, err);
	if (!(def->flags & CMD_LOCAL))
		return lanctl_run(&opts, def, words, nwords);
	if (!lanctl_locals[grammar_id(def)].run) {
		fprintf(stderr, "lanctl: \"%s\" is not in this lanctl yet\n", words[0]);
		return LANCTL_EXIT_USAGE;
	}
	return lanctl_locals[grammar_id(def)].run(nwords - n, words + n);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of the control socket (api/ctl_proto.h): build a request, connect, send,
 * read one reply line with a deadline, parse it; and the messages that name the socket and
 * the step that failed. lanctl's commands and its monitor share it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "lanctl.h"

/* Far above any real table, low enough that a runaway peer cannot eat the host's memory. */
#define LANCTL_REPLY_MAX (16 * 1024 * 1024)
#define LANCTL_REPLY_CHUNK 4096

/* One request line: {"args":[...]}\n. json-c escapes whatever the words hold. */
int client_request_build(char **words, int nwords, char **request, size_t *len)
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

struct timespec client_deadline(double timeout_s)
{
	struct timespec now;
	double end;

	clock_gettime(CLOCK_MONOTONIC, &now);
	end = (double)now.tv_sec + now.tv_nsec / 1e9 + timeout_s;
	return (struct timespec){ .tv_sec = (time_t)end,
		                  .tv_nsec = (long)((end - (double)(time_t)end) * 1e9) };
}

/* Milliseconds left for poll(): -1 without a deadline, 0 once it passed. */
int client_remaining_ms(const struct timespec *deadline)
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
int client_connect(const char *path, double timeout_s, int *fd)
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
int client_send(int fd, const char *buf, size_t len)
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
int client_recv_line(int fd, const struct timespec *deadline, char **line, size_t *len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t used = 0, cap = 0;
	char *buf = NULL, *nl, *grown;
	ssize_t n;
	int rc;

	for (;;) {
		rc = poll(&pfd, 1, client_remaining_ms(deadline));
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
static const char *client_reply_check(struct json_object *reply)
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

int client_reply_parse(const char *line, size_t len, struct json_object **reply, const char **why)
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
		*why = client_reply_check(obj);
	if (*why) {
		json_object_put(obj);
		return -EPROTO;
	}
	*reply = obj;
	return 0;
}

void client_fail(const struct lanctl_opts *opts, const char *step, const char *why)
{
	if (step)
		fprintf(stderr, "lanctl: %s: %s: %s\n", opts->socket, step, why);
	else
		fprintf(stderr, "lanctl: %s: %s\n", opts->socket, why);
}

/* EOF and an oversized reply get words of their own: their errno would mislead. */
void client_fail_recv(const struct lanctl_opts *opts, int rc)
{
	char step[64];

	switch (rc) {
	case -ETIMEDOUT:
		snprintf(step, sizeof(step), "no reply after %g s", opts->timeout_s);
		client_fail(opts, step, strerror(-rc));
		break;
	case -ECONNRESET:
		client_fail(opts, "reading reply", "connection closed before the reply");
		break;
	case -EMSGSIZE:
		client_fail(opts, "reading reply", "reply longer than 16 MiB");
		break;
	default:
		client_fail(opts, "reading reply", strerror(-rc));
		break;
	}
}

/* One exchange: connect, send, read one line, parse. Says what failed, naming the socket. */
int client_call(const struct lanctl_opts *opts, const char *request, size_t len,
                struct json_object **reply)
{
	struct timespec deadline = client_deadline(opts->timeout_s);
	char *line = NULL;
	const char *why;
	size_t line_len;
	int fd = -1, rc;

	rc = client_connect(opts->socket, opts->timeout_s, &fd);
	if (rc < 0) {
		client_fail(opts, NULL, strerror(-rc));
		return rc;
	}
	rc = client_send(fd, request, len);
	if (rc < 0) {
		client_fail(opts, "sending request", strerror(-rc));
		goto close_fd;
	}
	rc = client_recv_line(fd, opts->timeout_s > 0 ? &deadline : NULL, &line, &line_len);
	if (rc < 0) {
		client_fail_recv(opts, rc);
		goto close_fd;
	}
	rc = client_reply_parse(line, line_len, reply, &why);
	if (rc < 0)
		client_fail(opts, "malformed reply", rc == -EPROTO ? why : strerror(-rc));
	free(line);
close_fd:
	close(fd);
	return rc;
}

int client_ask(const struct lanctl_opts *opts, char **words, int nwords,
               struct json_object **result, char *err, size_t errlen)
{
	struct json_object *reply = NULL, *ok, *e, *res;
	char *request = NULL;
	size_t len;
	int ret;

	ret = client_request_build(words, nwords, &request, &len);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", words[0], strerror(-ret));
		return ret;
	}
	ret = client_call(opts, request, len, &reply);
	free(request);
	if (ret < 0)
		return -ECOMM;
	json_object_object_get_ex(reply, CTL_KEY_OK, &ok);
	if (!json_object_get_boolean(ok)) {
		if (json_object_object_get_ex(reply, CTL_KEY_ERROR, &e))
			snprintf(err, errlen, "%s", json_object_get_string(e));
		else
			snprintf(err, errlen, "the switch refused without saying why");
		json_object_put(reply);
		return -EREMOTEIO;
	}
	if (result != NULL)
		*result = json_object_object_get_ex(reply, CTL_KEY_RESULT, &res)
		                  ? json_object_get(res)
		                  : json_object_new_object();
	json_object_put(reply);
	return 0;
}

int client_command(const struct lanctl_opts *opts, char **words, int nwords,
                   struct json_object **result)
{
	char err[CMD_ERR_TEXT_MAX];
	int ret = client_ask(opts, words, nwords, result, err, sizeof(err));

	if (ret == -ECOMM)
		return LANCTL_EXIT_SOCKET;
	if (ret < 0) {
		fprintf(stderr, "lanctl: %s\n", err);
		return ret == -EREMOTEIO ? LANCTL_EXIT_REFUSED : LANCTL_EXIT_USAGE;
	}
	return 0;
}

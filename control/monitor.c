/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl monitor: subscribe to the switch's events and print one line each (the event's
 * JSON with -j) until interrupted, as `ip monitor` does.
 *
 * The switch drops a subscriber that does not read its events (a pipe into a stalled
 * program); lanctl then subscribes again from the same process, and the switch's reply says
 * it was dropped, which lanctl prints to stderr: the events in between are lost, and the
 * reader is told. A switch that has gone away ends the monitor with exit code 3.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "lanctl.h"

#define MONITOR_RESUBSCRIBE_MAX 3 /* in a row, without an event between */

volatile sig_atomic_t monitor_quit;

static void monitor_signal(int sig)
{
	monitor_quit = 1;
}

/*
 * The next line (NUL-terminated in r->buf, its length returned), waiting until deadline
 * (NULL: until interrupted). 0: EOF; -EINTR: interrupted; -ETIMEDOUT; -EMSGSIZE.
 */
ssize_t monitor_read_line(struct monitor_reader *r, const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	char *nl;
	ssize_t n;
	int rc;

	if (r->consumed > 0) { /* the line returned last time */
		r->len -= r->consumed;
		memmove(r->buf, r->buf + r->consumed, r->len);
		r->consumed = 0;
	}
	while ((nl = memchr(r->buf, '\n', r->len)) == NULL) {
		if (r->len == MONITOR_LINE_MAX)
			return -EMSGSIZE;
		rc = poll(&pfd, 1, deadline ? client_remaining_ms(deadline) : -1);
		if (rc < 0 || monitor_quit)
			return -EINTR;
		if (rc == 0)
			return -ETIMEDOUT;
		n = recv(r->fd, r->buf + r->len, MONITOR_LINE_MAX - r->len, 0);
		if (n < 0 && errno == EINTR)
			return -EINTR;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		r->len += (size_t)n;
	}
	*nl = '\0';
	r->consumed = (size_t)(nl - r->buf) + 1;
	return nl - r->buf;
}

/* The switch's reply says this process's last monitor was dropped: say so, once. */
static void monitor_tell_dropped(struct json_object *result)
{
	struct json_object *dropped = NULL, *ts;
	uint64_t unread = 0;
	char when[16] = "?";
	struct tm tm;
	time_t t;

	json_object_object_get_ex(result, "dropped", &dropped);
	if (json_object_object_get_ex(dropped, "ts", &ts)) {
		t = (time_t)json_object_get_double(ts);
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	print_get_u64(dropped, "unread_bytes", &unread);
	fprintf(stderr,
	        "lanctl: monitor: the switch dropped this monitor at %s: %s (%llu bytes "
	        "unread); events until now are lost\n",
	        when, print_get_str(dropped, "reason") ? print_get_str(dropped, "reason") : "?",
	        (unsigned long long)unread);
}

/*
 * Connect and subscribe (again: after the switch closed the stream); the reply read, the
 * stream next. -1 when subscribed, else an exit code.
 */
int monitor_subscribe(const struct lanctl_opts *opts, struct monitor_reader *r, bool again)
{
	struct timespec deadline = client_deadline(opts->timeout_s);
	struct json_object *reply = NULL, *ok, *result;
	char *words[] = { "monitor" }, *request = NULL;
	const char *why;
	size_t len;
	ssize_t n;
	int rc, status = LANCTL_EXIT_SOCKET;

	rc = client_request_build(words, 1, &request, &len);
	if (rc == 0)
		rc = client_connect(opts->socket, opts->timeout_s, &r->fd);
	if (rc < 0) {
		client_fail(opts, NULL, strerror(-rc));
		goto free_request;
	}
	r->len = 0;
	r->consumed = 0;
	rc = client_send(r->fd, request, len);
	n = rc < 0 ? rc : monitor_read_line(r, opts->timeout_s > 0 ? &deadline : NULL);
	if (n <= 0) {
		client_fail_recv(opts, n == 0 ? -ECONNRESET : (int)n);
		goto free_request;
	}
	if (client_reply_parse(r->buf, (size_t)n, &reply, &why) < 0) {
		client_fail(opts, "malformed reply", why);
		goto free_request;
	}
	json_object_object_get_ex(reply, CTL_KEY_OK, &ok);
	if (!json_object_get_boolean(ok)) {
		fprintf(stderr, "lanctl: %s\n",
		        print_get_str(reply, CTL_KEY_ERROR) ?: "the switch refused the monitor");
		status = LANCTL_EXIT_REFUSED;
		goto put_reply;
	}
	if (json_object_object_get_ex(reply, CTL_KEY_RESULT, &result) &&
	    json_object_object_get_ex(result, "dropped", NULL))
		monitor_tell_dropped(result);
	else if (again)
		fprintf(stderr, "lanctl: monitor: the switch closed the stream; subscribed again, "
		                "events in between are lost\n");
	status = -1;
put_reply:
	json_object_put(reply);
free_request:
	free(request);
	return status;
}

static int monitor_print(const struct lanctl_opts *opts, const char *line, size_t len)
{
	struct json_object *ev;
	int rc = 0;

	if (opts->json) {
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
	} else {
		ev = json_tokener_parse(line);
		if (ev == NULL || cmd_monitor_print_event(ev, stdout) < 0)
			fprintf(stdout, "%s\n", line); /* not an event we can read: as it came */
		json_object_put(ev);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = -errno;
	return rc;
}

int monitor_run(const struct lanctl_opts *opts, char **words, int nwords)
{
	struct sigaction sa = { .sa_handler = monitor_signal }; /* no SA_RESTART: wake poll */
	static struct monitor_reader r = { .fd = -1 };
	unsigned int resubscribed = 0;
	ssize_t n;
	int status;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		status = monitor_subscribe(opts, &r, resubscribed > 0);
		if (status >= 0)
			break;
		while ((n = monitor_read_line(&r, NULL)) > 0) {
			resubscribed = 0;
			if (monitor_print(opts, r.buf, (size_t)n) < 0) {
				status = LANCTL_EXIT_OK; /* the reader went away (a pipe closed) */
				goto close;
			}
		}
		close(r.fd);
		r.fd = -1;
		if (n == -EINTR || monitor_quit)
			return LANCTL_EXIT_OK;
		if (n < 0) {
			client_fail(opts, "reading events", strerror((int)-n));
			return LANCTL_EXIT_SOCKET;
		}
		if (++resubscribed > MONITOR_RESUBSCRIBE_MAX) {
			client_fail(opts, "reading events", "the switch keeps closing the stream");
			return LANCTL_EXIT_SOCKET;
		}
	}
close:
	if (r.fd >= 0)
		close(r.fd);
	r.fd = -1;
	return status;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a unix stream socket (mode 0660, group "lanswitch" when it exists),
 * newline-framed JSON requests, served one at a time on the control thread. Bad requests get
 * an error reply; a client that sends more than CTL_MAX_REQUEST bytes without a newline is
 * answered and dropped; when all client slots are taken, the client idle the longest makes
 * room, so idle connections can never lock people out.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "ctl/cmd.h"
#include "ctl/config.h"
#include "ctl/ctl_server.h"
#include "ctl/log.h"

#define CTL_MAX_CLIENTS 32

struct ctl_client {
	int fd;
	size_t len;
	time_t active;
	char *buf; /* CTL_MAX_REQUEST + 1 */
};

static struct {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *state;
	struct ctl_client clients[CTL_MAX_CLIENTS];
} ctl = { .fd = -1 };

static void ctl_client_close(struct ctl_client *c)
{
	close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* A socket file that answers is another lanswitchd; one that does not is left from a crash. */
static int ctl_server_clear_path(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path);
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (ret == 0)
		return -EADDRINUSE;
	return unlink(path) == 0 ? 0 : -errno;
}

int ctl_server_open(const char *path, const char *state, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(ctl.path)];
	struct group *gr;
	int i, ret;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		ctl.clients[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(dir, path);
	mkdir(dirname(dir), 0750); /* /run/lanswitch on a fresh boot; EEXIST is fine */
	ret = ctl_server_clear_path(path);
	if (ret < 0) {
		snprintf(err, errlen, "control socket %s: %s", path,
		         ret == -EADDRINUSE ? "another lanswitchd is listening there"
		         : ret == -ENOTSOCK ? "exists and is not a socket"
		                            : strerror(-ret));
		return ret;
	}
	ctl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ctl.fd < 0)
		goto err;
	strcpy(sa.sun_path, path);
	if (bind(ctl.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto err_close;
	strcpy(ctl.path, path);
	gr = getgrnam("lanswitch");
	if (chmod(path, 0660) != 0 || (gr != NULL && chown(path, 0, gr->gr_gid) != 0) ||
	    listen(ctl.fd, 64) != 0)
		goto err_unlink;
	ctl.state = state;
	return 0;

err_unlink:
	unlink(path);
	ctl.path[0] = '\0';
err_close:
	close(ctl.fd);
	ctl.fd = -1;
err:
	ret = -errno;
	snprintf(err, errlen, "control socket %s: %s", path, strerror(-ret));
	return ret;
}

void ctl_server_close(void)
{
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl.clients[i].fd >= 0)
			ctl_client_close(&ctl.clients[i]);
	if (ctl.fd >= 0)
		close(ctl.fd);
	ctl.fd = -1;
	if (ctl.path[0] != '\0')
		unlink(ctl.path);
	ctl.path[0] = '\0';
}

static void ctl_send(struct ctl_client *c, struct json_object *reply)
{
	const char *s = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s), off = 0;
	ssize_t n;

	/* the socket blocks with a send timeout: a reply is never cut in the middle unless
	 * the client stops reading for seconds, and then it is dropped */
	while (off < len) {
		n = send(c->fd, s + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		off += (size_t)n;
	}
	send(c->fd, "\n", 1, MSG_NOSIGNAL);
}

static void ctl_reply_error(struct ctl_client *c, const char *msg)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, CTL_KEY_OK, json_object_new_boolean(0));
	json_object_object_add(r, CTL_KEY_ERROR, json_object_new_string(msg));
	ctl_send(c, r);
	json_object_put(r);
}

/* argv points into req; returns argc or -1 with why set. */
static int ctl_parse(struct json_object *req, char **argv, const char **why)
{
	struct json_object *args, *a;
	size_t i, n;

	if (!json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, CTL_KEY_ARGS, &args) ||
	    !json_object_is_type(args, json_type_array)) {
		*why = "bad request: expected {\"args\":[\"word\",...]}";
		return -1;
	}
	n = json_object_array_length(args);
	if (n == 0 || n > CTL_MAX_ARGS) {
		*why = n == 0 ? "bad request: no command" : "bad request: too many words";
		return -1;
	}
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(args, i);
		if (!json_object_is_type(a, json_type_string)) {
			*why = "bad request: every word must be a string";
			return -1;
		}
		argv[i] = (char *)json_object_get_string(a);
	}
	return (int)n;
}

static void ctl_handle(struct ctl_client *c, const char *line)
{
	struct json_object *req, *reply;
	struct cmd_result res = { 0 };
	char *argv[CTL_MAX_ARGS];
	const char *why = NULL;
	bool changed;
	int argc;

	req = json_tokener_parse(line);
	if (req == NULL) {
		ctl_reply_error(c, "bad request: not JSON");
		return;
	}
	argc = ctl_parse(req, argv, &why);
	if (argc < 0) {
		ctl_reply_error(c, why);
		json_object_put(req);
		return;
	}
	if (cmd_run(argc, argv, false, &changed, &res) < 0) {
		ctl_reply_error(c, res.err);
		json_object_put(res.json);
		json_object_put(req);
		return;
	}
	if (changed)
		config_save_state(ctl.state);
	reply = json_object_new_object();
	json_object_object_add(reply, CTL_KEY_OK, json_object_new_boolean(1));
	json_object_object_add(reply, CTL_KEY_RESULT,
	                       res.json != NULL ? res.json : json_object_new_object());
	ctl_send(c, reply);
	json_object_put(reply);
	json_object_put(req);
}

/* Serve every complete line in the buffer; keep a partial one for the next read. */
static void ctl_client_read(struct ctl_client *c)
{
	char *nl, *start;
	ssize_t n;

	n = recv(c->fd, c->buf + c->len, CTL_MAX_REQUEST - c->len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		ctl_client_close(c);
		return;
	}
	if (n < 0)
		return;
	c->len += (size_t)n;
	c->active = time(NULL);
	c->buf[c->len] = '\0';
	start = c->buf;
	while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf))) != NULL) {
		*nl = '\0';
		if (strlen(start) != (size_t)(nl - start))
			ctl_reply_error(c, "bad request: NUL byte in request");
		else
			ctl_handle(c, start);
		start = nl + 1;
	}
	c->len -= (size_t)(start - c->buf);
	memmove(c->buf, start, c->len);
	if (c->len == CTL_MAX_REQUEST) {
		ctl_reply_error(c, "bad request: longer than 65536 bytes");
		ctl_client_close(c);
	}
}

static struct ctl_client *ctl_client_slot(void)
{
	struct ctl_client *c, *idlest = NULL;
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		c = &ctl.clients[i];
		if (c->fd < 0)
			return c;
		if (idlest == NULL || c->active < idlest->active)
			idlest = c;
	}
	LOG_WARN("control socket: %d clients connected, closing the one idle longest",
	         CTL_MAX_CLIENTS);
	ctl_client_close(idlest);
	return idlest;
}

static void ctl_accept(void)
{
	struct timeval tv = { .tv_sec = 2 };
	struct ctl_client *c;
	int fd;

	fd = accept4(ctl.fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c = ctl_client_slot();
	c->buf = malloc(CTL_MAX_REQUEST + 1);
	if (c->buf == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->len = 0;
	c->active = time(NULL);
}

void ctl_server_poll(int timeout_ms)
{
	struct pollfd pfd[CTL_MAX_CLIENTS + 1];
	struct ctl_client *map[CTL_MAX_CLIENTS + 1];
	int i, n = 0;

	pfd[n++] = (struct pollfd){ .fd = ctl.fd, .events = POLLIN };
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (ctl.clients[i].fd < 0)
			continue;
		map[n] = &ctl.clients[i];
		pfd[n++] = (struct pollfd){ .fd = ctl.clients[i].fd, .events = POLLIN };
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) <= 0)
		return;
	for (i = 1; i < n; i++)
		if (pfd[i].revents != 0)
			ctl_client_read(map[i]);
	if (pfd[0].revents & POLLIN)
		ctl_accept();
}

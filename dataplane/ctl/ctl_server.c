/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a unix stream socket (mode 0660, group "lanswitch" when it exists),
 * newline-framed JSON requests served on the control thread, and the event stream of
 * `lanctl monitor` (api/ctl_proto.h has the protocol).
 *
 * No client can hold the control thread: every socket is non-blocking, and what a client is
 * sent waits in its own buffer until the socket takes it, written whenever the socket has room
 * (the control thread sleeps on POLLOUT for it). A client is read again only once its last
 * reply has left (it cannot pile up replies); a subscriber whose events pile up past
 * CTL_MONITOR_MAX is dropped, and told why when it subscribes again; a client that takes none
 * of its reply for CTL_STALL_S is closed (checked at every wake-up of the control thread,
 * which wakes at least once a second). When all client slots are taken, the client idle the
 * longest makes room, so idle connections can never lock people out. Bad requests get an
 * error reply; a request longer than CTL_MAX_REQUEST bytes is answered and its connection
 * closed.
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
#include "ctl/ctl_decode.h"
#include "ctl/ctl_server.h"
#include "ctl/log.h"
#include "ctl/unix_path.h"

#define CTL_MAX_CLIENTS 32
/* events a subscriber may leave unread (beyond the kernel's socket buffer): some thousands */
#define CTL_MONITOR_MAX (256 * 1024)
#define CTL_STALL_S 30 /* a reply nobody reads for this long is abandoned */
#define CTL_DROPPED_MAX 16

struct ctl_out {
	char *buf;
	size_t off; /* sent up to here */
	size_t len; /* filled up to here */
	size_t cap;
};

struct ctl_client {
	int fd;
	bool monitor; /* subscribed: every event goes out on this connection */
	bool closing; /* close once out is sent (after the reply to an oversized request) */
	bool eof;     /* it sent all it will: serve what it sent, then close */
	pid_t pid;    /* the peer (SO_PEERCRED): a dropped subscriber is told why on return */
	uid_t uid;
	time_t active; /* last request, or last time its socket took bytes */
	short revents; /* what the last ctl_server_wait saw, for ctl_server_serve */
	size_t in_len;
	char *in; /* CTL_MAX_REQUEST + 1 */
	struct ctl_out out;
};

/* A subscriber dropped for not reading, remembered until it subscribes again. */
struct ctl_dropped {
	pid_t pid;
	uid_t uid;
	double ts;
	size_t pending;
};

static struct {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *state;
	struct ctl_client clients[CTL_MAX_CLIENTS];
	struct ctl_dropped dropped[CTL_DROPPED_MAX];
	unsigned int ndropped_next; /* the oldest record is overwritten first */
	short listen_revents;       /* the listening socket's, likewise */
} ctl = { .fd = -1 };

static size_t ctl_out_pending(const struct ctl_out *o)
{
	return o->len - o->off;
}

static void ctl_client_close(struct ctl_client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out.buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
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
	ret = unix_path_clear(path);
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

/* Send what the socket takes now; the rest waits for POLLOUT. False: the client is gone. */
static bool ctl_flush(struct ctl_client *c)
{
	struct ctl_out *o = &c->out;
	ssize_t n;

	while (ctl_out_pending(o) > 0) {
		n = send(c->fd, o->buf + o->off, ctl_out_pending(o), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return false;
		o->off += (size_t)n;
		c->active = time(NULL);
	}
	if (o->off == o->len)
		o->off = o->len = 0;
	return !(c->closing && o->len == 0);
}

/* One line into the client's buffer; false when it cannot grow (out of memory). */
static bool ctl_out_append(struct ctl_out *o, const char *line, size_t len)
{
	size_t need, cap;
	char *grown;

	if (o->off > 0 && o->off == o->len)
		o->off = o->len = 0;
	need = o->len + len + 1;
	if (need > o->cap && o->off > 0) {
		/* sent bytes make room first */
		memmove(o->buf, o->buf + o->off, o->len - o->off);
		o->len -= o->off;
		o->off = 0;
		need = o->len + len + 1;
	}
	if (need > o->cap) {
		for (cap = o->cap ? o->cap : 4096; cap < need; cap *= 2)
			;
		grown = realloc(o->buf, cap);
		if (grown == NULL)
			return false;
		o->buf = grown;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, line, len);
	o->buf[o->len + len] = '\n';
	o->len += len + 1;
	return true;
}

static void ctl_send_json(struct ctl_client *c, struct json_object *reply)
{
	const char *s = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);

	if (!ctl_out_append(&c->out, s, strlen(s))) {
		LOG_WARN("control socket: no memory for a reply of %zu bytes: closing its client",
		         strlen(s));
		c->closing = true;
		c->out.off = c->out.len = 0;
	}
}

static void ctl_reply_error(struct ctl_client *c, const char *msg)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, CTL_KEY_OK, json_object_new_boolean(0));
	json_object_object_add(r, CTL_KEY_ERROR, json_object_new_string(msg));
	ctl_send_json(c, r);
	json_object_put(r);
}

static double ctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ctl_dropped_remember(const struct ctl_client *c)
{
	struct ctl_dropped *d = &ctl.dropped[ctl.ndropped_next++ % CTL_DROPPED_MAX];

	*d = (struct ctl_dropped){
		.pid = c->pid, .uid = c->uid, .ts = ctl_now(), .pending = ctl_out_pending(&c->out)
	};
}

/* A subscriber back after being dropped is told when and why, once. */
static void ctl_dropped_tell(const struct ctl_client *c, struct json_object *result)
{
	struct json_object *o;
	struct ctl_dropped *d;
	unsigned int i;

	for (i = 0; i < CTL_DROPPED_MAX; i++) {
		d = &ctl.dropped[i];
		if (d->pid == 0 || d->pid != c->pid || d->uid != c->uid)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "ts", json_object_new_double(d->ts));
		json_object_object_add(o, "reason",
		                       json_object_new_string("it did not read its events"));
		json_object_object_add(o, "unread_bytes", json_object_new_uint64(d->pending));
		json_object_object_add(result, "dropped", o);
		memset(d, 0, sizeof(*d));
		return;
	}
}

/* The command ran; a change that could not be saved is live, but the caller must hear. */
static void ctl_reply_ok(struct ctl_client *c, struct cmd_result *res, bool changed)
{
	struct json_object *reply, *result = res->json;
	char err[CMD_ERR_MAX + 64];

	if (changed && config_save_state(ctl.state, res->err, sizeof(res->err)) < 0) {
		snprintf(err, sizeof(err), "the change is live but not saved: %s", res->err);
		ctl_reply_error(c, err);
		json_object_put(result);
		return;
	}
	if (result == NULL)
		result = json_object_new_object();
	if (res->subscribe) {
		c->monitor = true;
		ctl_dropped_tell(c, result);
	}
	reply = json_object_new_object();
	json_object_object_add(reply, CTL_KEY_OK, json_object_new_boolean(1));
	json_object_object_add(reply, CTL_KEY_RESULT, result);
	ctl_send_json(c, reply);
	json_object_put(reply);
}

static void ctl_handle(struct ctl_client *c, const char *line, size_t len)
{
	struct json_object *req;
	struct cmd_result res = { 0 };
	char *argv[CTL_MAX_ARGS];
	const char *why = NULL;
	bool changed;
	int argc;

	argc = ctl_decode(line, len, &req, argv, &why);
	if (argc < 0)
		ctl_reply_error(c, why);
	else if (cmd_run(argc, argv, false, &changed, &res) < 0) {
		ctl_reply_error(c, res.err);
		json_object_put(res.json);
	} else {
		ctl_reply_ok(c, &res, changed);
	}
	json_object_put(req);
}

/*
 * Serve the complete lines in the buffer, one at a time while each reply leaves at once:
 * the rest wait until the client has taken its replies, so that a client that sends
 * requests without reading (64 KiB of "fdb show") makes the switch hold one reply, not
 * thousands. A partial line waits for the rest of it.
 */
static void ctl_client_serve_lines(struct ctl_client *c)
{
	char *nl, *start = c->in;

	while (!c->closing && (nl = memchr(start, '\n', c->in_len - (size_t)(start - c->in)))) {
		if (ctl_out_pending(&c->out) > 0 && (!ctl_flush(c) || ctl_out_pending(&c->out) > 0))
			break;
		*nl = '\0';
		ctl_handle(c, start, (size_t)(nl - start));
		start = nl + 1;
	}
	c->in_len -= (size_t)(start - c->in);
	memmove(c->in, start, c->in_len);
	if (c->in_len == CTL_MAX_REQUEST) {
		ctl_reply_error(c, "bad request: longer than 65536 bytes");
		c->closing = true;
		c->in_len = 0;
	}
}

/* Read what the client sent; false: the socket failed. */
static bool ctl_client_read(struct ctl_client *c)
{
	ssize_t n;

	n = recv(c->fd, c->in + c->in_len, CTL_MAX_REQUEST - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n < 0)
		return false;
	if (n == 0) {
		c->eof = true;
		return true;
	}
	c->in_len += (size_t)n;
	c->active = time(NULL);
	return true;
}

/* A free slot, or the one of the client idle the longest; a quiet monitor is not idle, it
 * waits for events: it goes only when every slot is a monitor. */
static struct ctl_client *ctl_client_slot(void)
{
	struct ctl_client *c, *idlest = NULL;
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		c = &ctl.clients[i];
		if (c->fd < 0)
			return c;
		if (idlest == NULL || (idlest->monitor && !c->monitor) ||
		    (idlest->monitor == c->monitor && c->active < idlest->active))
			idlest = c;
	}
	LOG_WARN("control socket: %d clients connected, closing the one idle longest",
	         CTL_MAX_CLIENTS);
	ctl_client_close(idlest);
	return idlest;
}

static void ctl_accept(void)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	struct ctl_client *c;
	char *in;
	int fd;

	fd = accept4(ctl.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	in = malloc(CTL_MAX_REQUEST + 1);
	if (in == NULL) {
		close(fd);
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len); /* unknown peer: pid 0 */
	c = ctl_client_slot();
	c->fd = fd;
	c->in = in;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->active = time(NULL);
}

/* A subscriber that let CTL_MONITOR_MAX bytes of events pile up is dropped, not waited for. */
void ctl_server_broadcast(const char *line)
{
	size_t len = strlen(line);
	struct ctl_client *c;
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		c = &ctl.clients[i];
		if (c->fd < 0 || !c->monitor || c->closing)
			continue;
		if (ctl_out_pending(&c->out) + len + 1 > CTL_MONITOR_MAX ||
		    !ctl_out_append(&c->out, line, len)) {
			LOG_WARN(
			        "control socket: dropping a monitor (pid %d) that did not read its "
			        "events (%zu bytes waiting)",
			        (int)c->pid, ctl_out_pending(&c->out));
			ctl_dropped_remember(c);
			ctl_client_close(c);
			continue;
		}
		if (!ctl_flush(c))
			ctl_client_close(c);
	}
}

/* What to wait for: more requests only once the ones already here are served. */
static short ctl_client_events(const struct ctl_client *c)
{
	short ev = 0;

	if (!c->eof && !c->closing && (c->monitor || memchr(c->in, '\n', c->in_len) == NULL))
		ev |= POLLIN;
	if (ctl_out_pending(&c->out) > 0)
		ev |= POLLOUT;
	return ev;
}

static void ctl_client_serve(struct ctl_client *c, short revents, time_t now)
{
	if ((revents & POLLIN) && !ctl_client_read(c))
		goto close;
	if (ctl_out_pending(&c->out) > 0 && !ctl_flush(c))
		goto close;
	ctl_client_serve_lines(c);
	if (ctl_out_pending(&c->out) == 0 &&
	    (c->closing || (c->eof && memchr(c->in, '\n', c->in_len) == NULL)))
		goto close;
	if (revents & POLLERR)
		goto close;
	/* a reply nobody reads is abandoned; a subscriber is bounded by size instead */
	if (!c->monitor && ctl_out_pending(&c->out) > 0 && now - c->active > CTL_STALL_S) {
		LOG_WARN("control socket: closing a client (pid %d) that read none of its reply "
		         "for %d s",
		         (int)c->pid, CTL_STALL_S);
		goto close;
	}
	return;
close:
	ctl_client_close(c);
}

int ctl_server_wait(int timeout_ms, struct pollfd *extra, unsigned int nextra)
{
	struct pollfd pfd[CTL_SERVER_EXTRA_MAX + 1 + CTL_MAX_CLIENTS];
	struct ctl_client *map[CTL_SERVER_EXTRA_MAX + 1 + CTL_MAX_CLIENTS];
	unsigned int i, n = 0;
	int ret;

	if (nextra > CTL_SERVER_EXTRA_MAX)
		return -EINVAL;
	for (i = 0; i < nextra; i++)
		pfd[n++] = extra[i];
	pfd[n++] = (struct pollfd){ .fd = ctl.fd, .events = POLLIN };
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (ctl.clients[i].fd < 0)
			continue;
		map[n] = &ctl.clients[i];
		pfd[n++] = (struct pollfd){ .fd = ctl.clients[i].fd,
			                    .events = ctl_client_events(&ctl.clients[i]) };
	}
	ret = poll(pfd, (nfds_t)n, timeout_ms);
	if (ret < 0) {
		ret = -errno; /* EINTR: a signal; the caller looks at why */
		for (i = 0; i < n; i++)
			pfd[i].revents = 0;
	}
	for (i = 0; i < nextra; i++)
		extra[i].revents = pfd[i].revents;
	/* kept until ctl_server_serve: between the two nothing opens a client, and one closed
	 * meanwhile (a monitor dropped by a broadcast) is skipped there by its fd */
	ctl.listen_revents = pfd[nextra].revents;
	for (i = nextra + 1; i < n; i++)
		map[i]->revents = pfd[i].revents;
	return ret;
}

void ctl_server_serve(void)
{
	struct ctl_client *c;
	time_t now = time(NULL);
	short revents;
	int i;

	/* every client, not only the ready ones: the stall timeout is checked here */
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		c = &ctl.clients[i];
		if (c->fd < 0)
			continue;
		revents = c->revents;
		c->revents = 0;
		ctl_client_serve(c, revents, now);
	}
	if (ctl.listen_revents & POLLIN)
		ctl_accept();
	ctl.listen_revents = 0;
}

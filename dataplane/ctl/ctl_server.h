/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket (protocol in api/ctl_proto.h). Control thread only. */
#ifndef LANSWITCH_CTL_SERVER_H
#define LANSWITCH_CTL_SERVER_H

#include <poll.h>
#include <stddef.h>

#define CTL_SERVER_EXTRA_MAX 4

int ctl_server_open(const char *path, const char *state, char *err, size_t errlen);
/*
 * The control thread's one sleep: poll() on the control socket, its clients (a request, room
 * for a reply) and the caller's extra fds (up to CTL_SERVER_EXTRA_MAX, their revents filled
 * in), for at most timeout_ms (-1: no limit). Serves nothing: ctl_server_serve() does, after
 * the caller has brought link states and statuses up to date for the requests it will
 * answer. Returns poll()'s count or a negative errno (-EINTR: a signal came).
 */
int ctl_server_wait(int timeout_ms, struct pollfd *extra, unsigned int nextra);
/* Accept, read and answer what the last wait found; close clients that stalled (30 s). */
void ctl_server_serve(void);
void ctl_server_close(void);
/* One event line (no newline) to every subscriber (lanctl monitor). */
void ctl_server_broadcast(const char *line);

#endif

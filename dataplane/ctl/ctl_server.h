/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket (protocol in api/ctl_proto.h). Control thread only. */
#ifndef LANSWITCH_CTL_SERVER_H
#define LANSWITCH_CTL_SERVER_H

#include <stddef.h>

int ctl_server_open(const char *path, const char *state, char *err, size_t errlen);
void ctl_server_poll(int timeout_ms);
void ctl_server_close(void);
/* One event line (no newline) to every subscriber (lanctl monitor). */
void ctl_server_broadcast(const char *line);

#endif

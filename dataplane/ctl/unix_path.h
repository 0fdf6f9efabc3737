/* SPDX-License-Identifier: BSD-3-Clause */
/* A unix socket path about to be bound: free it of a socket left by a process that died. */
#ifndef LANSWITCH_UNIX_PATH_H
#define LANSWITCH_UNIX_PATH_H

/*
 * 0 when nothing is at path, or a socket that no one answers on (left by a process that
 * died; removed). -EADDRINUSE: someone listens there. -ENOTSOCK: it is something else.
 * Another negative errno when it cannot tell or cannot remove it. Control thread.
 */
int unix_path_clear(const char *path);

#endif

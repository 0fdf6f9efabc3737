/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a libvirt domain's ports are called and where their vhost-user sockets live. Both are
 * derived from the domain's name alone, the same on every machine, so that lanctl (and the
 * agent after it) finds a domain's port again without any state of its own.
 */
#ifndef LANSWITCH_VM_NAME_H
#define LANSWITCH_VM_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* The longest port name lanswitchd takes (PORT_NAME_MAX - 1 in the daemon's port.h). */
#define VM_PORT_NAME_MAX 31
/* sizeof(sun_path): a socket path, with its NUL, must fit in it. */
#define VM_SOCKET_PATH_MAX 108
#define VM_SOCKET_DIR_DEFAULT "/run/lanswitch/vhost"

/*
 * The port name of a domain's interface: index 0 is the domain's first converted or attached
 * interface, index N > 0 gets ".N". The name is the domain's reduced to what port names allow
 * ([A-Za-z0-9._-], not starting with '-' or '.'); when that dropped a character or the result
 * would pass VM_PORT_NAME_MAX, "-hhhh" (a hash of the whole original name) follows the part
 * kept, so two names that reduce to the same text still get different ports. A name that is
 * already valid and short is used as it is.
 *
 * buf must hold VM_PORT_NAME_MAX + 1 bytes. Returns 0, or -ENOSPC when len is smaller.
 */
int vm_port_name(const char *domain, unsigned int index, char *buf, size_t len);

/* Whether name is one lanswitchd takes as a port name, and one vm_port_name could make. */
bool vm_port_name_valid(const char *name);

/*
 * "DIR/PORT.sock" into buf (VM_SOCKET_PATH_MAX bytes). DIR must be absolute (libvirt takes
 * only absolute socket paths); trailing slashes are dropped. Returns 0, or -EINVAL with err
 * saying why (a relative directory, a path of VM_SOCKET_PATH_MAX bytes or more).
 */
int vm_socket_path(const char *dir, const char *port, char *buf, size_t len, char *err,
                   size_t errlen);

/* Whether path is one a vhost-user socket can have: absolute, under VM_SOCKET_PATH_MAX bytes. */
int vm_socket_path_check(const char *path, char *err, size_t errlen);

#endif

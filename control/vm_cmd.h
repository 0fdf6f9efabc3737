/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the vm commands (vm_attach.c, vm_detach.c, vm_list.c, vm_convert_cmd.c) share: their
 * options, the switch's side of a domain's ports, the socket directory, and their output.
 *
 * Order of work, in every command that changes something: check everything first (arguments,
 * the domain, its XML), then make the ports on the switch, then define the domain; when the
 * define fails the ports made are deleted again. Either both change or neither does.
 *
 * Functions that can fail print one line on stderr saying what and why, and return a negative
 * errno: -ECOMM when the switch did not answer (exit code 3), any other when something refused
 * (exit code 1). vm_exit turns that into the exit code.
 */
#ifndef LANSWITCH_VM_CMD_H
#define LANSWITCH_VM_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "lanctl.h"
#include "vm_xml.h"

struct json_object;

/* How many ports of one domain lanctl reads from its metadata: far more than NICs a guest has. */
#define VM_PORTS_MAX 64

/* ---- options (vm_args.c) ---------------------------------------------------------------- */

enum vm_opt {
	VM_OPT_MAC,
	VM_OPT_VLAN,
	VM_OPT_TRUNK,
	VM_OPT_NATIVE,
	VM_OPT_QUEUES,
	VM_OPT_ADD,
	VM_OPT_SOCKET_DIR,
	VM_OPT_BRIDGE,
	VM_OPT_ALL,
	VM_OPT_MODEL_VIRTIO,
	VM_OPT_DRY_RUN,
	VM_OPT_DHCP_SERVER,
	VM_OPT_MAX
};

/* How many domains `vm convert` names with --dhcp-server: a LAN has a router or two. */
#define VM_DHCP_SERVERS_MAX 16

/*
 * A vm command's words after the grammar took them: the positional words (domains) come
 * first in every form, the options after them.
 */
struct vm_args {
	char **pos;
	int npos;
	const char *val[VM_OPT_MAX]; /* an option's value; "" for a flag given */
	bool set[VM_OPT_MAX];
	/* the values, checked */
	char mac[VM_MAC_LEN];
	struct vm_vlan vlan; /* --vlan or --trunk/--native; VLAN 1 untagged without them */
	bool vlan_asked;     /* --vlan or --trunk given */
	unsigned long queues;
	const char *socket_dir;
	/* convert: the domains named with --dhcp-server (attach: set[VM_OPT_DHCP_SERVER]) */
	const char *dhcp_servers[VM_DHCP_SERVERS_MAX];
	unsigned int ndhcp_servers;
};

/*
 * Reads argv (checked by the grammar) into a and checks each value. Prints the usage error
 * (exit code 2) and returns -EINVAL when a value is not one the option takes.
 */
int vm_args_read(const struct cmd_def *def, int argc, char **argv, struct vm_args *a);

/* ---- the switch (vm_switch.c) ----------------------------------------------------------- */

/*
 * `port add NAME vhost SOCKET` (client mode: QEMU owns the socket), then `port set` for its
 * VLANs unless it is the switch's default (untagged in VLAN 1) and for its guard. A port the
 * switch added and could not set is deleted again. Prints the switch's refusal. 0: made; 1: the
 * switch had it already, as the domain needs it (a vhost port on that socket, client mode: the
 * config file's, say), and it is used as it is (its VLANs set): not to be undone.
 */
int vm_switch_port_add(const struct lanctl_opts *opts, const struct vm_port *p);
/* `port set` of the port's VLANs, whatever they are (vlan 1 too). Prints a refusal. */
int vm_switch_port_vlan(const struct lanctl_opts *opts, const struct vm_port *p);
/*
 * `port set` of each setting of the port's guard that differs from had's (all of them when
 * had is NULL); nothing when the port's metadata records no guard. Prints a refusal.
 */
int vm_switch_port_guard(const struct lanctl_opts *opts, const struct vm_port *p,
                         const struct vm_guard *had);
/* `port del NAME`. *gone: the switch had no such port (not an error). Prints a refusal. */
int vm_switch_port_del(const struct lanctl_opts *opts, const char *name, bool *gone);
/* Deletes the ports made so far, when what followed failed: says so, and what it could not. */
void vm_switch_undo(const struct lanctl_opts *opts, const struct vm_port *ports, unsigned int n);
/* `port list`: the switch's ports, a JSON array (json_object_put it). */
int vm_switch_ports(const struct lanctl_opts *opts, struct json_object **ports);
/* The element of ports (port list) called name, or NULL. */
struct json_object *vm_switch_port_find(struct json_object *ports, const char *name);
/*
 * The guard of an element of `port list`, as its "guard" reports it: {"allowed_macs": [...],
 * "arp_guard": [...], "dhcp_server": "allow|deny", "ra_guard": "allow|deny", ...}, or null:
 * all off. Without the key (a lanswitchd before guards) g->recorded is false: nothing to
 * compare. An entry lanctl cannot read is left out (the port then differs: the safe side).
 */
void vm_switch_guard_read(struct json_object *port, struct vm_guard *g);

/* ---- the socket directory (vm_sockdir.c) ------------------------------------------------ */

/* Creates dir, when missing, for QEMU to create sockets in (vm_sockdir.c says how). */
int vm_sockdir_make(const char *dir);

/* ---- output (vm_out.c) ------------------------------------------------------------------ */

/* "vlan 1", or "trunk 20,30 native 1". */
void vm_out_vlan(const struct vm_vlan *v, char *buf, size_t len);
/* "vlan 1; allowed-mac M, dhcp-server deny, ra-guard deny": the VLANs, then the guard if any. */
void vm_out_settings(const struct vm_port *p, char *buf, size_t len);
/*
 * Adds "port", "mac", "socket", "vlan", "trunk", "native" and "guard" to o (VLANs as `port
 * list`, the guard as its "guard" has it; null when the metadata records none).
 */
void vm_out_port_json(struct json_object *o, const struct vm_port *p);
/* Prints -j's JSON, or nothing; an exit code (a write error is exit code 1 with a message). */
int vm_out_json(const struct lanctl_opts *opts, struct json_object *json);
/* The exit code of a vm command's negative errno (vm_cmd.h: -ECOMM is 3). */
int vm_exit(int rc);

#endif

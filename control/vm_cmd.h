/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the vm commands (vm_list.c, and those to come) share: the switch's side of a domain's
 * ports and their output.
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

/* ---- the switch (vm_switch.c) ----------------------------------------------------------- */

/* `port list`: the switch's ports, a JSON array (json_object_put it). */
int vm_switch_ports(const struct lanctl_opts *opts, struct json_object **ports);
/* The element of ports (port list) called name, or NULL. */
struct json_object *vm_switch_port_find(struct json_object *ports, const char *name);

/* ---- output (vm_out.c) ------------------------------------------------------------------ */

/* Adds "port", "mac", "socket", "vlan", "trunk", "native" to o (VLANs as `port list`). */
void vm_out_port_json(struct json_object *o, const struct vm_port *p);
/* Prints -j's JSON, or nothing; an exit code (a write error is exit code 1 with a message). */
int vm_out_json(const struct lanctl_opts *opts, struct json_object *json);
/* The exit code of a vm command's negative errno (vm_cmd.h: -ECOMM is 3). */
int vm_exit(int rc);

#endif

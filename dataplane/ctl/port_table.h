/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port table on the control thread (ctl/port_table.c): add, remove, reconfigure, list,
 * and the words that recreate every port. What a port is, and what workers may read of it,
 * is ports/port.h.
 */
#ifndef LANSWITCH_PORT_TABLE_H
#define LANSWITCH_PORT_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "ports/port.h"

struct json_object;

int port_add(const char *name, const char *type, int argc, char **argv, char *err, size_t errlen);
int port_del(const char *name, char *err, size_t errlen);
int port_set_vlan(struct port *p, struct vlan_set *v, char *err, size_t errlen);
void port_poll_all(void);
void port_link_event(const struct port_link_event *ev);
void port_del_all(void);
void port_describe_all(FILE *out);
struct json_object *port_list_json(void);

#endif

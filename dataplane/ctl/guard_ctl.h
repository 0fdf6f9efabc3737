/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's guard on the control thread (fast/guard.h: what it is): the `port set` keys that
 * change it, swapping it in for the workers, the lines that restore it, what lanctl shows.
 */
#ifndef LANSWITCH_GUARD_CTL_H
#define LANSWITCH_GUARD_CTL_H

#include <stddef.h>
#include <stdio.h>

struct port;
struct json_object;

/* "port set NAME KEY ..." with argv[0] = KEY: -ENOTSUP when KEY is no guard key (err
 * untouched), else 0 or a negative errno with err set; the port keeps its old guard then. */
int guard_port_set(struct port *p, int argc, char **argv, char *err, size_t errlen);

/* The "port set NAME ..." lines that restore p's guard (none when it is off). */
void guard_describe(const struct port *p, FILE *out);

/* p's guard for "port list": every setting, off ones too, and its learned MACs. */
struct json_object *guard_json(const struct port *p);

#endif

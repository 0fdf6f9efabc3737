/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events on the control thread (ctl/event_ctl.c): the ring is made here, drained here into
 * one JSON line per event for the control socket's subscribers (lanctl monitor), and the
 * control thread's own events (ports added and removed, links, aging, the FDB filling up,
 * what rate limits and a full ring cost) are posted from here. fast/event.h says who posts
 * what and why nothing waits.
 */
#ifndef LANSWITCH_EVENT_CTL_H
#define LANSWITCH_EVENT_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "fast/event.h"

struct json_object;

int event_init(int socket);
void event_fini(void);
/* Everything in the ring to the subscribers, oldest first; the count sent. */
unsigned int event_drain(void);
/* Once a second: the counts rate limits and the full ring refused, fdb_full raised/cleared. */
void event_tick(uint32_t now);

void event_post_port(enum event_kind kind, const struct port *p);
void event_post_aged(const struct rte_ether_addr *mac, uint16_t vlan, const struct port *p,
                     uint32_t now);

struct json_object *event_json(const struct event *e);

#endif

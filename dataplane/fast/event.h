/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events: what lanctl monitor shows (a port added, a link gone down, a MAC learned), posted
 * by whichever thread saw it into one multi-producer ring that the control thread drains
 * (ctl/event_ctl.c) and sends to every subscriber of the control socket.
 *
 * Threads: any thread posts (the workers, DPDK's vhost-events thread, the control thread),
 * without a lock and without waiting: the ring is multi-producer in relaxed tail sync mode
 * (RTS), so a producer preempted half-way through its enqueue (the control thread shares its
 * core with guests) never makes another producer spin until it runs again, and an event that
 * finds the ring full is counted in event_lost and dropped. Only the control thread dequeues.
 * The ring is made before any worker starts and freed after they stop: a plain pointer.
 * A producer rings the control thread's doorbell (fast/doorbell.h) after its enqueue: it
 * sleeps while nothing happens, and an event is worth waking it for (lanctl monitor).
 *
 * Events that a flood can make by the million (a MAC learned) are rate-limited at the
 * producer by a struct event_budget of its own; what a budget refused is counted and the
 * control thread reports the count once a second (fdb_suppressed).
 */
#ifndef LANSWITCH_EVENT_H
#define LANSWITCH_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "fast/doorbell.h"
#include "ports/port.h"

/* kind, its name in the protocol (api/ctl_proto.h documents each one's fields) */
#define EVENT_KINDS(X)                                                                             \
	X(PORT_ADDED, "port_added")         /* port, text: its type */                             \
	X(PORT_REMOVED, "port_removed")     /* port */                                             \
	X(LINK, "link")                     /* port, n: up, text: why */                           \
	X(FDB_LEARNED, "fdb_learned")       /* mac, vlan, port */                                  \
	X(FDB_MOVED, "fdb_moved")           /* mac, vlan, port, text: the port it left */          \
	X(FDB_AGED, "fdb_aged")             /* mac, vlan, port */                                  \
	X(FDB_SUPPRESSED, "fdb_suppressed") /* n: fdb events not posted (rate limit) */            \
	X(FDB_FULL, "fdb_full")             /* n: 1 raised, 0 cleared; n2: entries */              \
	X(EVENTS_LOST, "events_lost")       /* n: events that found the ring full */               \
	X(DHCP_SERVER, "dhcp_server")       /* port, vlan, mac, ip: the server; n: 2 offer, 5 ack; \
	                                     * mac2, ip2: the client and its address */            \
	X(HOST_SEEN, "host_seen")           /* mac, vlan, port, ip: an address in use */           \
	X(ARP_REPLY, "arp_reply")           /* mac, vlan, port, ip: the answer to a probe */       \
	X(SNOOP_SUPPRESSED, "snoop_suppressed") /* n2: dhcp_server, host_seen not posted */

enum event_kind {
#define EVENT_ENUM(e, name) EVENT_##e,
	EVENT_KINDS(EVENT_ENUM)
#undef EVENT_ENUM
	        EVENT_MAX
};

extern const char *const event_names[EVENT_MAX];

/* One event in the ring: fixed size, names copied in (a port may be gone when it is read). */
struct event {
	uint64_t tsc; /* when it was posted */
	uint16_t kind;
	uint16_t vlan;
	uint32_t n;
	uint64_t n2;
	struct rte_ether_addr mac;
	struct rte_ether_addr mac2;
	uint8_t family; /* of ip: AF_INET, AF_INET6, or 0 */
	uint8_t ip[16];
	uint8_t ip2[4];
	char port[PORT_NAME_MAX];
	char text[PORT_NAME_MAX];
};

#define EVENT_FDB_PER_S 100 /* fdb (and snoop) events one producer posts a second at most */

/* A producer's rate limit for fdb events: EVENT_FDB_PER_S a second, the rest counted. */
struct event_budget {
	uint32_t sec;        /* the second `left` belongs to */
	uint32_t left;       /* events it may still post in that second */
	uint64_t suppressed; /* refused since start: written by its owner, read by control */
};

extern struct rte_ring *event_ring;
extern uint64_t event_lost; /* events that found the ring full: atomic, any thread */

/* Post e (its tsc is set here); never blocks: a full ring counts the event as lost (and
 * needs no ring of the doorbell: whoever filled it rang). */
static inline void event_post(struct event *e)
{
	e->tsc = rte_get_tsc_cycles();
	if (unlikely(event_ring == NULL || rte_ring_enqueue_elem(event_ring, e, sizeof(*e)) != 0)) {
		__atomic_fetch_add(&event_lost, 1, __ATOMIC_RELAXED);
		return;
	}
	doorbell_ring();
}

/* May the owner of b post one more fdb event in second now? */
static inline bool event_budget_take(struct event_budget *b, uint32_t now)
{
	if (b->sec != now) {
		b->sec = now;
		b->left = EVENT_FDB_PER_S;
	}
	if (b->left == 0) {
		__atomic_store_n(&b->suppressed, b->suppressed + 1, __ATOMIC_RELAXED);
		return false;
	}
	b->left--;
	return true;
}

/* An fdb event: kind, the (MAC, VLAN), the port it is on now and, when it moved, the one it
 * left; within the producer's budget. */
static inline void event_post_fdb(struct event_budget *b, uint32_t now, enum event_kind kind,
                                  const struct rte_ether_addr *mac, uint16_t vlan, const char *port,
                                  const char *from)
{
	struct event e = { .kind = kind, .vlan = vlan, .mac = *mac };

	if (!event_budget_take(b, now))
		return;
	memcpy(e.port, port, sizeof(e.port));
	if (from != NULL)
		memcpy(e.text, from, sizeof(e.text));
	event_post(&e);
}

#endif

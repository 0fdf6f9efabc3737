/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a port is. Every port is a DPDK ethdev opened by its type's ops (vhost-user, any
 * DPDK device, TAP) or AF_XDP sockets of our own behind burst functions with the ethdev's
 * contract, so the workers move frames the same way for all. Each type is one file in
 * ports/: its ops run on the control thread, its burst functions (if any) on the workers.
 * The table's management is ctl/port_table.h.
 *
 * Threads: the control thread alone adds, removes and reconfigures ports. Workers read
 * port_table[] and the fields marked "fast path" through RCU (lanswitch's rte_rcu_qsbr): a
 * removed port leaves the table first and is closed and freed only after every worker has
 * passed a quiescent state. port_table[] and port_table_len are written with shared_publish
 * (fast/shared.h) and read by workers with shared_read; so are the three fast-path fields
 * that change while a port is in the table, marked "shared" below (`vlan`, `max_len`, `up`).
 * The other fast-path fields are set before the port is published and never change. `up` has
 * two writers on an ethdev port, the control thread and the link-state callback (on DPDK's
 * vhost-events or interrupt thread), so every thread reads it with shared_read; a stale value
 * costs at most a few frames counted as port_down or tx_ring_full.
 */
#ifndef LANSWITCH_PORT_H
#define LANSWITCH_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>

#include "fast/drop.h"
#include "fast/vlan.h"

#define PORT_MAX 256
#define PORT_NAME_MAX 32
#define PORT_ARGS_MAX 8
#define PORT_STATUS_MAX 160
#define PORT_HELD_DEFAULT 4096 /* frames a guest's port holds per worker (struct port) */

struct port;
struct port_guard;
struct worker;
struct json_object;

/* A link change the kernel announced (netlink_watch.c), for ports over kernel interfaces. */
struct port_link_event {
	int ifindex;
	bool running; /* IFF_UP and IFF_RUNNING: administratively up with carrier */
	unsigned int mtu;
	bool gone; /* the interface was deleted */
};

/* What a port type does; each port_<type>.c ends in one of these. */
struct port_ops {
	const char *type;
	/* Parse the words after "port add NAME TYPE" into port->priv and open the device. On
	 * error fill err and return a negative errno; nothing is left open. */
	int (*open)(struct port *p, int argc, char **argv, char *err, size_t errlen);
	/* Undo open: stop and release the device. */
	void (*close)(struct port *p);
	/* Append the words that recreate this port ("vhost PATH --server") to the state. */
	void (*describe)(const struct port *p, FILE *out);
	/* Add type-specific keys (path, mode, devargs, status) to a "port list" object. */
	void (*show)(const struct port *p, struct json_object *obj);
	/* Control thread, after each of its wake-ups and at least once a second: refresh link
	 * state and status; may be NULL. */
	void (*poll)(struct port *p);

	/* Optional hooks; NULL where the type has nothing to do. */
	/* The port's VLAN set is about to become v: mirror it where the type filters (XDP maps);
	 * an error keeps the old set. */
	int (*vlan_changed)(struct port *p, const struct vlan_set *v, char *err, size_t errlen);
	/* The port's guard (fast/guard.h) is about to become g (NULL: all off): mirror what the
	 * type can do earlier (afxdp: allowed-mac in its XDP program); an error keeps the old. */
	int (*guard_changed)(struct port *p, const struct port_guard *g, char *err, size_t errlen);
	/* "port set NAME KEY VALUE" for the type's own keys; -ENOTSUP: not a key of ours. */
	int (*set)(struct port *p, const char *key, const char *value, char *err, size_t errlen);
	/* Append whole "port set ..." lines that restore what set() changed. */
	void (*describe_set)(const struct port *p, FILE *out);
	/* A kernel interface changed; ev == NULL: events were lost, ask the kernel again. */
	void (*link_event)(struct port *p, const struct port_link_event *ev);
	/* What the link going up and down means for this type ("guest connected"), for the
	 * log and lanctl monitor; NULL: "link up", "link down". */
	const char *link_up_why;
	const char *link_down_why;
	/* The switch's own port (internal): not in the state file, no events, no `port del`. */
	bool own;
};

/*
 * Burst functions of a port whose frames do not go through an ethdev's (AF_XDP sockets of
 * our own; vhost-user, whose PMD only sets the device up). NULL for the other ethdev ports:
 * the workers call rte_eth_rx_burst()/rte_eth_tx_burst() on eth_id. Either way one indirect
 * call per burst. Same contract as DPDK's: tx takes ownership of the mbufs it returns as sent.
 */
typedef uint16_t (*port_rx_burst_t)(struct worker *w, struct port *p, struct rte_mbuf **pkts,
                                    uint16_t n);
typedef uint16_t (*port_tx_burst_t)(struct port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n);

/*
 * How a sleeping worker learns that a port has frames (fast/worker_sleep.c), on the port's
 * worker. on: turn the port's notification on (a vhost guest kicks again) and put in fds[]
 * at most max file descriptors that become readable when frames come; returns how many (0:
 * nothing to wait for, the control thread wakes the worker itself, as for a guest that is
 * not connected), or a negative errno: the port cannot tell now, the worker keeps polling.
 * !on: notification off again (a guest that kicks for every frame costs it an exit); returns
 * 0. NULL: the port can never tell (a device without rx interrupts): its worker polls.
 */
typedef int (*port_wake_t)(struct port *p, bool on, int *fds, int max);
#define PORT_WAKE_FDS_MAX 16

struct port {
	/* fast path: read by workers */
	uint16_t eth_id;
	uint16_t index;        /* slot in port_table[], the FDB's port number */
	uint16_t ntxq;         /* tx queues: worker w sends on queue w % ntxq */
	bool tx_shared;        /* fewer queues than workers: take tx_lock to send */
	uint8_t tx_retries;    /* extra tx attempts when the device took part of a burst */
	uint16_t max_len;      /* shared: MTU + Ethernet header: longer untagged frames are
	                        * oversized (afxdp: follows the interface's MTU) */
	uint16_t tx_len_max;   /* shared: the longest untagged frame its device takes on tx,
	                        * longer ones are counted tx_oversized: an afxdp port's max_len;
	                        * UINT16_MAX for the others, whose device or guest takes what its
	                        * buffers hold (the switch is not told a guest's MTU) */
	bool up;               /* shared: link up; control thread or the link-state callback */
	bool directed;         /* its frames name their egress port (ports/port_internal.c) */
	uint16_t worker;       /* the worker that polls its rx queue; fixed for the port's life */
	struct vlan_set *vlan; /* shared, RCU: replaced whole, the old one freed after a grace
	                        * period */
	struct port_guard *guard; /* shared, RCU like vlan; NULL: every protection off */
	port_rx_burst_t rx_burst; /* NULL: the ethdev's own */
	port_tx_burst_t tx_burst;
	port_wake_t wake;
	bool wake_level;   /* its fds stay readable while frames wait (a TAP, an XSK socket):
	                    * waited on level-triggered; else (a kickfd, an eventfd nobody
	                    * reads) edge-triggered */
	uint32_t wake_gen; /* shared: changes when the fds wake() gives may have changed (a
	                    * guest reconnected): the worker registers them again */
	void *fast;        /* the type's fast-path state, for rx_burst and tx_burst */
	rte_spinlock_t tx_lock;
	/* Frames the device did not take wait here, oldest first, up to held_max per worker
	 * (fwd.c: fwd_hold), so that a guest off its core for milliseconds loses none. Worker
	 * w's ring is held[w * held_max ...]; the worker owns what it puts there and clears an
	 * entry when the frame leaves, so port_free() frees what is left. NULL: none. */
	struct rte_mbuf **held;
	uint16_t held_max; /* 0, or a power of two; the type's open() sets it */
	uint32_t gen;      /* unique to this port among all ever added: held frames know it */

	/* control thread only */
	char name[PORT_NAME_MAX];
	const struct port_ops *ops;
	void *priv;
	uint16_t txq_max;     /* 0, or the most tx queues port_eth_start() may set up */
	bool rx_intr;         /* port_eth_start() asks the device for rx interrupts (wake) */
	const char *wake_how; /* "port list": kick, socket, interrupt, ring; NULL: none */
	char status[PORT_STATUS_MAX];
	char warning[PORT_STATUS_MAX]; /* open() did less than asked (a fallback): say so */

	/* the link's bookkeeping (ports/port_link.c): any thread that changes `up`, atomically */
	uint64_t link_downs;     /* times the link went down while a port */
	const char *link_why[2]; /* why it last went down ([0]) and up ([1]) */
	uint8_t link_told;       /* what lanctl monitor was told last: 0, 1, PORT_LINK_UNTOLD */
};

#define PORT_LINK_UNTOLD 2 /* link_told of a port not announced (yet, or any more) */

extern struct port *port_table[PORT_MAX]; /* shared */
extern uint16_t port_table_len; /* shared: highest used slot + 1, bound of the flood loop */

struct port *port_find(const char *name);

/*
 * The link is up or down now, for why (NULL: the type's word for it): counted, logged and
 * told to lanctl monitor once; false when it was so already. Any thread.
 */
bool port_link_set(struct port *p, bool up, const char *why);
/* Tell lanctl monitor the link's state if it has not been told it (port_link_set does). */
void port_link_report(struct port *p);

/* Helpers shared by the ethdev-backed port types (ports/port_eth.c). */
int port_eth_start(struct port *p, char *err, size_t errlen);
void port_eth_stop(struct port *p);
void port_eth_poll(struct port *p);
int port_eth_wake(struct port *p, bool on, int *fds, int max);
void port_set_status(struct port *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

extern const struct port_ops port_vhost_ops;
extern const struct port_ops port_dpdk_ops;
extern const struct port_ops port_tap_ops;
extern const struct port_ops port_afxdp_ops;
extern const struct port_ops port_internal_ops;

/* The internal port's rings, on the control thread's side (ports/port_internal.c). */
int port_internal_send(struct port *p, struct rte_mbuf *m);
unsigned int port_internal_recv(struct port *p, struct rte_mbuf **pkts, unsigned int n);

#endif

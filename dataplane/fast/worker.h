/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workers: one per worker lcore, each polling the rx queue of the ports it was given.
 *
 * Threads: everything in struct worker is written by its own worker alone (counters
 * included: no shared write per packet) and read by the control thread, which sums the
 * per-worker counters for lanctl. Aligned 64-bit loads and stores are atomic on the CPUs
 * DPDK supports, so a reader sees each counter whole; counters are read without a lock.
 * `rx` is an RCU pointer to one of the worker's two rx_lists: the control thread fills the
 * other, publishes it (shared_publish, fast/shared.h), and reuses the first only after a
 * grace period (worker_assign); the worker reads it with shared_read.
 *
 * worker_quit and worker_now: written by the control thread alone, with shared_publish, and
 * read by the workers with shared_read.
 */
#ifndef LANSWITCH_WORKER_H
#define LANSWITCH_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "fast/drop.h"
#include "fast/event.h"
#include "fast/guard.h"
#include "ports/port.h"

#define WORKER_MAX 16
#define BURST 32
/* polls between TSC reads while a worker stays busy or stays idle (see worker_poll_once) */
#define WORKER_ACCOUNT_POLLS 256
/* empty polls between looks at the clock for adaptive mode's idle threshold (a power of 2) */
#define WORKER_IDLE_CHECK 32
#define WORKER_IDLE_US_DEFAULT 50
#define WORKER_IDLE_US_MAX 1000000

enum worker_mode {
	WORKER_ADAPTIVE, /* sleep on the ports' notifications after idle_us without a frame */
	WORKER_POLL,     /* poll for ever */
};

/* The fds a worker's epoll set holds for one port slot (fast/worker_sleep.c). */
struct worker_wake_reg {
	uint32_t gen;      /* the port's gen, 0: nothing registered */
	uint32_t wake_gen; /* its wake_gen when registered */
	uint8_t nfd;
	bool fresh; /* fds[] not yet in the epoll set */
	int fds[PORT_WAKE_FDS_MAX];
};

struct port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[DROP_MAX];
};

struct txbuf {
	uint16_t n;
	uint32_t bytes;
	struct rte_mbuf *pkts[BURST];
	/* this worker's frames held by the port (fwd_hold): its ring's oldest and count */
	uint16_t held_head;
	uint16_t held_n;
	uint32_t held_gen; /* the port they were held for (struct port's gen) */
	bool held_listed;  /* slot is in the worker's held_slots[] */
};

struct worker_rx {
	uint16_t n;
	struct port *ports[PORT_MAX]; /* pointers, not slots: a port leaves this list before
	                               * it leaves port_table[] */
};

struct worker {
	unsigned int id;
	unsigned int lcore;
	struct worker_rx *rx; /* RCU: one of rx_lists[] */

	uint64_t tsc;        /* start of the current busy or idle stretch (0: none yet) */
	bool busy;           /* the stretch since tsc */
	uint32_t polls;      /* since tsc was read */
	uint64_t full_until; /* tsc: skip learning attempts while the FDB is full */
	uint16_t ndirty;     /* ports with frames waiting in tx[] */
	uint16_t dirty[PORT_MAX];
	uint16_t nheld; /* ports that may hold frames of ours (fwd_drain) */
	uint16_t held_slots[PORT_MAX];
	uint32_t held_total;  /* frames held for us by all ports */
	uint32_t held_budget; /* at most: a share of the mbuf pool, so held frames never
	                       * starve the rx queues */

	uint64_t packets;     /* frames received */
	uint64_t polls_total; /* passes over the ports: packets / polls is the mean batch */
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t fdb_full;            /* event: a new MAC not learned because the FDB was full */
	uint64_t sleeps;              /* times it slept (adaptive mode) */
	uint64_t wakeups;             /* times a notification woke it */
	uint64_t asleep_cycles;       /* TSC cycles asleep, in neither busy nor idle */
	uint64_t sleep_errors;        /* sleeps not taken or cut short: a port could not arm,
	                               * epoll refused an fd or failed */
	bool asleep;                  /* now, for lanctl stats (release, acquire) */
	uint64_t sleep_tsc;           /* when the sleep going on began */
	struct event_budget ev_fdb;   /* fdb events this worker may still post (fast/event.h) */
	struct event_budget ev_snoop; /* dhcp_server and host_seen events (fast/snoop.h) */

	struct port_stats stats[PORT_MAX];
	struct txbuf tx[PORT_MAX];
	/* storm control (fwd.c): per ingress port and class, the TSC at which the class's
	 * next frame conforms (GCRA's theoretical arrival time); reset with the slot */
	uint64_t storm_tat[PORT_MAX][GUARD_STORM_MAX];
	/* the rx list published and the one the next worker_assign() fills: made with the
	 * worker, so that giving out ports allocates nothing and cannot fail */
	struct worker_rx rx_lists[2];

	/* adaptive mode (fast/worker_sleep.c): made by worker_init, used by the worker alone
	 * except wake_fd, which any thread writes to wake it */
	uint32_t idle_polls; /* empty polls in a row */
	uint64_t idle_since; /* tsc of the WORKER_IDLE_CHECK'th of them */
	int epoll_fd;
	int wake_fd;                      /* eventfd: worker_wake() */
	const struct worker_rx *sleep_rx; /* the rx list wake_reg[] was last checked against */
	struct worker_wake_reg wake_reg[PORT_MAX]; /* by port slot */
} __rte_cache_aligned;

extern struct worker *workers[WORKER_MAX];
extern unsigned int worker_count;
extern struct rte_rcu_qsbr *worker_qsbr;
extern struct rte_mempool *worker_pool;
extern bool worker_quit; /* shared: the workers leave their loop (worker_stop) */
/* Coarse seconds, the FDB's clock: written by the control thread (worker_tick), read by
 * workers; shared. */
extern uint32_t worker_now;
/* shared, written by the control thread (worker_set_mode, worker_set_idle_us) */
extern uint8_t worker_mode;      /* enum worker_mode */
extern uint64_t worker_idle_tsc; /* idle_us in TSC cycles */

/* the loop (fast/worker.c); the control thread's side is ctl/worker_ctl.h */
int worker_main(void *arg);
uint32_t worker_poll_once(struct worker *w);

/* fast/worker_sleep.c: sleep until a port or worker_wake(); the cycles slept (0: did not) */
uint64_t worker_sleep(struct worker *w);
/* Any thread: a sleeping w polls again (a port came or went, a mode changed, shutdown). */
void worker_wake(struct worker *w);
/* Any thread: p's wake fds may have changed (a guest reconnected): its worker registers them
 * anew before it sleeps again. */
void worker_wake_port(struct port *p);

/* fwd.c: one received burst through vlan, learning and forwarding into w->tx */
void fwd_burst(struct worker *w, struct port *in, struct rte_mbuf **pkts, uint16_t n);
void fwd_flush(struct worker *w);
uint32_t fwd_drain(struct worker *w);

static inline void worker_drop(struct worker *w, uint16_t slot, enum drop_reason r,
                               struct rte_mbuf *m)
{
	w->stats[slot].drops[r]++;
	rte_pktmbuf_free(m);
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path of the afxdp port: AF_XDP sockets (libxdp's xsk API), one per NIC RX queue,
 * each with a UMEM of its own, and burst functions with the ethdev's contract that copy
 * frames between the UMEM and the switch's mbufs.
 *
 * Why copy: the mbufs come from lanswitch's one pool and go to any port (a guest's vhost
 * ring takes a copy anyway); a UMEM frame goes back to the kernel as soon as it is copied,
 * so the NIC never waits for a slow guest. One memcpy of a frame costs less than the
 * bookkeeping of lending UMEM frames out.
 *
 * Threads: the RX side (rx and fill rings) belongs to the port's worker; the TX side (tx and
 * completion rings, the free list) to whichever worker sends on the queue, one at a time
 * (the port's tx_lock when workers share a queue). Set-up and tear-down: control thread,
 * while no worker sees the port.
 */
#ifndef LANSWITCH_AFXDP_QUEUE_H
#define LANSWITCH_AFXDP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xdp/xsk.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

struct port;
struct worker;

#define AFXDP_FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
/* The port's MTU at most: the longest untagged frame an mbuf of the switch's pool holds (a
 * tag may add 4). */
#define AFXDP_MTU_MAX (RTE_MBUF_DEFAULT_DATAROOM - RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN)
/*
 * RX depth: what the kernel can hand over while the worker does not come round. On these
 * shared machines the worker's vCPU stops for milliseconds at a time; at the 0.4-0.6 Mpps a
 * veth generator reaches, a 1 024-entry rx ring then overflowed in 3 of 5 bench/upper
 * repetitions (2 596-16 762 frames counted xsk_rx_ring_full), a 4 096-entry one in none of 20.
 * The frames cost 16 MB of UMEM per queue; more frames than ring entries would add nothing,
 * the rx ring would still be full first.
 */
#define AFXDP_RX_FRAMES 4096 /* all of them in the fill ring when idle */
#define AFXDP_RX_RING 4096
#define AFXDP_TX_FRAMES 1024
#define AFXDP_TX_RING 1024

struct afxdp_queue {
	/* RX side */
	struct xsk_ring_cons rx;
	struct xsk_ring_prod fill;
	/* TX side */
	struct xsk_ring_prod tx;
	struct xsk_ring_cons comp;
	uint32_t ntx_free;
	uint64_t tx_free[AFXDP_TX_FRAMES];

	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	int fd;
	uint32_t queue_id;
	bool zero_copy; /* what the kernel bound it in, not what was asked */
} __rte_cache_aligned;

/* What the port type hands the fast path through port->fast. */
struct afxdp_fast {
	uint16_t nq;
	uint16_t next_rx; /* the queue to poll first: the port's worker alone writes it */
	struct afxdp_queue q[];
};

/*
 * Create the UMEM and the socket of NIC RX queue `queue` on ifname (XDP program not loaded:
 * the caller attaches its own and puts fd in its xsks_map). bind_flags: XDP_COPY,
 * XDP_ZEROCOPY or 0 (the kernel's choice); XDP_USE_NEED_WAKEUP is always added.
 */
int afxdp_queue_open(struct afxdp_queue *q, const char *ifname, uint32_t queue,
                     uint16_t bind_flags);
void afxdp_queue_close(struct afxdp_queue *q);

/* The kernel's drop counters of the socket (struct xdp_statistics). */
struct afxdp_queue_stats {
	uint64_t rx_dropped;   /* no fill-ring frame, or a frame too long for one */
	uint64_t rx_ring_full; /* the worker did not keep up */
	uint64_t rx_invalid;
	uint64_t tx_invalid;
};
int afxdp_queue_stats(const struct afxdp_queue *q, struct afxdp_queue_stats *st);

uint16_t afxdp_rx_burst(struct worker *w, struct port *p, struct rte_mbuf **pkts, uint16_t n);
uint16_t afxdp_tx_burst(struct port *p, uint16_t qi, struct rte_mbuf **pkts, uint16_t n);
int afxdp_wake(struct port *p, bool on, int *fds, int max);

#endif

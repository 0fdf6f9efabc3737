/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's own port: how the control thread sends and receives frames of its own (a
 * DHCPDISCOVER to find the router's DHCP server, an ARP probe) without touching the workers'
 * tx queues. Two rings stand for the device: the control thread enqueues into `out`, which a
 * worker receives from like any port; what the workers send to the port goes into `in`,
 * which the control thread drains (ctl/probe.c).
 *
 * Its frames are directed, not switched: each names the port it is for (the mbuf's
 * hash.usr, slot + 1) and its VLAN (vlan_tci), and goes to that port alone (fwd_directed);
 * its source MAC is learned here, so a unicast reply comes back. It carries every VLAN
 * tagged, so what reaches it says its VLAN; it is down (floods pass it by) except while a
 * probe waits for its answer. The control thread makes it at the first probe and it stays
 * until the switch stops; its name starts with '.', which port names given by users may not.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_malloc.h>
#include <rte_ring.h>

#include "fast/doorbell.h"
#include "fast/shared.h"
#include "fast/worker.h"
#include "ports/port.h"

#define INTERNAL_RING 1024

struct internal_fast {
	struct rte_ring *out; /* control thread -> workers */
	struct rte_ring *in;  /* workers -> control thread */
};

static uint16_t internal_rx_burst(struct worker *w, struct port *p, struct rte_mbuf **pkts,
                                  uint16_t n)
{
	const struct internal_fast *f = p->fast;

	return (uint16_t)rte_ring_dequeue_burst(f->out, (void **)pkts, n, NULL);
}

static uint16_t internal_tx_burst(struct port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct internal_fast *f = p->fast;
	uint16_t sent = (uint16_t)rte_ring_enqueue_burst(f->in, (void **)pkts, n, NULL);

	/* a probe's answer: the control thread may be asleep (fast/doorbell.h) */
	if (sent > 0)
		doorbell_ring();
	return sent;
}

/* Nothing to wait on: the control thread wakes the worker when it queues a frame. */
static int internal_wake(struct port *p, bool on, int *fds, int max)
{
	return 0;
}

static int internal_open(struct port *p, int argc, char **argv, char *err, size_t errlen)
{
	static unsigned int seq;
	struct internal_fast *f;
	char name[RTE_RING_NAMESIZE];
	int ret = -ENOMEM;

	f = rte_zmalloc("internal", sizeof(*f), RTE_CACHE_LINE_SIZE);
	if (f == NULL)
		goto err;
	/* ring names must be unique for the process's life */
	snprintf(name, sizeof(name), "ls_int_out%u", seq);
	f->out = rte_ring_create(name, INTERNAL_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "ls_int_in%u", seq++);
	f->in = rte_ring_create(name, INTERNAL_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (f->out == NULL || f->in == NULL)
		goto err_rings;
	p->fast = f;
	p->priv = NULL;
	p->eth_id = RTE_MAX_ETHPORTS; /* not an ethdev */
	p->rx_burst = internal_rx_burst;
	p->tx_burst = internal_tx_burst;
	p->wake = internal_wake;
	p->wake_how = "ring";
	p->directed = true;
	p->ntxq = 1;
	p->tx_shared = true; /* every worker may send to it */
	p->max_len = RTE_ETHER_MTU + RTE_ETHER_HDR_LEN;
	port_set_status(p, "the switch's own port, for probes");
	return 0;

err_rings:
	rte_ring_free(f->out);
	rte_ring_free(f->in);
	rte_free(f);
err:
	snprintf(err, errlen, "port \"%s\": %s", p->name, strerror(-ret));
	return ret;
}

static void internal_close(struct port *p)
{
	struct internal_fast *f = p->fast;
	struct rte_mbuf *m;

	while (rte_ring_dequeue(f->out, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue(f->in, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(f->out);
	rte_ring_free(f->in);
	rte_free(f);
	p->fast = NULL;
}

static void internal_describe(const struct port *p, FILE *out)
{
	/* the switch makes it: nothing to save */
}

const struct port_ops port_internal_ops = {
	.type = "internal",
	.open = internal_open,
	.close = internal_close,
	.describe = internal_describe,
	.own = true,
};

/* The control thread's side of the rings (ctl/probe.c). */
int port_internal_send(struct port *p, struct rte_mbuf *m)
{
	const struct internal_fast *f = p->fast;
	int ret = rte_ring_enqueue(f->out, m);

	/* after the enqueue: a worker that wakes finds the frame */
	if (ret == 0)
		worker_wake(workers[p->worker]);
	return ret;
}

unsigned int port_internal_recv(struct port *p, struct rte_mbuf **pkts, unsigned int n)
{
	const struct internal_fast *f = p->fast;

	return rte_ring_dequeue_burst(f->in, (void **)pkts, n, NULL);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* AF_XDP sockets as the afxdp port's queues: set-up, and the burst functions. */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/if_xdp.h>

#include <rte_memcpy.h>

#include "fast/worker.h"
#include "ports/afxdp_queue.h"
#include "ports/port.h"

#define AFXDP_AREA ((size_t)(AFXDP_RX_FRAMES + AFXDP_TX_FRAMES) * AFXDP_FRAME_SIZE)
/* The longest frame a UMEM frame holds: the kernel keeps XDP_PACKET_HEADROOM in front. */
#define AFXDP_FRAME_ROOM (AFXDP_FRAME_SIZE - XDP_PACKET_HEADROOM)

/* What reaches afxdp_tx_burst is no longer than the port's tx_len_max, + 4 when it leaves
 * tagged (fwd.c's egress check, tx_oversized), and that is at most AFXDP_MTU_MAX + 14
 * (port_afxdp.c): every frame fits a UMEM frame, none needs a check here. */
static_assert(AFXDP_MTU_MAX + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN <= AFXDP_FRAME_ROOM,
              "the longest frame the afxdp port may send fits a UMEM frame");

/* Every RX frame into the fill ring, every TX frame onto the free list. */
static int afxdp_queue_prime(struct afxdp_queue *q)
{
	uint32_t idx = 0, i;

	if (xsk_ring_prod__reserve(&q->fill, AFXDP_RX_FRAMES, &idx) != AFXDP_RX_FRAMES)
		return -ENOSPC;
	for (i = 0; i < AFXDP_RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) = (uint64_t)i * AFXDP_FRAME_SIZE;
	xsk_ring_prod__submit(&q->fill, AFXDP_RX_FRAMES);
	for (i = 0; i < AFXDP_TX_FRAMES; i++)
		q->tx_free[i] = (uint64_t)(AFXDP_RX_FRAMES + i) * AFXDP_FRAME_SIZE;
	q->ntx_free = AFXDP_TX_FRAMES;
	return 0;
}

static bool afxdp_queue_is_zero_copy(int fd)
{
	struct xdp_options opts = { 0 };
	socklen_t len = sizeof(opts);

	if (getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len) != 0)
		return false;
	return opts.flags & XDP_OPTIONS_ZEROCOPY;
}

int afxdp_queue_open(struct afxdp_queue *q, const char *ifname, uint32_t queue, uint16_t bind_flags)
{
	const struct xsk_umem_config ucfg = {
		.fill_size = AFXDP_RX_FRAMES,
		.comp_size = AFXDP_TX_FRAMES,
		.frame_size = AFXDP_FRAME_SIZE,
		.frame_headroom = 0,
	};
	const struct xsk_socket_config scfg = {
		.rx_size = AFXDP_RX_RING,
		.tx_size = AFXDP_TX_RING,
		/* our program is attached by the port, with our maps: no libxdp dispatcher */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = bind_flags | XDP_USE_NEED_WAKEUP,
	};
	int ret;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->queue_id = queue;
	q->area =
	        mmap(NULL, AFXDP_AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		return -errno;
	}
	ret = xsk_umem__create(&q->umem, q->area, AFXDP_AREA, &q->fill, &q->comp, &ucfg);
	if (ret < 0)
		goto err;
	ret = xsk_socket__create(&q->xsk, ifname, queue, q->umem, &q->rx, &q->tx, &scfg);
	if (ret < 0)
		goto err;
	q->fd = xsk_socket__fd(q->xsk);
	q->zero_copy = afxdp_queue_is_zero_copy(q->fd);
	ret = afxdp_queue_prime(q);
	if (ret < 0)
		goto err;
	return 0;

err:
	afxdp_queue_close(q);
	return ret;
}

void afxdp_queue_close(struct afxdp_queue *q)
{
	if (q->xsk != NULL)
		xsk_socket__delete(q->xsk);
	if (q->umem != NULL)
		xsk_umem__delete(q->umem);
	if (q->area != NULL)
		munmap(q->area, AFXDP_AREA);
	q->xsk = NULL;
	q->umem = NULL;
	q->area = NULL;
	q->fd = -1;
}

int afxdp_queue_stats(const struct afxdp_queue *q, struct afxdp_queue_stats *st)
{
	struct xdp_statistics x = { 0 };
	socklen_t len = sizeof(x);

	if (getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &x, &len) != 0)
		return -errno;
	st->rx_dropped = x.rx_dropped + x.rx_fill_ring_empty_descs;
	st->rx_ring_full = x.rx_ring_full;
	st->rx_invalid = x.rx_invalid_descs;
	st->tx_invalid = x.tx_invalid_descs;
	return 0;
}

/* Copy one received frame into m; false if it does not fit (counted by the caller). */
static inline bool afxdp_copy_in(struct afxdp_queue *q, const struct xdp_desc *d,
                                 struct rte_mbuf *m)
{
	if (unlikely(d->len > rte_pktmbuf_tailroom(m)))
		return false;
	rte_memcpy(rte_pktmbuf_mtod(m, void *),
	           xsk_umem__get_data(q->area, xsk_umem__add_offset_to_addr(d->addr)), d->len);
	m->data_len = (uint16_t)d->len;
	m->pkt_len = d->len;
	return true;
}

static uint16_t afxdp_queue_rx(struct worker *w, struct port *p, struct afxdp_queue *q,
                               struct rte_mbuf **pkts, uint16_t n)
{
	struct port_stats *st = &w->stats[p->index];
	uint32_t idx_rx = 0, idx_fill = 0, got, i;
	const struct xdp_desc *d;
	uint16_t k = 0;
	bool have_mbufs;

	got = xsk_ring_cons__peek(&q->rx, n, &idx_rx);
	if (got == 0) {
		/* zero-copy drivers sleep until told the fill ring has frames again */
		if (xsk_ring_prod__needs_wakeup(&q->fill))
			recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return 0;
	}
	/* we own AFXDP_RX_FRAMES frames and the fill ring holds as many: never short */
	if (unlikely(xsk_ring_prod__reserve(&q->fill, got, &idx_fill) != got)) {
		xsk_ring_cons__cancel(&q->rx, got);
		return 0;
	}
	/* Frames dropped here were received all the same: counted in rx_packets and rx_bytes as
	 * fwd_burst counts the frames it drops, so that rx_packets = forwarded + "in" drops. */
	have_mbufs = rte_pktmbuf_alloc_bulk(worker_pool, pkts, got) == 0;
	for (i = 0; i < got; i++) {
		d = xsk_ring_cons__rx_desc(&q->rx, idx_rx + i);
		if (unlikely(!have_mbufs)) {
			st->rx_packets++;
			st->rx_bytes += d->len;
			st->drops[DROP_RX_NO_MBUF]++;
		} else if (likely(afxdp_copy_in(q, d, pkts[i]))) {
			pkts[k++] = pkts[i];
		} else {
			st->rx_packets++;
			st->rx_bytes += d->len;
			worker_drop(w, p->index, DROP_OVERSIZED, pkts[i]);
		}
		*xsk_ring_prod__fill_addr(&q->fill, idx_fill + i) = xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_cons__release(&q->rx, got);
	xsk_ring_prod__submit(&q->fill, got);
	return k;
}

/* Every queue of the port, starting with a different one each time so none starves. */
uint16_t afxdp_rx_burst(struct worker *w, struct port *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct afxdp_fast *f = p->fast;
	uint16_t got = 0, i, qi = f->next_rx;

	for (i = 0; i < f->nq && got < n; i++) {
		got += afxdp_queue_rx(w, p, &f->q[qi], pkts + got, n - got);
		qi = qi + 1 == f->nq ? 0 : qi + 1;
	}
	f->next_rx = f->next_rx + 1 == f->nq ? 0 : f->next_rx + 1;
	return got;
}

/*
 * Adaptive mode (port.h: wake): each socket's fd is readable when its rx ring has frames. A
 * zero-copy driver that waits to be told the fill ring has frames is told now, or nothing
 * would come to wake the worker.
 */
int afxdp_wake(struct port *p, bool on, int *fds, int max)
{
	struct afxdp_fast *f = p->fast;
	uint16_t i;

	if (!on)
		return 0;
	if (f->nq > max)
		return -E2BIG;
	for (i = 0; i < f->nq; i++) {
		if (xsk_ring_prod__needs_wakeup(&f->q[i].fill))
			recvfrom(f->q[i].fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		fds[i] = f->q[i].fd;
	}
	return f->nq;
}

/* TX frames the kernel has sent are free again. */
static inline void afxdp_complete(struct afxdp_queue *q)
{
	uint32_t idx = 0, n, i;

	n = xsk_ring_cons__peek(&q->comp, AFXDP_TX_FRAMES, &idx);
	for (i = 0; i < n; i++)
		q->tx_free[q->ntx_free++] = *xsk_ring_cons__comp_addr(&q->comp, idx + i);
	xsk_ring_cons__release(&q->comp, n);
}

static inline void afxdp_copy_out(struct afxdp_queue *q, struct rte_mbuf *m, struct xdp_desc *d)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	void *dst = xsk_umem__get_data(q->area, d->addr);
	const void *src;

	/* contiguous: a pointer into m; chained: gathered into dst already */
	src = rte_pktmbuf_read(m, 0, len, dst);
	if (src != dst)
		rte_memcpy(dst, src, len);
	d->len = len;
}

uint16_t afxdp_tx_burst(struct port *p, uint16_t qi, struct rte_mbuf **pkts, uint16_t n)
{
	struct afxdp_queue *q = &((struct afxdp_fast *)p->fast)->q[qi];
	uint32_t idx = 0, k, i;
	struct xdp_desc *d;

	afxdp_complete(q);
	k = RTE_MIN((uint32_t)n, q->ntx_free);
	k = k == 0 ? 0 : xsk_ring_prod__reserve(&q->tx, k, &idx);
	for (i = 0; i < k; i++) {
		d = xsk_ring_prod__tx_desc(&q->tx, idx + i);
		d->addr = q->tx_free[--q->ntx_free];
		afxdp_copy_out(q, pkts[i], d);
	}
	if (k != 0) {
		xsk_ring_prod__submit(&q->tx, k);
		rte_pktmbuf_free_bulk(pkts, k);
	}
	/* copy mode sends only inside this syscall; leftovers go with the next one */
	if (xsk_ring_prod__needs_wakeup(&q->tx))
		sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	return (uint16_t)k;
}

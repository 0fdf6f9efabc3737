/* SPDX-License-Identifier: BSD-3-Clause */
/* The packet side of lsgen: one RX pass over all ports, reflect, and the send loop. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "gen.h"

uint64_t gen_ms_to_tsc(const struct gen *g, uint64_t ms)
{
	return (uint64_t)((unsigned __int128)g->tsc_hz * ms / 1000);
}

/* CLOCK_REALTIME: the clock a test script has too (date, $EPOCHREALTIME). */
static uint64_t gen_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void gen_reset(struct gen *g)
{
	uint16_t i;

	for (i = 0; i < g->nb_ports; i++)
		count_reset(&g->ports[i].count);
	latency_reset(&g->lat);
}

/* Sends what reflect queued; what the port does not take yet stays queued, in order. */
static void gen_flush(struct gen_port *p)
{
	uint32_t len[GEN_PEND_MAX];
	uint16_t i, n;

	/* The PMD frees what it sent, so take the lengths first. */
	for (i = 0; i < p->pend_n; i++)
		len[i] = rte_pktmbuf_pkt_len(p->pend[i]);
	n = rte_eth_tx_burst(p->id, 0, p->pend, (uint16_t)p->pend_n);
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		p->count.tx_bytes += len[i];
	p->count.tx += n;
	p->count.reflected += n;
	p->pend_n -= n;
	memmove(p->pend, p->pend + n, p->pend_n * sizeof(p->pend[0]));
}

/*
 * Turn a received frame around. Frames this process stamped get a fresh stamp, so that in a
 * loop through two processes each return measures one round trip, not the frame's age.
 * A runt has no MACs to swap: it is not reflected.
 */
static bool gen_reflect(struct gen *g, struct gen_port *p, struct rte_mbuf *m,
                        struct frame_stamp *st, uint64_t now)
{
	if (!p->cycle) {
		if (frame_swap_macs(m) < 0)
			return false;
	} else {
		if (frame_set_macs(m, &p->cyc_src, &p->cyc_dst, p->cyc_i) < 0)
			return false;
		if (++p->cyc_i == p->cyc_n)
			p->cyc_i = 0;
	}
	if (st != NULL && st->tag == g->tag)
		st->tsc = now;
	return true;
}

static void gen_link_tick(struct gen *g, uint64_t now)
{
	uint16_t i;

	for (i = 0; i < g->nb_ports; i++)
		port_link_update(g, &g->ports[i]);
	g->next_link_tsc = now + gen_ms_to_tsc(g, GEN_LINK_PERIOD_MS);
}

/* One RX burst from every port; returns the number of frames received. */
unsigned int gen_poll(struct gen *g)
{
	struct rte_mbuf *m[GEN_BURST], *drop[GEN_BURST];
	struct frame_stamp *st;
	unsigned int total = 0;
	uint16_t i, j, n, nb_drop;
	uint64_t now = rte_rdtsc();

	uint64_t t0 = now;

	if (now >= g->next_link_tsc)
		gen_link_tick(g, now);
	for (i = 0; i < g->nb_ports; i++) {
		struct gen_port *p = &g->ports[i];

		if (!gen_port_ready(p))
			continue;
		if (p->pend_n != 0)
			gen_flush(p);
		/*
		 * RX goes on even when reflected frames cannot leave: what does not fit in
		 * pend is dropped and counted, as a real guest would. Pausing RX instead
		 * (back-pressure) deadlocks two lsgen ports that reflect into each other
		 * once more frames circulate than their rings hold.
		 */
		n = rte_eth_rx_burst(p->id, 0, m, GEN_BURST);
		if (n == 0)
			continue;
		total += n;
		now = rte_rdtsc();
		nb_drop = 0;
		for (j = 0; j < n; j++) {
			if (g->lean) {
				p->count.rx++;
				p->count.rx_bytes += rte_pktmbuf_pkt_len(m[j]);
				st = g->stamps ? frame_stamp_find(m[j]) : NULL;
			} else {
				/* once a burst, and off --lean's path: a clock read */
				if (j == 0)
					p->count.rx_last_ns = gen_wall_ns();
				count_rx(&p->count, m[j]);
				st = frame_stamp_find(m[j]);
				if (st != NULL)
					count_seq(&p->count.seq, st);
			}
			/* Another process's TSC means nothing here; so would a negative age. */
			if (st != NULL && st->tag == g->tag && st->tsc <= now)
				latency_add(&g->lat, now - st->tsc);
			if (!p->reflect || !gen_reflect(g, p, m[j], st, now)) {
				drop[nb_drop++] = m[j];
			} else if (p->pend_n == GEN_PEND_MAX) {
				p->count.reflect_drops++;
				drop[nb_drop++] = m[j];
			} else {
				p->pend[p->pend_n++] = m[j];
			}
		}
		if (nb_drop != 0)
			rte_pktmbuf_free_bulk(drop, nb_drop);
		if (p->pend_n != 0)
			gen_flush(p);
	}
	if (total != 0)
		g->busy_tsc += rte_rdtsc() - t0;
	else
		g->idle_tsc += rte_rdtsc() - t0;
	return total;
}

/* How many of the command's frames the rate allows by now (all of them at rate 0). */
static uint64_t gen_due(const struct gen *g, uint64_t start, uint64_t now, uint64_t count)
{
	unsigned __int128 due;

	if (g->rate_pps == 0)
		return count;
	/* Frame k leaves at start + k / rate: the first one at once. */
	due = (unsigned __int128)(now - start) * g->rate_pps / g->tsc_hz + 1;
	return due < count ? (uint64_t)due : count;
}

/*
 * Send count frames out of p, built from s. Frames the port does not take are kept and
 * offered again (never rebuilt, so sequence numbers stay in order), while RX of all ports
 * goes on. Gives up when the link is down or one second passes without progress; *sent
 * says how many left. Frames built but never sent are freed, and the next send reuses
 * their sequence numbers, so a receiver sees no gap that was not a loss on the way.
 */
int gen_send(struct gen *g, struct gen_port *p, const struct frame_spec *s, uint64_t count,
             uint64_t *sent)
{
	struct rte_mbuf *m[GEN_BURST];
	uint64_t start, now, last, built = 0, done = 0, want;
	uint16_t held = 0, k, i;
	int ret = 0;

	*sent = 0;
	if (!port_link_update(g, p))
		return 0;
	start = last = rte_rdtsc();
	while (done < count && !gen_stop) {
		now = rte_rdtsc();
		want = RTE_MIN(gen_due(g, start, now, count) - built, (uint64_t)(GEN_BURST - held));
		if (want != 0 &&
		    rte_pktmbuf_alloc_bulk(g->pool, m + held, (unsigned int)want) == 0) {
			for (i = 0; i < want; i++) {
				ret = frame_build(m[held + i], s, built + i,
				                  (uint16_t)(p - g->ports), p->tx_seq + built + i,
				                  g->tag, now);
				if (ret < 0) {
					rte_pktmbuf_free_bulk(m + held, (unsigned int)want);
					goto free_held;
				}
			}
			held += want;
			built += want;
		}
		if (held != 0) {
			k = rte_eth_tx_burst(p->id, 0, m, held);
			if (k != 0) {
				held -= k;
				memmove(m, m + k, held * sizeof(m[0]));
				done += k;
				last = now;
			}
		}
		gen_poll(g);
		/* Waiting for the rate's next frame is not a stall. */
		if (held == 0 && want == 0)
			last = now;
		if (now - last > g->tsc_hz)
			break;
		if (held != 0 && !p->link_up)
			break;
	}
free_held:
	if (held != 0)
		rte_pktmbuf_free_bulk(m, held);
	p->tx_seq += done;
	p->count.tx += done;
	p->count.tx_bytes += done * s->size;
	*sent = done;
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: one pass over the worker's ports after another, until told to stop. Its
 * bookkeeping on the control thread (rx lists, launch, the counters it sums) is
 * ctl/worker_ctl.c.
 */
#include <rte_cycles.h>

#include "fast/shared.h"
#include "fast/worker.h"

struct worker *workers[WORKER_MAX];
unsigned int worker_count;
struct rte_rcu_qsbr *worker_qsbr;
struct rte_mempool *worker_pool;
bool worker_quit;
uint32_t worker_now;
uint8_t worker_mode = WORKER_ADAPTIVE;
uint64_t worker_idle_tsc;

/* Busy or idle from the last TSC read until now; the stretch goes on as BUSY. */
static void worker_account(struct worker *w, bool busy)
{
	uint64_t t = rte_rdtsc();

	if (w->tsc != 0) {
		if (w->busy)
			w->busy_cycles += t - w->tsc;
		else
			w->idle_cycles += t - w->tsc;
	}
	w->tsc = t;
	w->busy = busy;
	w->polls = 0;
}

/*
 * One pass over this worker's ports: receive, switch, send.
 *
 * The TSC is read only where busy turns idle or back, and every WORKER_ACCOUNT_POLLS polls
 * so that `lanctl stats` stays current. A TSC read per poll cost a quarter of the 64-byte
 * throughput in this VM (bench/README.md). Busy starts at the first burst that brought
 * frames and ends with the first poll that brought none, so every cycle counts as one or
 * the other, and a busy poll is never counted idle.
 */
uint32_t worker_poll_once(struct worker *w)
{
	struct worker_rx *rx = shared_read(&w->rx);
	struct rte_mbuf *pkts[BURST];
	uint64_t got = 0, held;
	uint16_t i, n;
	struct port *p;

	for (i = 0; i < rx->n; i++) {
		p = rx->ports[i];
		if (p->rx_burst == NULL)
			n = rte_eth_rx_burst(p->eth_id, 0, pkts, BURST);
		else
			n = p->rx_burst(w, p, pkts, BURST);
		if (n == 0)
			continue;
		if (unlikely(!w->busy))
			worker_account(w, true);
		got += n;
		fwd_burst(w, p, pkts, n);
		fwd_flush(w);
	}
	w->packets += got; /* received */
	w->polls_total++;
	/* sending what ports held is work too, though nothing came in */
	if (unlikely(w->nheld > 0)) {
		held = fwd_drain(w);
		if (held > 0 && !w->busy)
			worker_account(w, true);
		got += held;
	}
	if (got == 0 && w->busy)
		worker_account(w, false);
	else if (unlikely(++w->polls >= WORKER_ACCOUNT_POLLS))
		worker_account(w, w->busy);
	return (uint32_t)got;
}

/*
 * Adaptive mode, every WORKER_IDLE_CHECK empty polls: after idle_us without a frame, sleep
 * until a port has one. The clock is read only here, so busy traffic pays for none of this
 * but a counter reset. Frames held for a full guest keep the worker polling: they go as soon
 * as the guest makes room, and no notification would tell it that.
 */
static void worker_idle(struct worker *w)
{
	uint64_t t = rte_rdtsc(), slept;

	if (w->idle_polls == WORKER_IDLE_CHECK) {
		w->idle_since = t;
		return;
	}
	if (shared_read(&worker_mode) != WORKER_ADAPTIVE || w->nheld > 0 ||
	    t - w->idle_since < shared_read(&worker_idle_tsc))
		return;
	worker_account(w, false); /* the idle stretch so far */
	slept = worker_sleep(w);
	/* asleep is neither busy nor idle: the stretch goes on from where it was */
	w->asleep_cycles += slept;
	w->tsc += slept;
	/* slept or not, wait a whole idle_us before trying again */
	w->idle_since = rte_rdtsc();
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	/* the time before the launch was neither busy nor idle */
	w->tsc = 0;
	w->busy = false;
	rte_rcu_qsbr_thread_register(worker_qsbr, w->id);
	rte_rcu_qsbr_thread_online(worker_qsbr, w->id);
	while (!shared_read(&worker_quit)) {
		if (worker_poll_once(w) != 0)
			w->idle_polls = 0;
		else if (unlikely((++w->idle_polls & (WORKER_IDLE_CHECK - 1)) == 0))
			worker_idle(w);
		rte_rcu_qsbr_quiescent(worker_qsbr, w->id);
	}
	rte_rcu_qsbr_thread_offline(worker_qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(worker_qsbr, w->id);
	return 0;
}

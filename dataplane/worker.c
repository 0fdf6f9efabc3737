/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop and its bookkeeping: rx lists, the RCU state that lets the control
 * thread free what workers might still read, and the counters it sums.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "log.h"
#include "worker.h"

struct worker *workers[WORKER_MAX];
unsigned int worker_count;
struct rte_rcu_qsbr *worker_qsbr;
struct rte_mempool *worker_pool;
volatile bool worker_quit;

static uint64_t worker_tsc0;

volatile uint32_t worker_now;

uint32_t worker_clock(void)
{
	return (uint32_t)((rte_get_tsc_cycles() - worker_tsc0) / rte_get_tsc_hz());
}

/* The control thread keeps the workers' clock: they need seconds, not a TSC read a burst. */
void worker_tick(void)
{
	uint32_t now = worker_clock();

	if (now != worker_now)
		worker_now = now;
}

int worker_init(unsigned int nworkers, struct rte_mempool *pool)
{
	size_t sz = rte_rcu_qsbr_get_memsize(nworkers);
	unsigned int i, lcore = (unsigned int)-1;

	if (nworkers == 0 || nworkers > WORKER_MAX)
		return -EINVAL;
	worker_qsbr = rte_zmalloc("lanswitch_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (worker_qsbr == NULL || rte_rcu_qsbr_init(worker_qsbr, nworkers) != 0)
		return -ENOMEM;
	worker_pool = pool;
	/* the clock starts above zero so that "seen at 0" never means "seen just now" */
	worker_tsc0 = rte_get_tsc_cycles() - rte_get_tsc_hz();
	worker_tick();
	for (i = 0; i < nworkers; i++) {
		workers[i] =
		        rte_zmalloc("lanswitch_worker", sizeof(struct worker), RTE_CACHE_LINE_SIZE);
		if (workers[i] == NULL)
			return -ENOMEM;
		workers[i]->id = i;
		/* a quarter of the pool for held frames, shared between the workers */
		workers[i]->held_budget = pool->size / 4 / nworkers;
		workers[i]->rx = calloc(1, sizeof(struct worker_rx));
		if (workers[i]->rx == NULL)
			return -ENOMEM;
		lcore = rte_get_next_lcore(lcore, 1, 0);
		workers[i]->lcore = lcore;
	}
	worker_count = nworkers;
	return 0;
}

void worker_fini(void)
{
	unsigned int i;

	for (i = 0; i < worker_count; i++) {
		free(workers[i]->rx);
		rte_free(workers[i]);
		workers[i] = NULL;
	}
	worker_count = 0;
	rte_free(worker_qsbr);
	worker_qsbr = NULL;
}

/* Wait until every worker has finished the loop iteration it was in. */
void worker_sync(void)
{
	rte_rcu_qsbr_synchronize(worker_qsbr, RTE_QSBR_THRID_INVALID);
}

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
void worker_poll_once(struct worker *w)
{
	struct worker_rx *rx = __atomic_load_n(&w->rx, __ATOMIC_ACQUIRE);
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
}

int worker_main(void *arg)
{
	struct worker *w = arg;

	/* the time before the launch was neither busy nor idle */
	w->tsc = 0;
	w->busy = false;
	rte_rcu_qsbr_thread_register(worker_qsbr, w->id);
	rte_rcu_qsbr_thread_online(worker_qsbr, w->id);
	while (!worker_quit) {
		worker_poll_once(w);
		rte_rcu_qsbr_quiescent(worker_qsbr, w->id);
	}
	rte_rcu_qsbr_thread_offline(worker_qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(worker_qsbr, w->id);
	return 0;
}

int worker_launch(void)
{
	unsigned int i;
	int ret;

	worker_quit = false;
	for (i = 0; i < worker_count; i++) {
		ret = rte_eal_remote_launch(worker_main, workers[i], workers[i]->lcore);
		if (ret != 0)
			return ret;
	}
	return 0;
}

void worker_stop(void)
{
	worker_quit = true;
	rte_eal_mp_wait_lcore();
}

/*
 * Publish each worker's rx list from the ports' fixed worker choice, then free the old lists
 * once no worker reads them. A port never moves between workers, so no rx queue is ever
 * polled by two.
 */
int worker_assign(void)
{
	struct worker_rx *rx[WORKER_MAX], *old[WORKER_MAX];
	unsigned int i;
	struct port *p;

	for (i = 0; i < worker_count; i++) {
		rx[i] = calloc(1, sizeof(struct worker_rx));
		if (rx[i] == NULL) {
			while (i > 0)
				free(rx[--i]);
			return -ENOMEM;
		}
	}
	for (i = 0; i < port_table_len; i++) {
		p = port_table[i];
		if (p != NULL)
			rx[p->worker]->ports[rx[p->worker]->n++] = p;
	}
	for (i = 0; i < worker_count; i++)
		old[i] = __atomic_exchange_n(&workers[i]->rx, rx[i], __ATOMIC_ACQ_REL);
	worker_sync();
	for (i = 0; i < worker_count; i++)
		free(old[i]);
	return 0;
}

/* The worker with the fewest ports polls the next one. */
uint16_t worker_pick(void)
{
	unsigned int i, best = 0;

	for (i = 1; i < worker_count; i++)
		if (workers[i]->rx->n < workers[best]->rx->n)
			best = i;
	return (uint16_t)best;
}

/* Frames ports hold for the workers now (fwd_hold): a gauge, read without a lock. */
uint64_t worker_port_held(uint16_t slot)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < worker_count; i++)
		n += __atomic_load_n(&workers[i]->tx[slot].held_n, __ATOMIC_RELAXED);
	return n;
}

void worker_port_stats(uint16_t slot, struct port_stats *sum)
{
	const struct port_stats *s;
	unsigned int i, r;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < worker_count; i++) {
		s = &workers[i]->stats[slot];
		sum->rx_packets += s->rx_packets;
		sum->rx_bytes += s->rx_bytes;
		sum->tx_packets += s->tx_packets;
		sum->tx_bytes += s->tx_bytes;
		for (r = 0; r < DROP_MAX; r++)
			sum->drops[r] += s->drops[r];
	}
}

/* Only after the port has left every worker's view (a grace period after removal). */
void worker_port_reset(uint16_t slot)
{
	unsigned int i;

	for (i = 0; i < worker_count; i++)
		memset(&workers[i]->stats[slot], 0, sizeof(struct port_stats));
}

struct json_object *worker_stats_json(void)
{
	struct json_object *arr = json_object_new_array(), *o;
	const struct worker *w;
	unsigned int i;

	for (i = 0; i < worker_count; i++) {
		w = workers[i];
		o = json_object_new_object();
		json_object_object_add(o, "lcore", json_object_new_int((int)w->lcore));
		json_object_object_add(o, "packets", json_object_new_uint64(w->packets));
		json_object_object_add(o, "polls", json_object_new_uint64(w->polls_total));
		json_object_object_add(o, "busy_cycles", json_object_new_uint64(w->busy_cycles));
		json_object_object_add(o, "idle_cycles", json_object_new_uint64(w->idle_cycles));
		json_object_object_add(o, "fdb_full", json_object_new_uint64(w->fdb_full));
		/* the cycles' unit: cycles per packet become time, and a check of the clock */
		json_object_object_add(o, "tsc_hz", json_object_new_uint64(rte_get_tsc_hz()));
		json_object_array_add(arr, o);
	}
	return arr;
}

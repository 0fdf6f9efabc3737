/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers seen from the control thread: start and stop them, give them their rx lists,
 * keep their clock, wait for them (RCU), and sum their counters for lanctl.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <json-c/json.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "ctl/worker_ctl.h"
#include "fast/shared.h"

static uint64_t worker_tsc0;
/*
 * The workers poll from their launch until the configuration is loaded (worker_configured):
 * a switch whose state file says poll never sleeps, not even once at start, and one that
 * sleeps takes its ports' notifications from a complete port list.
 */
static enum worker_mode worker_mode_want = WORKER_ADAPTIVE;
static bool worker_configured;
uint32_t worker_idle_us = WORKER_IDLE_US_DEFAULT;

uint32_t worker_clock(void)
{
	return (uint32_t)((rte_get_tsc_cycles() - worker_tsc0) / rte_get_tsc_hz());
}

/* The control thread keeps the workers' clock: they need seconds, not a TSC read a burst. */
void worker_tick(void)
{
	uint32_t now = worker_clock();

	/* the only writer: its own last value, read plainly */
	if (now != worker_now)
		shared_publish(&worker_now, now);
}

/* The worker's epoll set and wake-up eventfd (adaptive mode, fast/worker_sleep.c). */
static int worker_init_wake(struct worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	int ret;

	w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epoll_fd < 0)
		return -errno;
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd < 0) {
		ret = -errno;
		goto err_epoll;
	}
	if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->wake_fd, &ev) < 0) {
		ret = -errno;
		goto err_event;
	}
	return 0;

err_event:
	close(w->wake_fd);
err_epoll:
	close(w->epoll_fd);
	return ret;
}

static void worker_free(struct worker *w)
{
	close(w->wake_fd);
	close(w->epoll_fd);
	rte_free(w);
}

int worker_init(unsigned int nworkers, struct rte_mempool *pool)
{
	size_t sz = rte_rcu_qsbr_get_memsize(nworkers);
	unsigned int i, lcore = (unsigned int)-1;
	int ret;

	if (nworkers == 0 || nworkers > WORKER_MAX)
		return -EINVAL;
	worker_qsbr = rte_zmalloc("lanswitch_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (worker_qsbr == NULL)
		return -ENOMEM;
	/* it fails (rte_errno EINVAL) only for arguments checked above */
	if (rte_rcu_qsbr_init(worker_qsbr, nworkers) != 0) {
		ret = -EINVAL;
		goto err_free_qsbr;
	}
	for (i = 0; i < nworkers; i++) {
		workers[i] =
		        rte_zmalloc("lanswitch_worker", sizeof(struct worker), RTE_CACHE_LINE_SIZE);
		if (workers[i] == NULL) {
			ret = -ENOMEM;
			goto err_free_workers;
		}
		ret = worker_init_wake(workers[i]);
		if (ret < 0) {
			rte_free(workers[i]);
			goto err_free_workers;
		}
		workers[i]->id = i;
		/* a quarter of the pool for held frames, shared between the workers */
		workers[i]->held_budget = pool->size / 4 / nworkers;
		workers[i]->rx = &workers[i]->rx_lists[0]; /* empty */
		lcore = rte_get_next_lcore(lcore, 1, 0);
		workers[i]->lcore = lcore;
	}
	worker_pool = pool;
	worker_configured = false;
	shared_publish(&worker_mode, (uint8_t)WORKER_POLL);
	worker_set_mode(WORKER_ADAPTIVE);
	worker_set_idle_us(WORKER_IDLE_US_DEFAULT);
	/* the clock starts above zero so that "seen at 0" never means "seen just now" */
	worker_tsc0 = rte_get_tsc_cycles() - rte_get_tsc_hz();
	worker_tick();
	worker_count = nworkers;
	return 0;

err_free_workers:
	while (i > 0) {
		i--;
		worker_free(workers[i]);
		workers[i] = NULL;
	}
err_free_qsbr:
	rte_free(worker_qsbr);
	worker_qsbr = NULL;
	return ret;
}

void worker_fini(void)
{
	unsigned int i;

	for (i = 0; i < worker_count; i++) {
		worker_free(workers[i]);
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

int worker_launch(void)
{
	unsigned int i;
	int ret;

	shared_publish(&worker_quit, false);
	for (i = 0; i < worker_count; i++) {
		ret = rte_eal_remote_launch(worker_main, workers[i], workers[i]->lcore);
		if (ret != 0)
			return ret;
	}
	return 0;
}

static void worker_wake_all(void)
{
	unsigned int i;

	for (i = 0; i < worker_count; i++)
		worker_wake(workers[i]);
}

void worker_stop(void)
{
	shared_publish(&worker_quit, true);
	worker_wake_all();
	rte_eal_mp_wait_lcore();
}

void worker_set_mode(enum worker_mode mode)
{
	worker_mode_want = mode;
	if (!worker_configured)
		return;
	shared_publish(&worker_mode, (uint8_t)mode);
	worker_wake_all(); /* a sleeper polls from now on */
}

void worker_configured_now(void)
{
	worker_configured = true;
	worker_set_mode(worker_mode_want);
}

void worker_set_idle_us(uint32_t us)
{
	worker_idle_us = us;
	shared_publish(&worker_idle_tsc, rte_get_tsc_hz() / 1000000 * us);
}

/* The lines that restore the workers' settings, where they are not the defaults. */
void worker_describe(FILE *out)
{
	if (worker_mode_want != WORKER_ADAPTIVE)
		fputs("worker set mode poll\n", out);
	if (worker_idle_us != WORKER_IDLE_US_DEFAULT)
		fprintf(out, "worker set idle-us %u\n", worker_idle_us);
}

/*
 * Publish each worker's rx list from the ports' fixed worker choice. A port never moves
 * between workers, so no rx queue is ever polled by two. Each worker has two lists: the one
 * not published is filled and published, and after the grace period below no worker reads
 * the other, which the next call fills. Nothing is allocated, so a port's removal cannot stop
 * half-way with workers still polling a port that is about to be freed.
 */
void worker_assign(void)
{
	struct worker_rx *next[WORKER_MAX];
	struct worker *w;
	unsigned int i;
	struct port *p;

	for (i = 0; i < worker_count; i++) {
		w = workers[i];
		next[i] = w->rx == &w->rx_lists[0] ? &w->rx_lists[1] : &w->rx_lists[0];
		next[i]->n = 0;
	}
	for (i = 0; i < port_table_len; i++) {
		p = port_table[i];
		if (p != NULL)
			next[p->worker]->ports[next[p->worker]->n++] = p;
	}
	for (i = 0; i < worker_count; i++) {
		shared_publish(&workers[i]->rx, next[i]);
		/* a sleeping worker turns on the new ports' notifications */
		worker_wake(workers[i]);
	}
	worker_sync();
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

	for (i = 0; i < worker_count; i++) {
		memset(&workers[i]->stats[slot], 0, sizeof(struct port_stats));
		memset(workers[i]->storm_tat[slot], 0, sizeof(workers[i]->storm_tat[slot]));
	}
}

/* Every port the worker polls can wake it (none only polls: port list's "wake" none). */
static bool worker_can_sleep(const struct worker *w)
{
	unsigned int i;

	for (i = 0; i < w->rx->n; i++)
		if (w->rx->ports[i]->wake == NULL)
			return false;
	return true;
}

struct json_object *worker_stats_json(void)
{
	struct json_object *arr = json_object_new_array(), *o;
	const char *mode = shared_read(&worker_mode) == WORKER_POLL ? "poll" : "adaptive";
	const struct worker *w;
	uint64_t cycles;
	unsigned int i;
	bool asleep;

	for (i = 0; i < worker_count; i++) {
		w = workers[i];
		o = json_object_new_object();
		json_object_object_add(o, "lcore", json_object_new_int((int)w->lcore));
		json_object_object_add(o, "packets", json_object_new_uint64(w->packets));
		json_object_object_add(o, "polls", json_object_new_uint64(w->polls_total));
		json_object_object_add(o, "busy_cycles", json_object_new_uint64(w->busy_cycles));
		json_object_object_add(o, "idle_cycles", json_object_new_uint64(w->idle_cycles));
		json_object_object_add(o, "fdb_full", json_object_new_uint64(w->fdb_full));
		json_object_object_add(o, "mode", json_object_new_string(mode));
		json_object_object_add(o, "idle_us", json_object_new_uint64(worker_idle_us));
		json_object_object_add(o, "can_sleep",
		                       json_object_new_boolean(worker_can_sleep(w)));
		json_object_object_add(o, "sleeps", json_object_new_uint64(w->sleeps));
		json_object_object_add(o, "wakeups", json_object_new_uint64(w->wakeups));
		json_object_object_add(o, "sleep_errors", json_object_new_uint64(w->sleep_errors));
		/* the sleep going on counts too: a worker asleep for an hour is not idle */
		asleep = __atomic_load_n(&w->asleep, __ATOMIC_ACQUIRE);
		cycles = w->asleep_cycles;
		if (asleep)
			cycles += rte_rdtsc() - __atomic_load_n(&w->sleep_tsc, __ATOMIC_RELAXED);
		json_object_object_add(o, "asleep_cycles", json_object_new_uint64(cycles));
		json_object_object_add(o, "asleep", json_object_new_boolean(asleep));
		/* the cycles' unit: cycles per packet become time, and a check of the clock */
		json_object_object_add(o, "tsc_hz", json_object_new_uint64(rte_get_tsc_hz()));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The frames' pool's cached mbufs: every lcore's cache, as rte_mempool_avail_count sums them. */
static unsigned int worker_pool_cached(const struct rte_mempool *mp)
{
	unsigned int lcore, n = 0;

	if (mp->cache_size == 0)
		return 0;
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
		n += mp->local_cache[lcore].len;
	return n;
}

/*
 * The mbuf pool of the frames (main.c makes it, worker_init keeps it): {"size", "in_use",
 * "available", "cached", "cache_size"}.
 *
 * in_use is DPDK's rte_mempool_in_use_count: size minus available, and available counts the
 * pool's ring AND every lcore's cache (rte_mempool_avail_count adds their lengths). So a
 * free mbuf parked in a worker's cache is not in use: in_use counts exactly the mbufs out in
 * frames (in a worker's burst, held for a port, in a device's rx descriptors) or leaked.
 * cached says how many of the available ones sit in caches (at most about 1.5 cache_size
 * per lcore): they come and go with traffic while in_use, once the frames are gone, returns
 * to its idle value. The counts are read without a lock while workers move mbufs between
 * their cache and the ring, so under traffic they are off by up to a cache flush; a
 * comparison is exact only once traffic has stopped and held frames have drained.
 */
struct json_object *worker_pool_json(void)
{
	struct json_object *o = json_object_new_object();
	const struct rte_mempool *mp = worker_pool;
	unsigned int avail;

	if (o == NULL || mp == NULL)
		return o;
	avail = rte_mempool_avail_count(mp);
	json_object_object_add(o, "size", json_object_new_uint64(mp->size));
	json_object_object_add(o, "in_use", json_object_new_uint64(mp->size - avail));
	json_object_object_add(o, "available", json_object_new_uint64(avail));
	json_object_object_add(o, "cached", json_object_new_uint64(worker_pool_cached(mp)));
	json_object_object_add(o, "cache_size", json_object_new_uint64(mp->cache_size));
	return o;
}

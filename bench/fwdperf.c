/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwdperf: lanswitch's own per-frame cost, without vhost and without a second core.
 *
 * The closed loop over vhost-user (bench/run) cannot resolve a fast-path change: the same
 * binary spans 280-1000 cycles per frame there as the batch size drifts with the host's noise,
 * and an A/A run of one build against itself came out 1.34x (0.68-1.54). This program runs the
 * worker's code (worker_poll_once: rx, fwd_burst, fwd_flush) on one core over net_ring ports,
 * with full bursts, and times only that call. Between polls it plays both guests: what left
 * port g0 or g1 is turned around with the port's next (source, destination) pair, as lsgen's
 * `reflect cycle` does, so the FDB learns and looks up every address of the row. A third port
 * stays idle (it must receive nothing once the addresses are learned), as in bench/run.
 *
 *   fwdperf [--macs N] [--frames F] [--rounds R] [--polls P] [-- EAL-ARGS]
 *
 * One JSON line per round (cycles per frame, frames per poll), then a summary line with the
 * median. Exit 1 if a frame was lost, flooded or dropped after warm-up: a number is only
 * printed for a run in which the switch forwarded every frame to its one right port.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "fdb.h"
#include "port.h"
#include "worker.h"

#define PERF_PORTS 3 /* g0, g1, and the idle one */
#define PERF_RING 1024
#define PERF_POOL 8191

struct perf_dev {
	struct rte_ring *rx, *tx;
	struct port *port;
	uint32_t next; /* the (source, destination) pair of the next frame this guest sends */
};

struct perf {
	uint32_t macs, half, frames, rounds, polls;
	struct perf_dev dev[PERF_PORTS];
	struct rte_mempool *pool;
};

/* 02:00:00:SS:JJ:JJ: address j behind guest side s. */
static struct rte_ether_addr perf_mac(unsigned int side, uint32_t j)
{
	struct rte_ether_addr a = { { 0x02, 0, 0, (uint8_t)(side + 1), (uint8_t)(j >> 8),
		                      (uint8_t)j } };

	return a;
}

/* The guest on side s sends m back: its next source, the peer's address of the same index. */
static void perf_reflect(struct perf *pf, unsigned int side, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t j = pf->dev[side].next;

	pf->dev[side].next = j + 1 == pf->half ? 0 : j + 1;
	eh->src_addr = perf_mac(side, j);
	eh->dst_addr = perf_mac(side ^ 1, j);
}

static int perf_dev_create(struct perf_dev *d, unsigned int i)
{
	char name[RTE_RING_NAMESIZE], dev[RTE_ETH_NAME_MAX_LEN], pname[8], err[256];
	char *argv[] = { dev };
	int id;

	snprintf(name, sizeof(name), "perf_rx%u", i);
	d->rx = rte_ring_create(name, PERF_RING, (int)rte_socket_id(),
	                        RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "perf_tx%u", i);
	d->tx = rte_ring_create(name, PERF_RING, (int)rte_socket_id(),
	                        RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (d->rx == NULL || d->tx == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "perf%u", i);
	id = rte_eth_from_rings(name, &d->rx, 1, &d->tx, 1, (unsigned int)rte_socket_id());
	if (id < 0)
		return -rte_errno;
	snprintf(dev, sizeof(dev), "net_ring_%s", name);
	snprintf(pname, sizeof(pname), i < 2 ? "g%u" : "idle", i);
	if (port_add(pname, "dpdk", 1, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "fwdperf: %s\n", err);
		return -EIO;
	}
	d->port = port_find(pname);
	return 0;
}

/* frames per guest port, 64 bytes each, into the switch's rx rings */
static int perf_prime(struct perf *pf)
{
	struct rte_mbuf *m;
	unsigned int s;
	uint32_t i;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < pf->frames; i++) {
			m = rte_pktmbuf_alloc(pf->pool);
			if (m == NULL || rte_pktmbuf_append(m, 60) == NULL)
				return -ENOMEM;
			memset(rte_pktmbuf_mtod(m, void *), 0, 60);
			rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
			        rte_cpu_to_be_16(0x88b5);
			perf_reflect(pf, s, m);
			if (rte_ring_enqueue(pf->dev[s].rx, m) != 0)
				return -ENOBUFS;
		}
	}
	return 0;
}

/* The guests' turn: what left g0 and g1 goes back in; what reached the idle port is counted. */
static uint64_t perf_guests(struct perf *pf)
{
	struct rte_mbuf *m[64];
	unsigned int s, i, n;
	uint64_t idle = 0;

	for (s = 0; s < 2; s++) {
		while ((n = rte_ring_dequeue_burst(pf->dev[s].tx, (void **)m, 64, NULL)) > 0) {
			for (i = 0; i < n; i++)
				perf_reflect(pf, s, m[i]);
			rte_ring_enqueue_burst(pf->dev[s].rx, (void **)m, n, NULL);
		}
	}
	while ((n = rte_ring_dequeue_burst(pf->dev[2].tx, (void **)m, 64, NULL)) > 0) {
		rte_pktmbuf_free_bulk(m, n);
		idle += n;
	}
	return idle;
}

/* Frames the switch dropped on any port, under any reason, so far. */
static uint64_t perf_drops(void)
{
	struct port_stats st;
	uint64_t n = 0;
	unsigned int i, r;

	for (i = 0; i < port_table_len; i++) {
		if (port_table[i] == NULL)
			continue;
		worker_port_stats((uint16_t)i, &st);
		for (r = 0; r < DROP_MAX; r++)
			n += st.drops[r];
	}
	return n;
}

/* Until every address is in the FDB and has gone round once more: nothing floods after. */
static int perf_warm(struct perf *pf)
{
	struct worker *w = workers[0];
	uint64_t i, limit = 64ull * pf->macs + 100000;

	for (i = 0; i < limit && fdb_count() < pf->macs; i++) {
		worker_poll_once(w);
		perf_guests(pf);
	}
	if (fdb_count() < pf->macs) {
		fprintf(stderr, "fwdperf: %u of %u addresses learned\n", fdb_count(), pf->macs);
		return -EIO;
	}
	for (i = 0; i < pf->macs; i++) {
		worker_poll_once(w);
		perf_guests(pf);
	}
	return 0;
}

/* One round: polls timed one by one; the guests' turn in between is not. */
static void perf_round(struct perf *pf, unsigned int round, double *cpf, uint64_t *idle)
{
	struct worker *w = workers[0];
	uint64_t cycles = 0, pkts0 = w->packets, t, frames;
	uint32_t i;

	for (i = 0; i < pf->polls; i++) {
		t = rte_rdtsc();
		worker_poll_once(w);
		cycles += rte_rdtsc() - t;
		*idle += perf_guests(pf);
		if ((i & 4095) == 0)
			worker_tick();
	}
	frames = w->packets - pkts0;
	*cpf = frames ? (double)cycles / (double)frames : 0;
	printf("{\"round\": %u, \"frames\": %" PRIu64 ", \"cycles\": %" PRIu64
	       ", \"cycles_per_frame\": %.1f, \"frames_per_poll\": %.1f}\n",
	       round, frames, cycles, *cpf, (double)frames / pf->polls);
	fflush(stdout);
}

static int perf_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every frame still in the loop, none dropped or flooded: else the numbers mean nothing. */
static int perf_check(struct perf *pf, uint64_t idle, uint64_t drops)
{
	unsigned int in_loop = rte_ring_count(pf->dev[0].rx) + rte_ring_count(pf->dev[1].rx);

	if (idle != 0 || drops != 0 || in_loop != 2 * pf->frames) {
		fprintf(stderr,
		        "fwdperf: not a clean run: %" PRIu64
		        " frames reached the idle port, %" PRIu64
		        " dropped, %u of %u in the loop\n",
		        idle, drops, in_loop, 2 * pf->frames);
		return -EIO;
	}
	return 0;
}

static int perf_run(struct perf *pf)
{
	double cpf[pf->rounds], med;
	uint64_t idle = 0, drops0;
	unsigned int r;
	int ret;

	ret = perf_warm(pf);
	if (ret < 0)
		return ret;
	drops0 = perf_drops();
	for (r = 0; r < pf->rounds; r++)
		perf_round(pf, r, &cpf[r], &idle);
	ret = perf_check(pf, idle, perf_drops() - drops0);
	if (ret < 0)
		return ret;
	qsort(cpf, pf->rounds, sizeof(cpf[0]), perf_cmp);
	med = pf->rounds % 2 ? cpf[pf->rounds / 2]
	                     : (cpf[pf->rounds / 2 - 1] + cpf[pf->rounds / 2]) / 2;
	printf("{\"macs\": %u, \"rounds\": %u, \"cycles_per_frame_median\": %.1f, \"min\": %.1f, "
	       "\"max\": %.1f, \"tsc_hz\": %" PRIu64 "}\n",
	       pf->macs, pf->rounds, med, cpf[0], cpf[pf->rounds - 1], rte_get_tsc_hz());
	return 0;
}

static int perf_setup(struct perf *pf)
{
	unsigned int i;
	int ret;

	pf->pool = rte_pktmbuf_pool_create("perf_mbuf", PERF_POOL, 256, 0,
	                                   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pf->pool == NULL)
		return -rte_errno;
	ret = worker_init(1, pf->pool);
	if (ret < 0)
		return ret;
	ret = fdb_init(FDB_DEFAULT_SIZE, worker_qsbr);
	if (ret < 0)
		return ret;
	/* this thread is the worker, online throughout: nothing here waits for a grace period */
	rte_rcu_qsbr_thread_register(worker_qsbr, 0);
	for (i = 0; i < PERF_PORTS; i++) {
		ret = perf_dev_create(&pf->dev[i], i);
		if (ret < 0)
			return ret;
	}
	rte_rcu_qsbr_thread_online(worker_qsbr, 0);
	return perf_prime(pf);
}

static void perf_usage(void)
{
	fprintf(stderr, "usage: fwdperf [--macs N] [--frames F] [--rounds R] [--polls P] "
	                "[-- EAL-ARGS]\n"
	                "  --macs N    addresses in the traffic, half behind each guest port "
	                "(2..65536, even; default 2)\n"
	                "  --frames F  frames in the loop per guest port (32..480; default 128)\n"
	                "  --rounds R  timed rounds (default 10)\n"
	                "  --polls P   worker polls per round (default 100000)\n");
}

static int perf_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int perf_parse(int argc, char **argv, struct perf *pf)
{
	static const struct option opts[] = { { "macs", required_argument, NULL, 'm' },
		                              { "frames", required_argument, NULL, 'f' },
		                              { "rounds", required_argument, NULL, 'r' },
		                              { "polls", required_argument, NULL, 'p' },
		                              { NULL, 0, NULL, 0 } };
	int c, bad = 0;

	*pf = (struct perf){ .macs = 2, .frames = 128, .rounds = 10, .polls = 100000 };
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'm')
			bad |= perf_parse_u32(optarg, 2, 65536, &pf->macs) | (int)(pf->macs & 1);
		else if (c == 'f')
			bad |= perf_parse_u32(optarg, 32, 480, &pf->frames);
		else if (c == 'r')
			bad |= perf_parse_u32(optarg, 1, 1000, &pf->rounds);
		else if (c == 'p')
			bad |= perf_parse_u32(optarg, 1, 100000000, &pf->polls);
		else
			bad = 1;
	}
	if (bad)
		return -EINVAL;
	pf->half = pf->macs / 2;
	return optind;
}

int main(int argc, char **argv)
{
	char prefix[64], rundir[PATH_MAX],
	        *def[] = { argv[0],
		           "-l",
		           "1",
		           "--in-memory",
		           "--no-pci",
		           "--file-prefix",
		           prefix,
		           "--no-telemetry",
		           "--log-level=warning" };
	struct perf pf;
	int first, ret;

	first = perf_parse(argc, argv, &pf);
	if (first < 0) {
		perf_usage();
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "fwdperf%d", (int)getpid());
	/* after "--", the caller's EAL arguments replace the defaults (core 1, hugepages) */
	if (first < argc) {
		argv[first - 1] = argv[0];
		ret = rte_eal_init(argc - first + 1, argv + first - 1);
	} else {
		ret = rte_eal_init((int)RTE_DIM(def), def);
	}
	if (ret < 0) {
		fprintf(stderr, "fwdperf: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = perf_setup(&pf);
	if (ret < 0)
		fprintf(stderr, "fwdperf: set-up: %s\n", strerror(-ret));
	else
		ret = perf_run(&pf);
	rte_rcu_qsbr_thread_offline(worker_qsbr, 0);
	port_del_all();
	/* with --no-shconf (tests: no hugepages) the EAL leaves its empty runtime directory */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return ret < 0 ? 1 : 0;
}

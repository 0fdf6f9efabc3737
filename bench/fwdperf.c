/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwdperf: lanswitch's own per-frame cost, on one core.
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
 * --vhost: the ports are lanswitch's vhost-user ports (server mode) and the guests DPDK
 * virtio-user devices in this same process, so the timed polls include rte_vhost's dequeue
 * and enqueue (the copies into and out of guest memory), as in the closed loop; the guests'
 * virtio work between polls is not timed. Runs on hugepages or plain memory (--no-huge).
 *
 *   fwdperf [--macs N] [--frames F] [--rounds R] [--polls P] [--vhost] [--guard] [-- EAL-ARGS]
 *
 * --guard: the port guard's every protection on both guest ports (perf_guard), dropping
 * nothing: the cost of the checks.
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
#include <rte_bus_vdev.h>
#include <rte_ring.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "ctl/fdb_ctl.h"
#include "ctl/guard_ctl.h"
#include "ctl/port_table.h"
#include "ctl/worker_ctl.h"
#include "fast/guard.h"
#include "fast/shared.h"

#define PERF_PORTS 3 /* g0, g1, and the idle one */
#define PERF_RING 1024
#define PERF_POOL 8191

/* A switch port and the guest on its other side: an ethdev either way (net_ring over the
 * same two rings, or virtio-user), so the guests' turn is the same code in both modes. */
struct perf_dev {
	uint16_t guest; /* the guest's ethdev, when guest_started */
	bool guest_started;
	uint64_t sent, recvd; /* by the guest: sent - recvd frames are in the switch's hands */
	struct port *port;
	uint32_t next; /* the (source, destination) pair of the next frame this guest sends */
	char sock[64]; /* --vhost: the port's socket */
};

struct perf {
	uint32_t macs, half, frames, rounds, polls;
	bool vhost;
	bool guard; /* every protection of the port guard on (perf_guard) */
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

static int perf_port_add(struct perf_dev *d, unsigned int i, const char *type, int argc,
                         char **argv)
{
	char pname[8], err[256];

	snprintf(pname, sizeof(pname), i < 2 ? "g%u" : "idle", i);
	if (port_add(pname, type, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "fwdperf: %s\n", err);
		return -EIO;
	}
	d->port = port_find(pname);
	return 0;
}

/* The guest's side: one queue each way. */
static int perf_guest_start(struct perf *pf, struct perf_dev *d, uint16_t id)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	d->guest = id;
	if ((ret = rte_eth_dev_configure(id, 1, 1, &conf)) < 0 ||
	    (ret = rte_eth_rx_queue_setup(id, 0, PERF_RING, (unsigned int)rte_socket_id(), NULL,
	                                  pf->pool)) < 0 ||
	    (ret = rte_eth_tx_queue_setup(id, 0, PERF_RING, (unsigned int)rte_socket_id(), NULL)) <
	            0)
		return ret;
	ret = rte_eth_dev_start(id);
	d->guest_started = ret == 0;
	return ret;
}

/* net_ring: the switch's port and the guest's device are two ethdevs over the same rings. */
static int perf_dev_ring(struct perf *pf, struct perf_dev *d, unsigned int i)
{
	char name[RTE_RING_NAMESIZE], dev[RTE_ETH_NAME_MAX_LEN];
	char *argv[] = { dev };
	struct rte_ring *rx, *tx;
	int id, ret;

	snprintf(name, sizeof(name), "perf_rx%u", i);
	rx = rte_ring_create(name, PERF_RING, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "perf_tx%u", i);
	tx = rte_ring_create(name, PERF_RING, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rx == NULL || tx == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "perf%u", i);
	if (rte_eth_from_rings(name, &rx, 1, &tx, 1, (unsigned int)rte_socket_id()) < 0)
		return -rte_errno;
	snprintf(name, sizeof(name), "perfg%u", i);
	id = rte_eth_from_rings(name, &tx, 1, &rx, 1, (unsigned int)rte_socket_id());
	if (id < 0)
		return -rte_errno;
	snprintf(dev, sizeof(dev), "net_ring_perf%u", i);
	if ((ret = perf_port_add(d, i, "dpdk", 1, argv)) < 0)
		return ret;
	return perf_guest_start(pf, d, (uint16_t)id);
}

/* vhost: lanswitch's vhost-user port makes the socket, a virtio-user guest connects. */
static int perf_dev_vhost(struct perf *pf, struct perf_dev *d, unsigned int i)
{
	char name[32], args[128], *argv[] = { d->sock, "--server" };
	uint16_t id;
	int ret, t;

	snprintf(d->sock, sizeof(d->sock), "/tmp/fwdperf-%d-%u.sock", (int)getpid(), i);
	ret = perf_port_add(d, i, "vhost", 2, argv);
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "net_virtio_user%u", i);
	snprintf(args, sizeof(args), "path=%s,queue_size=%u,mac=02:00:00:00:0%u:00", d->sock,
	         PERF_RING, i);
	if (rte_vdev_init(name, args) < 0 || rte_eth_dev_get_port_by_name(name, &id) != 0)
		return -ENODEV;
	ret = perf_guest_start(pf, d, id);
	if (ret < 0)
		return ret;
	/* written by the vhost-events thread when the guest connects */
	for (t = 0; t < 500 && !shared_read(&d->port->up); t++)
		rte_delay_ms(10);
	if (!shared_read(&d->port->up)) {
		fprintf(stderr, "fwdperf: %s: the guest did not connect\n", d->sock);
		return -ETIMEDOUT;
	}
	return 0;
}

/* The guest sends n frames; one it cannot send is lost, and perf_check says so. */
static void perf_guest_send(struct perf_dev *d, struct rte_mbuf **m, uint16_t n)
{
	uint16_t k = rte_eth_tx_burst(d->guest, 0, m, n);

	d->sent += k;
	if (k < n)
		rte_pktmbuf_free_bulk(m + k, n - k);
}

/*
 * frames per guest port, 64 bytes each, into the switch's rx rings: IPv4 UDP 5000 -> 5001,
 * as guests send, so that a port guard (--guard) looks at them as at real traffic
 */
static int perf_prime(struct perf *pf)
{
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
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
			        rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
			ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
			ip->version_ihl = RTE_IPV4_VHL_DEF;
			ip->total_length = rte_cpu_to_be_16(60 - RTE_ETHER_HDR_LEN);
			ip->time_to_live = 64;
			ip->next_proto_id = IPPROTO_UDP;
			ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, s, 1));
			ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, s ^ 1, 1));
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			udp = (struct rte_udp_hdr *)(ip + 1);
			udp->src_port = rte_cpu_to_be_16(5000);
			udp->dst_port = rte_cpu_to_be_16(5001);
			udp->dgram_len = rte_cpu_to_be_16(60 - RTE_ETHER_HDR_LEN - sizeof(*ip));
			perf_reflect(pf, s, m);
			perf_guest_send(&pf->dev[s], &m, 1);
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
		while ((n = rte_eth_rx_burst(pf->dev[s].guest, 0, m, 64)) > 0) {
			pf->dev[s].recvd += n;
			for (i = 0; i < n; i++)
				perf_reflect(pf, s, m[i]);
			perf_guest_send(&pf->dev[s], m, (uint16_t)n);
		}
	}
	while ((n = rte_eth_rx_burst(pf->dev[2].guest, 0, m, 64)) > 0) {
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
	uint64_t in_loop = pf->dev[0].sent - pf->dev[0].recvd + pf->dev[1].sent - pf->dev[1].recvd;

	if (idle != 0 || drops != 0 || in_loop != 2 * pf->frames) {
		fprintf(stderr,
		        "fwdperf: not a clean run: %" PRIu64
		        " frames reached the idle port, %" PRIu64 " dropped, %" PRIu64
		        " of %u in the loop\n",
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

/*
 * --guard: every protection of the port guard on both guest ports, set so that it drops
 * nothing of the loop's traffic: what the fast path pays for checking. allowed-mac holds 16
 * MACs, the guest's own last, when its addresses fit (2 and up to 32 MACs); beyond that the
 * list would drop them, and the row runs without it.
 */
static int perf_guard(struct perf *pf)
{
	char macs[GUARD_MACS_MAX][RTE_ETHER_ADDR_FMT_SIZE], limit[16], err[256];
	char *allowed[GUARD_MACS_MAX + 1] = { "allowed-mac" };
	char *lines[][4] = {
		{ "mac-limit", limit },
		{ "arp-guard", "10.0.0.0/8", "fe80::/10" },
		{ "dhcp-server", "deny" },
		{ "ra-guard", "deny" },
		{ "storm", "broadcast", "1000000" },
		{ "storm", "multicast", "1000000" },
		{ "storm", "unknown-unicast", "1000000" },
	};
	struct rte_ether_addr a;
	unsigned int s, i, j, n;

	snprintf(limit, sizeof(limit), "%u", pf->half + 16);
	for (s = 0; s < 2; s++) {
		for (i = 0; i < RTE_DIM(lines); i++) {
			for (n = 0; n < 4 && lines[i][n] != NULL; n++)
				;
			if (guard_port_set(pf->dev[s].port, (int)n, lines[i], err, sizeof(err)) < 0)
				goto err;
		}
		if (pf->half > GUARD_MACS_MAX)
			continue;
		for (j = 0; j < GUARD_MACS_MAX; j++) {
			/* decoys first: the frames' sources are found last */
			a = perf_mac(s, j < GUARD_MACS_MAX - pf->half
			                        ? 0x8000 + j
			                        : j - (GUARD_MACS_MAX - pf->half));
			rte_ether_format_addr(macs[j], sizeof(macs[j]), &a);
			allowed[j + 1] = macs[j];
		}
		if (guard_port_set(pf->dev[s].port, GUARD_MACS_MAX + 1, allowed, err, sizeof(err)) <
		    0)
			goto err;
	}
	return 0;
err:
	fprintf(stderr, "fwdperf: --guard: %s\n", err);
	return -EINVAL;
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
		ret = pf->vhost ? perf_dev_vhost(pf, &pf->dev[i], i)
		                : perf_dev_ring(pf, &pf->dev[i], i);
		if (ret < 0)
			return ret;
	}
	if (pf->guard && (ret = perf_guard(pf)) < 0)
		return ret;
	rte_rcu_qsbr_thread_online(worker_qsbr, 0);
	return perf_prime(pf);
}

/* The guests go before the switch's ports; each socket goes with its port. */
static void perf_teardown(struct perf *pf)
{
	unsigned int i;

	for (i = 0; pf->vhost && i < PERF_PORTS; i++) {
		if (!pf->dev[i].guest_started)
			continue;
		rte_eth_dev_stop(pf->dev[i].guest);
		rte_eth_dev_close(pf->dev[i].guest);
	}
	port_del_all();
	for (i = 0; pf->vhost && i < PERF_PORTS; i++)
		if (pf->dev[i].sock[0] != '\0')
			unlink(pf->dev[i].sock);
}

static void perf_usage(void)
{
	fprintf(stderr, "usage: fwdperf [--macs N] [--frames F] [--rounds R] [--polls P] "
	                "[--vhost] [--guard] [-- EAL-ARGS]\n"
	                "  --macs N    addresses in the traffic, half behind each guest port "
	                "(2..65536, even; default 2)\n"
	                "  --frames F  frames in the loop per guest port (32..480; default 128)\n"
	                "  --rounds R  timed rounds (default 10)\n"
	                "  --polls P   worker polls per round (default 100000)\n"
	                "  --vhost     vhost-user ports, virtio-user guests (default: net_ring)\n"
	                "  --guard     every protection of the port guard on, dropping nothing\n");
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
		                              { "vhost", no_argument, NULL, 'v' },
		                              { "guard", no_argument, NULL, 'g' },
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
		else if (c == 'v')
			pf->vhost = true;
		else if (c == 'g')
			pf->guard = true;
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
		           "--single-file-segments", /* --vhost: few regions to share */
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
	perf_teardown(&pf);
	/* with --no-shconf (tests: no hugepages) the EAL leaves its empty runtime directory */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	return ret < 0 ? 1 : 0;
}

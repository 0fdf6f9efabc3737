/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lsgen: the project's packet generator and fake guest. One process plays one or more
 * guests of the switch through DPDK ports (net_virtio_user, or any other PMD).
 *
 * One lcore does everything: it polls RX of every port in a loop, counts and optionally
 * reflects what arrives, sends what a command asks for, and reads commands from stdin
 * between polls. Blocking commands (send, wait, link) keep polling RX, so a port that
 * sends to another port of the same process never deadlocks on a full ring.
 *
 * Thread safety: struct gen and everything under it belong to the main lcore. The signal
 * handler only sets gen_stop; EAL's own threads never see these structures.
 */
#ifndef LSGEN_GEN_H
#define LSGEN_GEN_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cmd.h"
#include "count.h"
#include "frame.h"
#include "latency.h"

#define GEN_BURST 32
/* Reflected frames waiting for TX room; more are dropped (count.reflect_drops). */
#define GEN_PEND_MAX (4 * GEN_BURST)
/*
 * One mbuf holds the largest frame (jumbo data room rather than chained segments): the
 * frame builder, the counters and reflect then never walk chains, and 8191 mbufs of
 * ~9.5 KB are 78 MB of the process's hugepages.
 */
#define GEN_NB_MBUF 8191
#define GEN_MBUF_CACHE 256
/* Slack for what PMDs count on top of the frame (virtio: its header, a tag, the CRC). */
#define GEN_DATA_ROOM (RTE_PKTMBUF_HEADROOM + FRAME_SIZE_MAX + 128)
#define GEN_LINK_PERIOD_MS 100

/*
 * A port. Ports probed by EAL are set up by the main lcore before the ready line; server
 * ports (probe.h) by the probe thread, which owns the device until it sets ready
 * (release); the main lcore polls, sends on or asks the link of a port only once it reads
 * ready (acquire). Counters, reflect and pend belong to the main lcore all along.
 */
struct gen_port {
	uint16_t id; /* DPDK port id; commands use the index in struct gen.ports */
	char name[RTE_ETH_NAME_MAX_LEN];
	const char *vdev; /* the --vdev value, NULL without --vdev */
	char *args;       /* server ports: the devargs probe.c passes to rte_dev_probe() */
	bool deferred;    /* a server port, probed by the probe thread */
	bool probed;
	bool started;
	bool ready;
	struct rte_ether_addr mac;
	bool link_up;
	bool reflect;
	/*
	 * reflect cycle: instead of swapping the MACs, reflected frame k gets src = cyc_src +
	 * k % cyc_n and dst = cyc_dst + k % cyc_n (the last three bytes). A closed loop then
	 * carries more addresses than it has frames in flight: see cmd.c.
	 */
	bool cycle;
	struct rte_ether_addr cyc_src;
	struct rte_ether_addr cyc_dst;
	uint32_t cyc_n;
	uint32_t cyc_i;
	uint64_t tx_seq; /* sequence number of the next frame `send` builds */
	unsigned int pend_n;
	struct rte_mbuf *pend[GEN_PEND_MAX];
	struct count count;
};

struct gen {
	struct gen_port *ports; /* in --vdev order: the port numbers of the commands */
	uint16_t nb_ports;
	struct rte_mempool *pool;
	uint32_t tag; /* marks the stamps this process writes, see frame.h */
	uint64_t tsc_hz;
	uint64_t next_link_tsc;
	uint64_t rate_pps; /* 0: send as fast as the port takes frames */
	uint64_t busy_tsc; /* cycles of polls that received something (stats: busy_cycles) */
	uint64_t idle_tsc; /* and of polls that did not */
	struct latency lat;
	struct cmd_reader in;
	FILE *out; /* replies only; stdout itself goes to stderr, see main.c */
	bool quiet;
	bool yield;            /* sched_yield() when idle, to share the cores with a switch */
	unsigned int sleep_us; /* > 0: sleep this long when idle, as a VM's vCPU halts */
	bool lean;   /* --lean: count only frames and bytes, no MAC/VLAN tables, no latency */
	bool stamps; /* --stamps: latency and re-stamping even with --lean */
	bool quit;
	char **eal_argv; /* argv without the server ports, see probe.h */
	pthread_t probe_tid;
	bool probe_running;
	bool probe_stopping; /* atomic: main lcore -> probe thread */
	bool probe_done;     /* atomic: probe thread -> main lcore */
	uint16_t probing;    /* atomic: 1 + index of the port in rte_dev_probe(), or 0 */
};

static inline bool gen_port_ready(const struct gen_port *p)
{
	return __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE);
}

extern volatile sig_atomic_t gen_stop;

#define GEN_ERR(fmt, ...) fprintf(stderr, "lsgen: error: " fmt "\n", ##__VA_ARGS__)
#define GEN_INFO(g, fmt, ...)                                               \
	do {                                                                \
		if (!(g)->quiet)                                            \
			fprintf(stderr, "lsgen: " fmt "\n", ##__VA_ARGS__); \
	} while (0)

/* port.c */
int port_setup(struct gen *g, struct gen_port *p);
void port_close(struct gen_port *p);
bool port_link_update(struct gen *g, struct gen_port *p);

/* loop.c */
unsigned int gen_poll(struct gen *g);
int gen_send(struct gen *g, struct gen_port *p, const struct frame_spec *s, uint64_t count,
             uint64_t *sent);
void gen_reset(struct gen *g);
uint64_t gen_ms_to_tsc(const struct gen *g, uint64_t ms);

#endif

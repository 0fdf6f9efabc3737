/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch of net_ring ports for the tests that need one: ports added through port_add() as
 * lanswitchd does, frames put into a port's rx ring, one worker pass, then every port's tx
 * ring emptied into out[] for the test to look at. Include after <cmocka.h>.
 */
#ifndef LANSWITCH_TEST_FWD_ENV_H
#define LANSWITCH_TEST_FWD_ENV_H

#include "frames.h"
#include "harness.h"

#define ENV_NDEV 5      /* t0..t3, and ts whose tx ring holds 3 frames */
#define ENV_DEV_SMALL 4 /* ts */
#define ENV_SMALL_TX 4  /* rte_ring size: a ring of 4 holds 3 */
#define ENV_FDB_SIZE 1024

struct env_sent {
	struct rte_ether_addr dst, src;
	uint8_t port;
	uint16_t seq;
	uint16_t ulen; /* length without a tag */
};

static struct {
	struct rte_mempool *pool;
	struct ut_ring_dev dev[ENV_NDEV];
	unsigned int nports;
	struct port *port[ENV_NDEV]; /* port i is "p<i>" on dev[pdev[i]] */
	unsigned int pdev[ENV_NDEV];
	unsigned int avail; /* free mbufs once the ports are up: what every test ends with */
	struct rte_mbuf *out[ENV_NDEV][UT_RING_SIZE];
	unsigned int nout[ENV_NDEV];
	struct env_sent last;
	uint16_t seq;
} env;

/* Once per program: EAL, mbuf pool, the ring devices. */
static inline int env_init(const char *prefix)
{
	static const char *const names[ENV_NDEV] = { "t0", "t1", "t2", "t3", "ts" };
	unsigned int i;

	if (ut_eal_init(prefix) < 0)
		return -1;
	env.pool = ut_pool_create();
	if (env.pool == NULL)
		return -1;
	for (i = 0; i < ENV_NDEV; i++)
		if (ut_ring_dev_create(&env.dev[i], names[i],
		                       i == ENV_DEV_SMALL ? ENV_SMALL_TX : 0) < 0)
			return -1;
	return 0;
}

/* A test program's main once its table is built: set-up, the group, tear-down. */
static inline int env_main(const char *group, const struct CMUnitTest *tests, size_t n)
{
	char prefix[64];
	int ret;

	snprintf(prefix, sizeof(prefix), "lanswitch_unit_%s", group);
	if (env_init(prefix) < 0) {
		fprintf(stderr, "%s_test: set-up: %s\n", group, rte_strerror(rte_errno));
		return 1;
	}
	ret = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	ut_eal_fini();
	return ret;
}

/* The switch with port i on dev[devs[i]]; for a cmocka setup. */
static inline int env_start(const unsigned int *devs, unsigned int n)
{
	char err[256], name[8];
	unsigned int i;

	if (ut_switch_init(env.pool, ENV_FDB_SIZE) < 0)
		return -1;
	env.nports = n;
	env.seq = 0;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		env.pdev[i] = devs[i];
		env.port[i] = ut_port_add(name, env.dev[devs[i]].name, err, sizeof(err));
		if (env.port[i] == NULL || !env.port[i]->up) {
			fprintf(stderr, "port %s: %s\n", name, err);
			return -1;
		}
	}
	env.avail = rte_mempool_avail_count(env.pool);
	return 0;
}

static inline void env_free_out(void)
{
	unsigned int i, j;

	for (i = 0; i < ENV_NDEV; i++) {
		for (j = 0; j < env.nout[i]; j++)
			rte_pktmbuf_free(env.out[i][j]);
		env.nout[i] = 0;
	}
}

/* For a cmocka teardown: fails the test if a frame was left anywhere or an mbuf leaked. */
static inline int env_stop(void)
{
	unsigned int i, left = 0, avail;

	env_free_out();
	for (i = 0; i < ENV_NDEV; i++)
		left += ut_ring_drain(env.dev[i].rx) + ut_ring_drain(env.dev[i].tx);
	avail = rte_mempool_avail_count(env.pool);
	ut_switch_fini();
	memset(env.port, 0, sizeof(env.port));
	if (left != 0 || avail != env.avail) {
		fprintf(stderr, "%u frames left in rings; %u mbufs free, %u at the start\n", left,
		        avail, env.avail);
		return -1;
	}
	return 0;
}

/* Queue a test frame on port `in`; tci < 0 for untagged. ulen: length without a tag. */
static inline void env_send(unsigned int in, struct rte_ether_addr dst, struct rte_ether_addr src,
                            int tci, uint16_t ulen)
{
	struct rte_mbuf *m;

	env.last = (struct env_sent){ dst, src, (uint8_t)in, ++env.seq, ulen };
	m = frame_mbuf(env.pool, ulen + (tci >= 0 ? RTE_VLAN_HLEN : 0), &dst, &src, tci,
	               (uint8_t)in, env.seq);
	assert_non_null(m);
	assert_int_equal(rte_ring_enqueue(env.dev[env.pdev[in]].rx, m), 0);
}

static inline void env_send_raw(unsigned int in, const void *bytes, uint16_t len)
{
	struct rte_mbuf *m = frame_mbuf_raw(env.pool, bytes, len);

	assert_non_null(m);
	assert_int_equal(rte_ring_enqueue(env.dev[env.pdev[in]].rx, m), 0);
}

/* One worker pass; what the ports sent lands in out[port]. */
static inline void env_step(void)
{
	unsigned int i;

	env_free_out();
	ut_poll();
	for (i = 0; i < env.nports; i++)
		env.nout[i] = rte_ring_dequeue_burst(env.dev[env.pdev[i]].tx, (void **)env.out[i],
		                                     UT_RING_SIZE, NULL);
}

/* Exactly these many frames left each port in the last pass. */
#define EXPECT_OUT(...) env_expect_out((const unsigned int[]){ __VA_ARGS__ })
static inline void env_expect_out(const unsigned int *n)
{
	unsigned int i;

	for (i = 0; i < env.nports; i++) {
		if (env.nout[i] != n[i])
			fail_msg("port p%u sent %u frames, expected %u", i, env.nout[i], n[i]);
	}
}

/* out[port][idx] is the last frame sent, byte for byte, with tag tci (FRAME_UNTAGGED: none). */
static inline void env_expect_frame(unsigned int port, unsigned int idx, int tci)
{
	uint8_t buf[RTE_ETHER_MAX_JUMBO_FRAME_LEN];
	const struct env_sent *s = &env.last;
	uint16_t len = s->ulen + (tci >= 0 ? RTE_VLAN_HLEN : 0);

	assert_true(idx < env.nout[port]);
	frame_build(buf, len, &s->dst, &s->src, tci, s->port, s->seq);
	assert_int_equal(frame_tci(env.out[port][idx]), tci);
	assert_int_equal(rte_pktmbuf_pkt_len(env.out[port][idx]), len);
	assert_true(frame_equal(env.out[port][idx], buf, len));
}

static inline struct port_stats env_stats(unsigned int port)
{
	struct port_stats s;

	worker_port_stats(env.port[port]->index, &s);
	return s;
}

static inline uint64_t env_drops(unsigned int port, enum drop_reason r)
{
	return env_stats(port).drops[r];
}

/* Drops charged to the ingress port, from the side column of drop.h's list. */
static inline uint64_t env_in_drops(unsigned int port)
{
#define ENV_SIDE_in 1
#define ENV_SIDE_out 0
#define ENV_IN(e, name, side) ENV_SIDE_##side,
	static const uint8_t is_in[DROP_MAX] = { DROP_REASONS(ENV_IN) };
#undef ENV_IN
	struct port_stats s = env_stats(port);
	uint64_t sum = 0;
	unsigned int r;

	for (r = 0; r < DROP_MAX; r++)
		sum += is_in[r] ? s.drops[r] : 0;
	return sum;
}

static inline void env_link(unsigned int port, bool up)
{
	uint16_t eth_id = env.dev[env.pdev[port]].eth_id;

	assert_int_equal(up ? rte_eth_dev_set_link_up(eth_id) : rte_eth_dev_set_link_down(eth_id),
	                 0);
	port_poll_all(); /* as the control thread's tick does */
	assert_int_equal(env.port[port]->up, up);
}

#endif

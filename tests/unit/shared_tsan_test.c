/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the workers read while the control thread changes it, under ThreadSanitizer: the
 * program and a copy of the dataplane library are built with -fsanitize=thread
 * (tests/unit/meson.build), and TSan fails the run (exit 66) on any data race it sees.
 *
 * A worker thread forwards over net_ring ports, as a worker lcore does, while this thread
 * does what the control thread does: swaps p1's VLAN set, flips p2's link, removes and adds
 * p3, keeps the workers' clock; at the end it stops the worker through worker_quit. A field
 * published with an atomic store and read with a plain load (or a `volatile` one) is a race
 * in C11's terms, and TSan reports it; fast/shared.h's helpers make it none.
 *
 * The worker thread also makes, sends and frees every frame itself: the mbufs pass through
 * DPDK's rings and mempools, which are not instrumented, so a frame handed between threads
 * there would look like a race on its bytes. DPDK's spinlocks are inline assembly on x86,
 * invisible to TSan: RTE_FORCE_INTRINSICS (in the build) makes them __atomic builtins. And
 * the grace period: rte_rcu_qsbr_synchronize() is compiled into librte_rcu, where TSan does
 * not see its atomics, so everything the control thread does after a grace period (rewrite
 * an rx list, free a port) would look like a race with the worker's reads before it. The
 * program is linked with --wrap=rte_rcu_qsbr_synchronize, and the wrapper below makes the
 * same inline calls the library function makes, compiled here, where TSan sees them.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>
#include <rte_cycles.h>

#include "fwd_env.h"

#define A frame_mac(0xa)
#define B frame_mac(0xb)
#define C frame_mac(0xc)
#define D frame_mac(0xd)
#define BCAST frame_mac_bcast()
#define RUN_MS 1500 /* long enough for the workers' clock to tick at least once */

static bool feeding = true; /* the worker thread sends frames; then it runs worker_main */

void __wrap_rte_rcu_qsbr_synchronize(struct rte_rcu_qsbr *v, unsigned int thread_id)
{
	if (thread_id != RTE_QSBR_THRID_INVALID)
		rte_rcu_qsbr_quiescent(v, thread_id);
	rte_rcu_qsbr_check(v, rte_rcu_qsbr_start(v), true);
}

static void feed(unsigned int port, struct rte_ether_addr dst, struct rte_ether_addr src, int tci)
{
	struct rte_mbuf *m = frame_mbuf(env.pool, 64 + (tci >= 0 ? RTE_VLAN_HLEN : 0), &dst, &src,
	                                tci, (uint8_t)port, 0);

	/* p3 is sometimes no port: nobody drains its rx ring then */
	if (m != NULL && rte_ring_enqueue(env.dev[port].rx, m) != 0)
		rte_pktmbuf_free(m);
}

static void *worker_thread(void *arg)
{
	struct worker *w = workers[0];
	unsigned int i;

	rte_rcu_qsbr_thread_online(worker_qsbr, w->id);
	while (__atomic_load_n(&feeding, __ATOMIC_ACQUIRE)) {
		feed(0, BCAST, A, -1);
		feed(0, B, A, 10);
		feed(1, A, B, -1);
		feed(2, A, C, -1);
		feed(3, BCAST, D, -1);
		feed(3, A, D, -1);
		worker_poll_once(w);
		rte_rcu_qsbr_quiescent(worker_qsbr, w->id);
		for (i = 0; i < 4; i++)
			ut_ring_drain(env.dev[i].tx);
	}
	rte_rcu_qsbr_thread_offline(worker_qsbr, w->id);
	/* the loop lanswitchd runs, until worker_stop() */
	worker_main(w);
	return NULL;
}

static int setup(void **state)
{
	static const unsigned int devs[] = { 0, 1, 2, 3 };
	static const uint16_t trunk[] = { 10 };
	char err[256];

	if (env_start(devs, RTE_DIM(devs)) < 0)
		return -1;
	return port_set_vlan(env.port[0], vlan_trunk_new(trunk, 1, 1), err, sizeof(err));
}

static int teardown(void **state)
{
	return env_stop();
}

static uint64_t now_ms(void)
{
	return rte_get_tsc_cycles() * 1000 / rte_get_tsc_hz();
}

static void test_control_changes_under_a_running_worker(void **state)
{
	static const uint16_t trunk[] = { 10 };
	unsigned int n, i;
	uint64_t end = now_ms() + RUN_MS;
	char err[256];
	pthread_t t;

	assert_int_equal(ut_thread_start(&t, worker_thread, NULL), 0);
	for (n = 0; now_ms() < end; n++) {
		assert_int_equal(
		        port_set_vlan(env.port[1],
		                      n & 1 ? vlan_access_new(1) : vlan_trunk_new(trunk, 1, 1), err,
		                      sizeof(err)),
		        0);
		assert_int_equal(n & 1 ? rte_eth_dev_set_link_up(env.dev[2].eth_id)
		                       : rte_eth_dev_set_link_down(env.dev[2].eth_id),
		                 0);
		port_poll_all(); /* the control thread's tick: the link state reaches p2 */
		if (n % 4 == 0) {
			assert_int_equal(port_del("p3", err, sizeof(err)), 0);
		} else if (n % 4 == 2) {
			env.port[3] = ut_port_add("p3", env.dev[3].name, err, sizeof(err));
			assert_non_null(env.port[3]);
		}
		worker_tick();
		rte_delay_us_sleep(2000);
	}
	if (port_find("p3") == NULL)
		env.port[3] = ut_port_add("p3", env.dev[3].name, err, sizeof(err));
	__atomic_store_n(&feeding, false, __ATOMIC_RELEASE);
	worker_stop();
	assert_int_equal(pthread_join(t, NULL), 0);
	/* what worker_main forwarded last, and what waited for p3 while it was no port */
	for (i = 0; i < 4; i++) {
		ut_ring_drain(env.dev[i].rx);
		ut_ring_drain(env.dev[i].tx);
	}
	print_message("%u rounds of changes under the worker\n", n);
	assert_true(n > 10);
	assert_int_equal(rte_eth_dev_set_link_up(env.dev[2].eth_id), 0);
	port_poll_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_control_changes_under_a_running_worker, setup,
		                                teardown),
	};

	return env_main("shared_tsan", tests, RTE_DIM(tests));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames a port did not take, held for it (fwd.c: fwd_hold, fwd_drain): sent in order once
 * the port takes them again, the tail dropped and counted when the ring or the worker's
 * budget is full, dropped and counted when the port goes down, freed with a removed port.
 * The port here is "ps", whose tx ring holds 3 frames; the test gives it a held ring as a
 * guest's port type does (the test thread is the worker, so no worker is running).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fwd_env.h"

#define A frame_mac(0xa)
#define BCAST frame_mac_bcast()
#define SMALL 1 /* env.port[1] is on the small device */

static int setup(void **state)
{
	static const unsigned int devs[] = { 0, ENV_DEV_SMALL };

	if (env_start(devs, RTE_DIM(devs)) < 0)
		return -1;
	env.port[SMALL]->held = calloc(8, sizeof(struct rte_mbuf *));
	env.port[SMALL]->held_max = 8;
	return env.port[SMALL]->held == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	return env_stop();
}

static void send_bcasts(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		env_send(0, BCAST, A, -1, 64);
}

/* The sequence numbers of what the small port sent in the last pass: first, first + 1, ... */
static void expect_run(uint16_t first, unsigned int n)
{
	struct frame_id id = { 0 };
	unsigned int i;

	assert_int_equal(env.nout[SMALL], n);
	for (i = 0; i < n; i++) {
		assert_true(frame_id_get(env.out[SMALL][i], &id));
		assert_int_equal(rte_be_to_cpu_16(id.seq), first + i);
	}
}

/* 10 frames to a port that takes 3 a pass: 3 go, 7 wait, and the next passes (with nothing
 * received) send them on, in order; nothing is dropped, the counters count each frame once. */
static void test_held_frames_go_out_in_order(void **state)
{
	send_bcasts(10);
	env_step();
	expect_run(1, 3);
	assert_int_equal(env_stats(SMALL).tx_packets, 3);
	assert_int_equal(workers[0]->tx[env.port[SMALL]->index].held_n, 7);
	assert_int_equal(workers[0]->held_total, 7);
	env_step();
	expect_run(4, 3);
	env_step();
	expect_run(7, 3);
	env_step();
	expect_run(10, 1);
	env_step();
	expect_run(0, 0);
	assert_int_equal(env_stats(SMALL).tx_packets, 10);
	assert_int_equal(env_stats(SMALL).tx_bytes, 10 * 64);
	assert_int_equal(env_drops(SMALL, DROP_TX_RING_FULL), 0);
	assert_int_equal(workers[0]->held_total, 0);
	assert_int_equal(workers[0]->nheld, 0);
}

/* New frames queue behind held ones: a second burst while 7 wait leaves after them. */
static void test_new_frames_wait_behind_held(void **state)
{
	send_bcasts(5);
	env_step();
	expect_run(1, 3);
	send_bcasts(2);
	env_step();
	expect_run(4, 3);
	env_step();
	expect_run(7, 1);
	assert_int_equal(env_stats(SMALL).tx_packets, 7);
	assert_int_equal(env_drops(SMALL, DROP_TX_RING_FULL), 0);
}

/* A ring of 8: of 20 frames 3 go, 8 wait, and the last 9 are dropped and counted. */
static void test_full_ring_drops_the_tail(void **state)
{
	send_bcasts(20);
	env_step();
	expect_run(1, 3);
	assert_int_equal(env_drops(SMALL, DROP_TX_RING_FULL), 9);
	env_step();
	expect_run(4, 3);
	env_step();
	expect_run(7, 3);
	env_step();
	expect_run(10, 2);
	assert_int_equal(env_stats(SMALL).tx_packets, 11);
	assert_int_equal(env_stats(0).rx_packets, 20);
}

/* The worker's budget bounds what all ports hold for it. */
static void test_budget_bounds_held(void **state)
{
	workers[0]->held_budget = 2;
	send_bcasts(10);
	env_step();
	expect_run(1, 3);
	assert_int_equal(workers[0]->held_total, 2);
	assert_int_equal(env_drops(SMALL, DROP_TX_RING_FULL), 5);
	env_step();
	expect_run(4, 2);
	assert_int_equal(env_stats(SMALL).tx_packets, 5);
}

/* A port that goes down drops what it held, counted; the mbufs come back. */
static void test_link_down_drops_held(void **state)
{
	send_bcasts(10);
	env_step();
	expect_run(1, 3);
	env_link(SMALL, false);
	env_step();
	expect_run(0, 0);
	assert_int_equal(env_drops(SMALL, DROP_TX_RING_FULL), 7);
	assert_int_equal(workers[0]->held_total, 0);
	env_free_out();
	assert_int_equal(rte_mempool_avail_count(env.pool), env.avail);
	env_link(SMALL, true);
}

/*
 * A removed port takes its held frames with it, and a new port in its slot does not get
 * them: the worker forgets them at its next pass.
 */
static void test_removed_port_frees_held(void **state)
{
	uint16_t slot = env.port[SMALL]->index;
	char err[256];

	send_bcasts(10);
	env_step();
	expect_run(1, 3);
	env_free_out();
	assert_int_equal(port_del("p1", err, sizeof(err)), 0);
	assert_int_equal(rte_mempool_avail_count(env.pool), env.avail);
	env.port[SMALL] = ut_port_add("p1", env.dev[ENV_DEV_SMALL].name, err, sizeof(err));
	assert_non_null(env.port[SMALL]);
	assert_int_equal(env.port[SMALL]->index, slot);
	env_step();
	expect_run(0, 0);
	assert_int_equal(workers[0]->held_total, 0);
	assert_int_equal(workers[0]->nheld, 0);
	assert_int_equal(env_stats(SMALL).tx_packets, 0);
	send_bcasts(2);
	env_step();
	expect_run(11, 2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_held_frames_go_out_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_frames_wait_behind_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_ring_drops_the_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_bounds_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_down_drops_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_port_frees_held, setup, teardown),
	};
	return env_main("fwd_held", tests, RTE_DIM(tests));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port table under allocation failure: removing a port must not be able to fail
 * half-way (a worker still polling a port that is then freed). The program is linked with
 * -Wl,--wrap=calloc,--wrap=malloc (tests/unit/meson.build), which catches every call the
 * dataplane's static library makes, so a test can make them fail on demand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fwd_env.h"

#define A frame_mac(0xa)
#define B frame_mac(0xb)
#define C frame_mac(0xc)
#define BCAST frame_mac_bcast()

static bool alloc_fail; /* every calloc and malloc of the program returns NULL */

void *__real_calloc(size_t n, size_t size);
void *__real_malloc(size_t size);

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fail ? NULL : __real_calloc(n, size);
}

void *__wrap_malloc(size_t size)
{
	return alloc_fail ? NULL : __real_malloc(size);
}

static int setup3(void **state)
{
	static const unsigned int devs[] = { 0, 1, 2 };

	return env_start(devs, RTE_DIM(devs));
}

static int teardown(void **state)
{
	alloc_fail = false;
	return env_stop();
}

static bool rx_lists_hold(const struct port *p)
{
	const struct worker_rx *rx;
	unsigned int i, j;

	for (i = 0; i < worker_count; i++) {
		rx = workers[i]->rx;
		for (j = 0; j < rx->n; j++)
			if (rx->ports[j] == p)
				return true;
	}
	return false;
}

/*
 * p1 removed while no allocation succeeds: it leaves every rx list (it is freed right after,
 * a worker must never poll it again), and p0 and p2 forward as before, frame for frame.
 */
static void test_del_without_memory(void **state)
{
	char err[256];
	struct port *gone = env.port[1];
	unsigned int i;

	env_send(0, BCAST, A, -1, 64);
	env_send(2, BCAST, C, -1, 64);
	env_step();
	EXPECT_OUT(1, 2, 1);

	alloc_fail = true;
	assert_int_equal(port_del("p1", err, sizeof(err)), 0);
	alloc_fail = false;
	env.port[1] = NULL;
	/* the pointer is compared, never followed: the port is freed */
	assert_false(rx_lists_hold(gone));
	assert_int_equal(workers[0]->rx->n, 2);
	assert_null(port_find("p1"));

	for (i = 0; i < 10; i++)
		env_send(0, C, A, -1, 64);
	for (i = 0; i < 7; i++)
		env_send(2, A, C, -1, 100);
	env_step();
	EXPECT_OUT(7, 0, 10);
	env_send(0, BCAST, A, -1, 64);
	env_send(0, B, A, -1, 64); /* unknown now: flooded to p2 alone */
	env_step();
	EXPECT_OUT(0, 0, 2);
	assert_int_equal(env_stats(0).rx_packets, 13);
	assert_int_equal(env_stats(0).tx_packets, 8);
	assert_int_equal(env_stats(2).rx_packets, 8);
	assert_int_equal(env_stats(2).tx_packets, 13);
	assert_int_equal(env_in_drops(0) + env_in_drops(2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_del_without_memory, setup3, teardown),
	};

	return env_main("port_table", tests, RTE_DIM(tests));
}

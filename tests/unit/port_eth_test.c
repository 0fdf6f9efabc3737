/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every ethdev-backed port shares (ports/port_eth.c), when the device refuses a step:
 * the port is not added, the error names the step, and nothing is left behind (no port, no
 * link callback, a device that a later "port add" can configure and start again).
 *
 * A device that fails on demand: Debian's libdpdk-dev does not install ethdev_driver.h, so no
 * driver of our own can be made here. Instead the program is linked with --wrap for the
 * ethdev calls port_eth.c checks (tests/unit/meson.build): the wrappers pass through to DPDK
 * on a net_ring device unless the test has set the error to return.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fwd_env.h"

#define A frame_mac(0xa)
#define B frame_mac(0xb)

static int promisc_ret, mtu_ret, callback_ret; /* 0: DPDK's own answer */
static int callbacks;                          /* registered and not unregistered */

int __real_rte_eth_promiscuous_enable(uint16_t port_id);
int __real_rte_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu);
int __real_rte_eth_dev_callback_register(uint16_t port_id, enum rte_eth_event_type event,
                                         rte_eth_dev_cb_fn cb_fn, void *cb_arg);
int __real_rte_eth_dev_callback_unregister(uint16_t port_id, enum rte_eth_event_type event,
                                           rte_eth_dev_cb_fn cb_fn, void *cb_arg);

int __wrap_rte_eth_promiscuous_enable(uint16_t port_id)
{
	return promisc_ret != 0 ? promisc_ret : __real_rte_eth_promiscuous_enable(port_id);
}

int __wrap_rte_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu)
{
	return mtu_ret != 0 ? mtu_ret : __real_rte_eth_dev_get_mtu(port_id, mtu);
}

int __wrap_rte_eth_dev_callback_register(uint16_t port_id, enum rte_eth_event_type event,
                                         rte_eth_dev_cb_fn cb_fn, void *cb_arg)
{
	int ret;

	if (callback_ret != 0)
		return callback_ret;
	ret = __real_rte_eth_dev_callback_register(port_id, event, cb_fn, cb_arg);
	callbacks += ret == 0;
	return ret;
}

int __wrap_rte_eth_dev_callback_unregister(uint16_t port_id, enum rte_eth_event_type event,
                                           rte_eth_dev_cb_fn cb_fn, void *cb_arg)
{
	int ret = __real_rte_eth_dev_callback_unregister(port_id, event, cb_fn, cb_arg);

	callbacks -= ret == 0;
	return ret;
}

/* the switch with no port; the tests add p0 on t0, p1 on t1 themselves */
static int setup(void **state)
{
	return env_start(NULL, 0);
}

static int teardown(void **state)
{
	promisc_ret = mtu_ret = callback_ret = 0;
	return env_stop();
}

/* Add port i ("p<i>" on t<i>); returns port_add's result, err its message. */
static int add(unsigned int i, char *err, size_t len)
{
	char name[8];

	snprintf(name, sizeof(name), "p%u", i);
	env.pdev[i] = i;
	env.port[i] = ut_port_add(name, env.dev[i].name, err, len);
	if (env.port[i] == NULL)
		return -1;
	env.nports = RTE_MAX(env.nports, i + 1);
	return 0;
}

/* Nothing of a refused port: then, without the fault, the same device is a port that works. */
static void expect_nothing_left_then_works(void)
{
	char err[256] = "";

	assert_null(port_find("p0"));
	assert_int_equal(port_table_len, 0);
	assert_int_equal(workers[0]->rx->n, 0);
	assert_int_equal(callbacks, 0);
	promisc_ret = mtu_ret = callback_ret = 0;
	assert_int_equal(add(0, err, sizeof(err)), 0);
	assert_int_equal(add(1, err, sizeof(err)), 0);
	assert_true(env.port[0]->up);
	assert_int_equal(callbacks, 2);
	env.avail = rte_mempool_avail_count(env.pool);
	env_send(0, B, A, -1, 64);
	env_send(1, A, B, -1, 64);
	env_step();
	EXPECT_OUT(1, 1);
}

static void test_promiscuous_error_fails_the_port(void **state)
{
	char err[256] = "";

	promisc_ret = -EIO;
	assert_int_equal(add(0, err, sizeof(err)), -1);
	assert_string_equal(err, "port \"p0\": promiscuous mode: Input/output error");
	expect_nothing_left_then_works();
}

/* A device without a MAC filter has nothing to switch off: it receives everything anyway. */
static void test_promiscuous_not_supported_is_fine(void **state)
{
	char err[256] = "";

	promisc_ret = -ENOTSUP;
	assert_int_equal(add(0, err, sizeof(err)), 0);
	assert_non_null(port_find("p0"));
	assert_true(env.port[0]->up);
	assert_int_equal(callbacks, 1);
}

static void test_mtu_error_fails_the_port(void **state)
{
	char err[256] = "";

	mtu_ret = -ENODEV;
	assert_int_equal(add(0, err, sizeof(err)), -1);
	assert_string_equal(err, "port \"p0\": MTU: No such device");
	expect_nothing_left_then_works();
}

static void test_link_callback_error_fails_the_port(void **state)
{
	char err[256] = "";

	callback_ret = -ENOMEM;
	assert_int_equal(add(0, err, sizeof(err)), -1);
	assert_string_equal(err, "port \"p0\": link callback: Cannot allocate memory");
	expect_nothing_left_then_works();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_promiscuous_error_fails_the_port, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_promiscuous_not_supported_is_fine, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_mtu_error_fails_the_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_callback_error_fails_the_port, setup,
		                                teardown),
	};

	return env_main("port_eth", tests, RTE_DIM(tests));
}

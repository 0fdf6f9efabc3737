/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port guard on the forwarding path (net_ring ports, as fwd_test.c): mac-limit with and
 * without --flood, storm control per class, allowed-mac, and that the frames a guard lets
 * through arrive whole and in order. The per-frame decisions alone: guard_test.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/words.h"
#include "ctl/fdb_ctl.h"
#include "ctl/guard_ctl.h"
#include "fast/shared.h"
#include "fwd_env.h"

#define A frame_mac(0xa)
#define B frame_mac(0xb)
#define C frame_mac(0xc)
#define BCAST frame_mac_bcast()

static int setup3(void **state)
{
	static const unsigned int devs[] = { 0, 1, 2 };

	return env_start(devs, RTE_DIM(devs));
}

static int teardown(void **state)
{
	return env_stop();
}

/* "port set p<port> LINE" as the control socket runs it; the result. */
static int guard_set(unsigned int port, const char *line, char *err, size_t errlen)
{
	static struct words w;
	const char *why = NULL;

	assert_true(words_split(line, &w, &why) >= 0);
	return guard_port_set(env.port[port], w.argc, w.argv, err, errlen);
}

static void guard_ok(unsigned int port, const char *line)
{
	char err[256] = "";

	if (guard_set(port, line, err, sizeof(err)) != 0)
		fail_msg("port set p%u %s: %s", port, line, err);
}

static uint64_t fdb_port_of(struct rte_ether_addr mac)
{
	struct fdb_key k = { .mac = mac, .vlan = 1 };
	uint64_t data;

	return fdb_get(&k, &data) < 0 ? UINT64_MAX : FDB_PORT(data);
}

static struct rte_ether_addr mac_n(unsigned int n)
{
	struct rte_ether_addr m = frame_mac(0x50);

	m.addr_bytes[3] = 0x50; /* never one of A, B, C */
	m.addr_bytes[4] = (uint8_t)(n >> 8);
	m.addr_bytes[5] = (uint8_t)n;
	return m;
}

/* Past the limit a new source's frames are dropped and counted; known ones still go. */
static void test_mac_limit_drops_new_sources(void **state)
{
	unsigned int i;

	guard_ok(0, "mac-limit 2");
	env_send(0, BCAST, A, -1, 64);
	env_send(0, BCAST, B, -1, 64);
	env_send(0, BCAST, C, -1, 64);
	env_send(0, BCAST, C, -1, 64);
	env_send(0, BCAST, A, -1, 64); /* learned in this burst, after its lookup: not new */
	env_step();
	EXPECT_OUT(0, 3, 3);
	assert_int_equal(env_drops(0, DROP_MAC_LIMIT), 2);
	assert_int_equal(fdb_learned(env.port[0]->index), 2);
	assert_int_equal(fdb_port_of(C), UINT64_MAX);
	/* a burst of 32 new sources: none learned, all counted, in one pass */
	for (i = 0; i < 32; i++)
		env_send(0, BCAST, mac_n(i), -1, 64);
	env_step();
	EXPECT_OUT(0, 0, 0);
	assert_int_equal(env_drops(0, DROP_MAC_LIMIT), 34);
	assert_int_equal(env_stats(0).rx_packets, 37);
	assert_int_equal(env_in_drops(0), 34);
	/* room again once the port's entries go */
	fdb_flush(env.port[0]->index, false);
	assert_int_equal(fdb_learned(env.port[0]->index), 0);
	env_send(0, BCAST, C, -1, 64);
	env_step();
	EXPECT_OUT(0, 1, 1);
	assert_int_equal(fdb_port_of(C), env.port[0]->index);
}

/* Runs dropped in the middle of a burst: the frames around them keep their order. */
static void test_mac_limit_keeps_order_of_the_rest(void **state)
{
	uint16_t want[8];
	unsigned int i, n = 0;
	struct frame_id id = { 0 };

	env_send(1, BCAST, B, -1, 64); /* B on p1 */
	env_step();
	guard_ok(0, "mac-limit 1");
	env_send(0, B, A, -1, 64); /* A learned: the port's one */
	env_step();
	EXPECT_OUT(0, 1, 0);
	for (i = 0; i < 8; i++) {
		env_send(0, B, i % 2 ? A : mac_n(i), -1, 64);
		if (i % 2)
			want[n++] = env.seq;
	}
	env_step();
	EXPECT_OUT(0, 4, 0);
	for (i = 0; i < n; i++) {
		assert_true(frame_id_get(env.out[1][i], &id));
		assert_int_equal(rte_be_to_cpu_16(id.seq), want[i]);
	}
	assert_int_equal(env_drops(0, DROP_MAC_LIMIT), 4);
}

/* --flood: forwarded, never learned; a MAC moving into a full port is a new source too. */
static void test_mac_limit_flood_and_moves(void **state)
{
	env_send(1, BCAST, B, -1, 64); /* B on p1 */
	env_step();
	guard_ok(0, "mac-limit 1 --flood");
	env_send(0, BCAST, A, -1, 64);
	env_send(0, B, C, -1, 64);
	env_step();
	EXPECT_OUT(0, 2, 1);
	assert_int_equal(fdb_port_of(C), UINT64_MAX);
	assert_int_equal(env_drops(0, DROP_MAC_LIMIT), 0);
	guard_ok(0, "mac-limit 1");
	env_send(0, A, B, -1, 64); /* B moves to p0, which is full: dropped, B stays on p1 */
	env_step();
	EXPECT_OUT(0, 0, 0);
	assert_int_equal(env_drops(0, DROP_MAC_LIMIT), 1);
	assert_int_equal(fdb_port_of(B), env.port[1]->index);
	guard_ok(0, "mac-limit 0"); /* off */
	env_send(0, A, B, -1, 64);
	env_step();
	assert_int_equal(fdb_port_of(B), env.port[0]->index);
	assert_null(env.port[0]->guard);
}

/* A bucket of PPS frames per class: the rest of a burst is dropped under its class. */
static void test_storm_per_class(void **state)
{
	struct rte_ether_addr mcast = frame_mac(0x33);
	unsigned int i;

	mcast.addr_bytes[0] = 0x01;
	guard_ok(0, "storm broadcast 3");
	guard_ok(0, "storm unknown-unicast 2");
	env_send(1, BCAST, B, -1, 64); /* B on p1 */
	env_step();
	for (i = 0; i < 10; i++)
		env_send(0, BCAST, A, -1, 64);
	for (i = 0; i < 5; i++)
		env_send(0, mcast, A, -1, 64); /* no multicast limit */
	for (i = 0; i < 5; i++)
		env_send(0, C, A, -1, 64); /* C unknown */
	for (i = 0; i < 5; i++)
		env_send(0, B, A, -1, 64); /* known unicast: never limited */
	env_step();
	EXPECT_OUT(0, 3 + 5 + 2 + 5, 3 + 5 + 2);
	assert_int_equal(env_drops(0, DROP_STORM_BROADCAST), 7);
	assert_int_equal(env_drops(0, DROP_STORM_MULTICAST), 0);
	assert_int_equal(env_drops(0, DROP_STORM_UNKNOWN_UNICAST), 3);
	/* p1 has no guard */
	for (i = 0; i < 10; i++)
		env_send(1, BCAST, B, -1, 64);
	env_step();
	EXPECT_OUT(10, 0, 10);
	guard_ok(0, "storm broadcast 0");
	guard_ok(0, "storm unknown-unicast 0");
	assert_null(env.port[0]->guard);
}

/* Only the listed sources pass; setting the list forgets what the port learned from others. */
static void test_allowed_mac(void **state)
{
	struct rte_ether_addr a = A;
	char line[64], mac[RTE_ETHER_ADDR_FMT_SIZE];

	env_send(0, BCAST, C, -1, 64); /* C learned before the list */
	env_step();
	assert_int_equal(fdb_port_of(C), env.port[0]->index);
	rte_ether_format_addr(mac, sizeof(mac), &a);
	snprintf(line, sizeof(line), "allowed-mac %s", mac);
	guard_ok(0, line);
	assert_int_equal(fdb_port_of(C), UINT64_MAX);
	env_send(0, BCAST, A, -1, 64);
	env_send(0, BCAST, C, -1, 64);
	env_send(0, BCAST, B, -1, 64);
	env_step();
	EXPECT_OUT(0, 1, 1);
	assert_int_equal(env_drops(0, DROP_MAC_NOT_ALLOWED), 2);
	assert_int_equal(fdb_port_of(C), UINT64_MAX);
	assert_int_equal(fdb_port_of(B), UINT64_MAX);
	guard_ok(0, "allowed-mac none");
	env_send(0, BCAST, B, -1, 64);
	env_step();
	EXPECT_OUT(0, 1, 1);
}

/* A refused setting keeps the old guard whole. */
static void test_refused_keeps_guard(void **state)
{
	const struct port_guard *g;
	char err[256] = "";

	guard_ok(0, "mac-limit 5");
	g = env.port[0]->guard;
	assert_int_equal(guard_set(0, "mac-limit x", err, sizeof(err)), -EINVAL);
	assert_ptr_equal(env.port[0]->guard, g);
	assert_int_equal(env.port[0]->guard->mac_limit, 5);
	assert_int_equal(guard_set(0, "vlan 5", err, sizeof(err)), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mac_limit_drops_new_sources, setup3, teardown),
		cmocka_unit_test_setup_teardown(test_mac_limit_keeps_order_of_the_rest, setup3,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_mac_limit_flood_and_moves, setup3, teardown),
		cmocka_unit_test_setup_teardown(test_storm_per_class, setup3, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_mac, setup3, teardown),
		cmocka_unit_test_setup_teardown(test_refused_keeps_guard, setup3, teardown),
	};

	return env_main("fwd_guard", tests, RTE_DIM(tests));
}

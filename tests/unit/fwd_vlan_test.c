/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLANs on the forwarding path: p0 and p1 access VLAN 10, p2 access VLAN 20, p3 a trunk of
 * 10 and 20 without a native VLAN. Tags are checked byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fwd_env.h"

#define A frame_mac(0xa)
#define B frame_mac(0xb)
#define C frame_mac(0xc)
#define BCAST frame_mac_bcast()
#define UNTAGGED FRAME_UNTAGGED
#define PCP(p) ((p) << 13)

static int setup(void **state)
{
	static const unsigned int devs[] = { 0, 1, 2, 3 };
	static const uint16_t trunk[] = { 10, 20 };

	if (env_start(devs, RTE_DIM(devs)) < 0)
		return -1;
	port_set_vlan(env.port[0], vlan_access_new(10), NULL, 0);
	port_set_vlan(env.port[1], vlan_access_new(10), NULL, 0);
	port_set_vlan(env.port[2], vlan_access_new(20), NULL, 0);
	port_set_vlan(env.port[3], vlan_trunk_new(trunk, RTE_DIM(trunk), 0), NULL, 0);
	return 0;
}

static int teardown(void **state)
{
	return env_stop();
}

static void test_broadcast_stays_in_its_vlan(void **state)
{
	const uint8_t *h;

	env_send(0, BCAST, A, -1, 64);
	env_step();
	EXPECT_OUT(0, 1, 0, 1);
	env_expect_frame(1, 0, UNTAGGED);
	env_expect_frame(3, 0, 10);
	h = rte_pktmbuf_mtod(env.out[3][0], const uint8_t *);
	assert_int_equal(h[12], 0x81); /* TPID */
	assert_int_equal(h[13], 0x00);
	assert_int_equal(h[14], 0x00); /* PCP 0, DEI 0, VID 10 */
	assert_int_equal(h[15], 0x0a);
	assert_int_equal(h[16], 0x88); /* the frame's own EtherType follows */
	assert_int_equal(h[17], 0xb5);
	assert_int_equal(rte_pktmbuf_pkt_len(env.out[3][0]), 68);
	assert_int_equal(env_stats(3).tx_bytes, 68);
}

static void test_tagged_from_trunk_leaves_access_untagged(void **state)
{
	env_send(3, BCAST, C, 20, 64);
	env_step();
	EXPECT_OUT(0, 0, 1, 0);
	env_expect_frame(2, 0, UNTAGGED);
	env_send(3, BCAST, C, PCP(3) | 10, 64);
	env_step();
	EXPECT_OUT(1, 1, 0, 0);
	env_expect_frame(0, 0, UNTAGGED);
}

static void test_vlan_not_allowed(void **state)
{
	env_send(3, BCAST, C, 30, 64); /* the trunk does not carry 30 */
	env_send(0, BCAST, A, 20, 64); /* an access port carries only its own */
	env_send(3, BCAST, C, -1, 64); /* a trunk without native VLAN takes no untagged frame */
	env_step();
	EXPECT_OUT(0, 0, 0, 0);
	assert_int_equal(env_drops(3, DROP_VLAN_NOT_ALLOWED), 2);
	assert_int_equal(env_drops(0, DROP_VLAN_NOT_ALLOWED), 1);
	assert_int_equal(fdb_count(), 0);
}

/* Tagged with its own PVID, an access port takes the frame as if untagged. */
static void test_tagged_pvid_on_access_port(void **state)
{
	env_send(0, BCAST, A, 10, 64);
	env_step();
	EXPECT_OUT(0, 1, 0, 1);
	env_expect_frame(1, 0, UNTAGGED);
	env_expect_frame(3, 0, 10);
}

/* VID 0 carries a priority only: the frame enters in the PVID and keeps its PCP. */
static void test_priority_tagged(void **state)
{
	env_send(0, BCAST, A, PCP(5), 64);
	env_step();
	EXPECT_OUT(0, 1, 0, 1);
	env_expect_frame(1, 0, UNTAGGED);
	env_expect_frame(3, 0, PCP(5) | 10);
	assert_int_equal(env_in_drops(0), 0);
}

/* The FDB is per VLAN: B learned in 20 is unknown in 10. */
static void test_unicast_does_not_cross_vlans(void **state)
{
	env_send(2, BCAST, B, -1, 64);
	env_step();
	EXPECT_OUT(0, 0, 0, 1);
	env_expect_frame(3, 0, 20);
	env_send(0, B, A, -1, 64);
	env_step();
	EXPECT_OUT(0, 1, 0, 1);
	env_expect_frame(1, 0, UNTAGGED);
	env_expect_frame(3, 0, 10);
}

static void test_unicast_over_the_trunk(void **state)
{
	env_send(2, BCAST, B, -1, 64);
	env_step();
	env_send(3, B, C, 20, 64); /* C learned on p3 in 20, B known on p2 */
	env_step();
	EXPECT_OUT(0, 0, 1, 0);
	env_expect_frame(2, 0, UNTAGGED);
	env_send(2, C, B, -1, 64);
	env_step();
	EXPECT_OUT(0, 0, 0, 1);
	env_expect_frame(3, 0, 20);
}

/* A trunk with a native VLAN sends that one untagged and takes untagged frames into it. */
static void test_trunk_native_vlan(void **state)
{
	static const uint16_t vids[] = { 10, 20 };

	port_set_vlan(env.port[3], vlan_trunk_new(vids, RTE_DIM(vids), 20), NULL, 0);
	env_send(2, BCAST, B, -1, 64);
	env_step();
	EXPECT_OUT(0, 0, 0, 1);
	env_expect_frame(3, 0, UNTAGGED);
	env_send(3, BCAST, C, -1, 64);
	env_step();
	EXPECT_OUT(0, 0, 1, 0);
	env_expect_frame(2, 0, UNTAGGED);
	env_send(0, BCAST, A, -1, 64);
	env_step();
	EXPECT_OUT(0, 1, 0, 1);
	env_expect_frame(3, 0, 10);
}

/* Changing a port's VLANs forgets what it learned under the old ones. */
static void test_set_vlan_flushes_learned(void **state)
{
	env_send(0, BCAST, A, -1, 64);
	env_step();
	assert_int_equal(fdb_count(), 1);
	port_set_vlan(env.port[0], vlan_access_new(20), NULL, 0);
	assert_int_equal(fdb_count(), 0);
	env_send(0, BCAST, A, -1, 64);
	env_step();
	EXPECT_OUT(0, 0, 1, 1);
	env_expect_frame(3, 0, 20);
}

/* Several tagged copies of one flood: each is its own mbuf, none leaks (teardown checks). */
static void test_flood_to_several_trunks(void **state)
{
	static const uint16_t vids[] = { 10, 20 };
	unsigned int i;

	port_set_vlan(env.port[1], vlan_trunk_new(vids, RTE_DIM(vids), 0), NULL, 0);
	port_set_vlan(env.port[2], vlan_trunk_new(vids, RTE_DIM(vids), 0), NULL, 0);
	for (i = 0; i < 3; i++) {
		env_send(0, BCAST, A, -1, 64);
		env_step();
		EXPECT_OUT(0, 1, 1, 1);
		env_expect_frame(1, 0, 10);
		env_expect_frame(2, 0, 10);
		env_expect_frame(3, 0, 10);
		assert_ptr_not_equal(env.out[1][0], env.out[2][0]);
		assert_ptr_not_equal(env.out[2][0], env.out[3][0]);
	}
}

/* No mbuf left for the tagged copies of a flood: each missing copy is counted on its port. */
static void test_no_mbuf_for_copies(void **state)
{
	static struct rte_mbuf *held[UT_POOL_SIZE];
	static const uint16_t vids[] = { 10, 20 };
	unsigned int n = 0;

	port_set_vlan(env.port[1], vlan_trunk_new(vids, RTE_DIM(vids), 0), NULL, 0);
	port_set_vlan(env.port[2], vlan_trunk_new(vids, RTE_DIM(vids), 0), NULL, 0);
	env_send(0, BCAST, A, -1, 64);
	while (n < RTE_DIM(held) && (held[n] = rte_pktmbuf_alloc(env.pool)) != NULL)
		n++;
	assert_int_equal(rte_mempool_avail_count(env.pool), 0);
	env_step();
	rte_pktmbuf_free_bulk(held, n);
	EXPECT_OUT(0, 0, 0, 1); /* the original, tagged, goes to the last trunk */
	env_expect_frame(3, 0, 10);
	assert_int_equal(env_drops(1, DROP_NO_MBUF), 1);
	assert_int_equal(env_drops(2, DROP_NO_MBUF), 1);
	assert_int_equal(env_drops(3, DROP_NO_MBUF), 0);
	assert_int_equal(env_in_drops(0), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_broadcast_stays_in_its_vlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tagged_from_trunk_leaves_access_untagged,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan_not_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tagged_pvid_on_access_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_tagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unicast_does_not_cross_vlans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unicast_over_the_trunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trunk_native_vlan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_vlan_flushes_learned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_to_several_trunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_mbuf_for_copies, setup, teardown),
	};
	return env_main("fwd_vlan", tests, RTE_DIM(tests));
}

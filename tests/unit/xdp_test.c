/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP program of the AF_XDP port, run by the kernel on crafted frames through
 * BPF_PROG_TEST_RUN: no NIC, no traffic. Each test loads its own instance through xdp_ctl
 * (counters start at zero), and after every run checks the verdict and all the per-reason
 * counters, which must equal exactly the runs made so far for each reason.
 *
 * Runs in a network namespace of its own (made in main()), so the AF_XDP socket and the XDP
 * attachment to lo that two tests make never touch the machine's own interfaces.
 * Needs root (CAP_BPF, CAP_NET_ADMIN); without it the program reports a skip (exit 77).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>

#include <bpf/bpf.h>
#include <cmocka.h>

#include "xdp_ctl.h"

#define FRAME_LEN 60 /* a minimum-size frame without its FCS */
#define ETHERTYPE_TEST 0x88b5
#define TPID_C 0x8100 /* 802.1Q */
#define TPID_S 0x88a8 /* 802.1ad */
#define PCP(p) ((uint16_t)((p) << 13))

struct tag {
	uint16_t tpid;
	uint16_t tci;
};

struct xdp_test {
	struct xdp_ctl *ctl;
	uint64_t expect[XDP_CNT_MAX]; /* runs made so far, per reason */
};

/* 02:00:00:00:00:NN, a locally administered unicast address. */
static void test_mac(uint8_t out[6], uint8_t n)
{
	static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(out, base, sizeof(base));
	out[5] = n;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* A broadcast frame from 02:..:src with the given tags, FRAME_LEN bytes; returns its length. */
static size_t frame(uint8_t buf[FRAME_LEN], uint8_t src, const struct tag *tags, int ntags)
{
	size_t off = 12;
	int i;

	memset(buf, 0, FRAME_LEN);
	memset(buf, 0xff, 6);
	test_mac(buf + 6, src);
	for (i = 0; i < ntags; i++) {
		put_be16(buf + off, tags[i].tpid);
		put_be16(buf + off + 2, tags[i].tci);
		off += 4;
	}
	put_be16(buf + off, ETHERTYPE_TEST);
	return FRAME_LEN;
}

static size_t untagged(uint8_t buf[FRAME_LEN], uint8_t src)
{
	return frame(buf, src, NULL, 0);
}

static size_t tagged(uint8_t buf[FRAME_LEN], uint8_t src, uint16_t tpid, uint16_t tci)
{
	struct tag t = { tpid, tci };

	return frame(buf, src, &t, 1);
}

static void check_counters(struct xdp_test *t)
{
	uint64_t got[XDP_CNT_MAX];
	int i;

	assert_int_equal(xdp_ctl_counters(t->ctl, got), 0);
	for (i = 0; i < XDP_CNT_MAX; i++) {
		if (got[i] != t->expect[i])
			print_error("counter %s: %ju, expected %ju\n", xdp_counter_names[i],
			            (uintmax_t)got[i], (uintmax_t)t->expect[i]);
		assert_int_equal(got[i], t->expect[i]);
	}
}

/*
 * Run the program `repeat` times on the first len bytes of buf, check it returned `action`
 * each time, and that exactly those runs were added to `reason`.
 */
static void run(struct xdp_test *t, const uint8_t *buf, size_t len, int repeat, uint32_t action,
                enum xdp_counter reason)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = len, .repeat = repeat);

	assert_int_equal(bpf_prog_test_run_opts(xdp_ctl_prog_fd(t->ctl), &opts), 0);
	assert_int_equal(opts.retval, action);
	t->expect[reason] += repeat;
	check_counters(t);
}

static int setup(void **state)
{
	struct xdp_test *t = calloc(1, sizeof(*t));

	int ret;

	if (t == NULL)
		return -1;
	ret = xdp_ctl_open(&t->ctl);
	if (ret < 0) {
		print_error("xdp_ctl_open: %s\n", strerror(-ret));
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct xdp_test *t = *state;

	xdp_ctl_close(t->ctl);
	free(t);
	return 0;
}

static void test_counter_names(void **state)
{
	static const char *const names[XDP_CNT_MAX] = {
		[XDP_CNT_RUNT] = "runt",
		[XDP_CNT_BLOCKED_MAC] = "blocked_mac",
		[XDP_CNT_MAC_NOT_ALLOWED] = "mac_not_allowed",
		[XDP_CNT_VLAN_NOT_ALLOWED] = "vlan_not_allowed",
		[XDP_CNT_REDIRECTED] = "redirected",
		[XDP_CNT_PASS] = "pass",
	};
	int i;

	(void)state;
	assert_int_equal(XDP_CNT_MAX, 6);
	for (i = 0; i < XDP_CNT_MAX; i++)
		assert_string_equal(xdp_counter_names[i], names[i]);
	assert_true(xdp_counter_is_drop[XDP_CNT_RUNT]);
	assert_true(xdp_counter_is_drop[XDP_CNT_BLOCKED_MAC]);
	assert_true(xdp_counter_is_drop[XDP_CNT_MAC_NOT_ALLOWED]);
	assert_true(xdp_counter_is_drop[XDP_CNT_VLAN_NOT_ALLOWED]);
	assert_false(xdp_counter_is_drop[XDP_CNT_REDIRECTED]);
	assert_false(xdp_counter_is_drop[XDP_CNT_PASS]);
}

/* Zeroed maps: nothing enters until the control side says what the port carries. */
static void test_fresh_program_drops_all(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN];

	check_counters(t);
	run(t, buf, untagged(buf, 1), 3, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	run(t, buf, tagged(buf, 1, TPID_C, 10), 2, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
}

/* No AF_XDP socket on queue 0: a kept frame falls back to the kernel stack. */
static void test_untagged(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN];

	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	run(t, buf, untagged(buf, 1), 7, XDP_PASS, XDP_CNT_PASS);
	/* untagged allowed says nothing of tagged frames */
	run(t, buf, tagged(buf, 1, TPID_C, 10), 4, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);

	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, false), 0);
	run(t, buf, untagged(buf, 1), 5, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
}

static void test_tagged(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN];

	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, true), 0);
	run(t, buf, tagged(buf, 1, TPID_C, 10), 6, XDP_PASS, XDP_CNT_PASS);
	/* PCP and DEI are not part of the VID */
	run(t, buf, tagged(buf, 1, TPID_C, PCP(7) | 0x1000 | 10), 1, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, tagged(buf, 1, TPID_C, 11), 3, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	run(t, buf, tagged(buf, 1, TPID_C, 4095), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	/* a trunk without a native VLAN: untagged frames do not enter */
	run(t, buf, untagged(buf, 1), 2, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	/* an 802.1ad tag is no VLAN tag to an 802.1Q switch: the frame counts as untagged */
	run(t, buf, tagged(buf, 1, TPID_S, 10), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	run(t, buf, tagged(buf, 1, TPID_S, 12), 1, XDP_PASS, XDP_CNT_PASS);
}

/* VID 0 carries a priority only: the frame enters as an untagged one would, or not. */
static void test_priority_tag(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN];

	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, true), 0);
	run(t, buf, tagged(buf, 1, TPID_C, PCP(5)), 4, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	run(t, buf, tagged(buf, 1, TPID_C, PCP(5)), 3, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, tagged(buf, 1, TPID_C, 0), 1, XDP_PASS, XDP_CNT_PASS);
	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, false), 0);
	run(t, buf, tagged(buf, 1, TPID_C, 0), 2, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	/* VID 0 is never a VLAN of its own */
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 0, true), -EINVAL);
}

/*
 * Two 802.1Q tags: the outer one decides, whatever the inner one says. An outer 802.1ad
 * S-tag is no VLAN tag to the switch (fwd.c knows 0x8100 only): such a frame is untagged.
 */
static void test_qinq_outer_tag(void **state)
{
	struct xdp_test *t = *state;
	const struct tag sc[2] = { { TPID_S, PCP(3) | 100 }, { TPID_C, 10 } };
	const struct tag cc[2] = { { TPID_C, 100 }, { TPID_C, 10 } };
	const struct tag prio_outer[2] = { { TPID_C, PCP(3) }, { TPID_C, 100 } };
	uint8_t buf[FRAME_LEN];

	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, true), 0);
	run(t, buf, frame(buf, 1, sc, 2), 3, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	run(t, buf, frame(buf, 1, cc, 2), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);

	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 100, true), 0);
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, false), 0);
	run(t, buf, frame(buf, 1, cc, 2), 2, XDP_PASS, XDP_CNT_PASS);
	/* S-tagged: untagged for the port, whatever VLANs it carries */
	run(t, buf, frame(buf, 1, sc, 2), 4, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);

	/* outer VID 0: untagged for the port, even though the inner VID is carried */
	run(t, buf, frame(buf, 1, prio_outer, 2), 2, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	run(t, buf, frame(buf, 1, prio_outer, 2), 1, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, frame(buf, 1, sc, 2), 1, XDP_PASS, XDP_CNT_PASS);
}

static void test_blocked_mac(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN], mac1[6], mac2[6];

	test_mac(mac1, 1);
	test_mac(mac2, 2);
	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, true), 0);

	assert_int_equal(xdp_ctl_block_mac(t->ctl, mac1), 0);
	assert_int_equal(xdp_ctl_block_mac(t->ctl, mac1), -EEXIST);
	run(t, buf, untagged(buf, 1), 5, XDP_DROP, XDP_CNT_BLOCKED_MAC);
	run(t, buf, tagged(buf, 1, TPID_C, 10), 2, XDP_DROP, XDP_CNT_BLOCKED_MAC);
	/* the block list comes before VLAN filtering: counted once, as blocked */
	run(t, buf, tagged(buf, 1, TPID_C, 20), 1, XDP_DROP, XDP_CNT_BLOCKED_MAC);
	/* the destination is not what is blocked */
	run(t, buf, untagged(buf, 2), 3, XDP_PASS, XDP_CNT_PASS);
	memcpy(buf, mac1, 6);
	run(t, buf, FRAME_LEN, 1, XDP_PASS, XDP_CNT_PASS);

	assert_int_equal(xdp_ctl_block_mac(t->ctl, mac2), 0);
	run(t, buf, untagged(buf, 2), 2, XDP_DROP, XDP_CNT_BLOCKED_MAC);

	assert_int_equal(xdp_ctl_unblock_mac(t->ctl, mac1), 0);
	assert_int_equal(xdp_ctl_unblock_mac(t->ctl, mac1), -ENOENT);
	run(t, buf, untagged(buf, 1), 4, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, untagged(buf, 2), 1, XDP_DROP, XDP_CNT_BLOCKED_MAC);
}

/* allowed-mac: only the set's source MACs enter; an empty set lets every source in again. */
static void test_allowed_mac(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN], macs[2][6];

	test_mac(macs[0], 1);
	test_mac(macs[1], 2);
	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, true), 0);

	assert_int_equal(xdp_ctl_set_allowed(t->ctl, macs, 2), 0);
	run(t, buf, untagged(buf, 1), 4, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, tagged(buf, 2, TPID_C, 10), 2, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, untagged(buf, 3), 5, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
	run(t, buf, tagged(buf, 3, TPID_C, 10), 1, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
	/* before VLAN filtering: counted once, as not allowed */
	run(t, buf, tagged(buf, 3, TPID_C, 20), 2, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
	/* an allowed source still needs its VLAN carried */
	run(t, buf, tagged(buf, 1, TPID_C, 20), 3, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	/* the destination is not what is checked */
	untagged(buf, 3);
	memcpy(buf, macs[0], 6);
	run(t, buf, FRAME_LEN, 1, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
	/* a runt is a runt whatever its source */
	run(t, buf, tagged(buf, 3, TPID_C, 10) - FRAME_LEN + 16, 1, XDP_DROP, XDP_CNT_RUNT);

	/* the block list comes first: a MAC both blocked and not allowed counts as blocked, and
	 * so does one blocked and allowed */
	assert_int_equal(xdp_ctl_block_mac(t->ctl, buf + 6), 0);
	run(t, buf, untagged(buf, 3), 2, XDP_DROP, XDP_CNT_BLOCKED_MAC);
	assert_int_equal(xdp_ctl_block_mac(t->ctl, macs[0]), 0);
	run(t, buf, untagged(buf, 1), 1, XDP_DROP, XDP_CNT_BLOCKED_MAC);
	assert_int_equal(xdp_ctl_unblock_mac(t->ctl, macs[0]), 0);

	/* the set replaced: 1 goes, 2 stays, 4 comes */
	test_mac(macs[0], 4);
	assert_int_equal(xdp_ctl_set_allowed(t->ctl, macs, 2), 0);
	run(t, buf, untagged(buf, 1), 3, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
	run(t, buf, untagged(buf, 2), 1, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, untagged(buf, 4), 2, XDP_PASS, XDP_CNT_PASS);

	/* none: every source enters again, the untagged setting kept */
	assert_int_equal(xdp_ctl_set_allowed(t->ctl, NULL, 0), 0);
	run(t, buf, untagged(buf, 1), 2, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, untagged(buf, 5), 1, XDP_PASS, XDP_CNT_PASS);
	assert_int_equal(xdp_ctl_set_allowed(t->ctl, NULL, 0), 0);
	run(t, buf, untagged(buf, 5), 1, XDP_PASS, XDP_CNT_PASS);
}

/*
 * The sets' sizes: 16 MACs hold, 17 are refused and leave the set as it was. Replacing a full
 * set by another full one many times never fills the map: the old MACs are gone each time.
 */
static void test_allowed_mac_sizes(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN], macs[XDP_CTL_ALLOWED_MAX + 1][6];
	int round, i;

	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < XDP_CTL_ALLOWED_MAX; i++)
			test_mac(macs[i], (uint8_t)(10 + round * XDP_CTL_ALLOWED_MAX + i));
		assert_int_equal(xdp_ctl_set_allowed(t->ctl, macs, XDP_CTL_ALLOWED_MAX), 0);
	}
	run(t, buf, untagged(buf, macs[0][5]), 1, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, untagged(buf, macs[XDP_CTL_ALLOWED_MAX - 1][5]), 1, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, untagged(buf, macs[0][5] - 1), 2, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);

	test_mac(macs[XDP_CTL_ALLOWED_MAX], 1);
	assert_int_equal(xdp_ctl_set_allowed(t->ctl, macs, XDP_CTL_ALLOWED_MAX + 1), -E2BIG);
	run(t, buf, untagged(buf, 1), 1, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
	run(t, buf, untagged(buf, macs[3][5]), 1, XDP_PASS, XDP_CNT_PASS);

	/* the same MAC twice is one entry */
	memcpy(macs[1], macs[0], 6);
	assert_int_equal(xdp_ctl_set_allowed(t->ctl, macs, 2), 0);
	run(t, buf, untagged(buf, macs[0][5]), 1, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, untagged(buf, macs[3][5]), 1, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
}

struct flipper {
	struct xdp_ctl *ctl; /* its own handle on the test's program */
	volatile int stop;
	unsigned int flips;
	int ret;
};

/* Replace {1, 2} by {2, 3} and back until told to stop. */
static void *flip(void *arg)
{
	struct flipper *f = arg;
	uint8_t a[2][6], b[2][6];

	test_mac(a[0], 1);
	test_mac(a[1], 2);
	test_mac(b[0], 3);
	test_mac(b[1], 2);
	while (!f->stop && f->ret == 0) {
		f->ret = xdp_ctl_set_allowed(f->ctl, f->flips % 2 ? b : a, 2);
		f->flips++;
	}
	return NULL;
}

/*
 * While another thread replaces the set over and over, a MAC in both the old and the new set
 * is never dropped, and one in neither never enters: the window of a change holds the union.
 */
static void test_allowed_mac_replace_window(void **state)
{
	struct xdp_test *t = *state;
	struct flipper f = { .ret = 0 };
	uint8_t buf[FRAME_LEN];
	pthread_t th;
	int i;

	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	assert_int_equal(xdp_ctl_open_prog_id(xdp_ctl_prog_id(t->ctl), &f.ctl), 0);
	assert_int_equal(xdp_ctl_set_allowed(f.ctl, NULL, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, flip, &f), 0);
	while (f.flips < 2)
		sched_yield();
	for (i = 0; i < 50; i++) {
		run(t, buf, untagged(buf, 2), 200, XDP_PASS, XDP_CNT_PASS);
		run(t, buf, untagged(buf, 9), 200, XDP_DROP, XDP_CNT_MAC_NOT_ALLOWED);
	}
	f.stop = 1;
	assert_int_equal(pthread_join(th, NULL), 0);
	print_message("%u replacements during 20 000 frames\n", f.flips);
	assert_int_equal(f.ret, 0);
	assert_true(f.flips > 10);
	xdp_ctl_close(f.ctl);
}

/*
 * Frames cut before their headers end. The kernel refuses test input under 14 bytes (a full
 * Ethernet header), so the runts the program can see are cut inside a VLAN tag.
 */
static void test_runt(void **state)
{
	struct xdp_test *t = *state;
	const struct tag qinq[2] = { { TPID_S, 100 }, { TPID_C, 10 } };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	uint8_t buf[FRAME_LEN];

	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, true), 0);
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 100, true), 0);

	tagged(buf, 1, TPID_C, 10);
	run(t, buf, 16, 3, XDP_DROP, XDP_CNT_RUNT); /* half a tag */
	run(t, buf, 17, 1, XDP_DROP, XDP_CNT_RUNT);
	run(t, buf, 14, 2, XDP_DROP, XDP_CNT_RUNT); /* the TPID announces a tag that is not there */
	run(t, buf, 18, 1, XDP_PASS, XDP_CNT_PASS); /* the whole tag: not a runt */

	frame(buf, 1, qinq, 2);
	run(t, buf, 18, 2, XDP_DROP, XDP_CNT_RUNT); /* the outer tag whole, the inner absent */
	run(t, buf, 20, 4, XDP_DROP, XDP_CNT_RUNT); /* cut inside the inner tag */
	run(t, buf, 22, 1, XDP_PASS, XDP_CNT_PASS);

	untagged(buf, 1);
	run(t, buf, 14, 2, XDP_PASS, XDP_CNT_PASS); /* a bare Ethernet header is whole */

	/* under 14 bytes the kernel does not run the program at all: no counter moves */
	opts.data_in = buf;
	opts.data_size_in = 13;
	assert_int_equal(bpf_prog_test_run_opts(xdp_ctl_prog_fd(t->ctl), &opts), -EINVAL);
	check_counters(t);
}

/* Map updates take effect on the next frame, with no reload. */
static void test_map_updates(void **state)
{
	struct xdp_test *t = *state;
	uint64_t member[XDP_CTL_VLAN_WORDS];
	uint8_t buf[FRAME_LEN];

	run(t, buf, tagged(buf, 1, TPID_C, 10), 2, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, true), 0);
	run(t, buf, tagged(buf, 1, TPID_C, 10), 3, XDP_PASS, XDP_CNT_PASS);
	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 10, false), 0);
	run(t, buf, tagged(buf, 1, TPID_C, 10), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);

	/* a whole set at once: {20, 4094}; 0 and 4095 in the bitmap are ignored */
	memset(member, 0, sizeof(member));
	member[20 / 64] |= 1ULL << (20 % 64);
	member[4094 / 64] |= 1ULL << (4094 % 64);
	member[0] |= 1;
	member[4095 / 64] |= 1ULL << (4095 % 64);
	assert_int_equal(xdp_ctl_vlan_set(t->ctl, member), 0);
	run(t, buf, tagged(buf, 1, TPID_C, 20), 2, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, tagged(buf, 1, TPID_C, 4094), 1, XDP_PASS, XDP_CNT_PASS);
	run(t, buf, tagged(buf, 1, TPID_C, 10), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	run(t, buf, tagged(buf, 1, TPID_C, 4095), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	run(t, buf, tagged(buf, 1, TPID_C, 0), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);

	/* the next set replaces it: 20 goes, 10 comes */
	memset(member, 0, sizeof(member));
	member[10 / 64] |= 1ULL << (10 % 64);
	assert_int_equal(xdp_ctl_vlan_set(t->ctl, member), 0);
	run(t, buf, tagged(buf, 1, TPID_C, 20), 3, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	run(t, buf, tagged(buf, 1, TPID_C, 10), 2, XDP_PASS, XDP_CNT_PASS);

	assert_int_equal(xdp_ctl_vlan_allow(t->ctl, 4095, true), -EINVAL);
}

/*
 * An AF_XDP socket bound to queue 0 of lo, in copy mode, with the rings the kernel wants
 * before it lets the socket into an XSKMAP. Returns the socket or a negative errno.
 */
static int xsk_open(void **umem, size_t *umem_len)
{
	const size_t len = 64 * 4096;
	struct xdp_umem_reg reg;
	struct sockaddr_xdp sxdp;
	int fd, ret, ring = 64;
	void *area;

	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		ret = -errno;
		goto err_fd;
	}
	memset(&reg, 0, sizeof(reg));
	reg.addr = (uintptr_t)area;
	reg.len = len;
	reg.chunk_size = 4096;
	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = if_nametoindex("lo");
	sxdp.sxdp_queue_id = 0;
	sxdp.sxdp_flags = XDP_COPY;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) < 0 ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring)) < 0 ||
	    bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0) {
		ret = -errno;
		goto err_umem;
	}
	*umem = area;
	*umem_len = len;
	return fd;

err_umem:
	munmap(area, len);
err_fd:
	close(fd);
	return ret;
}

/*
 * With a socket on the frame's queue the verdict is XDP_REDIRECT (test_run does not perform
 * the redirect itself, it returns the program's verdict); without, the fallback XDP_PASS.
 */
static void test_redirect_only_with_socket(void **state)
{
	struct xdp_test *t = *state;
	uint8_t buf[FRAME_LEN];
	size_t umem_len = 0;
	void *umem = NULL;
	int xsk;

	assert_int_equal(xdp_ctl_untagged_allow(t->ctl, true), 0);
	run(t, buf, untagged(buf, 1), 3, XDP_PASS, XDP_CNT_PASS);

	xsk = xsk_open(&umem, &umem_len);
	if (xsk < 0) {
		print_message("cannot make an AF_XDP socket on lo: %s\n", strerror(-xsk));
		skip();
		return;
	}
	/* a socket on another queue is not this frame's (test_run frames come from queue 0) */
	assert_int_equal(xdp_ctl_xsk_set(t->ctl, 1, xsk), 0);
	run(t, buf, untagged(buf, 1), 2, XDP_PASS, XDP_CNT_PASS);
	assert_int_equal(xdp_ctl_xsk_clear(t->ctl, 1), 0);

	assert_int_equal(xdp_ctl_xsk_set(t->ctl, 0, xsk), 0);
	run(t, buf, untagged(buf, 1), 5, XDP_REDIRECT, XDP_CNT_REDIRECTED);
	/* drops still come first */
	run(t, buf, tagged(buf, 1, TPID_C, 10), 1, XDP_DROP, XDP_CNT_VLAN_NOT_ALLOWED);
	run(t, buf, 16, 1, XDP_DROP, XDP_CNT_RUNT);

	assert_int_equal(xdp_ctl_xsk_clear(t->ctl, 0), 0);
	run(t, buf, untagged(buf, 1), 2, XDP_PASS, XDP_CNT_PASS);

	close(xsk);
	munmap(umem, umem_len);
}

/* DPDK loads the program itself: lanswitchd finds its maps through the program's id. */
static void test_open_by_prog_id(void **state)
{
	struct xdp_test *t = *state;
	struct xdp_ctl *other = NULL;
	uint64_t mine[XDP_CNT_MAX], theirs[XDP_CNT_MAX];
	uint8_t buf[FRAME_LEN];

	assert_int_not_equal(xdp_ctl_prog_id(t->ctl), 0);
	assert_int_equal(xdp_ctl_open_prog_id(xdp_ctl_prog_id(t->ctl), &other), 0);
	assert_int_equal(xdp_ctl_prog_id(other), xdp_ctl_prog_id(t->ctl));

	/* configured through one handle, run through the other */
	assert_int_equal(xdp_ctl_untagged_allow(other, true), 0);
	run(t, buf, untagged(buf, 1), 3, XDP_PASS, XDP_CNT_PASS);
	assert_int_equal(xdp_ctl_vlan_allow(other, 30, true), 0);
	run(t, buf, tagged(buf, 1, TPID_C, 30), 2, XDP_PASS, XDP_CNT_PASS);
	assert_int_equal(xdp_ctl_block_mac(other, buf + 6), 0);
	run(t, buf, untagged(buf, 1), 1, XDP_DROP, XDP_CNT_BLOCKED_MAC);

	assert_int_equal(xdp_ctl_counters(t->ctl, mine), 0);
	assert_int_equal(xdp_ctl_counters(other, theirs), 0);
	assert_memory_equal(mine, theirs, sizeof(mine));

	/* closing the second handle leaves the program and its maps to the first */
	xdp_ctl_close(other);
	run(t, buf, untagged(buf, 2), 1, XDP_PASS, XDP_CNT_PASS);
}

static void test_open_by_prog_id_refuses_others(void **state)
{
	/* r0 = XDP_PASS; exit: an XDP program without any of our maps */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	struct xdp_ctl *other = NULL;
	int fd;

	(void)state;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "not_ours", "GPL", insns, 2, NULL);
	assert_true(fd >= 0);
	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	assert_int_equal(xdp_ctl_open_prog_id(info.id, &other), -ENOENT);
	assert_null(other);
	close(fd);

	/* the kernel hands out ids below INT_MAX: no program has this one */
	assert_int_equal(xdp_ctl_open_prog_id(UINT32_MAX, &other), -ENOENT);
}

static int lo_up(void)
{
	struct ifreq ifr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ret == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Attached to an interface (lo of this test's namespace, in generic mode): found again by
 * ifindex, and counting frames that really arrive, sent on lo through a packet socket.
 */
static void test_attach_and_open_ifindex(void **state)
{
	struct xdp_test *t = *state;
	const int nframes = 5;
	struct xdp_ctl *other = NULL, *third = NULL;
	struct sockaddr_ll sll;
	uint64_t got[XDP_CNT_MAX];
	uint8_t buf[FRAME_LEN];
	int lo, fd, i, tries;

	lo = (int)if_nametoindex("lo");
	assert_true(lo > 0);
	assert_int_equal(lo_up(), 0);
	assert_int_equal(xdp_ctl_open_ifindex(lo, &other), -ENOENT);

	assert_int_equal(xdp_ctl_attach(t->ctl, lo, XDP_FLAGS_SKB_MODE), 0);
	assert_int_equal(xdp_ctl_attach(t->ctl, lo, XDP_FLAGS_SKB_MODE), -EBUSY);
	assert_int_equal(xdp_ctl_open_ifindex(lo, &other), 0);
	assert_int_equal(xdp_ctl_prog_id(other), xdp_ctl_prog_id(t->ctl));

	/* another instance must not take the interface from the attached one */
	assert_int_equal(xdp_ctl_open(&third), 0);
	assert_int_equal(xdp_ctl_attach(third, lo, XDP_FLAGS_SKB_MODE), -EBUSY);
	xdp_ctl_close(third);

	/* real frames from a blocked MAC: nothing else on this lo sends from it */
	untagged(buf, 9);
	assert_int_equal(xdp_ctl_block_mac(other, buf + 6), 0);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = lo;
	sll.sll_halen = 6;
	for (i = 0; i < nframes; i++)
		assert_int_equal(
		        sendto(fd, buf, FRAME_LEN, 0, (struct sockaddr *)&sll, sizeof(sll)),
		        FRAME_LEN);
	close(fd);
	/* lo receives in softirq context, shortly after the send returns */
	for (tries = 0; tries < 100; tries++) {
		assert_int_equal(xdp_ctl_counters(other, got), 0);
		if (got[XDP_CNT_BLOCKED_MAC] >= (uint64_t)nframes)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	assert_int_equal(got[XDP_CNT_BLOCKED_MAC], nframes);

	assert_int_equal(xdp_ctl_detach(t->ctl), 0);
	assert_int_equal(xdp_ctl_detach(t->ctl), -ENOENT);
	xdp_ctl_close(other);
	other = NULL;
	assert_int_equal(xdp_ctl_open_ifindex(lo, &other), -ENOENT);

	/* closing a handle that attached the program detaches it */
	assert_int_equal(xdp_ctl_attach(t->ctl, lo, XDP_FLAGS_SKB_MODE), 0);
	xdp_ctl_close(t->ctl);
	t->ctl = NULL;
	assert_int_equal(xdp_ctl_open_ifindex(lo, &other), -ENOENT);
	assert_int_equal(xdp_ctl_open(&t->ctl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_names),
		cmocka_unit_test_setup_teardown(test_fresh_program_drops_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_tag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qinq_outer_tag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_mac, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_mac_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allowed_mac_replace_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_updates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect_only_with_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_by_prog_id, setup, teardown),
		cmocka_unit_test(test_open_by_prog_id_refuses_others),
		cmocka_unit_test_setup_teardown(test_attach_and_open_ifindex, setup, teardown),
	};
	struct xdp_ctl *probe;
	int ret;

	/* A namespace of our own: lo here is the test's, not the machine's. */
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "xdp_test: unshare(CLONE_NEWNET): %s: skipped (needs root)\n",
		        strerror(errno));
		return 77;
	}
	ret = xdp_ctl_open(&probe);
	if (ret == -EPERM) {
		fprintf(stderr, "xdp_test: loading the XDP program: %s: skipped (needs root)\n",
		        strerror(-ret));
		return 77;
	}
	if (ret < 0) {
		fprintf(stderr, "xdp_test: loading the XDP program: %s\n", strerror(-ret));
		return 1;
	}
	xdp_ctl_close(probe);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

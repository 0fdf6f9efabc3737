/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The follow agent's decision (control/vm_follow_plan.c): the ports the domains name against
 * the ports the switch has, into steps. No libvirt, no switch: tables on both sides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm_follow_plan.h"

#define DIR "/run/lanswitch/vhost"

static struct vm_follow_want want_access(const char *domain, const char *name, const char *socket,
                                         uint16_t vid)
{
	struct vm_follow_want w = { .domain = domain };

	snprintf(w.port.name, sizeof(w.port.name), "%s", name);
	snprintf(w.port.mac, sizeof(w.port.mac), "52:54:00:00:00:01");
	snprintf(w.port.socket, sizeof(w.port.socket), "%s", socket);
	vm_vlan_set_access(&w.port.vlan, vid);
	return w;
}

/* A trunk of 20 and 30, native 1. */
static struct vm_follow_want want_trunk(const char *domain, const char *name, const char *socket)
{
	struct vm_follow_want w = want_access(domain, name, socket, 0);

	vm_vlan_add_tagged(&w.port.vlan, 20);
	vm_vlan_add_tagged(&w.port.vlan, 30);
	w.port.vlan.native = 1;
	return w;
}

static struct vm_follow_have have_port(const char *name, const char *type, const char *path,
                                       uint16_t vid)
{
	struct vm_follow_have h;

	memset(&h, 0, sizeof(h));
	snprintf(h.name, sizeof(h.name), "%s", name);
	snprintf(h.type, sizeof(h.type), "%s", type);
	snprintf(h.path, sizeof(h.path), "%s", path);
	vm_vlan_set_access(&h.vlan, vid);
	return h;
}

static void test_in_dir(void **state)
{
	assert_true(vm_follow_in_dir(DIR, DIR "/ha.sock"));
	assert_false(vm_follow_in_dir(DIR, DIR "/sub/ha.sock")); /* not one vm_socket_path makes */
	assert_false(vm_follow_in_dir(DIR, DIR "x/ha.sock"));    /* a sibling with the same start */
	assert_false(vm_follow_in_dir(DIR, DIR "/"));
	assert_false(vm_follow_in_dir(DIR, DIR));
	assert_false(vm_follow_in_dir(DIR, "/tmp/ha.sock"));
	assert_false(vm_follow_in_dir(DIR, ""));
}

static void test_vlan_equal(void **state)
{
	struct vm_follow_want a = want_access("d", "p", DIR "/p.sock", 20);
	struct vm_follow_want b = want_access("d", "p", DIR "/p.sock", 20);
	struct vm_follow_want t1 = want_trunk("d", "p", DIR "/p.sock");
	struct vm_follow_want t2 = want_trunk("d", "p", DIR "/p.sock");

	assert_true(vm_follow_vlan_equal(&a.port.vlan, &b.port.vlan));
	vm_vlan_set_access(&b.port.vlan, 1);
	assert_false(vm_follow_vlan_equal(&a.port.vlan, &b.port.vlan));
	assert_false(vm_follow_vlan_equal(&a.port.vlan, &t1.port.vlan));
	assert_true(vm_follow_vlan_equal(&t1.port.vlan, &t2.port.vlan));
	t2.port.vlan.native = 0;
	assert_false(vm_follow_vlan_equal(&t1.port.vlan, &t2.port.vlan));
	t2.port.vlan.native = 1;
	vm_vlan_add_tagged(&t2.port.vlan, 40);
	assert_false(vm_follow_vlan_equal(&t1.port.vlan, &t2.port.vlan));
}

/*
 * The agent's start after a night away: one port right, one missing, one of a domain that was
 * undefined, one in another directory; the switch's other ports are not the agent's business.
 */
static void test_plan_start(void **state)
{
	struct vm_follow_want want[] = {
		want_access("ha", "ha", DIR "/ha.sock", 20),
		want_trunk("pf", "pf", DIR "/pf.sock"),
		want_access("win", "win", "/srv/vhost/win.sock", 1),
	};
	struct vm_follow_have have[] = {
		have_port("ha", "vhost", DIR "/ha.sock", 20),
		have_port("old", "vhost", DIR "/old.sock", 1),   /* ours, named by no one */
		have_port("mine", "vhost", "/tmp/mine.sock", 1), /* someone's, elsewhere */
		have_port("deep", "vhost", DIR "/x/deep.sock", 1),
		have_port("lan", "afxdp", "", 1),
		have_port("host", "tap", "", 1),
	};
	struct vm_follow_plan plan;

	assert_int_equal(vm_follow_plan_make(DIR, want, 3, have, 6, true, &plan), 0);
	assert_int_equal(plan.n, 2);
	assert_int_equal(plan.steps[0].kind, VM_FOLLOW_REMOVE); /* first: frees its name */
	assert_ptr_equal(plan.steps[0].have, &have[1]);
	assert_null(plan.steps[0].want);
	assert_int_equal(plan.steps[1].kind, VM_FOLLOW_ADD);
	assert_ptr_equal(plan.steps[1].want, &want[1]);
	assert_null(plan.steps[1].have);
	assert_int_equal(plan.ports, 2);
	assert_int_equal(plan.in_step, 1);
	assert_int_equal(plan.elsewhere, 1);
	vm_follow_plan_clear(&plan);

	/* a domain's ports could not be read: nothing of ours is removed, the rest goes on */
	assert_int_equal(vm_follow_plan_make(DIR, want, 3, have, 6, false, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.steps[0].kind, VM_FOLLOW_ADD);
	vm_follow_plan_clear(&plan);
}

/* Ours, but not as the metadata says: another socket, server mode, other VLANs. */
static void test_plan_changed(void **state)
{
	struct vm_follow_want want[] = {
		want_access("a", "a", DIR "/a.sock", 1),
		want_access("b", "b", DIR "/b.sock", 1),
		want_trunk("c", "c", DIR "/c.sock"),
	};
	struct vm_follow_have have[] = {
		have_port("a", "vhost", DIR "/a-old.sock", 1),
		have_port("b", "vhost", DIR "/b.sock", 1),
		have_port("c", "vhost", DIR "/c.sock", 20),
	};
	struct vm_follow_plan plan;

	have[1].server = true;
	assert_int_equal(vm_follow_plan_make(DIR, want, 3, have, 3, true, &plan), 0);
	assert_int_equal(plan.n, 3);
	assert_int_equal(plan.steps[0].kind, VM_FOLLOW_REPLACE);
	assert_ptr_equal(plan.steps[0].have, &have[0]);
	assert_int_equal(plan.steps[1].kind, VM_FOLLOW_REPLACE);
	assert_ptr_equal(plan.steps[1].have, &have[1]);
	assert_int_equal(plan.steps[2].kind, VM_FOLLOW_SET);
	assert_true(plan.steps[2].vlan);
	assert_false(plan.steps[2].guard);
	assert_ptr_equal(plan.steps[2].want, &want[2]);
	assert_ptr_equal(plan.steps[2].have, &have[2]);
	assert_int_equal(plan.ports, 3);
	assert_int_equal(plan.in_step, 0);
	vm_follow_plan_clear(&plan);
}

/*
 * The guard: set where the switch's is not the metadata's (lists compared as sets), left alone
 * where the metadata records none or the switch reports none; with the VLANs in one step.
 */
static void test_plan_guard(void **state)
{
	struct vm_follow_want want[] = {
		want_access("a", "a", DIR "/a.sock", 1),  want_access("b", "b", DIR "/b.sock", 1),
		want_access("c", "c", DIR "/c.sock", 1),  want_access("d", "d", DIR "/d.sock", 1),
		want_access("e", "e", DIR "/e.sock", 20),
	};
	struct vm_follow_have have[] = {
		have_port("a", "vhost", DIR "/a.sock", 1),
		have_port("b", "vhost", DIR "/b.sock", 1),
		have_port("c", "vhost", DIR "/c.sock", 1),
		have_port("d", "vhost", DIR "/d.sock", 1),
		have_port("e", "vhost", DIR "/e.sock", 1),
	};
	struct vm_follow_plan plan;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		vm_guard_init(&want[i].port.guard, "52:54:00:00:00:01", false);
		vm_guard_add_net(&want[i].port.guard, "192.168.1.20/32");
		vm_guard_add_net(&want[i].port.guard, "192.168.1.21/32");
		vm_guard_off(&have[i].guard);
	}
	/* a: the switch has it, written its own way and in another order */
	vm_guard_add_mac(&have[0].guard, "52:54:00:00:00:01");
	vm_guard_add_net(&have[0].guard, "192.168.1.21/32");
	vm_guard_add_net(&have[0].guard, "192.168.1.20/32");
	have[0].guard.dhcp_server = have[0].guard.ra = false;
	/* b: every protection off (lanswitchd restored a state file from before, say) */
	/* c: recorded in no metadata: the switch's own, left alone */
	memset(&want[2].port.guard, 0, sizeof(want[2].port.guard));
	/* d: a lanswitchd that reports no guard */
	memset(&have[3].guard, 0, sizeof(have[3].guard));
	/* e: its VLAN and its guard */
	assert_int_equal(vm_follow_plan_make(DIR, want, 5, have, 5, true, &plan), 0);
	assert_int_equal(plan.n, 2);
	assert_int_equal(plan.steps[0].kind, VM_FOLLOW_SET);
	assert_ptr_equal(plan.steps[0].want, &want[1]);
	assert_false(plan.steps[0].vlan);
	assert_true(plan.steps[0].guard);
	assert_int_equal(plan.steps[1].kind, VM_FOLLOW_SET);
	assert_ptr_equal(plan.steps[1].want, &want[4]);
	assert_true(plan.steps[1].vlan);
	assert_true(plan.steps[1].guard);
	assert_int_equal(plan.in_step, 3);
	vm_follow_plan_clear(&plan);

	/* one setting off: dhcp-server allowed on a guest's port */
	have[1] = have[0];
	snprintf(have[1].name, sizeof(have[1].name), "b");
	snprintf(have[1].path, sizeof(have[1].path), DIR "/b.sock");
	have[1].guard.dhcp_server = true;
	assert_int_equal(vm_follow_plan_make(DIR, want, 2, have, 2, true, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_ptr_equal(plan.steps[0].want, &want[1]);
	assert_true(plan.steps[0].guard);
	vm_follow_plan_clear(&plan);
}

/* A name the switch has for someone else's port, and a port two domains name. */
static void test_plan_conflicts(void **state)
{
	struct vm_follow_want want[] = {
		want_access("a", "a", DIR "/a.sock", 1),
		want_access("b", "b", DIR "/b.sock", 1),
		want_access("c", "x", DIR "/x.sock", 1),
		want_access("d", "x", DIR "/x.sock", 1),
	};
	struct vm_follow_have have[] = {
		have_port("a", "tap", "", 1),
		have_port("b", "vhost", "/tmp/b.sock", 1),
	};
	struct vm_follow_plan plan;

	assert_int_equal(vm_follow_plan_make(DIR, want, 4, have, 2, true, &plan), 0);
	assert_int_equal(plan.n, 4);
	assert_int_equal(plan.steps[0].kind, VM_FOLLOW_CONFLICT);
	assert_ptr_equal(plan.steps[0].have, &have[0]);
	assert_int_equal(plan.steps[1].kind, VM_FOLLOW_CONFLICT);
	assert_ptr_equal(plan.steps[1].have, &have[1]);
	assert_int_equal(plan.steps[2].kind, VM_FOLLOW_ADD);
	assert_ptr_equal(plan.steps[2].want, &want[2]);
	assert_int_equal(plan.steps[3].kind, VM_FOLLOW_DUPLICATE);
	assert_ptr_equal(plan.steps[3].want, &want[3]);
	assert_ptr_equal(plan.steps[3].first, &want[2]);
	assert_int_equal(plan.ports, 3);
	vm_follow_plan_clear(&plan);
}

/* Nothing named, nothing ours: nothing to do; and an empty switch gets every port. */
static void test_plan_empty(void **state)
{
	struct vm_follow_want want[] = { want_access("a", "a", DIR "/a.sock", 1) };
	struct vm_follow_have have[] = { have_port("host", "tap", "", 1) };
	struct vm_follow_plan plan;

	assert_int_equal(vm_follow_plan_make(DIR, NULL, 0, have, 1, true, &plan), 0);
	assert_int_equal(plan.n, 0);
	vm_follow_plan_clear(&plan);
	assert_int_equal(vm_follow_plan_make(DIR, want, 1, NULL, 0, true, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.steps[0].kind, VM_FOLLOW_ADD);
	vm_follow_plan_clear(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_dir),     cmocka_unit_test(test_vlan_equal),
		cmocka_unit_test(test_plan_start), cmocka_unit_test(test_plan_changed),
		cmocka_unit_test(test_plan_guard), cmocka_unit_test(test_plan_conflicts),
		cmocka_unit_test(test_plan_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

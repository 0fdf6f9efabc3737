/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dispatch (ctl/cmd.c): every command of the grammar has a handler here unless lanctl runs
 * it, and cmd_run refuses what the switch must not run with exactly these messages, before
 * any handler sees it. The handlers' own checks (a VLAN's range, a port that exists) get
 * theirs. Ports are dpdk ports on net_ring devices.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "api/words.h"
#include "ctl/cmd.h"
#include "fwd_env.h"

static const char port_add_usage[] =
        "port add NAME vhost PATH [--server] | port add NAME dpdk DEVARGS | port add NAME tap "
        "IFNAME [--address CIDR]... [--route DEST via GW]... [--netns NS] [--mac MAC] | port "
        "add NAME afxdp IFACE [--queues N] [--mode native|generic] [--zero-copy] [--xdp-prog "
        "OBJ]";
static const char port_set_usage[] =
        "port set NAME vlan N | port set NAME trunk N[,M...] [--native N] | port set NAME "
        "block|unblock MAC | port set NAME mac-limit N [--flood] | port set NAME allowed-mac MAC "
        "[MAC]... | port set NAME arp-guard IP/PREFIX [IP/PREFIX]... | port set NAME "
        "dhcp-server|ra-guard allow|deny | port set NAME storm "
        "broadcast|multicast|unknown-unicast PPS";

static int setup(void **state)
{
	static const unsigned int devs[] = { 0 };

	return env_start(devs, RTE_DIM(devs)); /* p0 */
}

static int teardown(void **state)
{
	return env_stop();
}

/* cmd_run on line: ret and exactly msg ("" on success); *changed as it came out. */
static void expect_run(const char *line, bool from_config, int ret, const char *msg, bool *changed)
{
	static struct words w;
	struct cmd_result res = { 0 };
	const char *why = NULL;

	assert_true(words_split(line, &w, &why) >= 0);
	assert_int_equal(cmd_run(w.argc, w.argv, from_config, changed, &res), ret);
	assert_string_equal(res.err, msg);
	json_object_put(res.json);
}

static void expect_refused(const char *line, bool from_config, const char *msg)
{
	bool changed = true;

	expect_run(line, from_config, -EINVAL, msg, &changed);
	assert_false(changed);
}

static void test_every_command_has_a_handler(void **state)
{
	int id;

	for (id = 0; id < CMD_MAX; id++) {
		if (cmd_defs[id].flags & CMD_LOCAL)
			assert_null(cmd_handlers[id].run);
		else if (cmd_handlers[id].run == NULL)
			fail_msg("%s %s: no handler", cmd_defs[id].words[0],
			         cmd_defs[id].words[1] ? cmd_defs[id].words[1] : "");
	}
}

static void test_refused_before_the_handler(void **state)
{
	char msg[CMD_ERR_MAX];

	expect_refused("port frobnicate", false, "unknown command \"port frobnicate\"");
	expect_refused("frobnicate", true, "unknown command \"frobnicate\"");
	expect_refused("port", false,
	               "incomplete command \"port\": expected add, del, list or set");
	expect_refused("help", false, "\"help\" runs inside lanctl; the switch does not take it");
	expect_refused("help port", true,
	               "\"help\" runs inside lanctl; the switch does not take it");
	expect_refused("port list", true,
	               "\"port list\" only reads; it has no place in a configuration file");
	snprintf(msg, sizeof(msg),
	         "port add: expected vhost, dpdk, tap or afxdp, got \"frob\" (usage: %s)",
	         port_add_usage);
	expect_refused("port add x frob y", false, msg);
	expect_refused("port del", false, "port del: missing NAME (usage: port del NAME)");
	expect_refused("port del p0 p1", false,
	               "port del: unexpected \"p1\" (usage: port del NAME)");
	expect_refused("fdb set aging", true,
	               "fdb set: missing SECONDS after \"aging\" (usage: fdb set aging SECONDS)");
	expect_refused("stats now", false, "stats: unexpected \"now\" (usage: stats)");
	assert_non_null(port_find("p0"));
}

static void test_handlers_check_meaning(void **state)
{
	char msg[CMD_ERR_MAX];
	bool changed = false;

	expect_refused("port set p0 vlan 4095", false, "bad VLAN \"4095\": expected 1-4094");
	expect_refused("port set p0 trunk 10 --native 0", false,
	               "bad native VLAN \"0\": expected 1-4094");
	snprintf(msg, sizeof(msg), "port \"p0\": a dpdk port has no setting \"block\" (usage: %s)",
	         port_set_usage);
	expect_refused("port set p0 block 02:00:00:00:00:01", false, msg);
	expect_refused("fdb set aging -1", false,
	               "bad aging time \"-1\": expected 0 (never) to 1000000 seconds");
	expect_run("fdb add 02:00:00:00:00:01 p0 vlan 0", false, -ERANGE,
	           "bad VLAN \"0\": expected 1-4094", &changed);
	expect_run("port set p0 trunk 10,20 --native 30", false, 0, "", &changed);
	assert_true(changed);
	assert_int_equal(port_find("p0")->vlan->pvid, 30);
	expect_run("fdb add 02:00:00:00:00:01 p0 vlan 20", false, 0, "", &changed);
	assert_true(changed);
	expect_run("fdb flush p0", false, 0, "", &changed);
	assert_false(changed); /* learned entries are no configuration */
	expect_run("fdb del 02:00:00:00:00:01 vlan 20", false, 0, "", &changed);
	assert_true(changed);
	expect_run("port list", false, 0, "", &changed);
	assert_false(changed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_has_a_handler),
		cmocka_unit_test_setup_teardown(test_refused_before_the_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handlers_check_meaning, setup, teardown),
	};

	return env_main("cmd", tests, RTE_DIM(tests));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command grammar (api/grammar.h): the table is whole and every form in it can be read,
 * commands are found by their words, every command's good forms match and its bad ones get
 * exactly the message that names the furthest word any form reached. No DPDK: lanctl links
 * the same code.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/grammar.h"
#include "api/words.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* A command line as a user types it, split as the config file splits it. */
static void split(const char *line, struct words *w)
{
	const char *why = NULL;

	assert_true(words_split(line, w, &why) >= 0);
}

/* line is found and its arguments match; nwords is how many words named the command. */
static void expect_ok(const char *line, enum cmd_id id)
{
	static struct words w;
	char err[GRAMMAR_ERR_MAX] = "";
	const struct cmd_def *def;
	int nwords = -1;

	split(line, &w);
	def = grammar_find(w.argc, w.argv, &nwords, err, sizeof(err));
	if (def == NULL)
		fail_msg("\"%s\": %s", line, err);
	assert_int_equal(grammar_id(def), id);
	if (grammar_check(def, w.argc - nwords, w.argv + nwords, err, sizeof(err)) != 0)
		fail_msg("\"%s\": %s", line, err);
}

/* line is found, but no form matches: exactly msg. */
static void expect_bad(const char *line, const char *msg)
{
	static struct words w;
	char err[GRAMMAR_ERR_MAX] = "";
	const struct cmd_def *def;
	int nwords = -1;

	split(line, &w);
	def = grammar_find(w.argc, w.argv, &nwords, err, sizeof(err));
	if (def == NULL)
		fail_msg("\"%s\": %s", line, err);
	assert_int_equal(grammar_check(def, w.argc - nwords, w.argv + nwords, err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, msg);
}

/* line names no command: exactly msg. */
static void expect_unknown(const char *line, const char *msg)
{
	static struct words w;
	char err[GRAMMAR_ERR_MAX] = "";
	int nwords = -1;

	split(line, &w);
	assert_null(grammar_find(w.argc, w.argv, &nwords, err, sizeof(err)));
	assert_string_equal(err, msg);
}

static void test_table_is_whole(void **state)
{
	const struct cmd_def *d, *e;
	const char *why;
	int k;

	for (d = cmd_defs; d < cmd_defs + CMD_MAX; d++) {
		/* a def left out of the designated initializers is all zero */
		assert_non_null(d->words[0]);
		assert_non_null(d->help);
		assert_non_null(d->forms[0].args);
		assert_false((d->flags & CMD_LOCAL) && (d->flags & (CMD_CHANGES | CMD_QUERY)));
		assert_false((d->flags & CMD_CHANGES) && (d->flags & CMD_QUERY));
		for (k = 0; k < CMD_FORMS_MAX && d->forms[k].args != NULL; k++) {
			why = NULL;
			if (grammar_form_check(d->forms[k].args, &why) != 0)
				fail_msg("%s %s: form \"%s\": %s", d->words[0],
				         d->words[1] ? d->words[1] : "", d->forms[k].args, why);
		}
		/* every form after a gap would never be read */
		for (; k < CMD_FORMS_MAX; k++)
			assert_null(d->forms[k].args);
		for (e = cmd_defs; e < d; e++) {
			/* unique words; a one-word command is never also a group */
			assert_false(strcmp(e->words[0], d->words[0]) == 0 &&
			             (e->words[1] == NULL || d->words[1] == NULL ||
			              strcmp(e->words[1], d->words[1]) == 0));
		}
	}
}

static void test_bad_forms_are_refused(void **state)
{
	static const struct {
		const char *form, *why;
	} bad[] = {
		{ "NAME [--x", "\"[\" without \"]\"" },
		{ "NAME ]", "\"]\" without \"[\"" },
		{ "NAME []", "an empty group" },
		{ "a||b", "an empty alternative" },
		{ "|a", "an empty alternative" },
		{ "aB", "a literal holds upper case, \"[\" or \".\"" },
		{ "N[,M...", "\"[\" without \"]\" in a word" },
		{ "[a]b", "a word right after \"]\"" },
	};
	const char *why;
	size_t i;

	for (i = 0; i < DIM(bad); i++) {
		why = NULL;
		assert_int_equal(grammar_form_check(bad[i].form, &why), -EINVAL);
		assert_string_equal(why, bad[i].why);
	}
	assert_int_equal(grammar_form_check("", &why), 0);
	assert_int_equal(grammar_form_check("[A [B]]... x|y N[,M...] [--o V]...", &why), 0);
}

static void test_find(void **state)
{
	char err[GRAMMAR_ERR_MAX] = "";
	char *none[] = { NULL };
	int nwords;

	expect_ok("port list", CMD_PORT_LIST);
	expect_ok("stats", CMD_STATS);
	expect_ok("config show", CMD_CONFIG_SHOW);
	expect_ok("help", CMD_HELP);
	expect_unknown("port frobnicate", "unknown command \"port frobnicate\"");
	expect_unknown("frobnicate", "unknown command \"frobnicate\"");
	expect_unknown("frobnicate now", "unknown command \"frobnicate\"");
	expect_unknown("port", "incomplete command \"port\": expected add, del, list or set");
	expect_unknown("fdb", "incomplete command \"fdb\": expected show, add, del, flush or set");
	expect_unknown("config", "incomplete command \"config\": expected show");
	expect_unknown("vm", "incomplete command \"vm\": expected attach, detach, list, convert, "
	                     "follow or start-order");
	expect_unknown("Port list", "unknown command \"Port\"");
	assert_null(grammar_find(0, none, &nwords, err, sizeof(err)));
	assert_string_equal(err, "empty command");
	assert_true(grammar_is_group("port"));
	assert_true(grammar_is_group("config"));
	assert_false(grammar_is_group("stats"));
	assert_false(grammar_is_group("add"));
}

static void test_port_add(void **state)
{
	expect_ok("port add g0 vhost /run/g0.sock", CMD_PORT_ADD);
	expect_ok("port add g0 vhost /run/g0.sock --server", CMD_PORT_ADD);
	expect_ok("port add p0 dpdk 0000:03:00.0", CMD_PORT_ADD);
	expect_ok("port add p0 dpdk net_pcap0,rx_pcap=/x.pcap", CMD_PORT_ADD);
	expect_ok("port add h tap lanhost", CMD_PORT_ADD);
	/* options in any order, --address and --route as often as wanted */
	expect_ok("port add h tap lanhost --address 192.168.1.2/24 --route default via 192.168.1.1",
	          CMD_PORT_ADD);
	expect_ok("port add h tap h0 --mac 02:00:00:00:00:01 --netns ns1 --address 10.0.0.2/24 "
	          "--route 10.1.0.0/16 via 10.0.0.1 --address fd00::2/64 --route default via "
	          "10.0.0.1",
	          CMD_PORT_ADD);
	expect_ok("port add lan afxdp eth_upper", CMD_PORT_ADD);
	expect_ok("port add lan afxdp up0 --xdp-prog /x.o --zero-copy --mode generic --queues 2",
	          CMD_PORT_ADD);
	expect_ok("port add lan afxdp up0 --mode native", CMD_PORT_ADD);
	/* a value that only looks like a number or a dash is the value's own business */
	expect_ok("port add lan afxdp up0 --queues -1", CMD_PORT_ADD);

	expect_bad("port add", "port add: missing NAME");
	expect_bad("port add g0", "port add: missing vhost, dpdk, tap or afxdp after \"g0\"");
	expect_bad("port add x frob y",
	           "port add: expected vhost, dpdk, tap or afxdp, got \"frob\"");
	expect_bad("port add g0 vhost", "port add: missing PATH after \"vhost\"");
	expect_bad("port add g0 vhost /x.sock --client", "port add: unknown option \"--client\"");
	expect_bad("port add g0 vhost /x.sock server", "port add: unexpected \"server\"");
	expect_bad("port add g0 vhost /x.sock --server --server",
	           "port add: \"--server\" given twice");
	expect_bad("port add p0 dpdk", "port add: missing DEVARGS after \"dpdk\"");
	expect_bad("port add p0 dpdk a b", "port add: unexpected \"b\"");
	expect_bad("port add h tap", "port add: missing IFNAME after \"tap\"");
	expect_bad("port add h tap h0 --address", "port add: missing CIDR after \"--address\"");
	expect_bad("port add h tap h0 --route default 10.0.0.1",
	           "port add: expected via, got \"10.0.0.1\"");
	expect_bad("port add h tap h0 --route default via", "port add: missing GW after \"via\"");
	expect_bad("port add h tap h0 --netns a --mac 02:00:00:00:00:01 --netns b",
	           "port add: \"--netns\" given twice");
	expect_bad("port add h tap h0 --foo", "port add: unknown option \"--foo\"");
	expect_bad("port add h tap --netns ns1", "port add: expected IFNAME, got \"--netns\"");
	expect_bad("port add lan afxdp", "port add: missing IFACE after \"afxdp\"");
	expect_bad("port add lan afxdp --queues 2", "port add: expected IFACE, got \"--queues\"");
	expect_bad("port add lan afxdp up0 --queues", "port add: missing N after \"--queues\"");
	expect_bad("port add lan afxdp up0 --queues --zero-copy",
	           "port add: expected N, got \"--zero-copy\"");
	expect_bad("port add lan afxdp up0 --mode turbo",
	           "port add: expected native or generic, got \"turbo\"");
	expect_bad("port add lan afxdp up0 --frob", "port add: unknown option \"--frob\"");
	/* an option of another form is unknown to this one */
	expect_bad("port add lan afxdp up0 --server", "port add: unknown option \"--server\"");
}

static void test_port_del_list_set(void **state)
{
	expect_ok("port del g0", CMD_PORT_DEL);
	expect_bad("port del", "port del: missing NAME");
	expect_bad("port del g0 g1", "port del: unexpected \"g1\"");
	expect_bad("port del --all", "port del: expected NAME, got \"--all\"");

	expect_ok("port list", CMD_PORT_LIST);
	expect_bad("port list x", "port list: unexpected \"x\"");
	expect_bad("port list --all", "port list: unknown option \"--all\"");

	expect_ok("port set g0 vlan 10", CMD_PORT_SET);
	expect_ok("port set g0 vlan 5000", CMD_PORT_SET); /* the range is the handler's */
	expect_ok("port set g0 trunk 10,20", CMD_PORT_SET);
	expect_ok("port set g0 trunk 10 --native 20", CMD_PORT_SET);
	expect_ok("port set lan block 02:00:00:00:00:01", CMD_PORT_SET);
	expect_ok("port set lan unblock 02:00:00:00:00:01", CMD_PORT_SET);
	expect_bad("port set", "port set: missing NAME");
	expect_bad("port set g0",
	           "port set: missing vlan, trunk, block, unblock, mac-limit, allowed-mac, "
	           "arp-guard, dhcp-server, ra-guard or storm after \"g0\"");
	expect_bad("port set g0 frob 1",
	           "port set: expected vlan, trunk, block, unblock, mac-limit, allowed-mac, "
	           "arp-guard, dhcp-server, ra-guard or storm, got "
	           "\"frob\"");
	expect_bad("port set g0 vlan", "port set: missing N after \"vlan\"");
	expect_bad("port set g0 vlan 10 20", "port set: unexpected \"20\"");
	expect_bad("port set g0 trunk", "port set: missing N[,M...] after \"trunk\"");
	expect_bad("port set g0 trunk 10 --native", "port set: missing N after \"--native\"");
	expect_bad("port set g0 trunk 10 native 20", "port set: unexpected \"native\"");
	expect_bad("port set g0 trunk 10 --nativ 20", "port set: unknown option \"--nativ\"");
	expect_bad("port set g0 trunk 10 --native 2 --native 3",
	           "port set: \"--native\" given twice");
	expect_bad("port set lan block", "port set: missing MAC after \"block\"");
}

static void test_fdb_and_the_rest(void **state)
{
	expect_ok("fdb show", CMD_FDB_SHOW);
	expect_bad("fdb show x", "fdb show: unexpected \"x\"");
	expect_ok("fdb add 02:00:00:00:00:01 g0", CMD_FDB_ADD);
	expect_ok("fdb add 02:00:00:00:00:01 g0 vlan 10", CMD_FDB_ADD);
	expect_bad("fdb add", "fdb add: missing MAC");
	expect_bad("fdb add 02:00:00:00:00:01",
	           "fdb add: missing PORT after \"02:00:00:00:00:01\"");
	expect_bad("fdb add 02:00:00:00:00:01 g0 vlan", "fdb add: missing N after \"vlan\"");
	expect_bad("fdb add 02:00:00:00:00:01 g0 vlan 10 vlan 20", "fdb add: unexpected \"vlan\"");
	expect_bad("fdb add 02:00:00:00:00:01 g0 10", "fdb add: expected vlan, got \"10\"");
	expect_ok("fdb del 02:00:00:00:00:01", CMD_FDB_DEL);
	expect_ok("fdb del 02:00:00:00:00:01 vlan 10", CMD_FDB_DEL);
	expect_bad("fdb del", "fdb del: missing MAC");
	expect_bad("fdb del 02:00:00:00:00:01 g0", "fdb del: expected vlan, got \"g0\"");
	expect_ok("fdb flush", CMD_FDB_FLUSH);
	expect_ok("fdb flush g0", CMD_FDB_FLUSH);
	expect_bad("fdb flush g0 g1", "fdb flush: unexpected \"g1\"");
	expect_ok("fdb set aging 300", CMD_FDB_SET);
	expect_ok("fdb set aging -1", CMD_FDB_SET); /* refused by the handler, with its range */
	expect_bad("fdb set", "fdb set: missing aging");
	expect_bad("fdb set aging", "fdb set: missing SECONDS after \"aging\"");
	expect_bad("fdb set age 3", "fdb set: expected aging, got \"age\"");

	expect_ok("stats", CMD_STATS);
	expect_bad("stats now", "stats: unexpected \"now\"");
	expect_ok("config show", CMD_CONFIG_SHOW);
	expect_bad("config show all", "config show: unexpected \"all\"");
	expect_ok("vm attach ha", CMD_VM_ATTACH);
	expect_ok("vm attach ha --add --queues 1 --mac 52:54:00:00:00:01 --vlan 10", CMD_VM_ATTACH);
	expect_ok("vm attach ha --trunk 10,20 --native 1 --socket-dir /srv/vhost", CMD_VM_ATTACH);
	expect_bad("vm attach", "vm attach: missing DOMAIN");
	expect_bad("vm attach ha --native 1", "vm attach: unknown option \"--native\"");
	expect_bad("vm attach ha --trunk 10 --vlan 2 --native 1",
	           "vm attach: unknown option \"--native\"");
	expect_bad("vm attach ha --vlan", "vm attach: missing N after \"--vlan\"");
	expect_ok("vm attach pf --dhcp-server --vlan 10", CMD_VM_ATTACH);
	expect_bad("vm attach pf --dhcp-server pf", "vm attach: unexpected \"pf\"");
	expect_ok("vm detach ha", CMD_VM_DETACH);
	expect_bad("vm detach ha pf", "vm detach: unexpected \"pf\"");
	expect_ok("vm list", CMD_VM_LIST);
	expect_bad("vm list ha", "vm list: unexpected \"ha\"");
	expect_ok("vm convert ha --bridge br0", CMD_VM_CONVERT);
	expect_ok("vm convert ha pf win --bridge br0 --dry-run --model-virtio", CMD_VM_CONVERT);
	expect_ok("vm convert --all --bridge br0 --socket-dir /srv/vhost --dry-run",
	          CMD_VM_CONVERT);
	/* a required literal option is named in the message, unlike an optional one */
	expect_ok("vm convert ha pf --bridge br0 --dhcp-server pf --dry-run --dhcp-server ha",
	          CMD_VM_CONVERT);
	expect_ok("vm convert --all --bridge br0 --dhcp-server pf", CMD_VM_CONVERT);
	expect_bad("vm convert --all --bridge br0 --dhcp-server",
	           "vm convert: missing DOMAIN after \"--dhcp-server\"");
	expect_bad("vm convert", "vm convert: missing DOMAIN or --all");
	expect_bad("vm convert ha", "vm convert: missing DOMAIN or --bridge after \"ha\"");
	expect_bad("vm convert ha --dry-run", "vm convert: expected DOMAIN or --bridge, got "
	                                      "\"--dry-run\"");
	expect_bad("vm convert --all ha --bridge br0", "vm convert: expected --bridge, got \"ha\"");
	expect_bad("vm convert --all", "vm convert: missing --bridge after \"--all\"");
	expect_bad("vm convert ha --bridge br0 --all", "vm convert: unknown option \"--all\"");

	expect_ok("help", CMD_HELP);
	expect_ok("help port", CMD_HELP);
	expect_ok("help port add", CMD_HELP);
	expect_bad("help port add x", "help: unexpected \"x\"");
}

/* The syntax on forms of its own: nesting, repeated positional groups, option runs. */
static void test_syntax(void **state)
{
	static const struct cmd_def def = {
		.words = { "t", NULL },
		.forms = {
			{ "A [b B [c C]] [x|y D]... [--o V]... [--p] [--q W X] end [--r]", NULL },
			{ "z [--a] [--b] P", NULL },
		},
		.help = "a test",
	};
	static const struct {
		const char *line, *msg; /* msg NULL: matches */
	} cases[] = {
		{ "a end", NULL },
		{ "a b 1 c 2 end", NULL },
		{ "a b 1 end", NULL },
		{ "a b", "t: missing B after \"b\"" },
		{ "a b 1 c 2 d end", "t: expected x, y or end, got \"d\"" },
		{ "a x 1 y 2 x 3 end", NULL },
		{ "a b 1 x 1 end", NULL },
		{ "a x", "t: missing D after \"x\"" },
		{ "a", "t: missing b, x, y or end after \"a\"" },
		{ "a --o 1 --q 2 3 --o 4 --p end --r", NULL },
		{ "a --p --o 1 end", NULL },
		{ "a x 1 --p x 2 end", "t: expected end, got \"x\"" },
		{ "a --p --p end", "t: \"--p\" given twice" },
		{ "a --q 2", "t: missing X after \"2\"" },
		{ "a --q 2 --p end", "t: expected X, got \"--p\"" },
		{ "a end --r --r", "t: \"--r\" given twice" },
		{ "a end --o 1", "t: unknown option \"--o\"" },
		{ "z p", NULL },
		{ "z --b --a p", NULL },
		{ "z --b", "t: missing P after \"--b\"" },
		{ "--a", "t: expected A or z, got \"--a\"" },
		{ "", "t: missing A or z" },
	};
	static struct words w;
	char err[GRAMMAR_ERR_MAX];
	size_t i;

	for (i = 0; i < DIM(cases); i++) {
		split(cases[i].line, &w);
		err[0] = '\0';
		if (cases[i].msg == NULL) {
			if (grammar_check(&def, w.argc, w.argv, err, sizeof(err)) != 0)
				fail_msg("\"%s\": %s", cases[i].line, err);
			continue;
		}
		assert_int_equal(grammar_check(&def, w.argc, w.argv, err, sizeof(err)), -EINVAL);
		if (strcmp(err, cases[i].msg) != 0)
			fail_msg("\"%s\": got [%s], expected [%s]", cases[i].line, err,
			         cases[i].msg);
	}
}

/*
 * A literal option outside brackets is required where it stands: "expected" names it when it
 * is missing, as it names any other word a form needs there; optional options it leaves out.
 */
static void test_required_option(void **state)
{
	static const struct cmd_def def = {
		.words = { "t", NULL },
		.forms = {
			{ "A [A]... --to B [--o] [--p V]", NULL },
			{ "--every --to B [--o]", NULL },
		},
		.help = "a test",
	};
	static const struct {
		const char *line, *msg; /* msg NULL: matches */
	} cases[] = {
		{ "a --to b", NULL },
		{ "a a2 a3 --to b --p 1 --o", NULL },
		{ "--every --to b --o", NULL },
		{ "", "t: missing A or --every" },
		{ "a", "t: missing A or --to after \"a\"" },
		{ "a --o", "t: expected A or --to, got \"--o\"" },
		{ "--every b", "t: expected --to, got \"b\"" },
		{ "--every --to", "t: missing B after \"--to\"" },
		{ "a --to b --every", "t: unknown option \"--every\"" },
		{ "a --to b c", "t: unexpected \"c\"" },
	};
	static struct words w;
	char err[GRAMMAR_ERR_MAX];
	size_t i;
	int rc;

	for (i = 0; i < DIM(cases); i++) {
		split(cases[i].line, &w);
		err[0] = '\0';
		rc = grammar_check(&def, w.argc, w.argv, err, sizeof(err));
		if (cases[i].msg == NULL && rc != 0)
			fail_msg("\"%s\": %s", cases[i].line, err);
		if (cases[i].msg != NULL && (rc != -EINVAL || strcmp(err, cases[i].msg) != 0))
			fail_msg("\"%s\": got [%s], expected [%s]", cases[i].line, err,
			         cases[i].msg);
	}
}

static void test_usage(void **state)
{
	char buf[GRAMMAR_ERR_MAX];

	grammar_usage(&cmd_defs[CMD_PORT_SET], " | ", buf, sizeof(buf));
	assert_string_equal(buf, "port set NAME vlan N | port set NAME trunk N[,M...] [--native N] "
	                         "| port set NAME block|unblock MAC | port set NAME mac-limit N "
	                         "[--flood] | port set NAME allowed-mac MAC [MAC]... | port set "
	                         "NAME arp-guard IP/PREFIX [IP/PREFIX]... | port set NAME "
	                         "dhcp-server|ra-guard allow|deny | port set NAME storm "
	                         "broadcast|multicast|unknown-unicast PPS");
	grammar_usage(&cmd_defs[CMD_STATS], " | ", buf, sizeof(buf));
	assert_string_equal(buf, "stats");
	grammar_name(&cmd_defs[CMD_FDB_FLUSH], buf, sizeof(buf));
	assert_string_equal(buf, "fdb flush");
	/* cut short, never past the buffer */
	assert_int_equal(grammar_usage(&cmd_defs[CMD_FDB_ADD], "|", buf, 9), 25);
	assert_string_equal(buf, "fdb add ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_whole),
		cmocka_unit_test(test_bad_forms_are_refused),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_port_add),
		cmocka_unit_test(test_port_del_list_set),
		cmocka_unit_test(test_fdb_and_the_rest),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_required_option),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests_name("grammar", tests, NULL, NULL);
}

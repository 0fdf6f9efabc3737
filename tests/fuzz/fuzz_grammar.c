/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Each command's argument parsing, short of running it: the input split into words
 * (api/words.c), the command found (grammar_find) and its words checked against its forms
 * (grammar_check), as lanswitchd does before a handler runs and lanctl before it sends; then
 * every word through the handlers' own parsers that need no DPDK (a VLAN, a VLAN list and the
 * trunk built from it, an address prefix). Errors must be whole strings within their buffer;
 * what a parser accepts must be in its range.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "api/grammar.h"
#include "api/words.h"
#include "ctl/netlink.h"
#include "ctl/vlan_ctl.h"
#include "fuzz.h"

static void fuzz_vlan(const char *word)
{
	uint16_t vid, vids[VLAN_MAX];
	struct vlan_set *v;
	unsigned int n, i;

	if (vlan_parse_id(word, &vid) == 0)
		FUZZ_CHECK(vid >= 1 && vid <= VLAN_MAX);
	/* as "port set NAME trunk N[,M...]" takes it */
	if (vlan_parse_list(word, vids, VLAN_MAX, &n) != 0)
		return;
	FUZZ_CHECK(n >= 1 && n <= VLAN_MAX);
	v = vlan_trunk_new(vids, n, 0);
	FUZZ_CHECK(v != NULL && v->pvid == 0);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(vids[i] >= 1 && vids[i] <= VLAN_MAX && vlan_member(v, vids[i]));
	free(v);
}

/* "--address CIDR", "--route DEST via GW": with a length, and a host without one */
static void fuzz_prefix(const char *word)
{
	struct netlink_prefix p;
	int need_len;

	for (need_len = 0; need_len <= 1; need_len++) {
		if (netlink_prefix_parse(word, need_len, &p) != 0)
			continue;
		FUZZ_CHECK((p.family == AF_UNSPEC && p.len == 0) ||
		           (p.family == AF_INET && p.len <= 32) ||
		           (p.family == AF_INET6 && p.len <= 128));
	}
}

static void fuzz_command(int argc, char **argv)
{
	const struct cmd_def *def;
	char err[GRAMMAR_ERR_MAX], usage[4096];
	int nwords, ret;

	err[0] = '\0';
	def = grammar_find(argc, argv, &nwords, err, sizeof(err));
	if (def == NULL) {
		FUZZ_CHECK(strlen(err) > 0);
		return;
	}
	FUZZ_CHECK(def >= cmd_defs && def < cmd_defs + CMD_MAX);
	FUZZ_CHECK(nwords >= 1 && nwords <= CMD_WORDS_MAX && nwords <= argc);
	FUZZ_CHECK(grammar_usage(def, " | ", usage, sizeof(usage)) > 0);
	err[0] = '\0';
	ret = grammar_check(def, argc - nwords, argv + nwords, err, sizeof(err));
	FUZZ_CHECK(ret == 0 || (ret == -EINVAL && strlen(err) > 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct words *w = malloc(sizeof(*w));
	const char *why;
	char *line = fuzz_cstr(data, size);
	int i;

	FUZZ_CHECK(w != NULL);
	if (words_split(line, w, &why) < 0)
		goto out;
	fuzz_command(w->argc, w->argv);
	for (i = 0; i < w->argc; i++) {
		fuzz_vlan(w->argv[i]);
		fuzz_prefix(w->argv[i]);
	}
out:
	free(line);
	free(w);
	return 0;
}

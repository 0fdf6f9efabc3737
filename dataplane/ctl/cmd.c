/* SPDX-License-Identifier: BSD-3-Clause */
/* Finding, checking and dispatching commands; the handlers live in cmd_port.c, cmd_fdb.c,
 * cmd_probe.c, cmd_misc.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/cmd.h"

/* one per line, in cmd_id's order (clang-format packs a long table in columns) */
/* clang-format off */
const struct cmd_handler cmd_handlers[CMD_MAX] = {
	[CMD_PORT_ADD] = { cmd_port_add },
	[CMD_PORT_DEL] = { cmd_port_del },
	[CMD_PORT_LIST] = { cmd_port_list },
	[CMD_PORT_SET] = { cmd_port_set },
	[CMD_FDB_SHOW] = { cmd_fdb_show },
	[CMD_FDB_ADD] = { cmd_fdb_add },
	[CMD_FDB_DEL] = { cmd_fdb_del },
	[CMD_FDB_FLUSH] = { cmd_fdb_flush },
	[CMD_FDB_SET] = { cmd_fdb_set },
	[CMD_WORKER_SET] = { cmd_worker_set },
	[CMD_STATS] = { cmd_stats },
	[CMD_CONFIG_SHOW] = { cmd_config_show },
	[CMD_MONITOR] = { cmd_monitor },
	[CMD_HOSTS] = { cmd_hosts },
	[CMD_PROBE] = { cmd_probe },
	/* CMD_HELP: lanctl's own */
};
/* clang-format on */

/* One line, for a config file or a raw client: what went wrong, then the command's forms. */
int cmd_usage(const struct cmd_def *def, struct cmd_result *res)
{
	size_t len = strlen(res->err);
	char usage[CMD_ERR_MAX];

	grammar_usage(def, " | ", usage, sizeof(usage));
	snprintf(res->err + len, sizeof(res->err) - len, len > 0 ? " (usage: %s)" : "usage: %s",
	         usage);
	return -EINVAL;
}

const struct cmd_def *cmd_check(int argc, char **argv, bool from_config, int *nwords,
                                struct cmd_result *res)
{
	const struct cmd_def *def;
	char name[64];

	def = grammar_find(argc, argv, nwords, res->err, sizeof(res->err));
	if (def == NULL)
		return NULL;
	grammar_name(def, name, sizeof(name));
	if (def->flags & CMD_LOCAL) {
		/* lanctl never sends one: a raw client or a config file line did */
		snprintf(res->err, sizeof(res->err),
		         "\"%s\" runs inside lanctl; the switch does not take it", name);
		return NULL;
	}
	if (cmd_handlers[grammar_id(def)].run == NULL) {
		/* cmd_test proves there is none such; a crash would cost every port */
		snprintf(res->err, sizeof(res->err), "\"%s\": no handler in this lanswitchd", name);
		return NULL;
	}
	if (from_config && (def->flags & CMD_QUERY)) {
		snprintf(res->err, sizeof(res->err),
		         "\"%s\" only reads; it has no place in a configuration file", name);
		return NULL;
	}
	if (grammar_check(def, argc - *nwords, argv + *nwords, res->err, sizeof(res->err)) < 0) {
		cmd_usage(def, res);
		return NULL;
	}
	return def;
}

int cmd_run(int argc, char **argv, bool from_config, bool *changed, struct cmd_result *res)
{
	const struct cmd_def *def;
	int nwords, ret;

	*changed = false;
	def = cmd_check(argc, argv, from_config, &nwords, res);
	if (def == NULL)
		return -EINVAL;
	ret = cmd_handlers[grammar_id(def)].run(def, argc - nwords, argv + nwords, res);
	if (ret == 0 && (def->flags & CMD_CHANGES))
		*changed = true;
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* Command lookup and dispatch; the handlers live in cmd_port.c, cmd_fdb.c, cmd_misc.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/cmd.h"

static const struct cmd *const cmd_tables[] = { cmd_port_table, cmd_fdb_table, cmd_misc_table };

static bool cmd_group_known(const char *word)
{
	size_t t;
	const struct cmd *c;

	for (t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++)
		for (c = cmd_tables[t]; c->words[0] != NULL; c++)
			if (strcmp(c->words[0], word) == 0)
				return true;
	return false;
}

const struct cmd *cmd_find(int argc, char **argv, int *nwords)
{
	const struct cmd *c;
	size_t t;

	for (t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++) {
		for (c = cmd_tables[t]; c->words[0] != NULL; c++) {
			if (argc < 1 || strcmp(c->words[0], argv[0]) != 0)
				continue;
			if (c->words[1] == NULL) {
				*nwords = 1;
				return c;
			}
			if (argc >= 2 && strcmp(c->words[1], argv[1]) == 0) {
				*nwords = 2;
				return c;
			}
		}
	}
	return NULL;
}

int cmd_usage(const struct cmd *c, struct cmd_result *res)
{
	snprintf(res->err, sizeof(res->err), "usage: %s", c->usage);
	return -EINVAL;
}

int cmd_run(int argc, char **argv, bool from_config, bool *changed, struct cmd_result *res)
{
	const struct cmd *c;
	int nwords, ret;

	*changed = false;
	if (argc == 0) {
		snprintf(res->err, sizeof(res->err), "empty command");
		return -EINVAL;
	}
	c = cmd_find(argc, argv, &nwords);
	if (c == NULL) {
		if (argc >= 2 && cmd_group_known(argv[0]))
			snprintf(res->err, sizeof(res->err), "unknown command \"%s %s\"", argv[0],
			         argv[1]);
		else
			snprintf(res->err, sizeof(res->err), "unknown command \"%s\"", argv[0]);
		return -EINVAL;
	}
	if (from_config && (c->flags & CMD_QUERY)) {
		snprintf(res->err, sizeof(res->err),
		         "\"%s%s%s\" only reads; it has no place in a "
		         "configuration file",
		         c->words[0], c->words[1] ? " " : "", c->words[1] ? c->words[1] : "");
		return -EINVAL;
	}
	ret = c->run(argc - nwords, argv + nwords, res);
	if (ret == 0 && (c->flags & CMD_CHANGES))
		*changed = true;
	return ret;
}

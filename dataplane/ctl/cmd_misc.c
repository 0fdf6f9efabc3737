/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl/cmd.h"
#include "ctl/config.h"
#include "ctl/worker_ctl.h"

static int cmd_stats(int argc, char **argv, struct cmd_result *res)
{
	if (argc != 0)
		return cmd_usage(&cmd_misc_table[0], res);
	res->json = worker_stats_json();
	return 0;
}

static int cmd_config_show(int argc, char **argv, struct cmd_result *res)
{
	struct json_object *lines;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;

	if (argc != 0)
		return cmd_usage(&cmd_misc_table[1], res);
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -errno;
	config_describe(f);
	fclose(f);
	lines = json_object_new_array();
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		json_object_array_add(lines, json_object_new_string(line));
	free(buf);
	res->json = json_object_new_object();
	json_object_object_add(res->json, "lines", lines);
	return 0;
}

const struct cmd cmd_misc_table[] = {
	{ { "stats", NULL }, "stats", CMD_QUERY, cmd_stats },
	{ { "config", "show" }, "config show", CMD_QUERY, cmd_config_show },
	{ { NULL, NULL }, NULL, 0, NULL },
};

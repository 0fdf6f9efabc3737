/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl/cmd.h"
#include "ctl/config.h"
#include "ctl/hosts.h"
#include "ctl/worker_ctl.h"

int cmd_stats(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(o, "workers", worker_stats_json());
	json_object_object_add(o, "mbuf_pool", worker_pool_json());
	res->json = o;
	return 0;
}

/* "mode adaptive|poll", "idle-us N": the grammar let only these through */
int cmd_worker_set(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	unsigned long v;
	char *end;

	if (strcmp(argv[0], "mode") == 0) {
		worker_set_mode(strcmp(argv[1], "poll") == 0 ? WORKER_POLL : WORKER_ADAPTIVE);
		return 0;
	}
	errno = 0;
	v = strtoul(argv[1], &end, 10);
	if (argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' || errno != 0 || v < 1 ||
	    v > WORKER_IDLE_US_MAX) {
		snprintf(res->err, sizeof(res->err),
		         "bad idle time \"%s\": expected 1 to %u microseconds", argv[1],
		         WORKER_IDLE_US_MAX);
		return -EINVAL;
	}
	worker_set_idle_us((uint32_t)v);
	return 0;
}

int cmd_config_show(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	struct json_object *lines;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;

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
	config_state_report(res->json);
	return 0;
}

/* The connection becomes a stream of events (ctl_server.c sends them). */
int cmd_monitor(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	res->subscribe = true;
	return 0;
}

int cmd_hosts(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	res->json = hosts_json(worker_clock());
	return 0;
}

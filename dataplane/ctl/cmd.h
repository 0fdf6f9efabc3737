/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Commands: the one grammar of the config file, the state file and lanctl. A command is a
 * list of words; cmd_run() finds it in the table and runs its handler on the control
 * thread.
 */
#ifndef LANSWITCH_CMD_H
#define LANSWITCH_CMD_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

#define CMD_ERR_MAX 512

struct cmd_result {
	struct json_object *json; /* the reply's "result"; NULL means {} */
	char err[CMD_ERR_MAX];
};

enum cmd_flags {
	CMD_CHANGES = 1 << 0, /* changes the configuration: saved to the state file */
	CMD_QUERY = 1 << 1,   /* only reads: not allowed in a config file */
};

struct cmd {
	const char *words[2]; /* "port" "add"; words[1] NULL for one-word commands */
	const char *usage;
	unsigned int flags;
	int (*run)(int argc, char **argv, struct cmd_result *res); /* argv after the words */
};

/* Find the command; with CMD_CHANGES set on success, *changed tells the caller to save. */
int cmd_run(int argc, char **argv, bool from_config, bool *changed, struct cmd_result *res);
const struct cmd *cmd_find(int argc, char **argv, int *nwords);
int cmd_usage(const struct cmd *c, struct cmd_result *res);

extern const struct cmd cmd_port_table[];
extern const struct cmd cmd_fdb_table[];
extern const struct cmd cmd_misc_table[];

#endif

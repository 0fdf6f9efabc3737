/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Commands on the control thread: cmd_run() finds a command in the grammar (api/grammar.h,
 * the one table of the config file, the state file, the control socket and lanctl), checks
 * its words against the command's forms and calls its handler from cmd_handlers[]. A
 * handler gets its own entry of the grammar, for its usage, and only words that match one of
 * its forms: what is left to it is what the words mean (a VLAN's range, a port that exists).
 */
#ifndef LANSWITCH_CMD_H
#define LANSWITCH_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "api/grammar.h"

struct json_object;

#define CMD_ERR_MAX 512

struct cmd_result {
	struct json_object *json; /* the reply's "result"; NULL means {} */
	char err[CMD_ERR_MAX];
	bool subscribe; /* the connection now streams events (monitor) */
};

struct cmd_handler {
	/* argv: the words after the command's own, matching one of def's forms */
	int (*run)(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
};

/* Indexed by enum cmd_id; NULL for the commands lanctl runs itself (CMD_LOCAL). */
extern const struct cmd_handler cmd_handlers[CMD_MAX];

/*
 * The command argv names, if the switch runs it here: found, not lanctl's own, not a query
 * in a config file (from_config), its words matching one of its forms. NULL with res->err
 * set otherwise; *nwords: how many words named it.
 */
const struct cmd_def *cmd_check(int argc, char **argv, bool from_config, int *nwords,
                                struct cmd_result *res);

/* cmd_check, then the handler; with CMD_CHANGES set on success, *changed tells to save. */
int cmd_run(int argc, char **argv, bool from_config, bool *changed, struct cmd_result *res);

/* Appends " (usage: FORMS)" to the message in res->err ("usage: FORMS" alone if none yet),
 * every form of def joined by " | "; returns -EINVAL. */
int cmd_usage(const struct cmd_def *def, struct cmd_result *res);

/* The handlers, by file. */
int cmd_port_add(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_port_del(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_port_list(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_port_set(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_fdb_show(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_fdb_add(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_fdb_del(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_fdb_flush(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_fdb_set(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_worker_set(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_stats(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_config_show(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_monitor(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_hosts(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);
int cmd_probe(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res);

#endif

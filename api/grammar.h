/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command grammar: every command of the config file, the state file, the control socket
 * and lanctl, in one table (cmd_defs[], grammar.c). A command is its words ("port" "add"),
 * the forms of the arguments after them, written as its usage line is written, a line of
 * help and what it may do (its flags). lanswitchd dispatches from the table and lanctl
 * prints its help and checks a command line from it, so the words, the arguments and the
 * usage a user reads are the ones both binaries check.
 *
 * Form syntax, after the command's words:
 *	add, --server	a literal word (lower case, or an option starting with --)
 *	native|generic	one of these literals
 *	NAME, N[,M...]	a placeholder (starts upper case): any one word but --anything
 *	[ ... ]		optional; [ ... ]... may repeat
 * A group whose first word is an option ([--netns NS]) is an option: the options that
 * follow one another in a form may come in any order, each once unless it repeats. Other
 * groups ([vlan N], [PORT]) match where they stand, and so does a literal option outside
 * brackets (--bridge BR): it is required there.
 *
 * Plain C and libc only: lanctl links it and never links DPDK.
 */
#ifndef LANSWITCH_GRAMMAR_H
#define LANSWITCH_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>

enum cmd_id {
	CMD_PORT_ADD,
	CMD_PORT_DEL,
	CMD_PORT_LIST,
	CMD_PORT_SET,
	CMD_FDB_SHOW,
	CMD_FDB_ADD,
	CMD_FDB_DEL,
	CMD_FDB_FLUSH,
	CMD_FDB_SET,
	CMD_WORKER_SET,
	CMD_STATS,
	CMD_CONFIG_SHOW,
	CMD_MONITOR,
	CMD_HOSTS,
	CMD_PROBE,
	CMD_WAIT,
	CMD_VM_ATTACH,
	CMD_VM_DETACH,
	CMD_VM_LIST,
	CMD_VM_CONVERT,
	CMD_VM_FOLLOW,
	CMD_VM_START_ORDER,
	CMD_DOCTOR,
	CMD_HELP,
	CMD_MAX
};

enum cmd_flags {
	CMD_CHANGES = 1 << 0, /* changes the configuration: saved to the state file */
	CMD_QUERY = 1 << 1,   /* only reads: refused in a config file */
	CMD_LOCAL = 1 << 2,   /* runs inside lanctl, never sent to the switch (help, vm ...) */
	CMD_STREAM = 1 << 3,  /* its reply is followed by a stream of lines (monitor) */
};

#define CMD_WORDS_MAX 2
#define CMD_FORMS_MAX 8
#define GRAMMAR_ERR_MAX 512

struct cmd_form {
	const char *args; /* after the words, in the syntax above; "" takes no arguments */
	const char *help; /* what this form does; NULL: the command's help says it */
};

struct cmd_def {
	const char *words[CMD_WORDS_MAX];     /* "port" "add"; "stats" NULL */
	struct cmd_form forms[CMD_FORMS_MAX]; /* the first ones; unused: args NULL */
	const char *help;                     /* one line, lower case, no full stop */
	unsigned int flags;                   /* enum cmd_flags */
};

extern const struct cmd_def cmd_defs[CMD_MAX];

static inline enum cmd_id grammar_id(const struct cmd_def *def)
{
	return (enum cmd_id)(def - cmd_defs);
}

/*
 * The command argv starts with, and in *nwords how many words name it. NULL when none does,
 * with why in err: "empty command", unknown command "frob", unknown command "port frob",
 * incomplete command "port": expected add, del, list or set.
 */
const struct cmd_def *grammar_find(int argc, char *const *argv, int *nwords, char *err,
                                   size_t errlen);

/* True when word names a group of commands ("port" of "port add"). */
bool grammar_is_group(const char *word);

/*
 * 0 when argv (the words after the command's own) matches one of def's forms; else -EINVAL
 * and err says what went wrong at the furthest word any form reached, after the command's
 * name: "port del: missing NAME", "port list: unexpected \"x\"",
 * "port add: expected vhost, dpdk, tap or afxdp, got \"frob\"",
 * "port add: unknown option \"--foo\"", "port add: \"--netns\" given twice".
 */
int grammar_check(const struct cmd_def *def, int argc, char *const *argv, char *err, size_t errlen);

/* 0 when a form is well made; else -EINVAL and *why says what is wrong with it. */
int grammar_form_check(const char *args, const char **why);

/* The command's words, "port add", into buf (snprintf's return). */
int grammar_name(const struct cmd_def *def, char *buf, size_t len);

/* Every form with the words before it, joined by sep (snprintf's return). */
int grammar_usage(const struct cmd_def *def, const char *sep, char *buf, size_t len);

#endif

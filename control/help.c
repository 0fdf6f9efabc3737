/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl's help and usage errors, written from the grammar (api/grammar.c): every form of
 * every command with its help (lanctl --help), of one group (lanctl port --help) or of one
 * command (lanctl port add --help). None of it needs the switch, so all of it works before
 * lanswitchd runs, and none of it can miss a command the switch takes.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "api/ctl_proto.h"
#include "api/grammar.h"
#include "lanctl.h"

#define HELP_COL 44 /* where a form's help starts, past the longer forms' ends */

static const char help_head[] =
        "Usage: lanctl [-s SOCKET] [-c URI] [-j] [-t SECS] COMMAND...\n"
        "       lanctl [COMMAND...] --help\n"
        "\n"
        "Send COMMAND to lanswitchd and print its answer. lanctl checks COMMAND with the\n"
        "switch's own grammar first: a usage error never reaches the switch. The vm\n"
        "commands run in lanctl: they edit libvirt domains and add the switch's ports.\n"
        "\n"
        "Options:\n"
        "  -s, --socket SOCKET  control socket (default $LANSWITCH_SOCKET if set, else\n"
        "                       " CTL_DEFAULT_SOCKET ")\n"
        "  -c, --connect URI    libvirt connection of the vm commands (default\n"
        "                       " LANCTL_LIBVIRT_URI_DEFAULT ")\n"
        "  -j, --json           print the result as one line of JSON, for every command\n"
        "  -t, --timeout SECS   give up waiting for the daemon after SECS seconds\n"
        "                       (default 10, 0 waits forever)\n"
        "  -h, --help           print this help; COMMAND --help prints COMMAND's\n"
        "\n"
        "Commands:\n";

static const char help_tail[] =
        "\n"
        "Exit status: 0 done; 1 refused (by the daemon, by libvirt or by lanctl's checks);\n"
        "2 usage error; 3 no answer from the daemon (connect, I/O, timeout, malformed reply).\n";

static const char help_more[] = "\nThe options and every command: lanctl --help.\n";

/* One form, its help beside it; a form too long for that gets its help on the next line. */
static void help_form(FILE *out, const struct cmd_def *def, int k, bool with_def_help)
{
	const struct cmd_form *f = &def->forms[k];
	const char *help = f->help != NULL ? f->help : k == 0 && with_def_help ? def->help : NULL;
	char name[64];
	int n;

	grammar_name(def, name, sizeof(name));
	n = fprintf(out, "  %s%s%s", name, f->args[0] != '\0' ? " " : "", f->args);
	if (help == NULL) {
		fputc('\n', out);
		return;
	}
	if (n >= HELP_COL) {
		fputc('\n', out);
		n = 0;
	}
	fprintf(out, "%*s%s\n", HELP_COL - n, "", help);
}

static void help_def(FILE *out, const struct cmd_def *def, bool with_def_help)
{
	int k;

	for (k = 0; k < CMD_FORMS_MAX && def->forms[k].args != NULL; k++)
		help_form(out, def, k, with_def_help);
}

void help_all(FILE *out)
{
	int id;

	fputs(help_head, out);
	for (id = 0; id < CMD_MAX; id++)
		help_def(out, &cmd_defs[id], true);
	fputs(help_tail, out);
}

static void help_group(FILE *out, const char *group)
{
	int id;

	fprintf(out, "Usage: lanctl [OPTION]... %s COMMAND...\n\n", group);
	for (id = 0; id < CMD_MAX; id++) {
		if (cmd_defs[id].words[1] != NULL && strcmp(cmd_defs[id].words[0], group) == 0)
			help_def(out, &cmd_defs[id], true);
	}
	fputs(help_more, out);
}

static void help_command(FILE *out, const struct cmd_def *def)
{
	char name[64];
	bool args = false;
	int k;

	for (k = 0; k < CMD_FORMS_MAX && def->forms[k].args != NULL; k++)
		args |= def->forms[k].args[0] != '\0';
	grammar_name(def, name, sizeof(name));
	fprintf(out, "Usage: lanctl [OPTION]... %s%s\n", name, args ? " ARGS..." : "");
	fprintf(out, "%c%s.\n\n", toupper((unsigned char)def->help[0]), def->help + 1);
	help_def(out, def, false);
	if (def->flags & CMD_CHANGES)
		fputs("\nA change: saved in the state file, and allowed in the config file.\n",
		      out);
	if (def->flags & CMD_QUERY)
		fputs("\nOnly reads: not allowed in the config file.\n", out);
	if (def->flags & CMD_LOCAL)
		fputs("\nRuns inside lanctl: never sent to the switch.\n", out);
	fputs(help_more, out);
}

/* The hint after an unknown command: the group's help when the group is right. */
static void help_hint(int nwords, char **words)
{
	if (nwords >= 1 && grammar_is_group(words[0]))
		fprintf(stderr, "Try 'lanctl %s --help'.\n", words[0]);
	else
		fprintf(stderr, "Try 'lanctl --help'.\n");
}

int help_topic(FILE *out, int nwords, char **words)
{
	char err[GRAMMAR_ERR_MAX];
	const struct cmd_def *def;
	int n;

	if (nwords == 0) {
		help_all(out);
		return LANCTL_EXIT_OK;
	}
	if (nwords == 1 && grammar_is_group(words[0])) {
		help_group(out, words[0]);
		return LANCTL_EXIT_OK;
	}
	/* words past the command's own ("port add g0 --help") ask for the command's help */
	def = grammar_find(nwords, words, &n, err, sizeof(err));
	if (def == NULL) {
		fprintf(stderr, "lanctl: %s\n", err);
		help_hint(nwords, words);
		return LANCTL_EXIT_USAGE;
	}
	help_command(out, def);
	return LANCTL_EXIT_OK;
}

int help_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	return help_topic(stdout, argc, argv);
}

int help_unknown(const char *err, int nwords, char **words)
{
	fprintf(stderr, "lanctl: %s\n", err);
	help_hint(nwords, words);
	return LANCTL_EXIT_USAGE;
}

int help_usage_error(const struct cmd_def *def, const char *err)
{
	char name[64];
	int k;

	grammar_name(def, name, sizeof(name));
	fprintf(stderr, "lanctl: %s\n", err);
	for (k = 0; k < CMD_FORMS_MAX && def->forms[k].args != NULL; k++)
		fprintf(stderr, "%s lanctl %s%s%s\n", k == 0 ? "usage:" : "      ", name,
		        def->forms[k].args[0] != '\0' ? " " : "", def->forms[k].args);
	fprintf(stderr, "Try 'lanctl %s --help'.\n", name);
	return LANCTL_EXIT_USAGE;
}

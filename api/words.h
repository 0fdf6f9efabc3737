/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Words of a command line, as the config file, the state file and lanctl's own files hold
 * them: split like a shell does (blanks separate, "double" and 'single' quotes group,
 * backslash escapes inside double quotes and outside quotes, # starts a comment at the start
 * of a word), and written back so that words_split() reads them unchanged. lanswitchd and
 * lanctl both link it; it needs nothing but libc.
 */
#ifndef LANSWITCH_WORDS_H
#define LANSWITCH_WORDS_H

#include <stdio.h>

#define WORDS_MAX 64

struct words {
	int argc;
	char *argv[WORDS_MAX];
	char buf[4096];
};

int words_split(const char *line, struct words *out, const char **why);
void words_quote(FILE *out, const char *word);

#endif

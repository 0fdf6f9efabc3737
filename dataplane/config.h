/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config and state files: lines of the same commands lanctl sends, split into words like a
 * shell does (blanks separate, "double" and 'single' quotes group, backslash escapes inside
 * double quotes and outside quotes, # starts a comment at the start of a word).
 */
#ifndef LANSWITCH_CONFIG_H
#define LANSWITCH_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#define CONFIG_MAX_WORDS 64

struct config_line {
	int argc;
	char *argv[CONFIG_MAX_WORDS];
	char buf[4096];
};

int config_split(const char *line, struct config_line *out, const char **why);
void config_quote(FILE *out, const char *word);
void config_describe(FILE *out);
int config_load(const char *path, char *err, size_t errlen);
int config_startup(const char *config, const char *state, char *err, size_t errlen);
int config_save_state(const char *state);
uint64_t config_digest(const char *path);

#endif

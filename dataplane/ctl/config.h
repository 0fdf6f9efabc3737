/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config and state files: lines of the same commands lanctl sends, split into words as
 * api/words.h says.
 */
#ifndef LANSWITCH_CONFIG_H
#define LANSWITCH_CONFIG_H

#include <stdint.h>
#include <stdio.h>

struct json_object;

void config_describe(FILE *out);
int config_load(const char *path, char *err, size_t errlen);
int config_startup(const char *config, const char *state, char *err, size_t errlen);
int config_save_state(const char *state, char *err, size_t errlen);
uint64_t config_digest(const char *path);
/* What this run's start found of the state file, into `config show`'s obj: "state_file" (null:
 * none kept), "state_damaged" (null, or {"path","why","at","started_from"}) and
 * "state_damaged_files" (every PATH.damaged-* beside it, oldest first). */
void config_state_report(struct json_object *obj);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* Commands on stdin, one per line; one line of JSON on stdout per command. */
#ifndef LSGEN_CMD_H
#define LSGEN_CMD_H

#include <stdbool.h>
#include <stddef.h>

#define CMD_LINE_MAX 1024

/* A partial line survives between reads; an over-long line is answered once and skipped. */
struct cmd_reader {
	char buf[CMD_LINE_MAX];
	size_t len;
	bool skipping;
};

struct gen;

int cmd_input(struct gen *g);
int cmd_reply_ready(struct gen *g);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* the follow agent: in the grammar already, so that help lists it; written next. */
#include <stdio.h>

#include "lanctl.h"

int vm_follow_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	fprintf(stderr, "lanctl: the follow agent is not in this lanctl yet\n");
	return LANCTL_EXIT_USAGE;
}

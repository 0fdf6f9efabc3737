/* SPDX-License-Identifier: BSD-3-Clause */
/* the doctor: in the grammar already, so that help lists it; written next. */
#include <stdio.h>

#include "lanctl.h"

int doctor_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	fprintf(stderr, "lanctl: the doctor is not in this lanctl yet\n");
	return LANCTL_EXIT_USAGE;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command handlers, stubbed: the fuzz targets run cmd_run (ctl/cmd.c) up to the handler
 * and no further, so they parse every command without a port, a worker or DPDK. A handler
 * gets only words that matched one of its forms.
 */
#include "ctl/cmd.h"
#include "fuzz.h"

static int fuzz_handler(const struct cmd_def *def, int argc, char **argv)
{
	int i;

	FUZZ_CHECK(def >= cmd_defs && def < cmd_defs + CMD_MAX && argc >= 0);
	for (i = 0; i < argc; i++)
		FUZZ_CHECK(argv[i] != NULL);
	return 0;
}

#define FUZZ_STUB(name)                                                                    \
	int name(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res) \
	{                                                                                  \
		return fuzz_handler(def, argc, argv);                                      \
	}

FUZZ_STUB(cmd_port_add)
FUZZ_STUB(cmd_port_del)
FUZZ_STUB(cmd_port_list)
FUZZ_STUB(cmd_port_set)
FUZZ_STUB(cmd_fdb_show)
FUZZ_STUB(cmd_fdb_add)
FUZZ_STUB(cmd_fdb_del)
FUZZ_STUB(cmd_fdb_flush)
FUZZ_STUB(cmd_fdb_set)
FUZZ_STUB(cmd_worker_set)
FUZZ_STUB(cmd_stats)
FUZZ_STUB(cmd_config_show)
FUZZ_STUB(cmd_monitor)
FUZZ_STUB(cmd_hosts)
FUZZ_STUB(cmd_probe)

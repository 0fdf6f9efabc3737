/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What config.c calls besides cmd_run, stubbed for the state target: undoing a failed load
 * (nothing was done) and describing the running configuration (there is none). DPDK's
 * headers only; nothing of DPDK is linked.
 */
#include <rte_cpuflags.h>

#include "ctl/fdb_ctl.h"
#include "ctl/port_table.h"
#include "ctl/worker_ctl.h"

struct fdb fdb;

/* rte_hash_crc.h's constructor asks, in every file that includes fdb.h: the answer is unused */
int rte_cpu_get_flag_enabled(enum rte_cpu_flag_t feature)
{
	return 0;
}

void port_del_all(void)
{
}

void port_describe_all(FILE *out)
{
}

unsigned int fdb_flush(int port, bool include_static)
{
	return 0;
}

void fdb_describe(FILE *out)
{
}

void worker_set_mode(enum worker_mode mode)
{
}

void worker_set_idle_us(uint32_t us)
{
}

void worker_describe(FILE *out)
{
}

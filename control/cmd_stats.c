/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printer for `stats`: one line per worker lcore, with derived columns that answer the
 * questions people ask of these counters: what a packet costs (busy cycles per packet), how
 * well the worker batches (packets per poll) and how loaded the core is (busy share of the
 * core's cycles; a poll-mode core is always at 100% CPU, so the OS cannot tell), and how much
 * of the time an adaptive worker sleeps. Under the table, one line for the frames' mbuf pool:
 * how many mbufs are out in frames (in use), of how many, and how many free ones sit in the
 * lcores' caches (not in use: see worker_pool_json in the daemon).
 */
#include <errno.h>
#include <inttypes.h>

#include <json-c/json.h>

#include "lanctl.h"

enum stats_col {
	STATS_COL_LCORE,
	STATS_COL_PACKETS,
	STATS_COL_BUSY,
	STATS_COL_IDLE,
	STATS_COL_CYCLES_PKT,
	STATS_COL_PKTS_POLL,
	STATS_COL_BUSY_PCT,
	STATS_COL_FDB_FULL,
	STATS_COL_MODE,
	STATS_COL_SLEEPS,
	STATS_COL_ASLEEP_PCT,
	STATS_COL_MAX
};

static const struct print_col stats_cols[STATS_COL_MAX] = {
	[STATS_COL_LCORE] = { "LCORE", true },
	[STATS_COL_PACKETS] = { "PACKETS", true },
	[STATS_COL_BUSY] = { "BUSY_CYCLES", true },
	[STATS_COL_IDLE] = { "IDLE_CYCLES", true },
	[STATS_COL_CYCLES_PKT] = { "CYCLES/PKT", true },
	[STATS_COL_PKTS_POLL] = { "PKTS/POLL", true },
	[STATS_COL_BUSY_PCT] = { "BUSY%", true },
	[STATS_COL_FDB_FULL] = { "FDB_FULL", true },
	[STATS_COL_MODE] = { "MODE", false },
	[STATS_COL_SLEEPS] = { "SLEEPS", true },
	[STATS_COL_ASLEEP_PCT] = { "ASLEEP%", true },
};

static void stats_cells(struct json_object *lcore, char cell[][PRINT_CELL_MAX])
{
	uint64_t packets, busy, idle, polls, asleep = 0, all;
	bool have_packets, have_busy, have_idle, have_polls;
	struct json_object *mode;

	print_cell_u64(cell[STATS_COL_LCORE], lcore, "lcore");
	print_cell_u64(cell[STATS_COL_PACKETS], lcore, "packets");
	print_cell_u64(cell[STATS_COL_BUSY], lcore, "busy_cycles");
	print_cell_u64(cell[STATS_COL_IDLE], lcore, "idle_cycles");
	print_cell_u64(cell[STATS_COL_FDB_FULL], lcore, "fdb_full");
	print_cell_u64(cell[STATS_COL_SLEEPS], lcore, "sleeps");
	snprintf(cell[STATS_COL_MODE], PRINT_CELL_MAX, "%s",
	         json_object_object_get_ex(lcore, "mode", &mode) ? json_object_get_string(mode)
	                                                         : "-");
	print_get_u64(lcore, "asleep_cycles", &asleep);

	have_packets = print_get_u64(lcore, "packets", &packets);
	have_busy = print_get_u64(lcore, "busy_cycles", &busy);
	have_idle = print_get_u64(lcore, "idle_cycles", &idle);
	have_polls = print_get_u64(lcore, "polls", &polls);

	if (have_packets && have_busy && packets > 0)
		snprintf(cell[STATS_COL_CYCLES_PKT], PRINT_CELL_MAX, "%.1f",
		         (double)busy / (double)packets);
	else
		snprintf(cell[STATS_COL_CYCLES_PKT], PRINT_CELL_MAX, "-");

	/* the mean batch: small batches in a loaded switch mean per-poll costs dominate */
	if (have_packets && have_polls && polls > 0)
		snprintf(cell[STATS_COL_PKTS_POLL], PRINT_CELL_MAX, "%.2f",
		         (double)packets / (double)polls);
	else
		snprintf(cell[STATS_COL_PKTS_POLL], PRINT_CELL_MAX, "-");

	/* shares of the core's time: busy, idle (polling for nothing) and asleep make 100% */
	all = busy + idle + asleep;
	if (have_busy && have_idle && all > 0) {
		snprintf(cell[STATS_COL_BUSY_PCT], PRINT_CELL_MAX, "%.1f%%",
		         100.0 * (double)busy / (double)all);
		snprintf(cell[STATS_COL_ASLEEP_PCT], PRINT_CELL_MAX, "%.1f%%",
		         100.0 * (double)asleep / (double)all);
	} else {
		snprintf(cell[STATS_COL_BUSY_PCT], PRINT_CELL_MAX, "-");
		snprintf(cell[STATS_COL_ASLEEP_PCT], PRINT_CELL_MAX, "-");
	}
}

/* "mbuf pool: 12 of 32767 in use (32755 available, 301 of them in lcore caches of 256)" */
static int stats_pool_print(struct json_object *pool, FILE *out)
{
	uint64_t size, in_use, avail, cached, cache_size;

	if (!print_get_u64(pool, "size", &size) || !print_get_u64(pool, "in_use", &in_use) ||
	    !print_get_u64(pool, "available", &avail) || !print_get_u64(pool, "cached", &cached) ||
	    !print_get_u64(pool, "cache_size", &cache_size))
		return -EPROTO;
	fprintf(out,
	        "mbuf pool: %" PRIu64 " of %" PRIu64 " in use (%" PRIu64 " available, %" PRIu64
	        " of them in lcore caches of %" PRIu64 ")\n",
	        in_use, size, avail, cached, cache_size);
	return 0;
}

int cmd_stats_print(struct json_object *result, FILE *out)
{
	static const struct print_table table = {
		.cols = stats_cols,
		.ncols = STATS_COL_MAX,
		.header = true,
		.cells = stats_cells,
	};
	struct json_object *workers, *pool;
	int rc;

	if (!json_object_object_get_ex(result, "workers", &workers) ||
	    !json_object_object_get_ex(result, "mbuf_pool", &pool))
		return -EPROTO;
	/* a shape it does not know is shown as JSON (lanctl.c): before any line, not after */
	if (!json_object_is_type(pool, json_type_object) || !print_is_object_array(workers))
		return -EPROTO;
	rc = print_table(&table, workers, out);
	if (rc < 0)
		return rc;
	return stats_pool_print(pool, out);
}

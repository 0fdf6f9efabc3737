/* SPDX-License-Identifier: BSD-3-Clause */
/* Learning on the fast path: the FDB's inserts and refreshes that workers make (fdb.h). */
#include "fast/fdb.h"

struct fdb fdb;

/*
 * A MAC not in the table: 1 when it is new (lanctl monitor hears of it), 0 when it was there
 * after all. Full means full: the frame is flooded and nothing is evicted. A static entry made
 * meanwhile (the same MAC twice in a burst finds the first's entry) stays.
 */
int fdb_learn(const struct fdb_key *key, uint16_t port, uint32_t now)
{
	uint64_t data = FDB_DATA(port, 0, now), old = 0;
	int ret = fdb_table_set(&fdb.table, fdb_key_word(key), data, fdb.size, FDB_STICKY, &old);

	if (ret >= 0)
		fdb_learned_move(old, data);
	return ret;
}

/*
 * A known MAC seen again: write only when something changed, and without the table's lock
 * (once per MAC per second; the lock is for inserts). Static entries stay put; an entry
 * deleted since the lookup stays deleted (-ENOENT): the MAC's next frame learns it anew.
 */
int fdb_refresh(const struct fdb_key *key, uint64_t data, uint16_t port, uint32_t now)
{
	uint64_t new = FDB_DATA(port, 0, now), old;
	int ret;

	if (!fdb_stale(data, port, now))
		return 0;
	ret = fdb_table_refresh(&fdb.table, fdb_key_word(key), new, FDB_STICKY, &old);
	if (ret == 1 && FDB_PORT(old) != port)
		fdb_learned_move(old, new);
	return ret < 0 ? ret : 0;
}

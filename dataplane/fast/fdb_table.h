/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB's hash table: 64-bit keys ((MAC, VLAN) in one word, never 0) to 64-bit data.
 *
 * Why not rte_hash (which the FDB used first): with 4 096 MACs, rte_hash took 60% of the
 * worker's cycles in bench/fwdperf — per key a line of signatures, a line of the key store,
 * and a compare through a function pointer. Here a bucket is one 64-byte line of four
 * (key, data) pairs and a key may live in two buckets (nearly always the first: see
 * fdb_table_place): a lookup reads one line, prefetched for a whole burst, and compares
 * integers. The table has at least three slots per entry of the FDB's capacity, so an insert
 * that finds both buckets full is vanishingly rare — it fails like a full table.
 *
 * Threads: lookups never lock, and neither does a refresh of a known key (fdb_table_refresh:
 * a worker that sees a known MAC in a new second). Inserts and fdb_table_set's updates
 * (workers learning, the control thread's static entries), unlinks and releases take the
 * table's spinlock; nothing moves an entry, so a reader never misses a key that is in the
 * table and an iterator sees each entry once. A new entry's data is written before its key
 * (release), so a reader that finds the key finds its data. An entry's data is one 64-bit
 * word, only ever replaced whole by an atomic store or compare-and-swap: a refresh finds the
 * key as a lookup does and swaps the word it read for the new one, and tries again if another
 * writer changed it meanwhile, so data with a sticky bit (a static entry) set under the lock
 * is never overwritten by a refresh. Only the control thread deletes: it marks the slot dead
 * (fdb_table_unlink; it also sets the sticky bits of the dead entry's word, atomically, so a
 * refresh that comes late changes nothing), and the slot is free for reuse only after
 * fdb_table_release(), which
 * the caller runs after an RCU grace period: a worker that matched the old key (to read its
 * data, or to swap it) never touches a newcomer's. A refresh that finds no key (unlinked
 * meanwhile) does nothing: it never inserts. Every change of a word is an atomic
 * read-modify-write that reports the word it replaced, so the FDB can count entries per
 * port exactly (fdb.h) without scanning.
 */
#ifndef LANSWITCH_FDB_TABLE_H
#define LANSWITCH_FDB_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#include <rte_spinlock.h>

#define FDB_TABLE_WAYS 4
#define FDB_TABLE_FREE 0ull       /* a slot nobody holds */
#define FDB_TABLE_DEAD UINT64_MAX /* unlinked, waiting for its grace period */
#define FDB_TABLE_BULK_MAX 64     /* keys in one fdb_table_lookup_bulk() */
#define FDB_TABLE_SEED 0x0f1e2d3cu
#define FDB_TABLE_MUL 0x9e3779b97f4a7c15ull

struct fdb_slot {
	uint64_t key;
	uint64_t data;
};

struct fdb_bucket {
	struct fdb_slot slot[FDB_TABLE_WAYS];
} __rte_cache_aligned;

struct fdb_table {
	struct fdb_bucket *buckets; /* written once, at init */
	uint32_t mask;              /* buckets - 1 */
	uint32_t shift;             /* 64 - log2(buckets): the first bucket's hash bits */
	uint32_t count;             /* live keys; written under lock, read anywhere */
	rte_spinlock_t lock;        /* inserts, fdb_table_set's updates, unlink and release */
};

int fdb_table_init(struct fdb_table *t, uint32_t entries, int socket);
void fdb_table_fini(struct fdb_table *t);
int fdb_table_get(const struct fdb_table *t, uint64_t key, uint64_t *data);
int fdb_table_set(struct fdb_table *t, uint64_t key, uint64_t data, uint32_t limit, uint64_t sticky,
                  uint64_t *old);
int fdb_table_refresh(struct fdb_table *t, uint64_t key, uint64_t data, uint64_t sticky,
                      uint64_t *old);
int32_t fdb_table_next(const struct fdb_table *t, uint32_t *iter, uint64_t *key, uint64_t *data);
bool fdb_table_unlink(struct fdb_table *t, int32_t pos, uint64_t sticky, uint64_t *old);
void fdb_table_release(struct fdb_table *t, int32_t pos);

static inline uint32_t fdb_table_count(const struct fdb_table *t)
{
	return __atomic_load_n(&t->count, __ATOMIC_RELAXED);
}

/* A key's first bucket: the top bits of a multiplicative hash, which depend on every bit of
 * the key (the VLAN too) and cost one multiply, since every lookup computes it. */
static inline struct fdb_bucket *fdb_table_first(const struct fdb_table *t, uint64_t key)
{
	return &t->buckets[(key * FDB_TABLE_MUL) >> t->shift];
}

/* Its second bucket, needed only for the few keys not in their first: a different function,
 * so that two keys that share one bucket rarely share the other. (Two CRCs with different
 * seeds differ by a constant and paired the buckets for good: a table of 1 024 overflowed a
 * pair at 829 keys.) */
static inline struct fdb_bucket *fdb_table_second(const struct fdb_table *t, uint64_t key)
{
	uint32_t i = (uint32_t)((key * FDB_TABLE_MUL) >> t->shift);
	uint32_t j = rte_hash_crc_8byte(key, FDB_TABLE_SEED) & t->mask;

	/* the same bucket twice would halve the key's room: take its neighbour instead */
	if (j == i)
		j = (i ^ 1) & t->mask;
	return &t->buckets[j];
}

static inline bool fdb_bucket_get(const struct fdb_bucket *b, uint64_t key, uint64_t *data)
{
	unsigned int s;

	for (s = 0; s < FDB_TABLE_WAYS; s++) {
		if (__atomic_load_n(&b->slot[s].key, __ATOMIC_ACQUIRE) == key) {
			*data = __atomic_load_n(&b->slot[s].data, __ATOMIC_RELAXED);
			return true;
		}
	}
	return false;
}

/*
 * Look up n <= FDB_TABLE_BULK_MAX keys; bit i of the result: keys[i] found, data[i] set.
 * Every key's first bucket is prefetched before the first is read, so their misses overlap;
 * the few keys not found there (in their second bucket, or unknown) get a second pass.
 */
static inline uint64_t fdb_table_lookup_bulk(const struct fdb_table *t, const uint64_t *keys,
                                             unsigned int n, uint64_t *data)
{
	const struct fdb_bucket *b1[FDB_TABLE_BULK_MAX], *b2[FDB_TABLE_BULK_MAX];
	uint64_t hit = 0, miss;
	unsigned int i;

	for (i = 0; i < n; i++) {
		b1[i] = fdb_table_first(t, keys[i]);
		rte_prefetch0(b1[i]);
	}
	for (i = 0; i < n; i++)
		if (fdb_bucket_get(b1[i], keys[i], &data[i]))
			hit |= 1ull << i;
	miss = ~hit & (n == 64 ? ~0ull : (1ull << n) - 1);
	if (likely(miss == 0))
		return hit;
	for (uint64_t m = miss; m != 0; m &= m - 1) {
		i = (unsigned int)__builtin_ctzll(m);
		b2[i] = fdb_table_second(t, keys[i]);
		rte_prefetch0(b2[i]);
	}
	for (; miss != 0; miss &= miss - 1) {
		i = (unsigned int)__builtin_ctzll(miss);
		if (fdb_bucket_get(b2[i], keys[i], &data[i]))
			hit |= 1ull << i;
	}
	return hit;
}

#endif

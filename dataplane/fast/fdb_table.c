/* SPDX-License-Identifier: BSD-3-Clause */
/* The FDB's hash table (fdb_table.h says how readers and writers stay safe). */
#include <errno.h>

#include <rte_malloc.h>

#include "fast/fdb_table.h"

/*
 * At least three slots per entry: with two choices per key, filling the table to its
 * capacity then found no pair of full buckets in any test (random MACs, 8 to 1 048 576); at
 * two slots per entry, 3 of 131 071 random MACs found theirs full.
 */
int fdb_table_init(struct fdb_table *t, uint32_t entries, int socket)
{
	uint32_t n = rte_align32pow2((uint32_t)(((uint64_t)entries * 3 + 3) / 4));

	if (entries == 0 || entries > (1u << 30))
		return -EINVAL;
	if (n < 2)
		n = 2;
	t->buckets = rte_zmalloc_socket("lanswitch_fdb", (size_t)n * sizeof(struct fdb_bucket),
	                                RTE_CACHE_LINE_SIZE, socket);
	if (t->buckets == NULL)
		return -ENOMEM;
	t->mask = n - 1;
	t->shift = 64 - (uint32_t)rte_log2_u32(n);
	t->count = 0;
	rte_spinlock_init(&t->lock);
	return 0;
}

void fdb_table_fini(struct fdb_table *t)
{
	rte_free(t->buckets);
	t->buckets = NULL;
}

int fdb_table_get(const struct fdb_table *t, uint64_t key, uint64_t *data)
{
	const struct fdb_bucket *b1 = fdb_table_first(t, key), *b2 = fdb_table_second(t, key);

	return fdb_bucket_get(b1, key, data) || fdb_bucket_get(b2, key, data) ? 0 : -ENOENT;
}

static struct fdb_slot *fdb_table_find(struct fdb_bucket *b, uint64_t key)
{
	unsigned int s;

	for (s = 0; s < FDB_TABLE_WAYS; s++)
		if (b->slot[s].key == key)
			return &b->slot[s];
	return NULL;
}

static unsigned int fdb_table_free_count(const struct fdb_bucket *b)
{
	unsigned int s, n = 0;

	for (s = 0; s < FDB_TABLE_WAYS; s++)
		n += b->slot[s].key == FDB_TABLE_FREE;
	return n;
}

/*
 * Where a new key goes: its first bucket, unless that holds three keys and the second fewer.
 * Lookups read the first bucket and the second only for keys not found there, so the fewer
 * keys live in second buckets the fewer lines a lookup reads: 2.3% of them here, where
 * choosing the emptier bucket put 23% there. Filling tables of 65 535 to 1 048 576 random
 * MACs to capacity (5 times each) then found no pair of full buckets; always the first
 * bucket while it has room did (23 times at 131 072).
 */
static struct fdb_bucket *fdb_table_place(struct fdb_bucket *b1, struct fdb_bucket *b2)
{
	unsigned int f1 = fdb_table_free_count(b1), f2 = fdb_table_free_count(b2);

	if (f1 == 0 || (f1 <= FDB_TABLE_WAYS - 3 && f2 > f1))
		return b2;
	return b1;
}

/*
 * A live entry's word becomes data unless it has a bit of sticky set: a compare-and-swap, so
 * that a refresh racing with it is either before (and the word it wrote is the one replaced)
 * or after (and finds data). The word it had: *old (data itself when it was kept).
 */
static void fdb_slot_replace(struct fdb_slot *slot, uint64_t data, uint64_t sticky, uint64_t *old)
{
	uint64_t w = __atomic_load_n(&slot->data, __ATOMIC_RELAXED);

	do {
		if ((w & sticky) != 0) {
			*old = data;
			return;
		}
	} while (!__atomic_compare_exchange_n(&slot->data, &w, data, false, __ATOMIC_RELEASE,
	                                      __ATOMIC_RELAXED));
	*old = w;
}

/*
 * Insert or update key under the lock. An existing entry whose data has a bit of sticky set
 * keeps its data (a static entry is not overwritten by learning). A new key is refused with
 * -ENOSPC when the table holds limit keys, or when both its buckets are full.
 * Returns 1: inserted, 0: updated or kept, *old then the word it replaced (data: kept), for
 * the FDB's per-port counts.
 */
int fdb_table_set(struct fdb_table *t, uint64_t key, uint64_t data, uint32_t limit, uint64_t sticky,
                  uint64_t *old)
{
	struct fdb_bucket *b1, *b2;
	struct fdb_slot *slot;
	int ret = 0;

	if (key == FDB_TABLE_FREE || key == FDB_TABLE_DEAD)
		return -EINVAL;
	b1 = fdb_table_first(t, key);
	b2 = fdb_table_second(t, key);
	rte_spinlock_lock(&t->lock);
	slot = fdb_table_find(b1, key);
	if (slot == NULL)
		slot = fdb_table_find(b2, key);
	if (slot != NULL) {
		/* a refresh may swap the word meanwhile (never to a sticky one) */
		fdb_slot_replace(slot, data, sticky, old);
		goto out;
	}
	ret = -ENOSPC;
	if (t->count >= limit)
		goto out;
	slot = fdb_table_find(fdb_table_place(b1, b2), FDB_TABLE_FREE);
	if (slot == NULL)
		goto out;
	__atomic_store_n(&slot->data, data, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->key, key, __ATOMIC_RELEASE);
	__atomic_store_n(&t->count, t->count + 1, __ATOMIC_RELAXED);
	ret = 1;
out:
	rte_spinlock_unlock(&t->lock);
	return ret;
}

/* A live key's slot, found without the lock as lookups find it. */
static struct fdb_slot *fdb_bucket_find(struct fdb_bucket *b, uint64_t key)
{
	unsigned int s;

	for (s = 0; s < FDB_TABLE_WAYS; s++)
		if (__atomic_load_n(&b->slot[s].key, __ATOMIC_ACQUIRE) == key)
			return &b->slot[s];
	return NULL;
}

/*
 * A known key's new data, without the lock: a compare-and-swap of the word last read, again
 * if another writer changed it meanwhile, until the word is the new one or has a bit of
 * sticky set (a static entry: it stays). Workers only, between quiescent states: the slot
 * found cannot be released and reused before the swap lands. A key not in the table (unlinked
 * meanwhile: fdb_table_unlink made its word sticky) is left out. Returns 1 when it swapped,
 * *old the word replaced; 0 when nothing changed; -ENOENT for a key not found.
 */
int fdb_table_refresh(struct fdb_table *t, uint64_t key, uint64_t data, uint64_t sticky,
                      uint64_t *old)
{
	struct fdb_slot *slot = fdb_bucket_find(fdb_table_first(t, key), key);
	uint64_t w;

	if (unlikely(slot == NULL))
		slot = fdb_bucket_find(fdb_table_second(t, key), key);
	if (unlikely(slot == NULL))
		return -ENOENT;
	w = __atomic_load_n(&slot->data, __ATOMIC_RELAXED);
	do {
		if ((w & sticky) != 0 || w == data)
			return 0;
	} while (!__atomic_compare_exchange_n(&slot->data, &w, data, false, __ATOMIC_RELEASE,
	                                      __ATOMIC_RELAXED));
	*old = w;
	return 1;
}

static struct fdb_slot *fdb_table_slot(const struct fdb_table *t, uint32_t pos)
{
	return &t->buckets[pos / FDB_TABLE_WAYS].slot[pos % FDB_TABLE_WAYS];
}

/* The next live entry from *iter on: its position, or -ENOENT at the end. */
int32_t fdb_table_next(const struct fdb_table *t, uint32_t *iter, uint64_t *key, uint64_t *data)
{
	uint32_t total = (t->mask + 1) * FDB_TABLE_WAYS, i;
	const struct fdb_slot *s;
	uint64_t k;

	for (i = *iter; i < total; i++) {
		s = fdb_table_slot(t, i);
		k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
		if (k == FDB_TABLE_FREE || k == FDB_TABLE_DEAD)
			continue;
		*key = k;
		*data = __atomic_load_n(&s->data, __ATOMIC_RELAXED);
		*iter = i + 1;
		return (int32_t)i;
	}
	*iter = total;
	return -ENOENT;
}

/*
 * Control thread: the entry at pos leaves lookups now; its slot stays taken until released.
 * Its word gets the sticky bits too, atomically, so that a refresh that found the key before
 * the unlink leaves it alone: the word returned in *old is the entry's last (true: unlinked).
 * A reader that still sees the word reads the same port, only sticky.
 */
bool fdb_table_unlink(struct fdb_table *t, int32_t pos, uint64_t sticky, uint64_t *old)
{
	struct fdb_slot *s = fdb_table_slot(t, (uint32_t)pos);
	bool done = false;

	rte_spinlock_lock(&t->lock);
	if (s->key != FDB_TABLE_FREE && s->key != FDB_TABLE_DEAD) {
		__atomic_store_n(&s->key, FDB_TABLE_DEAD, __ATOMIC_RELEASE);
		__atomic_store_n(&t->count, t->count - 1, __ATOMIC_RELAXED);
		*old = __atomic_fetch_or(&s->data, sticky, __ATOMIC_ACQ_REL);
		done = true;
	}
	rte_spinlock_unlock(&t->lock);
	return done;
}

/* Control thread, after a grace period since the unlink: the slot may take a new key. */
void fdb_table_release(struct fdb_table *t, int32_t pos)
{
	struct fdb_slot *s = fdb_table_slot(t, (uint32_t)pos);

	rte_spinlock_lock(&t->lock);
	if (s->key == FDB_TABLE_DEAD)
		__atomic_store_n(&s->key, FDB_TABLE_FREE, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&t->lock);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding database: (MAC, VLAN) -> port, in our own hash table with lock-free readers
 * (fdb_table.h: the table, and why not rte_hash).
 *
 * Threads: workers look up without a lock and insert new entries themselves (the table's lock
 * is taken only to insert, never to look up or refresh). A known MAC's entry is rewritten
 * only when its port or its coarse (1 s) timestamp changes, so a steady flow makes no shared
 * write per packet, and then with a compare-and-swap of its data word (fdb_refresh). Only the
 * control thread deletes (aging, flush, port removal, lanctl): it unlinks entries, waits for
 * an RCU grace period, then frees their slots, so a worker that still holds a slot never
 * sees it reused.
 *
 * An entry's data is one 64-bit word, so a reader gets port, flags and timestamp in one load.
 */
#ifndef LANSWITCH_FDB_H
#define LANSWITCH_FDB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#include "fast/fdb_table.h"

#define FDB_DEFAULT_SIZE 131072
#define FDB_DEFAULT_AGING 300

/* 8 bytes: the table's key word is this struct's bytes (fdb_key_word). */
struct fdb_key {
	struct rte_ether_addr mac;
	uint16_t vlan;
};

_Static_assert(sizeof(struct fdb_key) == 8, "an FDB key is one 64-bit word");

static inline uint64_t fdb_key_word(const struct fdb_key *k)
{
	uint64_t w;

	memcpy(&w, k, sizeof(w));
	return w;
}

static inline struct fdb_key fdb_key_of(uint64_t word)
{
	struct fdb_key k;

	memcpy(&k, &word, sizeof(k));
	return k;
}

#define FDB_DATA(port, is_static, seen) \
	((uint64_t)(port) | ((uint64_t)(is_static) << 16) | ((uint64_t)(seen) << 32))
#define FDB_PORT(d) ((uint16_t)((d)&0xffff))
#define FDB_IS_STATIC(d) (((d) >> 16) & 1)
#define FDB_SEEN(d) ((uint32_t)((d) >> 32))

#define FDB_PORTS 256 /* port numbers the counts cover: PORT_MAX (ports/port.h) */
#define FDB_STICKY FDB_DATA(0, 1, 0)

struct fdb {
	struct fdb_table table;
	uint32_t size;  /* capacity promised to the user (--fdb-size) */
	uint32_t aging; /* seconds; written by control, read by control */
	struct rte_rcu_qsbr *qsbr;
	/* Learned (dynamic) entries per port, for mac-limit: counted when an entry is created,
	 * moves, becomes static or goes, from the word each atomic change replaced
	 * (fdb_table.h), never by scanning; any thread, atomically. */
	uint32_t learned[FDB_PORTS];
};

extern struct fdb fdb;

/* An entry's word went from old to new (either 0: none): the per-port counts follow. */
static inline void fdb_learned_move(uint64_t old, uint64_t new)
{
	if (old != 0 && !FDB_IS_STATIC(old) && FDB_PORT(old) < FDB_PORTS)
		__atomic_fetch_sub(&fdb.learned[FDB_PORT(old)], 1, __ATOMIC_RELAXED);
	if (new != 0 && !FDB_IS_STATIC(new) && FDB_PORT(new) < FDB_PORTS)
		__atomic_fetch_add(&fdb.learned[FDB_PORT(new)], 1, __ATOMIC_RELAXED);
}

static inline uint32_t fdb_learned(uint16_t port)
{
	return port < FDB_PORTS ? __atomic_load_n(&fdb.learned[port], __ATOMIC_RELAXED) : 0;
}

/* fast path (fast/fdb.c); the control thread's side is ctl/fdb_ctl.h */
/* Look up n <= 64 keys (one word each); bit i of the result: keys[i] found, data[i] set. */
static inline uint64_t fdb_lookup_bulk(const uint64_t *keys, unsigned int n, uint64_t *data)
{
	return fdb_table_lookup_bulk(&fdb.table, keys, n, data);
}
int fdb_learn(const struct fdb_key *key, uint16_t port, uint32_t now);
/* A known MAC seen again needs a write only when it moved or its second changed (and never
 * when static): the check inline, the write in fdb_refresh(). */
static inline bool fdb_stale(uint64_t data, uint16_t port, uint32_t now)
{
	return !FDB_IS_STATIC(data) && (FDB_PORT(data) != port || FDB_SEEN(data) != now);
}
int fdb_refresh(const struct fdb_key *key, uint64_t data, uint16_t port, uint32_t now);

#endif

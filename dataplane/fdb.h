/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding database: (MAC, VLAN) -> port, in one DPDK rte_hash with lock-free readers.
 *
 * Threads: workers look up without a lock and insert new entries themselves (the hash's
 * writer lock is taken only to insert or rewrite, never to look up). A known MAC's entry is
 * rewritten only when its port or its coarse (1 s) timestamp changes, so a steady flow makes
 * no shared write per packet. Only the control thread deletes (aging, flush, port removal,
 * lanctl): it unlinks keys, waits for an RCU grace period, then frees their slots, so a worker
 * that still holds a position never sees it reused.
 *
 * An entry's data is one 64-bit word, so a reader gets port, flags and timestamp in one load.
 */
#ifndef LANSWITCH_FDB_H
#define LANSWITCH_FDB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#define FDB_DEFAULT_SIZE 131072
#define FDB_DEFAULT_AGING 300

/* 16 bytes, not 8: rte_hash compares 16-byte keys with one SSE compare, other sizes with a
 * memcmp() call that cost a quarter of the lookup. pad must be zero. */
struct fdb_key {
	struct rte_ether_addr mac;
	uint16_t vlan;
	uint64_t pad;
};

#define FDB_DATA(port, is_static, seen) \
	((uint64_t)(port) | ((uint64_t)(is_static) << 16) | ((uint64_t)(seen) << 32))
#define FDB_PORT(d) ((uint16_t)((d)&0xffff))
#define FDB_IS_STATIC(d) (((d) >> 16) & 1)
#define FDB_SEEN(d) ((uint32_t)((d) >> 32))

struct fdb {
	struct rte_hash *hash; /* the writer lock inside serialises inserts and deletes */
	uint32_t size;         /* capacity promised to the user (--fdb-size) */
	uint32_t aging;        /* seconds; written by control, read by control */
	struct rte_rcu_qsbr *qsbr;
};

extern struct fdb fdb;

int fdb_init(uint32_t size, struct rte_rcu_qsbr *qsbr);
void fdb_fini(void);

/* fast path */
int fdb_learn(const struct fdb_key *key, uint16_t port, uint32_t now);
int fdb_refresh(const struct fdb_key *key, uint64_t data, uint16_t port, uint32_t now);

/* control thread */
int fdb_add_static(const struct fdb_key *key, uint16_t port);
unsigned int fdb_del_mac(const struct rte_ether_addr *mac, int vlan);
unsigned int fdb_flush(int port, bool include_static);
struct vlan_set;
unsigned int fdb_flush_vlan_change(int port, const struct vlan_set *keep);
unsigned int fdb_age(uint32_t now);
uint32_t fdb_count(void);
struct json_object *fdb_show_json(uint32_t now);
void fdb_describe(FILE *out);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <json-c/json.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "fdb.h"
#include "log.h"
#include "mac.h"
#include "port.h"
#include "vlan.h"

struct fdb fdb;

int fdb_init(uint32_t size, struct rte_rcu_qsbr *qsbr)
{
	struct rte_hash_parameters params = {
		.name = "lanswitch_fdb",
		.entries = size,
		.key_len = sizeof(struct fdb_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		/* lock-free lookups; inserts from several workers; buckets that never make an
		 * insert fail before the table is full */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
		              RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
		              RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	if (size < 8)
		return -EINVAL;
	fdb.hash = rte_hash_create(&params);
	if (fdb.hash == NULL)
		return -rte_errno;
	fdb.size = size;
	fdb.aging = FDB_DEFAULT_AGING;
	fdb.qsbr = qsbr;
	return 0;
}

void fdb_fini(void)
{
	rte_hash_free(fdb.hash);
	fdb.hash = NULL;
}

uint32_t fdb_count(void)
{
	int32_t n = rte_hash_count(fdb.hash);

	return n < 0 ? 0 : (uint32_t)n;
}

/* A MAC not in the table. Full means full: the frame is flooded and nothing is evicted. */
int fdb_learn(const struct fdb_key *key, uint16_t port, uint32_t now)
{
	/* the same new MAC twice in one burst: the second finds the first's entry */
	if (fdb_count() >= fdb.size && rte_hash_lookup(fdb.hash, key) < 0)
		return -ENOSPC;
	return rte_hash_add_key_data(fdb.hash, key, (void *)(uintptr_t)FDB_DATA(port, 0, now));
}

/* A known MAC seen again: write only when something changed. Static entries stay put. */
int fdb_refresh(const struct fdb_key *key, uint64_t data, uint16_t port, uint32_t now)
{
	if (FDB_IS_STATIC(data) || (FDB_PORT(data) == port && FDB_SEEN(data) == now))
		return 0;
	return rte_hash_add_key_data(fdb.hash, key, (void *)(uintptr_t)FDB_DATA(port, 0, now));
}

int fdb_add_static(const struct fdb_key *key, uint16_t port)
{
	void *old;

	if (rte_hash_lookup_data(fdb.hash, key, &old) < 0 && fdb_count() >= fdb.size)
		return -ENOSPC;
	return rte_hash_add_key_data(fdb.hash, key, (void *)(uintptr_t)FDB_DATA(port, 1, 0));
}

/* Free the slots of deleted keys once no worker can hold them any more. */
static void fdb_reclaim(const int32_t *pos, unsigned int n)
{
	unsigned int i;

	if (n == 0)
		return;
	rte_rcu_qsbr_synchronize(fdb.qsbr, RTE_QSBR_THRID_INVALID);
	for (i = 0; i < n; i++)
		rte_hash_free_key_with_position(fdb.hash, pos[i]);
}

/* What a bulk delete removes: port < 0 and vlan < 0 match all, mac NULL matches every MAC. */
struct fdb_match {
	const struct vlan_set *keep; /* set: also static entries in VLANs not in keep */
	int port;
	int vlan;
	const struct rte_ether_addr *mac;
	bool with_static;
	bool aged_only;
	uint32_t now;
};

static bool fdb_matches(const struct fdb_match *m, const struct fdb_key *k, uint64_t d)
{
	if (FDB_IS_STATIC(d) && !m->with_static &&
	    (m->keep == NULL || vlan_member(m->keep, k->vlan)))
		return false;
	if (m->port >= 0 && FDB_PORT(d) != m->port)
		return false;
	if (m->vlan >= 0 && k->vlan != m->vlan)
		return false;
	if (m->mac != NULL && !rte_is_same_ether_addr(m->mac, &k->mac))
		return false;
	/* aging 0: entries never age */
	if (m->aged_only && (fdb.aging == 0 || (uint64_t)FDB_SEEN(d) + fdb.aging > m->now))
		return false;
	return true;
}

/* Delete every matching entry, in batches so one grace period covers many keys. */
static unsigned int fdb_delete_matching(const struct fdb_match *m)
{
	struct fdb_key keys[256];
	int32_t pos[RTE_DIM(keys)], p;
	unsigned int n, i, npos, total = 0;
	const void *key;
	uint32_t iter;
	void *data;

	/* Collect, then delete: a delete during rte_hash_iterate() can move an entry from an
	 * extendable bucket into a slot the iterator has passed, and it would be missed. */
	do {
		n = 0;
		iter = 0;
		while (n < RTE_DIM(keys) && rte_hash_iterate(fdb.hash, &key, &data, &iter) >= 0)
			if (fdb_matches(m, key, (uint64_t)(uintptr_t)data))
				keys[n++] = *(const struct fdb_key *)key;
		for (i = 0, npos = 0; i < n; i++) {
			p = rte_hash_del_key(fdb.hash, &keys[i]);
			if (p >= 0)
				pos[npos++] = p;
		}
		fdb_reclaim(pos, npos);
		total += npos;
	} while (n == RTE_DIM(keys));
	return total;
}

/* port < 0: every port. Static entries go only when asked (port removal). */
unsigned int fdb_flush(int port, bool include_static)
{
	struct fdb_match m = { .port = port, .vlan = -1, .with_static = include_static };

	return fdb_delete_matching(&m);
}

/* A port's new VLAN set: its dynamic entries, and its static ones in VLANs it left. */
unsigned int fdb_flush_vlan_change(int port, const struct vlan_set *keep)
{
	struct fdb_match m = { .keep = keep, .port = port, .vlan = -1 };

	return fdb_delete_matching(&m);
}

/* vlan < 0: the MAC in every VLAN. */
unsigned int fdb_del_mac(const struct rte_ether_addr *mac, int vlan)
{
	struct fdb_match m = { .port = -1, .vlan = vlan, .mac = mac, .with_static = true };

	return fdb_delete_matching(&m);
}

unsigned int fdb_age(uint32_t now)
{
	struct fdb_match m = { .port = -1, .vlan = -1, .aged_only = true, .now = now };

	return fdb_delete_matching(&m);
}

static const char *fdb_port_name(uint16_t port)
{
	struct port *p = port < PORT_MAX ? port_table[port] : NULL;

	return p != NULL ? p->name : "?";
}

struct json_object *fdb_show_json(uint32_t now)
{
	struct json_object *arr = json_object_new_array(), *o;
	const struct fdb_key *k;
	char mac[MAC_STR_LEN];
	uint32_t iter = 0;
	const void *key;
	void *data;
	uint64_t d;

	while (rte_hash_iterate(fdb.hash, &key, &data, &iter) >= 0) {
		k = key;
		d = (uint64_t)(uintptr_t)data;
		mac_format(mac, &k->mac);
		o = json_object_new_object();
		json_object_object_add(o, "mac", json_object_new_string(mac));
		json_object_object_add(o, "port",
		                       json_object_new_string(fdb_port_name(FDB_PORT(d))));
		json_object_object_add(o, "vlan", json_object_new_int(k->vlan));
		json_object_object_add(
		        o, "age_s",
		        json_object_new_int64(FDB_IS_STATIC(d) ? 0 : now - FDB_SEEN(d)));
		json_object_object_add(o, "static", json_object_new_boolean(FDB_IS_STATIC(d)));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The static entries, as the commands that recreate them. */
void fdb_describe(FILE *out)
{
	char mac[MAC_STR_LEN];
	const struct fdb_key *k;
	uint32_t iter = 0;
	const void *key;
	void *data;
	uint64_t d;

	while (rte_hash_iterate(fdb.hash, &key, &data, &iter) >= 0) {
		k = key;
		d = (uint64_t)(uintptr_t)data;
		if (!FDB_IS_STATIC(d))
			continue;
		mac_format(mac, &k->mac);
		fprintf(out, "fdb add %s %s vlan %u\n", mac, fdb_port_name(FDB_PORT(d)), k->vlan);
	}
	if (fdb.aging != FDB_DEFAULT_AGING)
		fprintf(out, "fdb set aging %u\n", fdb.aging);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB on the control thread: set-up, static entries, aging, flushes and deletes (each
 * frees slots only after an RCU grace period), and what lanctl shows.
 */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_malloc.h>

#include "ctl/event_ctl.h"
#include "ctl/fdb_ctl.h"
#include "ctl/mac.h"
#include "fast/vlan.h"
#include "ports/port.h"

/*
 * Aging scans the whole table (a few MB at the default size, about a millisecond), so it runs
 * only once an entry may be due, as the Linux bridge's br_fdb_cleanup sleeps until its oldest
 * entry is: at the oldest `seen` the last scan kept, plus the aging time. Entries learned or
 * refreshed since are younger: a worker stamps them with worker_now, at least the scan's
 * now - 1 (a worker that read the clock just before it turned). Control thread only.
 */
static struct {
	uint32_t due;   /* no entry can age out before this second ... */
	uint32_t aging; /* ... with this aging time; another one (fdb set aging) scans again */
} fdb_next;

int fdb_init(uint32_t size, struct rte_rcu_qsbr *qsbr)
{
	int ret;

	RTE_BUILD_BUG_ON(PORT_MAX > FDB_PORTS);
	memset(fdb.learned, 0, sizeof(fdb.learned));
	if (size < 8)
		return -EINVAL;
	ret = fdb_table_init(&fdb.table, size, (int)rte_socket_id());
	if (ret < 0)
		return ret;
	fdb.size = size;
	fdb.aging = FDB_DEFAULT_AGING;
	fdb.qsbr = qsbr;
	fdb_next.due = 0;
	fdb_next.aging = 0;
	return 0;
}

void fdb_fini(void)
{
	fdb_table_fini(&fdb.table);
}

uint32_t fdb_count(void)
{
	return fdb_table_count(&fdb.table);
}

int fdb_get(const struct fdb_key *key, uint64_t *data)
{
	return fdb_table_get(&fdb.table, fdb_key_word(key), data);
}

int fdb_add_static(const struct fdb_key *key, uint16_t port)
{
	uint64_t old = 0;
	int ret = fdb_table_set(&fdb.table, fdb_key_word(key), FDB_DATA(port, 1, 0), fdb.size, 0,
	                        &old);

	if (ret >= 0)
		fdb_learned_move(old, 0); /* a learned entry made static is no longer counted */
	return ret < 0 ? ret : 0;
}

/* Free the slots of unlinked entries once no worker can hold them any more. */
static void fdb_reclaim(const int32_t *pos, unsigned int n)
{
	unsigned int i;

	if (n == 0)
		return;
	rte_rcu_qsbr_synchronize(fdb.qsbr, RTE_QSBR_THRID_INVALID);
	for (i = 0; i < n; i++)
		fdb_table_release(&fdb.table, pos[i]);
}

/* What a bulk delete removes: port < 0 and vlan < 0 match all, mac NULL matches every MAC. */
struct fdb_match {
	const struct vlan_set *keep; /* set: also static entries in VLANs not in keep */
	int port;
	int vlan;
	const struct rte_ether_addr *mac;
	const uint8_t (*except)[6]; /* set: only MACs not among except[0, nexcept) */
	unsigned int nexcept;
	bool with_static;
	bool aged_only;
	uint32_t now;
	uint32_t oldest; /* aged_only: the oldest `seen` of the dynamic entries kept */
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
	for (unsigned int i = 0; m->except != NULL && i < m->nexcept; i++)
		if (memcmp(m->except[i], k->mac.addr_bytes, RTE_ETHER_ADDR_LEN) == 0)
			return false;
	/* aging 0: entries never age */
	if (m->aged_only && (fdb.aging == 0 || (uint64_t)FDB_SEEN(d) + fdb.aging > m->now))
		return false;
	return true;
}

/* An entry aged out: lanctl monitor hears of it (within the control thread's budget). */
static void fdb_aged_event(const struct fdb_key *k, uint64_t d, uint32_t now)
{
	const struct port *p = FDB_PORT(d) < PORT_MAX ? port_table[FDB_PORT(d)] : NULL;

	if (p != NULL)
		event_post_aged(&k->mac, k->vlan, p, now);
}

/* Delete every matching entry, in batches so one grace period covers many. Entries never
 * move in the table, so unlinking while iterating misses none. */
static unsigned int fdb_delete_matching(struct fdb_match *m)
{
	int32_t pos[256], p;
	unsigned int n, total = 0;
	uint32_t iter = 0;
	uint64_t key, data;
	struct fdb_key k;

	do {
		n = 0;
		while (n < RTE_DIM(pos) &&
		       (p = fdb_table_next(&fdb.table, &iter, &key, &data)) >= 0) {
			k = fdb_key_of(key);
			if (!fdb_matches(m, &k, data)) {
				if (m->aged_only && !FDB_IS_STATIC(data))
					m->oldest = RTE_MIN(m->oldest, FDB_SEEN(data));
				continue;
			}
			if (fdb_table_unlink(&fdb.table, p, FDB_STICKY, &data))
				fdb_learned_move(data, 0);
			pos[n++] = p;
			if (m->aged_only)
				fdb_aged_event(&k, data, m->now);
		}
		fdb_reclaim(pos, n);
		total += n;
	} while (n == RTE_DIM(pos));
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

/* A port's learned entries but those of the n MACs given (its new allowed-mac list). */
unsigned int fdb_flush_port_except(int port, const uint8_t (*macs)[6], unsigned int n)
{
	struct fdb_match m = { .port = port, .vlan = -1, .except = macs, .nexcept = n };

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
	struct fdb_match m = {
		.port = -1, .vlan = -1, .aged_only = true, .now = now, .oldest = UINT32_MAX
	};
	uint32_t aging = fdb.aging;
	unsigned int n;
	uint64_t due;

	if (aging == 0) {
		fdb_next.aging = 0; /* aging back on: scan at once */
		return 0;
	}
	if (aging == fdb_next.aging && now < fdb_next.due)
		return 0;
	n = fdb_delete_matching(&m);
	due = (uint64_t)RTE_MIN(m.oldest, now > 0 ? now - 1 : 0) + aging;
	fdb_next.due = (uint32_t)RTE_MIN(due, (uint64_t)UINT32_MAX);
	fdb_next.aging = aging;
	return n;
}

static const char *fdb_port_name(uint16_t port)
{
	struct port *p = port < PORT_MAX ? port_table[port] : NULL;

	return p != NULL ? p->name : "?";
}

struct json_object *fdb_show_json(uint32_t now)
{
	struct json_object *arr = json_object_new_array(), *o;
	char mac[MAC_STR_LEN];
	uint32_t iter = 0;
	uint64_t key, d;
	struct fdb_key k;

	while (fdb_table_next(&fdb.table, &iter, &key, &d) >= 0) {
		k = fdb_key_of(key);
		mac_format(mac, &k.mac);
		o = json_object_new_object();
		json_object_object_add(o, "mac", json_object_new_string(mac));
		json_object_object_add(o, "port",
		                       json_object_new_string(fdb_port_name(FDB_PORT(d))));
		json_object_object_add(o, "vlan", json_object_new_int(k.vlan));
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
	uint32_t iter = 0;
	uint64_t key, d;
	struct fdb_key k;

	while (fdb_table_next(&fdb.table, &iter, &key, &d) >= 0) {
		if (!FDB_IS_STATIC(d))
			continue;
		k = fdb_key_of(key);
		mac_format(mac, &k.mac);
		fprintf(out, "fdb add %s %s vlan %u\n", mac, fdb_port_name(FDB_PORT(d)), k.vlan);
	}
	if (fdb.aging != FDB_DEFAULT_AGING)
		fprintf(out, "fdb set aging %u\n", fdb.aging);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* The FDB on its own: learning, refresh, static entries, aging, capacity, flushes. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <rte_malloc.h>

#include "ctl/fdb_ctl.h"
#include "frames.h"
#include "harness.h"

#define TEST_FDB_SIZE 64

static struct rte_rcu_qsbr *qsbr; /* no thread registered: a grace period is immediate */

static struct fdb_key key(uint8_t n, uint16_t vlan)
{
	struct fdb_key k;

	memset(&k, 0, sizeof(k));
	k.mac = frame_mac(n);
	k.vlan = vlan;
	return k;
}

/* The entry's data, or UINT64_MAX when the key is absent. */
static uint64_t lookup(const struct fdb_key *k)
{
	uint64_t data;

	if (fdb_get(k, &data) < 0)
		return UINT64_MAX;
	return data;
}

static int setup(void **state)
{
	return fdb_init(TEST_FDB_SIZE, qsbr);
}

static int teardown(void **state)
{
	fdb_fini();
	return 0;
}

static void test_learn(void **state)
{
	struct fdb_key k = key(1, 1);
	uint64_t d;

	assert_int_equal(fdb.aging, FDB_DEFAULT_AGING);
	assert_int_equal(fdb_count(), 0);
	assert_int_equal(fdb_learn(&k, 3, 100), 1);
	d = lookup(&k);
	assert_true(d == FDB_DATA(3, 0, 100));
	assert_int_equal(FDB_PORT(d), 3);
	assert_int_equal(FDB_SEEN(d), 100);
	assert_false(FDB_IS_STATIC(d));
	assert_int_equal(fdb_count(), 1);
	assert_int_equal(fdb_count(), 1);
}

static void test_refresh_moves_and_stamps(void **state)
{
	struct fdb_key k = key(1, 1);

	assert_int_equal(fdb_learn(&k, 1, 100), 1);
	/* same second, another port: the MAC moved */
	assert_int_equal(fdb_refresh(&k, lookup(&k), 2, 100), 0);
	assert_true(lookup(&k) == FDB_DATA(2, 0, 100));
	/* same port, a later second: only the timestamp */
	assert_int_equal(fdb_refresh(&k, lookup(&k), 2, 105), 0);
	assert_true(lookup(&k) == FDB_DATA(2, 0, 105));
	assert_int_equal(fdb_count(), 1);
}

/* Same port and second: no write. The caller's copy is made stale on purpose, so a write
 * (of what the caller saw) would show in the table. */
static void test_refresh_same_second_writes_nothing(void **state)
{
	struct fdb_key k = key(1, 1);
	uint64_t seen = FDB_DATA(1, 0, 100);

	assert_int_equal(fdb_learn(&k, 1, 100), 1);
	assert_int_equal(fdb_learn(&k, 7, 107), 0); /* overwrites: 0, not new; now 7@107 */
	assert_true(lookup(&k) == FDB_DATA(7, 0, 107));
	assert_int_equal(fdb_refresh(&k, seen, 1, 100), 0);
	assert_true(lookup(&k) == FDB_DATA(7, 0, 107));
	/* one second later it does write */
	assert_int_equal(fdb_refresh(&k, seen, 1, 101), 0);
	assert_true(lookup(&k) == FDB_DATA(1, 0, 101));
}

static void test_static_entries(void **state)
{
	struct fdb_key s = key(9, 10);

	assert_int_equal(fdb_add_static(&s, 4), 0);
	assert_true(lookup(&s) == FDB_DATA(4, 1, 0));
	/* a frame from it on another port does not move it */
	assert_int_equal(fdb_refresh(&s, lookup(&s), 5, 200), 0);
	assert_true(lookup(&s) == FDB_DATA(4, 1, 0));
	/* never aged, even with a tiny aging time */
	fdb.aging = 1;
	assert_int_equal(fdb_age(UINT32_MAX), 0);
	assert_true(lookup(&s) == FDB_DATA(4, 1, 0));
	/* only flushes that include statics remove it */
	assert_int_equal(fdb_flush(4, false), 0);
	assert_int_equal(fdb_flush(-1, false), 0);
	assert_int_equal(fdb_count(), 1);
	assert_int_equal(fdb_flush(4, true), 1);
	assert_true(lookup(&s) == UINT64_MAX);
	assert_int_equal(fdb_count(), 0);
}

static void test_static_replaces_dynamic(void **state)
{
	struct fdb_key k = key(2, 1);

	assert_int_equal(fdb_learn(&k, 1, 50), 1);
	assert_int_equal(fdb_add_static(&k, 3), 0);
	assert_true(lookup(&k) == FDB_DATA(3, 1, 0));
	assert_int_equal(fdb_count(), 1);
}

static void test_aging(void **state)
{
	struct fdb_key a = key(1, 1), b = key(2, 1);

	fdb.aging = 10;
	assert_int_equal(fdb_learn(&a, 1, 100), 1);
	assert_int_equal(fdb_learn(&b, 1, 105), 1);
	assert_int_equal(fdb_age(109), 0);
	assert_true(lookup(&a) == FDB_DATA(1, 0, 100));
	assert_int_equal(fdb_age(110), 1);
	assert_true(lookup(&a) == UINT64_MAX);
	assert_true(lookup(&b) == FDB_DATA(1, 0, 105));
	assert_int_equal(fdb_age(114), 0);
	assert_int_equal(fdb_age(115), 1);
	assert_int_equal(fdb_count(), 0);
}

static void test_aging_zero_never_removes(void **state)
{
	struct fdb_key a = key(1, 1);

	fdb.aging = 0;
	assert_int_equal(fdb_learn(&a, 1, 100), 1);
	assert_int_equal(fdb_age(100), 0);
	assert_int_equal(fdb_age(100 + FDB_DEFAULT_AGING), 0);
	assert_int_equal(fdb_age(UINT32_MAX), 0);
	assert_true(lookup(&a) == FDB_DATA(1, 0, 100));
}

/* Full means full: the 65th MAC is refused and nothing is evicted. */
static void test_capacity(void **state)
{
	struct fdb_key k;
	unsigned int i;

	for (i = 0; i < TEST_FDB_SIZE; i++) {
		k = key((uint8_t)i, 1);
		assert_int_equal(fdb_learn(&k, (uint16_t)(i % 3), 100 + i), 1);
	}
	assert_int_equal(fdb_count(), TEST_FDB_SIZE);
	k = key(200, 1);
	assert_int_equal(fdb_learn(&k, 1, 500), -ENOSPC);
	assert_true(lookup(&k) == UINT64_MAX);
	assert_int_equal(fdb_add_static(&k, 1), -ENOSPC);
	assert_int_equal(fdb_count(), TEST_FDB_SIZE);
	for (i = 0; i < TEST_FDB_SIZE; i++) {
		k = key((uint8_t)i, 1);
		assert_true(lookup(&k) == FDB_DATA(i % 3, 0, 100 + i));
	}
	/* known MACs still move and turn static while the table is full */
	k = key(0, 1);
	assert_int_equal(fdb_refresh(&k, lookup(&k), 2, 600), 0);
	assert_true(lookup(&k) == FDB_DATA(2, 0, 600));
	k = key(1, 1);
	assert_int_equal(fdb_add_static(&k, 2), 0);
	assert_int_equal(fdb_count(), TEST_FDB_SIZE);
	/* room again once something is gone */
	assert_int_equal(fdb_del_mac(&k.mac, 1), 1);
	k = key(200, 1);
	assert_int_equal(fdb_learn(&k, 1, 700), 1);
	assert_int_equal(fdb_count(), TEST_FDB_SIZE);
}

/* A deterministic stream of MACs that look random (xorshift32). */
static struct fdb_key random_key(uint32_t *x)
{
	struct fdb_key k;

	memset(&k, 0, sizeof(k));
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	k.mac.addr_bytes[0] = 0x02;
	memcpy(&k.mac.addr_bytes[2], x, 4);
	k.vlan = 1;
	return k;
}

/*
 * A flush must remove every matching entry, however the table is filled. Fill a table of
 * 1024 with MACs spread over its buckets, half on port 1, and flush port 1, then all. (With
 * rte_hash, some entries survived each: a delete during rte_hash_iterate() moved an entry
 * from an extendable bucket into the slot just visited. Our table never moves entries.)
 */
static void test_flush_port_of_full_table(void **state)
{
	static struct fdb_key keys[1024];
	uint32_t x = 2463534242u, on1 = 0, i, left = 0;

	fdb_fini();
	assert_int_equal(fdb_init(RTE_DIM(keys), qsbr), 0);
	for (i = 0; i < RTE_DIM(keys); i++) {
		keys[i] = random_key(&x);
		assert_int_equal(fdb_learn(&keys[i], (uint16_t)(i & 1), 100), 1);
		on1 += i & 1;
	}
	assert_int_equal(fdb_count(), RTE_DIM(keys));
	for (i = 1; i < RTE_DIM(keys); i += 2)
		left += lookup(&keys[i]) != UINT64_MAX;
	assert_int_equal(left, on1);
	fdb_flush(1, false);
	for (i = 1, left = 0; i < RTE_DIM(keys); i += 2)
		left += lookup(&keys[i]) != UINT64_MAX;
	assert_int_equal(left, 0);
	assert_int_equal(fdb_count(), RTE_DIM(keys) - on1);
	assert_int_equal(fdb_flush(-1, false), RTE_DIM(keys) - on1);
	assert_int_equal(fdb_count(), 0);
}

static void add_flush_fixture(void)
{
	struct fdb_key a = key(1, 1), b = key(2, 1), c = key(3, 1), s = key(4, 1);

	fdb_flush(-1, true);
	assert_int_equal(fdb_learn(&a, 1, 100), 1);
	assert_int_equal(fdb_learn(&b, 1, 100), 1);
	assert_int_equal(fdb_learn(&c, 2, 100), 1);
	assert_int_equal(fdb_add_static(&s, 1), 0);
	assert_int_equal(fdb_count(), 4);
}

static void test_flush(void **state)
{
	struct fdb_key a = key(1, 1), b = key(2, 1), c = key(3, 1), s = key(4, 1);

	add_flush_fixture();
	assert_int_equal(fdb_flush(1, false), 2);
	assert_true(lookup(&a) == UINT64_MAX);
	assert_true(lookup(&b) == UINT64_MAX);
	assert_true(lookup(&c) == FDB_DATA(2, 0, 100));
	assert_true(lookup(&s) == FDB_DATA(1, 1, 0));

	add_flush_fixture();
	assert_int_equal(fdb_flush(-1, false), 3);
	assert_int_equal(fdb_count(), 1);
	assert_true(lookup(&s) == FDB_DATA(1, 1, 0));

	add_flush_fixture();
	assert_int_equal(fdb_flush(1, true), 3);
	assert_int_equal(fdb_count(), 1);
	assert_true(lookup(&c) == FDB_DATA(2, 0, 100));

	add_flush_fixture();
	assert_int_equal(fdb_flush(3, true), 0);
	assert_int_equal(fdb_flush(-1, true), 4);
	assert_int_equal(fdb_count(), 0);
}

static void test_same_mac_two_vlans_and_del(void **state)
{
	struct fdb_key m10 = key(5, 10), m20 = key(5, 20), o10 = key(6, 10);

	assert_int_equal(fdb_learn(&m10, 1, 100), 1);
	assert_int_equal(fdb_learn(&m20, 2, 101), 1);
	assert_int_equal(fdb_add_static(&o10, 3), 0);
	assert_int_equal(fdb_count(), 3);
	assert_true(lookup(&m10) == FDB_DATA(1, 0, 100));
	assert_true(lookup(&m20) == FDB_DATA(2, 0, 101));

	assert_int_equal(fdb_del_mac(&m10.mac, 10), 1);
	assert_true(lookup(&m10) == UINT64_MAX);
	assert_true(lookup(&m20) == FDB_DATA(2, 0, 101));
	assert_int_equal(fdb_del_mac(&m10.mac, 10), 0);
	assert_int_equal(fdb_del_mac(&m10.mac, 30), 0);

	assert_int_equal(fdb_learn(&m10, 1, 100), 1);
	assert_int_equal(fdb_del_mac(&m10.mac, -1), 2);
	assert_int_equal(fdb_count(), 1);
	/* static entries go too: deleting by MAC is explicit */
	assert_int_equal(fdb_del_mac(&o10.mac, -1), 1);
	assert_int_equal(fdb_count(), 0);
}

static void test_show_json(void **state)
{
	struct fdb_key a = key(0xa, 10), s = key(0xb, 20);
	struct json_object *arr, *o, *v;
	size_t i;

	assert_int_equal(fdb_learn(&a, PORT_MAX - 1, 100), 1);
	assert_int_equal(fdb_add_static(&s, PORT_MAX - 1), 0);
	arr = fdb_show_json(130);
	assert_int_equal(json_object_array_length(arr), 2);
	for (i = 0; i < 2; i++) {
		o = json_object_array_get_idx(arr, i);
		assert_true(json_object_object_get_ex(o, "mac", &v));
		if (strcmp(json_object_get_string(v), "02:00:00:00:00:0a") == 0) {
			json_object_object_get_ex(o, "age_s", &v);
			assert_int_equal(json_object_get_int(v), 30);
			json_object_object_get_ex(o, "vlan", &v);
			assert_int_equal(json_object_get_int(v), 10);
			json_object_object_get_ex(o, "static", &v);
			assert_false(json_object_get_boolean(v));
		} else {
			assert_string_equal(json_object_get_string(v), "02:00:00:00:00:0b");
			json_object_object_get_ex(o, "age_s", &v);
			assert_int_equal(json_object_get_int(v), 0);
			json_object_object_get_ex(o, "static", &v);
			assert_true(json_object_get_boolean(v));
		}
		json_object_object_get_ex(o, "port", &v);
		assert_string_equal(json_object_get_string(v), "?"); /* no such port */
	}
	json_object_put(arr);
}

/* A frame learned after `fdb add` (the lookup raced the command) leaves the static entry. */
static void test_learn_keeps_static(void **state)
{
	struct fdb_key s = key(9, 10);

	assert_int_equal(fdb_add_static(&s, 4), 0);
	assert_int_equal(fdb_learn(&s, 5, 300), 0); /* not new: the static entry stays */
	assert_true(lookup(&s) == FDB_DATA(4, 1, 0));
	assert_int_equal(fdb_count(), 1);
}

/*
 * The default capacity holds that many MACs that look random, and then refuses one more: a
 * key has two buckets of four slots, and no pair may fill up before the table does.
 */
static void test_default_size_fills(void **state)
{
	uint64_t words[64], data[64], hit;
	uint32_t x = 88172645u, i, j, ports[63];
	struct fdb_key k;

	fdb_fini();
	assert_int_equal(fdb_init(FDB_DEFAULT_SIZE, qsbr), 0);
	for (i = 0; i < FDB_DEFAULT_SIZE; i++) {
		k = random_key(&x);
		k.vlan = (uint16_t)(1 + (i & 7)); /* and some VLANs */
		assert_int_equal(fdb_learn(&k, (uint16_t)(i % 5), 100), 1);
	}
	assert_int_equal(fdb_count(), FDB_DEFAULT_SIZE);
	k = key(1, 1);
	assert_int_equal(fdb_learn(&k, 1, 100), -ENOSPC);
	/* every entry findable, one by one and in the workers' bulk lookups (63 known keys and
	 * an unknown one a call: the keys in second buckets take the second pass) */
	x = 88172645u;
	for (i = 0; i < FDB_DEFAULT_SIZE; i++) {
		k = random_key(&x);
		k.vlan = (uint16_t)(1 + (i & 7));
		assert_true(lookup(&k) == FDB_DATA(i % 5, 0, 100));
		words[i % 63] = fdb_key_word(&k);
		ports[i % 63] = i % 5;
		if (i % 63 != 62)
			continue;
		k = key(1, 1);
		words[63] = fdb_key_word(&k);
		hit = fdb_lookup_bulk(words, 64, data);
		assert_true(hit == ~0ull >> 1);
		for (j = 0; j < 63; j++)
			assert_true(data[j] == FDB_DATA(ports[j], 0, 100));
	}
	assert_int_equal(fdb_flush(-1, false), FDB_DEFAULT_SIZE);
	assert_int_equal(fdb_count(), 0);
}

/* A deleted MAC is gone at once, and its slot takes another MAC after the grace period: eight
 * rounds of filling and flushing put eight times the capacity through the table. */
static void test_delete_then_reuse(void **state)
{
	struct fdb_key k;
	unsigned int i, round;

	for (round = 0; round < 8; round++) {
		for (i = 0; i < TEST_FDB_SIZE; i++) {
			k = key((uint8_t)i, (uint16_t)(round + 1));
			assert_int_equal(fdb_learn(&k, 1, 100), 1);
		}
		for (i = 0; i < TEST_FDB_SIZE; i += 2) {
			k = key((uint8_t)i, (uint16_t)(round + 1));
			assert_int_equal(fdb_del_mac(&k.mac, (int)round + 1), 1);
		}
		assert_int_equal(fdb_count(), TEST_FDB_SIZE / 2);
		for (i = 0; i < TEST_FDB_SIZE; i++) {
			k = key((uint8_t)i, (uint16_t)(round + 1));
			assert_true((lookup(&k) == UINT64_MAX) == (i % 2 == 0));
		}
		assert_int_equal(fdb_flush(-1, false), TEST_FDB_SIZE / 2);
	}
	assert_int_equal(fdb_count(), 0);
}

/* A worker's refresh: the data its lookup found, then fdb_refresh() as fwd_learn() calls it. */
struct refresher {
	struct fdb_key k;
	uint16_t port;
	uint32_t now;
	int ret;
};

static void *refresh_once(void *arg)
{
	struct refresher *r = arg;
	uint64_t data;

	r->ret = fdb_get(&r->k, &data) < 0 ? -ENOENT : fdb_refresh(&r->k, data, r->port, r->now);
	return NULL;
}

/*
 * A refresh of a known MAC takes no lock: it completes while another thread holds the table's
 * (inserting a new MAC, say). The refresh runs in a thread joined with a time-out, so a
 * refresh that waits for the lock fails the test instead of hanging it.
 */
static void test_refresh_takes_no_lock(void **state)
{
	struct refresher r = { .k = key(1, 1), .port = 2, .now = 101, .ret = 1 };
	struct timespec until;
	pthread_t t;
	int joined;

	assert_int_equal(fdb_learn(&r.k, 1, 100), 1);
	rte_spinlock_lock(&fdb.table.lock);
	assert_int_equal(pthread_create(&t, NULL, refresh_once, &r), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	joined = pthread_timedjoin_np(t, NULL, &until);
	rte_spinlock_unlock(&fdb.table.lock);
	if (joined != 0) {
		pthread_join(t, NULL); /* it goes on once the lock is free */
		fail_msg("fdb_refresh() waited for the table's lock (join: %s)", strerror(joined));
	}
	assert_int_equal(r.ret, 0);
	assert_true(lookup(&r.k) == FDB_DATA(2, 0, 101));
	assert_int_equal(fdb_count(), 1);
}

/* An entry deleted between a worker's lookup and its refresh is gone: refreshing never
 * inserts (the next frame from the MAC misses the lookup and learns it anew). */
static void test_refresh_of_deleted_entry_is_nothing(void **state)
{
	struct fdb_key k = key(1, 1);
	uint64_t seen;

	assert_int_equal(fdb_learn(&k, 1, 100), 1);
	seen = lookup(&k);
	assert_int_equal(fdb_del_mac(&k.mac, 1), 1);
	assert_int_equal(fdb_refresh(&k, seen, 2, 101), -ENOENT);
	assert_true(lookup(&k) == UINT64_MAX);
	assert_int_equal(fdb_count(), 0);
}

struct churn {
	struct fdb_key k;
	bool stop;
	unsigned long refreshes;
};

/* A worker that sees k in every burst, from alternating ports, each time a second later. */
static void *refresh_loop(void *arg)
{
	struct churn *c = arg;
	uint32_t now = 1000;
	uint64_t data;

	rte_rcu_qsbr_thread_register(qsbr, 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		if (fdb_get(&c->k, &data) == 0)
			fdb_refresh(&c->k, data, (uint16_t)(1 + now % 2), now);
		now++;
		__atomic_store_n(&c->refreshes, c->refreshes + 1, __ATOMIC_RELEASE);
		rte_rcu_qsbr_quiescent(qsbr, 0); /* between bursts, as worker_main */
	}
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
	return NULL;
}

/* Let the refresher make two more attempts: each step of a round meets refreshes. */
static void churn_wait(struct churn *c)
{
	unsigned long until = __atomic_load_n(&c->refreshes, __ATOMIC_ACQUIRE) + 2;

	while (__atomic_load_n(&c->refreshes, __ATOMIC_ACQUIRE) < until)
		rte_pause();
}

/* A MAC other than k's whose first bucket is k's: it takes the slot k's deletion frees. */
static struct fdb_key same_bucket(const struct fdb_key *k)
{
	const struct fdb_bucket *b = fdb_table_first(&fdb.table, fdb_key_word(k));
	struct fdb_key x;
	unsigned int n;

	for (n = 2; n < 256; n++) {
		x = key((uint8_t)n, k->vlan);
		if (fdb_table_first(&fdb.table, fdb_key_word(&x)) == b)
			return x;
	}
	fail_msg("no MAC shares key 1's bucket");
	return x;
}

/*
 * Refreshes against the control thread's writes, all the time: k made static stays static
 * (never rewritten by a refresh), k deleted stays deleted (never re-inserted), and the MAC
 * that then takes k's slot keeps its own data (the grace period covers a refresh between its
 * lookup and its compare-and-swap).
 */
static void test_refresh_races_static_delete_and_reuse(void **state)
{
	struct churn c = { .k = key(1, 1) };
	struct fdb_key x = same_bucket(&c.k);
	const char *bad = NULL;
	unsigned int round;
	pthread_t t;

	assert_int_equal(ut_thread_start(&t, refresh_loop, &c), 0);
	for (round = 0; round < 3000 && bad == NULL; round++) {
		fdb_learn(&c.k, 1, 100);
		churn_wait(&c);
		if (round % 2 == 1) {
			fdb_add_static(&c.k, 9);
			churn_wait(&c);
			if (lookup(&c.k) != FDB_DATA(9, 1, 0))
				bad = "a refresh rewrote a static entry";
		}
		fdb_del_mac(&c.k.mac, 1);
		fdb_learn(&x, 7, 50);
		churn_wait(&c);
		if (lookup(&c.k) != UINT64_MAX)
			bad = "a refresh re-inserted a deleted MAC";
		else if (lookup(&x) != FDB_DATA(7, 0, 50))
			bad = "a refresh of the deleted MAC changed the data of the one in its "
			      "slot";
		fdb_del_mac(&x.mac, 1);
		churn_wait(&c); /* a refresh begun before the deletes has counted itself */
		if (fdb_learned(1) + fdb_learned(2) + fdb_learned(7) + fdb_learned(9) != 0)
			bad = "the per-port counts of learned MACs lost track of a refresh";
	}
	/* the thread stops before any failure ends the test: it uses c and the table */
	__atomic_store_n(&c.stop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (bad != NULL)
		fail_msg("round %u: %s", round - 1, bad);
	assert_int_equal(fdb_count(), 0);
	print_message("%lu refreshes against 3000 rounds of static, delete and reuse\n",
	              c.refreshes);
}

/* mac-limit's counts: per port, as entries are learned, move, turn static, age and go. */
static void test_learned_counts(void **state)
{
	struct fdb_key a = key(1, 1), b = key(2, 1), c = key(3, 1), d = key(4, 5);

	assert_int_equal(fdb_learn(&a, 1, 100), 1);
	assert_int_equal(fdb_learn(&b, 1, 100), 1);
	assert_int_equal(fdb_learn(&c, 2, 100), 1);
	assert_int_equal(fdb_learn(&d, 1, 100), 1);
	assert_int_equal(fdb_learned(1), 3);
	assert_int_equal(fdb_learned(2), 1);
	assert_int_equal(fdb_refresh(&a, lookup(&a), 1, 101), 0); /* same port: no change */
	assert_int_equal(fdb_learned(1), 3);
	assert_int_equal(fdb_refresh(&a, lookup(&a), 2, 102), 0); /* moved */
	assert_int_equal(fdb_learned(1), 2);
	assert_int_equal(fdb_learned(2), 2);
	assert_int_equal(fdb_learn(&b, 2, 103), 0); /* learned again elsewhere: moved */
	assert_int_equal(fdb_learned(1), 1);
	assert_int_equal(fdb_learned(2), 3);
	assert_int_equal(fdb_add_static(&c, 1), 0); /* a learned entry made static */
	assert_int_equal(fdb_learned(2), 2);
	assert_int_equal(fdb_learned(1), 1);
	assert_int_equal(fdb_learn(&c, 2, 104), 0); /* the static entry stays, uncounted */
	assert_int_equal(fdb_learned(2), 2);
	assert_int_equal(fdb_flush(2, false), 2);
	assert_int_equal(fdb_learned(2), 0);
	fdb.aging = 10;
	assert_int_equal(fdb_age(200), 1); /* d, on port 1 */
	assert_int_equal(fdb_learned(1), 0);
	assert_int_equal(fdb_del_mac(&c.mac, -1), 1);
	assert_int_equal(fdb_count(), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_learn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_moves_and_stamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_same_second_writes_nothing, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_static_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_replaces_dynamic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aging_zero_never_removes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_mac_two_vlans_and_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learn_keeps_static, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_size_fills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_then_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_takes_no_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_of_deleted_entry_is_nothing, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_refresh_races_static_delete_and_reuse, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_learned_counts, setup, teardown),
	};
	const struct CMUnitTest known_bugs[] = {
		cmocka_unit_test_setup_teardown(test_flush_port_of_full_table, setup, teardown),
	};
	int ret;

	if (ut_eal_init("lanswitch_unit_fdb") < 0) {
		fprintf(stderr, "fdb_test: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	qsbr = rte_zmalloc("unit_qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, 1) != 0) {
		fprintf(stderr, "fdb_test: qsbr\n");
		return 1;
	}
	ret = ut_run("fdb", tests, known_bugs, argc, argv);
	rte_free(qsbr);
	ut_eal_fini();
	return ret;
}

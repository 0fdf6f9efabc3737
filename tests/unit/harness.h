/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the unit tests share to run the switch in-process: an EAL that needs no hugepages and
 * leaves no files, net_ring ethdevs whose rings the test fills and drains, the switch set up
 * as lanswitchd's main() does it, and one worker pass driven by the test thread.
 *
 * The test thread is worker 0 in the QSBR and stays offline between passes, so that control
 * functions (port_add, port_set_vlan, fdb_flush) that wait for a grace period return at once.
 */
#ifndef LANSWITCH_TEST_HARNESS_H
#define LANSWITCH_TEST_HARNESS_H

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ctl/fdb_ctl.h"
#include "ctl/port_table.h"
#include "ctl/vlan_ctl.h"
#include "ctl/worker_ctl.h"

#define UT_POOL_SIZE 4095
#define UT_RING_SIZE 256 /* holds more than a pass can send: 255 frames */

/* An ethdev made from two rings: the test enqueues into rx and dequeues from tx. */
struct ut_ring_dev {
	struct rte_ring *rx;
	struct rte_ring *tx;
	uint16_t eth_id;
	char name[RTE_ETH_NAME_MAX_LEN]; /* "net_ring_" + the name given */
};

/*
 * rte_eal_init without hugepages, PCI or shared runtime files; prefix keeps instances apart.
 * --no-shconf rather than --in-memory: DPDK 22.11 refuses --in-memory with --no-huge (the
 * latter implies legacy memory). --no-telemetry: no socket in the runtime directory the EAL
 * still makes, so that ut_eal_fini() can remove it.
 */
static inline int ut_eal_init(const char *prefix)
{
	char *argv[] = { "unit_test",
		         "--no-huge",
		         "-m",
		         "512",
		         "--no-pci",
		         "--no-shconf",
		         "--no-telemetry",
		         "--file-prefix",
		         (char *)prefix,
		         "-l",
		         "0",
		         "--log-level=warning" };

	return rte_eal_init((int)RTE_DIM(argv), argv);
}

/* rte_eal_cleanup, then remove the runtime directory the EAL made (empty with --no-shconf). */
static inline void ut_eal_fini(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

/*
 * Run the group; with arguments "known-bugs TEST", the one test of known_bugs that shows a
 * bug not fixed yet. Meson registers each of those on its own with should_fail: once its bug
 * is fixed it reports an unexpected pass, and the test moves to the main group.
 */
#define ut_run(name, tests, known_bugs, argc, argv)                                          \
	((argc) > 2 && strcmp((argv)[1], "known-bugs") == 0                                  \
	         ? (cmocka_set_test_filter((argv)[2]),                                       \
	            cmocka_run_group_tests_name(name " known bugs", known_bugs, NULL, NULL)) \
	         : cmocka_run_group_tests_name(name, tests, NULL, NULL))

static inline struct rte_mempool *ut_pool_create(void)
{
	return rte_pktmbuf_pool_create("unit_mbuf", UT_POOL_SIZE, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                               (int)rte_socket_id());
}

/* A net_ring ethdev "net_ring_<name>"; tx_size 0 means UT_RING_SIZE. */
static inline int ut_ring_dev_create(struct ut_ring_dev *d, const char *name, unsigned int tx_size)
{
	char rname[RTE_RING_NAMESIZE];
	int id;

	snprintf(rname, sizeof(rname), "ut_rx_%s", name);
	d->rx = rte_ring_create(rname, UT_RING_SIZE, (int)rte_socket_id(),
	                        RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "ut_tx_%s", name);
	d->tx = rte_ring_create(rname, tx_size != 0 ? tx_size : UT_RING_SIZE, (int)rte_socket_id(),
	                        RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (d->rx == NULL || d->tx == NULL)
		return -1;
	id = rte_eth_from_rings(name, &d->rx, 1, &d->tx, 1, (unsigned int)rte_socket_id());
	if (id < 0)
		return -1;
	d->eth_id = (uint16_t)id;
	snprintf(d->name, sizeof(d->name), "net_ring_%s", name);
	return 0;
}

/* The switch as main() builds it, with the test thread registered as worker 0. */
static inline int ut_switch_init(struct rte_mempool *pool, uint32_t fdb_size)
{
	if (worker_init(1, pool) < 0 || fdb_init(fdb_size, worker_qsbr) < 0)
		return -1;
	return rte_rcu_qsbr_thread_register(worker_qsbr, 0);
}

static inline void ut_switch_fini(void)
{
	port_del_all();
	fdb_fini();
	rte_rcu_qsbr_thread_unregister(worker_qsbr, 0);
	worker_fini();
}

/* One worker pass, online only for its length. */
static inline void ut_poll(void)
{
	rte_rcu_qsbr_thread_online(worker_qsbr, 0);
	worker_poll_once(workers[0]);
	rte_rcu_qsbr_thread_offline(worker_qsbr, 0);
}

/* port_add for a dpdk port on an existing device; returns the port or NULL (err says why). */
static inline struct port *ut_port_add(const char *name, const char *dev, char *err, size_t len)
{
	char *argv[] = { (char *)dev };

	if (port_add(name, "dpdk", 1, argv, err, len) < 0)
		return NULL;
	return port_find(name);
}

/*
 * A thread of the test's own that may run on any CPU: pthread_create() would give it the EAL
 * main thread's one CPU, and two threads that wait for each other by spinning (a grace period,
 * a test waiting for a worker) would then take turns a scheduler time slice apart.
 */
static inline int ut_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	cpu_set_t all;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);
	int ret;

	CPU_ZERO(&all);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(all), &all);
	ret = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}

/* Free everything waiting in a ring; returns how many there were. */
static inline unsigned int ut_ring_drain(struct rte_ring *r)
{
	void *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(r, &m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

#endif

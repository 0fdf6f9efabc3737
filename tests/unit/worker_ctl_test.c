/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' set-up on the control thread (ctl/worker_ctl.c) when memory runs out part of
 * the way: worker_init() fails and leaves nothing allocated, and no pointer to what it freed.
 * The program is linked with --wrap=rte_zmalloc,--wrap=rte_free (tests/unit/meson.build), so
 * the dataplane library's allocations are counted and the n-th one fails on demand.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <rte_malloc.h>

#include "harness.h"

#define NWORKERS 3

static struct rte_mempool *pool;
static unsigned int allocs, fail_at; /* fail_at: the allocation that fails (1 = first), 0 none */
static int live;                     /* allocated and not freed */

void *__real_rte_zmalloc(const char *type, size_t size, unsigned int align);
void __real_rte_free(void *ptr);

void *__wrap_rte_zmalloc(const char *type, size_t size, unsigned int align)
{
	void *p;

	if (++allocs == fail_at)
		return NULL;
	p = __real_rte_zmalloc(type, size, align);
	live += p != NULL;
	return p;
}

void __wrap_rte_free(void *ptr)
{
	live -= ptr != NULL;
	__real_rte_free(ptr);
}

static void expect_nothing_held(void)
{
	unsigned int i;

	assert_int_equal(live, 0);
	assert_null(worker_qsbr);
	assert_int_equal(worker_count, 0);
	for (i = 0; i < WORKER_MAX; i++)
		assert_null(workers[i]);
}

/* Every allocation of worker_init in turn fails: each time nothing is left. */
static void test_init_fails_without_leaks(void **state)
{
	unsigned int n, total;

	fail_at = 0;
	allocs = 0;
	assert_int_equal(worker_init(NWORKERS, pool), 0);
	total = allocs;
	assert_int_equal(live, (int)total);
	worker_fini();
	expect_nothing_held();

	for (n = 1; n <= total; n++) {
		allocs = 0;
		fail_at = n;
		assert_int_equal(worker_init(NWORKERS, pool), -ENOMEM);
		if (live != 0)
			fail_msg("allocation %u of %u failed: %d left allocated", n, total, live);
		expect_nothing_held();
		/* and main()'s clean-up after a failed init is harmless */
		worker_fini();
		expect_nothing_held();
	}
	fail_at = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_fails_without_leaks),
	};
	int ret;

	if (ut_eal_init("lanswitch_unit_worker_ctl") < 0 || (pool = ut_pool_create()) == NULL) {
		fprintf(stderr, "worker_ctl_test: set-up: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = cmocka_run_group_tests_name("worker_ctl", tests, NULL, NULL);
	rte_mempool_free(pool);
	ut_eal_fini();
	return ret;
}

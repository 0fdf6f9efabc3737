/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What workers read while another thread changes it (the control thread; for a port's link,
 * DPDK's vhost-events or interrupt thread too): one way to write it, one way to read it.
 *
 *   shared_publish(&x, v)  a release store: a reader that sees v also sees everything the
 *                          writer wrote before (a new port's fields, a VLAN set's bits).
 *   shared_read(&x)        an acquire load: one whole value, as one publish wrote it, and
 *                          what was written before that publish.
 *
 * A plain load of such a field is a data race in C11: the compiler may tear, repeat, or hoist
 * it out of a loop, and nothing orders the reads of what it points to. `volatile` forbids only
 * the first three and orders nothing. ThreadSanitizer reports both
 * (tests/unit/shared_tsan_test.c). On x86 the acquire load is a plain mov and the release store
 * a plain mov: they constrain the compiler, not the CPU, and cost nothing on the fast path.
 */
#ifndef LANSWITCH_SHARED_H
#define LANSWITCH_SHARED_H

#define shared_publish(ptr, val) __atomic_store_n((ptr), (val), __ATOMIC_RELEASE)
#define shared_read(ptr) __atomic_load_n((ptr), __ATOMIC_ACQUIRE)

#endif

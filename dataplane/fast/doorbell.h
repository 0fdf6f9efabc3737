/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's doorbell: how a thread that queued work for the control thread (an
 * event into the event ring, a frame for the switch's own port) wakes it when it sleeps. The
 * control thread sleeps in one poll() (ctl/main.c) with the doorbell's eventfd among its fds.
 *
 * Ringing must not cost the fast path a syscall per event: a producer writes the eventfd only
 * when the control thread is asleep or about to be (doorbell_asleep). That is Dekker's
 * pattern, and each side needs a full fence between its store and its load:
 *   producer:       enqueue;       fence;  load doorbell_asleep  -> 1: write the eventfd
 *   control thread: store asleep=1; fence; dequeue everything     -> then poll()
 * Either the producer sees asleep (and rings), or the control thread's dequeue sees the
 * enqueue (and does not sleep on it): never neither. A store-release and a load-acquire
 * would not do, they do not order a store before a later load.
 *
 * Threads: doorbell_asleep is written by the control thread alone, read by any producer;
 * doorbell_fd is made before any producer starts (before the workers, the ports and the
 * signal handlers) and closed after they stop, so a plain int. doorbell_kick() is
 * async-signal-safe (one write()): the signal handler rings the doorbell too, so a SIGTERM
 * that lands on any thread, at any moment, ends the control thread's sleep at once.
 */
#ifndef LANSWITCH_DOORBELL_H
#define LANSWITCH_DOORBELL_H

#include <stdbool.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>

extern int doorbell_fd;
extern bool doorbell_asleep;

/* Wake the control thread, whatever it is doing: one write() to the eventfd. */
void doorbell_kick(void);

/* After enqueueing work for the control thread: wake it if it sleeps or is about to. */
static inline void doorbell_ring(void)
{
	/* on x86 a locked add on the stack, cheaper than mfence; SEQ_CST: see above */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (unlikely(__atomic_load_n(&doorbell_asleep, __ATOMIC_RELAXED)))
		doorbell_kick();
}

#endif

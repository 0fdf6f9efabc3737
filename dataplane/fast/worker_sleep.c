/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adaptive mode's sleep: a worker that has found no frame for idle_us (worker_idle) turns on
 * every port's notification, polls once more, and sleeps in one epoll_wait until a port's fd
 * fires (a guest's kick, an XSK socket, a TAP queue) or another thread writes its wake_fd
 * (worker_wake: a port came or went, a guest reconnected, a probe to send, shutdown). Then
 * notifications go off again and it polls.
 *
 * The epoll set is kept across sleeps: wake_reg[] remembers, per port slot, which fds are in
 * it, and a port's fds are registered again only when the port or its wake_gen changed. The
 * fds belong to the ports (rte_vhost closes a kickfd when the guest goes; the TAP PMD its
 * queue fd at close), so the kernel drops a closed fd from the set by itself and a number may
 * come back for another file: every stale registration is deleted before any new one is
 * added, so a delete never hits a number that a new registration took.
 *
 * While asleep the worker is offline for RCU: the control thread's grace periods (port del)
 * do not wait for it, and it reads nothing it held before the sleep afterwards.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_cycles.h>

#include "fast/shared.h"
#include "fast/worker.h"

#define WAKE_SELF UINT64_MAX /* epoll data of the worker's own eventfd */
#define WAKE_EVENTS 32

void worker_wake(struct worker *w)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is near overflow, the worker has a wake-up waiting anyway */
	if (write(w->wake_fd, &one, sizeof(one)) < 0)
		return;
}

void worker_wake_port(struct port *p)
{
	__atomic_fetch_add(&p->wake_gen, 1, __ATOMIC_RELEASE);
	if (p->worker < worker_count)
		worker_wake(workers[p->worker]);
}

static void sleep_unregister(struct worker *w, struct worker_wake_reg *r)
{
	uint8_t i;

	/* a closed fd has left the set already (ENOENT, EBADF): nothing to undo */
	for (i = 0; i < r->nfd && !r->fresh; i++)
		epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, r->fds[i], NULL);
	r->nfd = 0;
	r->gen = 0;
	r->fresh = false;
}

/* Registrations of ports no longer in rx: deleted (only when the list changed). */
static void sleep_forget(struct worker *w, const struct worker_rx *rx)
{
	bool keep[PORT_MAX] = { false };
	uint16_t i;

	for (i = 0; i < rx->n; i++)
		keep[rx->ports[i]->index] =
		        w->wake_reg[rx->ports[i]->index].gen == rx->ports[i]->gen;
	for (i = 0; i < PORT_MAX; i++)
		if (w->wake_reg[i].nfd != 0 && !keep[i])
			sleep_unregister(w, &w->wake_reg[i]);
	w->sleep_rx = rx;
}

/*
 * Turn every port's notification on and find what to wait on; a changed port's old fds are
 * deleted here, its new ones added by sleep_register once every port is through this.
 */
static int sleep_arm(struct worker *w, const struct worker_rx *rx)
{
	int fds[PORT_WAKE_FDS_MAX], n;
	struct worker_wake_reg *r;
	uint32_t wake_gen;
	struct port *p;
	uint16_t i;

	for (i = 0; i < rx->n; i++) {
		p = rx->ports[i];
		/* before the fds: a change after this read is seen at the next sleep */
		wake_gen = __atomic_load_n(&p->wake_gen, __ATOMIC_ACQUIRE);
		n = p->wake(p, true, fds, PORT_WAKE_FDS_MAX);
		if (n < 0)
			return n;
		r = &w->wake_reg[p->index];
		if (r->gen == p->gen && r->wake_gen == wake_gen && r->nfd == n &&
		    memcmp(r->fds, fds, (size_t)n * sizeof(fds[0])) == 0)
			continue;
		sleep_unregister(w, r);
		r->gen = p->gen;
		r->wake_gen = wake_gen;
		r->nfd = (uint8_t)n;
		r->fresh = true;
		memcpy(r->fds, fds, (size_t)n * sizeof(fds[0]));
	}
	return 0;
}

static int sleep_register(struct worker *w, const struct worker_rx *rx)
{
	struct epoll_event ev;
	struct worker_wake_reg *r;
	uint16_t i;
	uint8_t k;

	for (i = 0; i < rx->n; i++) {
		r = &w->wake_reg[rx->ports[i]->index];
		if (!r->fresh)
			continue;
		/* Edge-triggered where nobody reads the fd (a kickfd): every kick is an edge. Level
		 * where frames keep it readable: net_tap reads its queue only once its SIGIO
		 * handler has run, which may be after the edge woke us; a frame left unread then
		 * keeps the worker from sleeping until it is read. */
		ev.events = EPOLLIN | (rx->ports[i]->wake_level ? 0 : EPOLLET);
		ev.data.u64 = rx->ports[i]->index;
		for (k = 0; k < r->nfd; k++)
			if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, r->fds[k], &ev) < 0 &&
			    errno != EEXIST) {
				/* the ones added so far are deleted at the next try */
				r->fresh = false;
				r->nfd = k;
				r->gen = 0;
				return -errno;
			}
		r->fresh = false;
	}
	return 0;
}

static void sleep_disarm(struct worker *w)
{
	const struct worker_rx *rx = shared_read(&w->rx);
	uint16_t i;

	/* the list of now: a port added meanwhile may have no hook */
	for (i = 0; i < rx->n; i++)
		if (rx->ports[i]->wake != NULL)
			rx->ports[i]->wake(rx->ports[i], false, NULL, 0);
}

static uint64_t sleep_wait(struct worker *w)
{
	struct epoll_event ev[WAKE_EVENTS];
	uint64_t t0, t1, v;
	int n, i;

	rte_rcu_qsbr_thread_offline(worker_qsbr, w->id);
	w->sleeps++;
	t0 = rte_rdtsc();
	__atomic_store_n(&w->sleep_tsc, t0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->asleep, true, __ATOMIC_RELEASE);
	n = epoll_wait(w->epoll_fd, ev, WAKE_EVENTS, -1);
	t1 = rte_rdtsc();
	__atomic_store_n(&w->asleep, false, __ATOMIC_RELAXED);
	rte_rcu_qsbr_thread_online(worker_qsbr, w->id);
	if (n > 0)
		w->wakeups++;
	else if (n < 0 && errno != EINTR)
		w->sleep_errors++;
	for (i = 0; i < n; i++)
		if (ev[i].data.u64 == WAKE_SELF && read(w->wake_fd, &v, sizeof(v)) < 0)
			break; /* EAGAIN: another wake-up read it */
	return t1 - t0;
}

uint64_t worker_sleep(struct worker *w)
{
	const struct worker_rx *rx = shared_read(&w->rx);
	uint64_t slept = 0;
	uint16_t i;

	for (i = 0; i < rx->n; i++)
		if (rx->ports[i]->wake == NULL)
			return 0; /* a port only polling finds frames */
	if (rx != w->sleep_rx)
		sleep_forget(w, rx);
	/* a port that cannot tell now, or an fd epoll refused: polled on, and counted */
	if (sleep_arm(w, rx) < 0 || sleep_register(w, rx) < 0) {
		w->sleep_errors++;
		goto disarm;
	}
	/* what came before the notifications were on is in the rings: look once more, after
	 * the stores that turned them on (a guest reads the flag after its own store) */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (worker_poll_once(w) != 0 || w->nheld > 0 || shared_read(&worker_quit))
		goto disarm;
	slept = sleep_wait(w);
disarm:
	sleep_disarm(w);
	return slept;
}

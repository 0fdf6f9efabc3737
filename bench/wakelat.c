/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wakelat: how long a thread asleep in epoll_wait takes to run again after another core
 * writes its eventfd, in nanoseconds: the floor under any switch that sleeps between frames.
 *
 *   wakelat [--cpus WAKER,SLEEPER] [--samples N] [--gap-us US]
 *
 * An adaptive lanswitch worker sleeps in one epoll_wait on its ports' fds (a guest's kick is
 * an eventfd write by the guest's side) and a frame that arrives while it sleeps waits for
 * that wake-up. This program measures the wake-up alone, between two threads pinned to the
 * two cores as bench/corelat probes them (default: the waker on CPU 0, where the guests run,
 * the sleeper on CPU 1, the worker's): the waker reads CLOCK_MONOTONIC and writes the
 * sleeper's eventfd; the sleeper, back from epoll_wait, reads the clock and its eventfd, and
 * answers on a second eventfd. One sample is the one-way time from the write to the sleeper
 * running. Between samples the waker sleeps GAP_US (default 50 000, the idle gap before each
 * frame of bench/idle's wake-up row), so that the sleeper's CPU has gone as idle as it goes
 * when the LAN is quiet (on a VM: its vCPU halted, the host's scheduler involved).
 * Both threads run at normal priority, as lanswitchd's worker does.
 *
 * A second pass, "spin", has the sleeper poll its eventfd without sleeping: the handoff
 * between the two cores without any wake-up, for reference.
 *
 * Prints one line of JSON: {"samples":N,"gap_us":G,"epoll":{"min_ns","median_ns","p99_ns",
 * "max_ns"},"spin":{...}}. Exit 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define WAKELAT_MAX_SAMPLES 100000
#define WAKELAT_WARMUP 5

struct wakelat {
	int to_sleeper; /* eventfd the waker writes */
	int to_waker;   /* eventfd the sleeper answers on */
	int cpu_waker;
	int cpu_sleeper;
	unsigned int n; /* samples, warm-up excluded */
	unsigned int gap_us;
	int spin;               /* the sleeper polls its eventfd instead of epoll_wait */
	volatile int failed;    /* set by the sleeper: the waker stops waiting */
	volatile uint64_t sent; /* ns at the waker's write, read by the sleeper */
	uint64_t *ns;           /* one-way samples, written by the sleeper */
};

static uint64_t wakelat_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int wakelat_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/*
 * Waits for one write to fd: in epoll_wait (ep >= 0) or by polling it (ep < 0), 10 s at most
 * (the other side is gone).
 */
static int wakelat_wait(int ep, int fd)
{
	uint64_t v, deadline = wakelat_now() + 10000000000ull;
	struct epoll_event ev;
	int n;

	for (;;) {
		if (ep >= 0) {
			n = epoll_wait(ep, &ev, 1, 10000);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			if (n == 0)
				return -ETIMEDOUT;
		}
		if (read(fd, &v, sizeof(v)) == sizeof(v))
			return 0;
		if (errno != EAGAIN)
			return -errno;
		if (ep < 0 && wakelat_now() > deadline)
			return -ETIMEDOUT;
	}
}

/*
 * Nothing left over from a pass before: a stale count would pair each write with the wrong
 * answer, and the last write of the pass would wait for an answer that never comes.
 */
static void wakelat_drain(const struct wakelat *w)
{
	uint64_t v;

	while (read(w->to_sleeper, &v, sizeof(v)) == sizeof(v))
		;
	while (read(w->to_waker, &v, sizeof(v)) == sizeof(v))
		;
}

static int wakelat_kick(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

static void *wakelat_sleeper(void *arg)
{
	struct wakelat *w = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int i;
	uint64_t t;
	int ep = -1;

	if (wakelat_pin(w->cpu_sleeper) < 0)
		goto fail;
	if (!w->spin) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, w->to_sleeper, &ev) < 0)
			goto close_ep;
	}
	for (i = 0; i < w->n + WAKELAT_WARMUP; i++) {
		if (wakelat_wait(ep, w->to_sleeper) < 0)
			goto close_ep;
		t = wakelat_now();
		if (i >= WAKELAT_WARMUP)
			w->ns[i - WAKELAT_WARMUP] = t - w->sent;
		if (wakelat_kick(w->to_waker) < 0)
			goto close_ep;
	}
	if (ep >= 0)
		close(ep);
	return NULL;

close_ep:
	if (ep >= 0)
		close(ep);
fail:
	w->failed = 1;
	wakelat_kick(w->to_waker);
	return NULL;
}

/* One pass: the waker's side runs here, the sleeper in its own thread. */
static int wakelat_pass(struct wakelat *w)
{
	struct timespec gap = { .tv_sec = w->gap_us / 1000000,
		                .tv_nsec = (long)(w->gap_us % 1000000) * 1000 };
	pthread_t th;
	unsigned int i;
	int ret;

	wakelat_drain(w);
	ret = pthread_create(&th, NULL, wakelat_sleeper, w);
	if (ret != 0)
		return -ret;
	ret = wakelat_pin(w->cpu_waker);
	for (i = 0; ret == 0 && i < w->n + WAKELAT_WARMUP && !w->failed; i++) {
		/* the sleeper has been idle for the whole gap when the write comes */
		nanosleep(&gap, NULL);
		w->sent = wakelat_now();
		ret = wakelat_kick(w->to_sleeper);
		if (ret == 0)
			ret = wakelat_wait(-1, w->to_waker);
	}
	if (ret < 0)
		w->failed = 1;
	/* a sleeper still in epoll_wait (the waker failed) gets its write and gives up */
	if (w->failed)
		wakelat_kick(w->to_sleeper);
	pthread_join(th, NULL);
	return w->failed ? (ret < 0 ? ret : -EIO) : 0;
}

static int wakelat_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the value at or below which p% of the sorted samples lie. */
static uint64_t wakelat_pct(const uint64_t *s, unsigned int n, unsigned int p)
{
	unsigned int rank = (n * p + 99) / 100;

	return s[rank == 0 ? 0 : rank - 1];
}

static void wakelat_print(const char *name, uint64_t *s, unsigned int n)
{
	qsort(s, n, sizeof(*s), wakelat_cmp);
	printf("\"%s\":{\"min_ns\":%lu,\"median_ns\":%lu,\"p99_ns\":%lu,\"max_ns\":%lu}", name,
	       (unsigned long)s[0], (unsigned long)wakelat_pct(s, n, 50),
	       (unsigned long)wakelat_pct(s, n, 99), (unsigned long)s[n - 1]);
}

static int wakelat_parse(int argc, char **argv, struct wakelat *w)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "samples", required_argument, NULL, 'n' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (sscanf(optarg, "%d,%d", &w->cpu_waker, &w->cpu_sleeper) != 2 ||
			    w->cpu_waker < 0 || w->cpu_sleeper < 0)
				return -EINVAL;
			break;
		case 'n':
		case 'g':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 ||
			    v > (c == 'n' ? WAKELAT_MAX_SAMPLES : 10000000))
				return -EINVAL;
			if (c == 'n')
				w->n = (unsigned int)v;
			else
				w->gap_us = (unsigned int)v;
			break;
		default:
			return -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct wakelat w = { .to_sleeper = -1,
		             .to_waker = -1,
		             .cpu_waker = 0,
		             .cpu_sleeper = 1,
		             .n = 200,
		             .gap_us = 50000 };
	uint64_t *spin_ns = NULL;
	unsigned int gap_us;
	int ret, rc = 1;

	if (wakelat_parse(argc, argv, &w) < 0) {
		fprintf(stderr,
		        "usage: wakelat [--cpus WAKER,SLEEPER] [--samples 1-%d] "
		        "[--gap-us 1-10000000]\n",
		        WAKELAT_MAX_SAMPLES);
		return 2;
	}
	w.ns = calloc(w.n, sizeof(*w.ns));
	spin_ns = calloc(w.n, sizeof(*spin_ns));
	if (w.ns == NULL || spin_ns == NULL) {
		fprintf(stderr, "wakelat: out of memory\n");
		goto free_samples;
	}
	/* nonblocking: the spinning sleeper and the waker poll them with read() */
	w.to_sleeper = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w.to_waker = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w.to_sleeper < 0 || w.to_waker < 0) {
		fprintf(stderr, "wakelat: eventfd: %s\n", strerror(errno));
		goto close_fds;
	}
	gap_us = w.gap_us;
	ret = wakelat_pass(&w);
	if (ret == 0) {
		uint64_t *epoll_ns = w.ns;

		/* the spin pass needs no gap: nothing sleeps in it */
		w.spin = 1;
		w.ns = spin_ns;
		w.gap_us = w.gap_us > 1000 ? 1000 : w.gap_us;
		ret = wakelat_pass(&w);
		spin_ns = w.ns;
		w.ns = epoll_ns;
	}
	if (ret < 0) {
		fprintf(stderr, "wakelat: CPUs %d,%d: %s\n", w.cpu_waker, w.cpu_sleeper,
		        strerror(-ret));
		goto close_fds;
	}
	printf("{\"samples\":%u,\"gap_us\":%u,\"cpus\":\"%d,%d\",", w.n, gap_us, w.cpu_waker,
	       w.cpu_sleeper);
	wakelat_print("epoll", w.ns, w.n);
	printf(",");
	wakelat_print("spin", spin_ns, w.n);
	printf("}\n");
	rc = 0;

close_fds:
	if (w.to_sleeper >= 0)
		close(w.to_sleeper);
	if (w.to_waker >= 0)
		close(w.to_waker);
free_samples:
	free(spin_ns);
	free(w.ns);
	return rc;
}

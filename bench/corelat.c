/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * corelat: the round trip of one cache line between two CPUs, in nanoseconds.
 *
 *   corelat [--cpus A,B] [--trips N]
 *
 * Every frame of the closed loop crosses between the guests' core and the switch's core
 * several times (rings, descriptors, the frame itself), so its rate follows how far apart the
 * hypervisor has put our two vCPUs. On the VM this was written on, the round trip sits near
 * 100 ns for minutes and then near 470 ns for minutes, and the closed loop's rate moves with
 * it. bench/run runs this next to every window, so that a window during which the host moved
 * our vCPUs is seen and taken again, and each number says under which placement it was made.
 *
 * Both threads run SCHED_FIFO when allowed: a probe next to a busy-polling switch must not
 * wait for the scheduler to give it the CPU, or it would measure the wait. It prints the
 * median of five batches of N/5 round trips (after a short warm-up), so that one
 * interruption does not make the number.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CORELAT_BATCHES 5
#define CORELAT_WARMUP 200

struct corelat {
	volatile uint64_t line __attribute__((aligned(64)));
	char pad[64 - sizeof(uint64_t)];
	volatile int gone;  /* a side could not have its CPU: the other stops waiting */
	unsigned int trips; /* per batch, warm-up included */
	int cpu;
};

static double corelat_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Pin the calling thread; real-time priority if we may (not an error if we may not). */
static int corelat_pin(int cpu)
{
	struct sched_param sp = { .sched_priority = 1 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		return -EINVAL;
	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	return 0;
}

/* The far side: answers odd values with the next even one. */
static void *corelat_echo(void *arg)
{
	struct corelat *c = arg;
	uint64_t i, n = (uint64_t)c->trips * CORELAT_BATCHES;

	if (corelat_pin(c->cpu) != 0) {
		c->gone = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		while (c->line != 2 * i + 1)
			if (c->gone)
				return NULL;
		c->line = 2 * i + 2;
	}
	return NULL;
}

static int corelat_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ns per round trip of each batch into ns[]; -errno if a CPU cannot be had */
static int corelat_run(struct corelat *c, int cpu, double *ns)
{
	uint64_t i = 0, b, t;
	double t0 = 0;

	if (corelat_pin(cpu) != 0)
		return -EINVAL;
	for (b = 0; b < CORELAT_BATCHES; b++) {
		for (t = 0; t < c->trips; t++, i++) {
			if (t == CORELAT_WARMUP)
				t0 = corelat_now();
			c->line = 2 * i + 1;
			while (c->line != 2 * i + 2)
				if (c->gone)
					return -EINVAL;
		}
		ns[b] = (corelat_now() - t0) / (c->trips - CORELAT_WARMUP);
	}
	return 0;
}

static void corelat_usage(FILE *f)
{
	fprintf(f, "usage: corelat [--cpus A,B] [--trips N]\n"
	           "  the round trip of a cache line between CPUs A and B (default 0,1), in ns:\n"
	           "  the median of 5 batches of N/5 trips (default N 5000, at least 5000)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "cpus", required_argument, NULL, 'c' },
		                              { "trips", required_argument, NULL, 't' },
		                              { "help", no_argument, NULL, 'h' },
		                              { NULL, 0, NULL, 0 } };
	static struct corelat c;
	double ns[CORELAT_BATCHES];
	int a = 0, opt, ret;
	unsigned long n = 5000;
	pthread_t th;
	char *end;

	c.cpu = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (sscanf(optarg, "%d,%d", &a, &c.cpu) != 2 || a < 0 || c.cpu < 0 ||
			    a == c.cpu) {
				fprintf(stderr,
				        "corelat: --cpus wants two different CPUs, as 0,1\n");
				return 2;
			}
			break;
		case 't':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || n < 5000 || n > 10000000) {
				fprintf(stderr,
				        "corelat: --trips wants a number from 5000 to 10000000\n");
				return 2;
			}
			break;
		case 'h':
			corelat_usage(stdout);
			return 0;
		default:
			corelat_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		corelat_usage(stderr);
		return 2;
	}
	c.trips = (unsigned int)(n / CORELAT_BATCHES);
	ret = pthread_create(&th, NULL, corelat_echo, &c);
	if (ret != 0) {
		fprintf(stderr, "corelat: cannot start a thread: %s\n", strerror(ret));
		return 1;
	}
	ret = corelat_run(&c, a, ns);
	if (ret != 0)
		c.gone = 1; /* release the echo thread, wherever it waits */
	pthread_join(th, NULL);
	if (ret != 0) {
		fprintf(stderr, "corelat: cannot run on CPUs %d and %d\n", a, c.cpu);
		return 1;
	}
	qsort(ns, CORELAT_BATCHES, sizeof(ns[0]), corelat_cmp);
	printf("%.0f\n", ns[CORELAT_BATCHES / 2]);
	return 0;
}

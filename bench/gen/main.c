/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lsgen [EAL args] -- [--quiet] [--no-yield] [--lean] [--stamps] [--sleep-us N]
 *
 * Plays guests of the switch through the ports the EAL arguments create (usually
 * --vdev net_virtio_user<N>,path=SOCK[,server=1],mac=MAC), prints {"ready":true,"ports":N}
 * once they are started, then runs the commands of cmd.c from stdin until quit, EOF,
 * SIGTERM or SIGINT. Port numbers in commands follow the order of the --vdev arguments.
 * --lean makes a fast guest for closed-loop throughput: RX counts frames and bytes only (no
 * per-MAC, per-VLAN or runt counts, no latency samples), so more of the core goes to
 * reflecting. --stamps (with --lean) keeps the stamps: latency samples, and reflect re-stamps
 * this process's own frames, for an open-loop latency run at a high rate (bench/run's
 * latency rows). --sleep-us N sleeps N us whenever the ports have been idle a while, as a VM's
 * vCPU halts, instead of yielding: a guest sharing a core with a generator that works in the
 * kernel (bench/lib/upper.sh) then gets the core back as soon as its timer fires.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "gen.h"
#include "probe.h"

/* Commands are read every GEN_CMD_EVERY polls: a poll() per loop costs more than RX. */
#define GEN_CMD_EVERY 256
/* Empty polls in a row before the loop starts yielding the core. */
#define GEN_IDLE_POLLS 1024

volatile sig_atomic_t gen_stop;

static void gen_on_signal(int sig)
{
	gen_stop = 1;
}

/*
 * Replies must be the only thing on stdout, but DPDK and its drivers log there too. Keep a
 * private copy of stdout for replies and point fd 1 at stderr, before EAL says anything.
 */
static FILE *gen_take_stdout(void)
{
	FILE *out;
	int fd;

	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return NULL;
	out = fdopen(fd, "w");
	if (out == NULL) {
		close(fd);
		return NULL;
	}
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		fclose(out);
		return NULL;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	return out;
}

static bool gen_app_flag(int argc, char **argv, const char *flag)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	for (i++; i < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return true;
	return false;
}

static int gen_parse_us(const char *s, unsigned int *us)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 10000)
		return -EINVAL;
	*us = (unsigned int)v;
	return 0;
}

static int gen_parse_app_args(struct gen *g, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quiet") == 0) {
			g->quiet = true;
		} else if (strcmp(argv[i], "--no-yield") == 0) {
			g->yield = false;
		} else if (strcmp(argv[i], "--lean") == 0) {
			g->lean = true;
		} else if (strcmp(argv[i], "--stamps") == 0) {
			g->stamps = true;
		} else if (strcmp(argv[i], "--sleep-us") == 0 && i + 1 < argc &&
		           gen_parse_us(argv[i + 1], &g->sleep_us) == 0) {
			i++;
		} else {
			GEN_ERR("unknown option \"%s\" (after --: [--quiet] [--no-yield] [--lean] "
			        "[--stamps] [--sleep-us 1-10000])",
			        argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * An idle guest's sleep (--sleep-us), cut short by a command: sleeping between command reads
 * made each command wait up to GEN_CMD_EVERY sleeps (a quarter of a second at 1 ms).
 */
static void gen_sleep(struct gen *g)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec ts = { .tv_sec = g->sleep_us / 1000000,
		               .tv_nsec = (long)(g->sleep_us % 1000000) * 1000 };

	if (ppoll(&pfd, 1, &ts, NULL) > 0 && cmd_input(g) < 0)
		g->quit = true;
}

static void gen_loop(struct gen *g)
{
	unsigned int iter = 0, idle = 0;

	while (!g->quit && !gen_stop) {
		if (gen_poll(g) != 0)
			idle = 0;
		else if (idle < GEN_IDLE_POLLS)
			idle++;
		if (++iter % GEN_CMD_EVERY == 0 && cmd_input(g) < 0)
			g->quit = true;
		/*
		 * Two cores are shared by the switch and several guests: an idle guest gives
		 * its slice away. With nothing else runnable this returns in well under 1 us.
		 */
		if (idle == GEN_IDLE_POLLS && g->sleep_us != 0)
			gen_sleep(g);
		else if (idle == GEN_IDLE_POLLS && g->yield)
			sched_yield();
	}
}

/* Main lcore: the ports EAL probed; the probe thread sets up the server ports. */
static int gen_setup_ports(struct gen *g)
{
	uint16_t i;
	int ret;

	for (i = 0; i < g->nb_ports; i++) {
		struct gen_port *p = &g->ports[i];

		if (p->deferred)
			continue;
		/* Closed on failure too: close undoes a half-done configure. */
		p->probed = true;
		ret = port_setup(g, p);
		if (ret < 0)
			return ret;
		__atomic_store_n(&p->ready, true, __ATOMIC_RELAXED);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct gen g;
	int ret, rc = 1;
	uint16_t i;

	memset(&g, 0, sizeof(g));
	g.yield = true;
	g.out = gen_take_stdout();
	if (g.out == NULL) {
		GEN_ERR("cannot set up stdout: %s", strerror(errno));
		return 1;
	}
	/* --quiet must hold before EAL's own start-up chatter: look for it now. */
	if (gen_app_flag(argc, argv, "--quiet"))
		rte_log_set_global_level(RTE_LOG_WARNING);
	if (probe_prepare(&g, &argc, &argv) < 0)
		goto free_ports;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		GEN_ERR("EAL init: %s", rte_strerror(rte_errno));
		goto free_ports;
	}
	argc -= ret;
	argv += ret;
	if (gen_parse_app_args(&g, argc, argv) < 0)
		goto cleanup_eal;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = gen_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A reader that went away shows up as a failed write, handled as quit. */
	signal(SIGPIPE, SIG_IGN);

	g.tsc_hz = rte_get_tsc_hz();
	g.tag = (uint32_t)rte_rand() ^ (uint32_t)getpid();
	if (probe_map(&g) < 0)
		goto cleanup_eal;
	g.pool = rte_pktmbuf_pool_create("lsgen", GEN_NB_MBUF, GEN_MBUF_CACHE, 0, GEN_DATA_ROOM,
	                                 rte_socket_id());
	if (g.pool == NULL) {
		GEN_ERR("mbuf pool (%u x %u bytes): %s", GEN_NB_MBUF, GEN_DATA_ROOM,
		        rte_strerror(rte_errno));
		goto cleanup_eal;
	}
	if (latency_init(&g.lat) < 0) {
		GEN_ERR("latency samples: %s", strerror(ENOMEM));
		goto free_pool;
	}
	if (gen_setup_ports(&g) < 0 || probe_start(&g) < 0)
		goto close_ports;
	if (cmd_reply_ready(&g) < 0)
		goto close_ports;

	gen_loop(&g);
	rc = 0;

close_ports:
	probe_stop(&g);
	/*
	 * Last port first: in a loopback through one process (a vhost port and the
	 * virtio-user port that connects to it) the virtio side then says goodbye while
	 * its vhost peer still answers.
	 */
	for (i = g.nb_ports; i-- > 0;)
		if (g.ports[i].probed)
			port_close(&g.ports[i]);
	latency_free(&g.lat);
free_pool:
	rte_mempool_free(g.pool);
cleanup_eal:
	rte_eal_cleanup();
free_ports:
	probe_free(&g);
	fclose(g.out);
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanswitchd: EAL and arguments, the control thread's loop (control socket, link state,
 * aging), the workers, signals. The main lcore is the control thread; every other lcore
 * given to the EAL is a worker.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "api/ctl_proto.h"
#include "ctl/config.h"
#include "ctl/ctl_server.h"
#include "ctl/event_ctl.h"
#include "ctl/fdb_ctl.h"
#include "ctl/hosts.h"
#include "ctl/log.h"
#include "ctl/netlink.h"
#include "ctl/port_table.h"
#include "ctl/probe.h"
#include "ctl/worker_ctl.h"
#include "fast/doorbell.h"

#define MAIN_DEFAULT_STATE "/var/lib/lanswitch/state"
#define MAIN_POOL_SIZE 32767

struct main_opts {
	const char *config;
	const char *socket;
	const char *state;
	uint32_t fdb_size;
};

static int main_quit; /* atomic: set by the signal handler, on whichever thread it runs */
/* The TSC just after worker_init started the workers' seconds clock (ctl/worker_ctl.c: one
 * second back from a TSC read of its own, microseconds before this one): its seconds turn
 * at main_clock0 + k * hz, give or take those microseconds. */
static uint64_t main_clock0;

/* Any thread (DPDK's own take signals too): the flag, then the doorbell, so a signal between
 * the loop's check of the flag and its poll() still ends the poll at once. */
static void main_signal(int sig)
{
	int saved = errno;

	__atomic_store_n(&main_quit, 1, __ATOMIC_SEQ_CST);
	doorbell_kick();
	errno = saved;
}

static void main_usage(FILE *out)
{
	fprintf(out,
	        "Usage: lanswitchd [--config FILE] [--socket PATH] [--state FILE] [--fdb-size N]\n"
	        "                  [-- EAL-ARGS...]\n"
	        "  --config FILE   commands to run at start, one per line (lanctl's grammar)\n"
	        "  --socket PATH   control socket (default %s)\n"
	        "  --state FILE    running configuration, saved after every change and restored\n"
	        "                  at start (default %s; \"\" to keep none)\n"
	        "  --fdb-size N    FDB capacity in entries (default %d)\n"
	        "EAL-ARGS go to DPDK: the main lcore runs the control thread, every other lcore\n"
	        "a worker (default: -l <first CPU>,<second CPU> --in-memory).\n",
	        CTL_DEFAULT_SOCKET, MAIN_DEFAULT_STATE, FDB_DEFAULT_SIZE);
}

/* Our options come before "--"; returns the index of the first EAL argument. */
static int main_parse(int argc, char **argv, struct main_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "fdb-size", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'S':
			o->state = optarg;
			break;
		case 'f':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 8 || v > (1UL << 26)) {
				fprintf(stderr, "lanswitchd: --fdb-size %s: expected 8 to %lu\n",
				        optarg, 1UL << 26);
				return -1;
			}
			o->fdb_size = (uint32_t)v;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		default:
			main_usage(stderr);
			return -1;
		}
	}
	return optind;
}

static bool main_has_opt(int argc, char **argv, const char *const *names)
{
	int i, j;

	for (i = 0; i < argc; i++)
		for (j = 0; names[j] != NULL; j++)
			if (strncmp(argv[i], names[j], strlen(names[j])) == 0)
				return true;
	return false;
}

/* argv[0], the user's EAL arguments, then defaults for what they left out. */
static int main_eal_args(int argc, char **argv, char **out, char *lcores, size_t len)
{
	static const char *const core_opts[] = { "-l", "-c", "--lcores", NULL };
	/* --file-prefix alone would leave hugepage files behind after a clean exit */
	static const char *const mem_opts[] = { "--in-memory", "--huge-unlink", NULL };
	static const char *const log_opts[] = { "--log-level", NULL };
	int cpus[2], ncpu = 0, n = 0, i, c;
	cpu_set_t set;

	out[n++] = "lanswitchd";
	for (i = 0; i < argc; i++)
		out[n++] = argv[i];
	if (!main_has_opt(argc, argv, core_opts)) {
		/* the first CPU we may run on controls, the second forwards */
		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			for (c = 0; c < CPU_SETSIZE && ncpu < 2; c++)
				if (CPU_ISSET(c, &set))
					cpus[ncpu++] = c;
		if (ncpu == 2)
			snprintf(lcores, len, "0@%d,1@%d", cpus[0], cpus[1]);
		else
			snprintf(lcores, len, "0@%d,1@%d", ncpu ? cpus[0] : 0, ncpu ? cpus[0] : 0);
		out[n++] = "--lcores";
		out[n++] = lcores;
	}
	/* no hugepage files left behind, and several instances coexist */
	if (!main_has_opt(argc, argv, mem_opts))
		out[n++] = "--in-memory";
	if (!main_has_opt(argc, argv, log_opts))
		out[n++] = "--log-level=notice";
	out[n] = NULL;
	return n;
}

static void main_notify(const char *msg)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, msg);
#endif
}

/*
 * Milliseconds until the workers' clock turns its next second, rounded up so that the wake-up
 * finds it turned. Were the clock's origin not the one main_clock0 assumes, the control thread
 * would still wake once a second, and worker_now lag by less than one.
 */
static int main_ms_to_next_second(void)
{
	uint64_t hz = rte_get_tsc_hz(), into = (rte_get_tsc_cycles() - main_clock0) % hz;

	return (int)((hz - into) * 1000 / hz) + 1;
}

/* The doorbell's eventfd (fast/doorbell.h), made before anything may ring it. */
static int main_doorbell_open(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	doorbell_fd = fd;
	return 0;
}

/* After everything that rings it has stopped; a late signal finds -1 and writes nothing. */
static void main_doorbell_close(void)
{
	int fd = doorbell_fd;

	__atomic_store_n(&doorbell_fd, -1, __ATOMIC_SEQ_CST);
	if (fd >= 0)
		close(fd);
}

static void main_doorbell_clear(void)
{
	uint64_t count;

	/* poll() said it is readable, and only this thread reads it */
	if (read(doorbell_fd, &count, sizeof(count)) < 0)
		LOG_WARN("doorbell: %s", strerror(errno));
}

/*
 * The control thread. It sleeps in one poll() until something needs it: a request or a
 * client's room for its reply (ctl_server.c), a link event (netlink), an event or a frame for
 * the switch's own port (the doorbell: workers, DPDK's vhost-events and interrupt threads),
 * a signal (the doorbell too), or the next second of the workers' clock (aging, event counts,
 * the probe window, the control socket's stall timeout). Whatever woke it, it first brings
 * link states and port statuses up to date (the ports' poll hooks: at least once a second,
 * and before every request it answers), then answers, then drains what producers queued,
 * after telling them it is about to sleep (fast/doorbell.h: nothing queued is slept on).
 */
static void main_loop(void)
{
	enum { MAIN_FD_DOORBELL, MAIN_FD_NETLINK, MAIN_FD_MAX };
	struct pollfd fds[MAIN_FD_MAX] = {
		[MAIN_FD_DOORBELL] = { .fd = doorbell_fd, .events = POLLIN },
		[MAIN_FD_NETLINK] = { .fd = netlink_watch_fd(), .events = POLLIN },
	};
	uint32_t now, aged = 0;

	while (!__atomic_load_n(&main_quit, __ATOMIC_SEQ_CST)) {
		/* POLLIN, or POLLERR when the kernel dropped events: the poll tells which */
		if (fds[MAIN_FD_NETLINK].revents != 0)
			netlink_watch_poll();
		port_poll_all();
		worker_tick();
		now = worker_now;
		if (now != aged) {
			fdb_age(now);
			hosts_age(now, fdb.aging);
			event_tick(now);
			aged = now;
		}
		ctl_server_serve();
		/* from here on a producer rings: what it queued before is drained below */
		__atomic_store_n(&doorbell_asleep, true, __ATOMIC_SEQ_CST);
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		probe_poll(now);
		event_drain();
		ctl_server_wait(main_ms_to_next_second(), fds, MAIN_FD_MAX);
		__atomic_store_n(&doorbell_asleep, false, __ATOMIC_RELAXED);
		if (fds[MAIN_FD_DOORBELL].revents & POLLIN)
			main_doorbell_clear();
	}
}

static void main_signals(void)
{
	struct sigaction sa = { .sa_handler = main_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* /var/lib/lanswitch on a fresh machine: the state file's directory, one level deep. */
static void main_state_dir(const char *state)
{
	char dir[4096], *slash;

	if (state == NULL || *state == '\0')
		return;
	snprintf(dir, sizeof(dir), "%s", state);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		LOG_WARN("state directory %s: %s", dir, strerror(errno));
}

int main(int argc, char **argv)
{
	struct main_opts o = { .socket = CTL_DEFAULT_SOCKET,
		               .state = MAIN_DEFAULT_STATE,
		               .fdb_size = FDB_DEFAULT_SIZE };
	char *eal_argv[256], lcores[64], err[1024];
	struct rte_mempool *pool;
	int first, n, err_code, ret = EXIT_FAILURE;

	first = main_parse(argc, argv, &o);
	if (first < 0)
		return 2;
	if (first < argc && strcmp(argv[first - 1], "--") != 0) {
		fprintf(stderr,
		        "lanswitchd: unexpected argument \"%s\" (EAL arguments go after --)\n",
		        argv[first]);
		return 2;
	}
	if (argc - first > 240) {
		fprintf(stderr, "lanswitchd: too many EAL arguments\n");
		return 2;
	}
	n = main_eal_args(argc - first, argv + first, eal_argv, lcores, sizeof(lcores));
	if (rte_eal_init(n, eal_argv) < 0) {
		fprintf(stderr, "lanswitchd: EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (rte_lcore_count() < 2 || rte_lcore_count() - 1 > WORKER_MAX) {
		LOG_ERR("need 2 to %d lcores (the main one controls, the others forward), got %u",
		        WORKER_MAX + 1, rte_lcore_count());
		goto out_eal;
	}
	pool = rte_pktmbuf_pool_create("lanswitch_mbuf", MAIN_POOL_SIZE, 256, 0,
	                               RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		LOG_ERR("mbuf pool: %s (are hugepages reserved?)", rte_strerror(rte_errno));
		goto out_eal;
	}
	/* before the signal handlers, the workers and the ports, who ring it */
	err_code = main_doorbell_open();
	if (err_code < 0) {
		LOG_ERR("doorbell eventfd: %s", strerror(-err_code));
		goto out_pool;
	}
	/* before the workers and the ports, who post to it */
	err_code = event_init((int)rte_socket_id());
	if (err_code < 0) {
		LOG_ERR("event ring: %s", rte_strerror(-err_code));
		goto out_doorbell;
	}
	/* both return the error themselves; rte_errno is whatever DPDK last left there */
	err_code = worker_init(rte_lcore_count() - 1, pool);
	if (err_code < 0) {
		LOG_ERR("workers: %s", strerror(-err_code));
		goto out_events;
	}
	main_clock0 = rte_get_tsc_cycles();
	err_code = fdb_init(o.fdb_size, worker_qsbr);
	if (err_code < 0) {
		LOG_ERR("FDB of %u entries: %s", o.fdb_size, strerror(-err_code));
		goto out_workers;
	}
	/* before any port: tap ports enter other namespaces and must find their way back */
	if (netlink_init() < 0) {
		LOG_ERR("netlink: the daemon's own network namespace: %s", strerror(errno));
		goto out_workers;
	}
	/* before any port: an afxdp port follows its interface's link from the start */
	if (netlink_watch_start(port_link_event) < 0) {
		LOG_ERR("netlink: cannot listen to link events");
		goto out_workers;
	}
	if (ctl_server_open(o.socket, o.state, err, sizeof(err)) < 0) {
		LOG_ERR("%s", err);
		goto out_workers;
	}
	main_signals();
	err_code = worker_launch();
	if (err_code < 0) {
		LOG_ERR("workers: launch: %s", strerror(-err_code));
		goto out_stop; /* stops the workers that did start */
	}
	main_state_dir(o.state);
	if (config_startup(o.config, o.state, err, sizeof(err)) < 0) {
		LOG_ERR("%s", err);
		goto out_stop;
	}
	worker_configured_now();
	LOG_INFO("ready: %u worker(s), control socket %s, FDB of %u entries", worker_count,
	         o.socket, o.fdb_size);
	main_notify("READY=1");
	main_loop();
	main_notify("STOPPING=1");
	LOG_INFO("shutting down");
	ret = EXIT_SUCCESS;
out_stop:
	ctl_server_close();
	worker_stop();
	port_del_all();
	probe_fini();
out_workers:
	netlink_watch_stop();
	netlink_fini();
	fdb_fini();
	worker_fini();
out_events:
	event_fini();
out_doorbell:
	main_doorbell_close();
out_pool:
	rte_mempool_free(pool);
out_eal:
	rte_eal_cleanup();
	return ret;
}

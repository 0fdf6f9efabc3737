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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

#define MAIN_DEFAULT_STATE "/var/lib/lanswitch/state"
#define MAIN_POOL_SIZE 32767
#define MAIN_TICK_MS 20

struct main_opts {
	const char *config;
	const char *socket;
	const char *state;
	uint32_t fdb_size;
};

static volatile sig_atomic_t main_quit;

static void main_signal(int sig)
{
	main_quit = 1;
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

/* The control thread: requests, link state and events every tick, aging every second. */
static void main_loop(void)
{
	uint32_t now, aged = 0;

	while (!main_quit) {
		ctl_server_poll(MAIN_TICK_MS);
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
		probe_poll(now);
		event_drain();
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
	/* before the workers and the ports, who post to it */
	err_code = event_init((int)rte_socket_id());
	if (err_code < 0) {
		LOG_ERR("event ring: %s", rte_strerror(-err_code));
		goto out_pool;
	}
	/* both return the error themselves; rte_errno is whatever DPDK last left there */
	err_code = worker_init(rte_lcore_count() - 1, pool);
	if (err_code < 0) {
		LOG_ERR("workers: %s", strerror(-err_code));
		goto out_events;
	}
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
out_pool:
	rte_mempool_free(pool);
out_eal:
	rte_eal_cleanup();
	return ret;
}

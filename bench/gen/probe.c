/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "gen.h"
#include "mac.h"
#include "probe.h"

#define PROBE_VDEVS_MAX RTE_MAX_ETHPORTS
#define PROBE_UNBLOCK_US 10000

static bool probe_is_virtio_user(const char *vdev)
{
	return strncmp(vdev, "net_virtio_user", 15) == 0 || strncmp(vdev, "virtio_user", 11) == 0;
}

/* The value of key=... in "name,k1=v1,k2=v2", copied into buf; false if absent. */
static bool probe_kvarg(const char *vdev, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = strchr(vdev, ',');

	for (; p != NULL; p = strchr(p + 1, ',')) {
		if (strncmp(p + 1, key, klen) != 0 || p[1 + klen] != '=')
			continue;
		p += klen + 2;
		n = strcspn(p, ",");
		if (n >= len)
			return false;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

static bool probe_is_server(const char *vdev)
{
	char v[8];

	return probe_is_virtio_user(vdev) && probe_kvarg(vdev, "server", v, sizeof(v)) &&
	       strcmp(v, "1") == 0;
}

/*
 * Records the --vdev values in order (their order is the port numbering of the commands)
 * and hands EAL a copy of argv without the server ports. Runs before rte_eal_init(), which
 * reorders argv.
 */
int probe_prepare(struct gen *g, int *argc, char ***argv)
{
	const char *vdevs[PROBE_VDEVS_MAX];
	char **in = *argv, **out;
	int i, n = 0, nout = 0;

	out = calloc((size_t)*argc + 1, sizeof(*out));
	if (out == NULL)
		return -ENOMEM;
	out[nout++] = in[0];
	for (i = 1; i < *argc; i++) {
		const char *v = NULL;
		bool pair = false;

		if (strcmp(in[i], "--") == 0) {
			for (; i < *argc; i++)
				out[nout++] = in[i];
			break;
		}
		if (strcmp(in[i], "--vdev") == 0 && i + 1 < *argc) {
			v = in[i + 1];
			pair = true;
		} else if (strncmp(in[i], "--vdev=", 7) == 0) {
			v = in[i] + 7;
		}
		if (v == NULL) {
			out[nout++] = in[i];
			continue;
		}
		if (n == PROBE_VDEVS_MAX) {
			GEN_ERR("more than %d --vdev", PROBE_VDEVS_MAX);
			free(out);
			return -E2BIG;
		}
		vdevs[n++] = v;
		if (!probe_is_server(v)) {
			out[nout++] = in[i];
			if (pair)
				out[nout++] = in[i + 1];
		}
		i += pair;
	}
	g->eal_argv = out;
	*argc = nout;
	*argv = out;
	if (n == 0)
		return 0;
	g->ports = calloc((size_t)n, sizeof(*g->ports));
	if (g->ports == NULL)
		return -ENOMEM;
	g->nb_ports = (uint16_t)n;
	for (i = 0; i < n; i++) {
		g->ports[i].vdev = vdevs[i];
		g->ports[i].deferred = probe_is_server(vdevs[i]);
		snprintf(g->ports[i].name, sizeof(g->ports[i].name), "%.*s",
		         (int)strcspn(vdevs[i], ","), vdevs[i]);
	}
	return 0;
}

/* Why a virtio-user client port did not probe: almost always the switch's socket. */
static void probe_explain(const char *vdev)
{
	char path[PATH_MAX];
	struct stat st;

	if (!probe_is_virtio_user(vdev) || !probe_kvarg(vdev, "path", path, sizeof(path)))
		return;
	if (stat(path, &st) < 0)
		GEN_ERR("vhost-user socket %s: %s (start the switch first, or add server=1)", path,
		        strerror(errno));
	else if (!S_ISSOCK(st.st_mode))
		GEN_ERR("vhost-user socket %s: not a socket", path);
	else
		GEN_ERR("vhost-user socket %s: the switch did not answer", path);
}

/* After rte_eal_init(): the DPDK port of each port EAL probed. */
int probe_map(struct gen *g)
{
	uint16_t id, i = 0;

	if (g->nb_ports == 0) {
		/* No --vdev: every port EAL found (a PCI NIC, say), in port id order. */
		g->nb_ports = rte_eth_dev_count_avail();
		if (g->nb_ports == 0) {
			GEN_ERR("no ports: give --vdev net_virtio_user0,path=SOCK,...");
			return -ENODEV;
		}
		g->ports = calloc(g->nb_ports, sizeof(*g->ports));
		if (g->ports == NULL)
			return -ENOMEM;
		RTE_ETH_FOREACH_DEV (id) {
			g->ports[i].id = id;
			rte_eth_dev_get_name_by_port(id, g->ports[i].name);
			i++;
		}
		return 0;
	}
	for (i = 0; i < g->nb_ports; i++) {
		struct gen_port *p = &g->ports[i];

		if (p->deferred)
			continue;
		if (rte_eth_dev_get_port_by_name(p->name, &p->id) != 0) {
			GEN_ERR("port %u (%s) did not start", i, p->name);
			probe_explain(p->vdev);
			return -ENODEV;
		}
	}
	return 0;
}

/*
 * A server port's MAC must be known before the switch connects (`mac PORT`, stats), but
 * virtio-user makes up a random one at probe time when none is given: make it up here.
 */
static int probe_server_args(struct gen_port *p)
{
	char mac[MAC_STR_LEN];
	size_t len;

	if (probe_kvarg(p->vdev, "mac", mac, sizeof(mac))) {
		if (mac_parse(mac, &p->mac) < 0) {
			GEN_ERR("port %s: bad mac=%s", p->name, mac);
			return -EINVAL;
		}
		p->args = strdup(p->vdev);
		return p->args == NULL ? -ENOMEM : 0;
	}
	rte_eth_random_addr(p->mac.addr_bytes);
	mac_format(mac, sizeof(mac), &p->mac);
	len = strlen(p->vdev) + sizeof(",mac=") + sizeof(mac);
	p->args = malloc(len);
	if (p->args == NULL)
		return -ENOMEM;
	snprintf(p->args, len, "%s,mac=%s", p->vdev, mac);
	return 0;
}

/*
 * virtio-user cannot bind over a socket file left by a process that died; nobody listens
 * on such a file (ECONNREFUSED), so it is safe to remove. A live one is left alone, and
 * the probe then fails with DPDK's "failed to bind" message.
 */
static void probe_clear_stale(struct gen *g, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED) {
		GEN_INFO(g, "removing stale socket %s", path);
		unlink(path);
	}
	close(fd);
}

static void probe_one(struct gen *g, struct gen_port *p)
{
	char path[PATH_MAX];
	int ret;

	if (probe_kvarg(p->vdev, "path", path, sizeof(path)))
		probe_clear_stale(g, path);
	GEN_INFO(g, "port %s: waiting for the switch on %s", p->name, path);
	ret = rte_dev_probe(p->args);
	if (ret < 0 || rte_eth_dev_get_port_by_name(p->name, &p->id) != 0) {
		if (!__atomic_load_n(&g->probe_stopping, __ATOMIC_ACQUIRE))
			GEN_ERR("port %s: probe failed; the port stays down", p->name);
		return;
	}
	p->probed = true;
	if (__atomic_load_n(&g->probe_stopping, __ATOMIC_ACQUIRE))
		return;
	if (port_setup(g, p) < 0)
		return;
	/* Publishes p->id, the queues and p->started to the main lcore. */
	__atomic_store_n(&p->ready, true, __ATOMIC_RELEASE);
}

/*
 * One port at a time: EAL's list of devargs, which rte_dev_probe() adds to, has no lock.
 * A switch that connects to the second socket first retries (DPDK's vhost client does so
 * once a second) until the first port is through.
 * Not rte_vdev_init(): it holds the vdev bus spinlock through the blocking accept().
 */
static void *probe_thread(void *arg)
{
	struct gen *g = arg;
	uint16_t i;

	for (i = 0; i < g->nb_ports; i++) {
		if (__atomic_load_n(&g->probe_stopping, __ATOMIC_ACQUIRE))
			break;
		if (!g->ports[i].deferred)
			continue;
		__atomic_store_n(&g->probing, i + 1, __ATOMIC_RELEASE);
		probe_one(g, &g->ports[i]);
		__atomic_store_n(&g->probing, 0, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&g->probe_done, true, __ATOMIC_RELEASE);
	return NULL;
}

int probe_start(struct gen *g)
{
	bool any = false;
	uint16_t i;
	int ret;

	for (i = 0; i < g->nb_ports; i++) {
		if (!g->ports[i].deferred)
			continue;
		ret = probe_server_args(&g->ports[i]);
		if (ret < 0)
			return ret;
		any = true;
	}
	if (!any)
		return 0;
	ret = rte_ctrl_thread_create(&g->probe_tid, "lsgen-probe", NULL, probe_thread, g);
	if (ret != 0) {
		GEN_ERR("probe thread: %s", strerror(ret));
		return -ret;
	}
	g->probe_running = true;
	return 0;
}

/* Knocks on the socket a probe waits on: accept() returns and the probe fails at once. */
static void probe_unblock(struct gen_port *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!probe_kvarg(p->vdev, "path", sa.sun_path, sizeof(sa.sun_path)))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
}

void probe_stop(struct gen *g)
{
	bool knocked[PROBE_VDEVS_MAX] = { false };
	char path[PATH_MAX];
	uint16_t i;

	if (!g->probe_running)
		return;
	__atomic_store_n(&g->probe_stopping, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&g->probe_done, __ATOMIC_ACQUIRE)) {
		i = __atomic_load_n(&g->probing, __ATOMIC_ACQUIRE);
		if (i != 0) {
			probe_unblock(&g->ports[i - 1]);
			knocked[i - 1] = true;
		}
		usleep(PROBE_UNBLOCK_US);
	}
	pthread_join(g->probe_tid, NULL);
	g->probe_running = false;
	/* A probe we aborted leaves its socket file behind; lsgen made it, so remove it. */
	for (i = 0; i < g->nb_ports; i++)
		if (knocked[i] && !g->ports[i].probed &&
		    probe_kvarg(g->ports[i].vdev, "path", path, sizeof(path)))
			unlink(path);
}

void probe_free(struct gen *g)
{
	uint16_t i;

	for (i = 0; i < g->nb_ports; i++)
		free(g->ports[i].args);
	free(g->ports);
	free(g->eal_argv);
}

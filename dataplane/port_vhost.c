/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user guest ports, through DPDK's vhost PMD.
 *
 * Client mode (default): QEMU or libvirt own the socket (mode='server'); the PMD connects
 * when the socket appears and reconnects after the guest or the switch restarts, so neither
 * side has to restart the other. A socket that does not exist yet is normal: libvirt makes
 * it when the domain starts. Server mode: the switch makes the socket and the guest
 * connects.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>
#include <rte_bus_vdev.h>

#include "config.h"
#include "port.h"

struct vhost_priv {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char devname[32];
	bool server;
};

static int vhost_parse(struct port *p, int argc, char **argv, struct vhost_priv *v, char *err,
                       size_t errlen)
{
	int i;

	if (argc < 1) {
		snprintf(err, errlen, "usage: port add NAME vhost PATH [--server]");
		return -EINVAL;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") != 0) {
			snprintf(err, errlen, "port \"%s\": unknown vhost option \"%s\"", p->name,
			         argv[i]);
			return -EINVAL;
		}
		v->server = true;
	}
	if (argv[0][0] != '/' || strlen(argv[0]) >= sizeof(v->path) || strchr(argv[0], ',')) {
		snprintf(err, errlen,
		         "port \"%s\": vhost socket %s: must be an absolute path of at most %zu "
		         "characters, without commas",
		         p->name, argv[0], sizeof(v->path) - 1);
		return -EINVAL;
	}
	strcpy(v->path, argv[0]);
	return 0;
}

/* A stale socket left by a switch that died is removed; a live one is someone else's. */
static int vhost_check_server_path(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path);
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (ret == 0)
		return -EADDRINUSE;
	return unlink(path) == 0 ? 0 : -errno;
}

static int vhost_check_path(const struct port *p, const struct vhost_priv *v, char *err,
                            size_t errlen)
{
	char dir[sizeof(v->path)];
	struct stat st;
	int ret = 0;

	if (v->server) {
		strcpy(dir, v->path);
		if (stat(dirname(dir), &st) != 0)
			ret = -errno;
		else
			ret = vhost_check_server_path(v->path);
	} else if (stat(v->path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		ret = -ENOTSOCK;
	}
	if (ret < 0)
		snprintf(err, errlen, "port \"%s\": vhost socket %s: %s", p->name, v->path,
		         ret == -ENOTSOCK ? "exists and is not a socket" : strerror(-ret));
	return ret;
}

static void vhost_poll(struct port *p)
{
	const struct vhost_priv *v = p->priv;
	struct stat st;

	port_eth_poll(p);
	if (p->up)
		port_set_status(p, "connected");
	else if (v->server)
		port_set_status(p, "waiting for the guest on %s", v->path);
	else if (stat(v->path, &st) != 0)
		port_set_status(p, "waiting for socket %s", v->path);
	else
		port_set_status(p, "connecting to %s", v->path);
}

static int vhost_open(struct port *p, int argc, char **argv, char *err, size_t errlen)
{
	static unsigned int seq;
	struct vhost_priv *v = calloc(1, sizeof(*v));
	char args[sizeof(v->path) + 64];
	int ret;

	if (v == NULL)
		return -ENOMEM;
	ret = vhost_parse(p, argc, argv, v, err, errlen);
	if (ret < 0)
		goto err_free;
	ret = vhost_check_path(p, v, err, errlen);
	if (ret < 0)
		goto err_free;
	/* vdev names must be unique for the process's life, port names may come back */
	snprintf(v->devname, sizeof(v->devname), "net_vhost_ls%u", seq++);
	snprintf(args, sizeof(args), "iface=%s,queues=1,client=%d", v->path, !v->server);
	ret = rte_vdev_init(v->devname, args);
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": vhost socket %s: %s", p->name, v->path,
		         strerror(-ret));
		goto err_free;
	}
	ret = rte_eth_dev_get_port_by_name(v->devname, &p->eth_id);
	if (ret < 0)
		goto err_uninit;
	ret = port_eth_start(p, err, errlen);
	if (ret < 0)
		goto err_uninit;
	/* a guest drains its ring from another core: a full ring is often free again a few
	 * hundred cycles later (Open vSwitch retries vhost sends the same way) */
	p->tx_retries = 8;
	p->priv = v;
	vhost_poll(p);
	return 0;

err_uninit:
	rte_vdev_uninit(v->devname);
err_free:
	free(v);
	return ret;
}

static void vhost_close(struct port *p)
{
	const struct vhost_priv *v = p->priv;

	port_eth_stop(p);
	rte_vdev_uninit(v->devname);
}

static void vhost_describe(const struct port *p, FILE *out)
{
	const struct vhost_priv *v = p->priv;

	config_quote(out, v->path);
	if (v->server)
		fputs(" --server", out);
}

static void vhost_show(const struct port *p, struct json_object *o)
{
	const struct vhost_priv *v = p->priv;

	json_object_object_add(o, "path", json_object_new_string(v->path));
	json_object_object_add(o, "mode", json_object_new_string(v->server ? "server" : "client"));
}

const struct port_ops port_vhost_ops = {
	.type = "vhost",
	.open = vhost_open,
	.close = vhost_close,
	.describe = vhost_describe,
	.show = vhost_show,
	.poll = vhost_poll,
};

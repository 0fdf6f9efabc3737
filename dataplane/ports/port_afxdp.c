/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The upper NIC over AF_XDP: our XDP program (bpf/lanswitch_xdp.bpf.c) on the interface
 * drops early what the switch would drop anyway (VLANs the port does not carry, blocked
 * source MACs, sources outside allowed-mac) and redirects the rest into one AF_XDP socket per RX
 * queue; the sockets are the port's queues (afxdp_queue.c).
 *
 * Why not DPDK's af_xdp PMD: in 22.11 it attaches a custom program in native mode only, and
 * a home server's NIC (r8169, many USB NICs) has no native XDP. Our own sockets work in both
 * modes with the same program, and the port asks the kernel for exactly what it wants.
 *
 * While it is a port the interface is promiscuous (frames for every guest's MAC must come
 * in) and its link state and MTU are followed through netlink events; removing the port
 * detaches the program and restores promiscuity as it was.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/if_xdp.h>

#include <json-c/json.h>
#include <rte_malloc.h>

#include "api/words.h"
#include "ctl/log.h"
#include "ctl/mac.h"
#include "ctl/netlink.h"
#include "fast/shared.h"
#include "fast/worker.h"
#include "ports/afxdp_queue.h"
#include "ports/port.h"
#include "ports/port_afxdp.h"
#include "xdp_ctl.h"

const char *const afxdp_mode_names[] = { "native", "generic" };

static int afxdp_parse_queues(const struct port *p, const char *s, struct afxdp_priv *a, char *err,
                              size_t errlen)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s < '1' || *s > '9' || n > AFXDP_QUEUES_MAX) {
		snprintf(err, errlen, "port \"%s\": bad queue count \"%s\": expected 1-%d", p->name,
		         s, AFXDP_QUEUES_MAX);
		return -EINVAL;
	}
	a->nq = (unsigned int)n;
	return 0;
}

static int afxdp_parse_option(const struct port *p, char **w, int left, struct afxdp_priv *a,
                              char *err, size_t errlen)
{
	if (strcmp(w[0], "--zero-copy") == 0) {
		a->zc_asked = true;
		return 1;
	}
	if (strcmp(w[0], "--queues") != 0 && strcmp(w[0], "--mode") != 0 &&
	    strcmp(w[0], "--xdp-prog") != 0) {
		snprintf(err, errlen, "port \"%s\": unknown afxdp option \"%s\"", p->name, w[0]);
		return -EINVAL;
	}
	if (left < 2) {
		snprintf(err, errlen, AFXDP_USAGE);
		return -EINVAL;
	}
	if (strcmp(w[0], "--queues") == 0)
		return afxdp_parse_queues(p, w[1], a, err, errlen) < 0 ? -EINVAL : 2;
	if (strcmp(w[0], "--xdp-prog") == 0) {
		if (w[1][0] != '/' || strlen(w[1]) >= sizeof(a->xdp_prog)) {
			snprintf(err, errlen, "port \"%s\": --xdp-prog needs an absolute path",
			         p->name);
			return -EINVAL;
		}
		strcpy(a->xdp_prog, w[1]);
		return 2;
	}
	if (strcmp(w[1], "native") == 0 || strcmp(w[1], "generic") == 0) {
		a->mode_asked = strcmp(w[1], "native") == 0 ? AFXDP_NATIVE : AFXDP_GENERIC;
		return 2;
	}
	snprintf(err, errlen, "port \"%s\": bad mode \"%s\": expected native or generic", p->name,
	         w[1]);
	return -EINVAL;
}

static int afxdp_parse(const struct port *p, int argc, char **argv, struct afxdp_priv *a, char *err,
                       size_t errlen)
{
	int i, n;

	if (argc < 1 || argv[0][0] == '-') {
		snprintf(err, errlen, AFXDP_USAGE);
		return -EINVAL;
	}
	if (strlen(argv[0]) >= IFNAMSIZ) {
		snprintf(err, errlen, "port \"%s\": interface name \"%s\": longer than %d", p->name,
		         argv[0], IFNAMSIZ - 1);
		return -EINVAL;
	}
	strcpy(a->ifname, argv[0]);
	a->nq = 1;
	for (i = 1; i < argc; i += n) {
		n = afxdp_parse_option(p, argv + i, argc - i, a, err, errlen);
		if (n < 0)
			return n;
	}
	return 0;
}

/* Another afxdp port on the same interface would fight ours for its XDP hook. */
static int afxdp_check_free(const struct port *p, const struct afxdp_priv *a, char *err,
                            size_t errlen)
{
	const struct afxdp_priv *o;
	uint16_t i;

	for (i = 0; i < port_table_len; i++) {
		if (port_table[i] == NULL || port_table[i]->ops != &port_afxdp_ops)
			continue;
		o = port_table[i]->priv;
		if (o->ifindex == a->ifindex) {
			snprintf(err, errlen,
			         "port \"%s\": interface %s: already used by port \"%s\"", p->name,
			         a->ifname, port_table[i]->name);
			return -EBUSY;
		}
	}
	return 0;
}

static int afxdp_read_link(struct port *p, struct afxdp_priv *a, struct netlink_link_info *info,
                           char *err, size_t errlen)
{
	char why[256];
	int ret;

	ret = netlink_link_info(a->nl, a->ifname, info, why, sizeof(why));
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": %s", p->name, why);
		return ret;
	}
	if (info->rx_queues != 0 && a->nq > info->rx_queues) {
		snprintf(err, errlen, "port \"%s\": interface %s has %u RX queue(s), %u asked",
		         p->name, a->ifname, info->rx_queues, a->nq);
		return -EINVAL;
	}
	if (info->flags & IFF_LOOPBACK) {
		snprintf(err, errlen, "port \"%s\": interface %s is a loopback: no LAN behind it",
		         p->name, a->ifname);
		return -EINVAL;
	}
	a->ifindex = info->ifindex;
	a->was_promisc = info->flags & IFF_PROMISC;
	return 0;
}

void afxdp_warn(struct port *p, const char *fmt, ...)
{
	size_t len = strlen(p->warning);
	char more[PORT_STATUS_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(more, sizeof(more), fmt, ap);
	va_end(ap);
	snprintf(p->warning + len, sizeof(p->warning) - len, "%s%s", len ? "; " : "", more);
}

/* Zero-copy asked and refused: the same queue in copy mode, said aloud. */
static int afxdp_open_queue(struct port *p, struct afxdp_priv *a, uint32_t qi)
{
	struct afxdp_queue *q = &a->fast->q[qi];
	uint16_t flags = 0;
	int ret;

	if (a->mode == AFXDP_GENERIC)
		flags = XDP_COPY;
	else if (a->zc_asked)
		flags = XDP_ZEROCOPY;
	ret = afxdp_queue_open(q, a->ifname, qi, flags);
	if (ret < 0 && flags == XDP_ZEROCOPY) {
		if (qi == 0)
			afxdp_warn(p, "zero-copy refused by %s's driver (%s): using copy mode",
			           a->ifname, strerror(-ret));
		ret = afxdp_queue_open(q, a->ifname, qi, XDP_COPY);
	}
	if (ret == 0)
		ret = xdp_ctl_xsk_set(a->xdp, qi, q->fd);
	return ret;
}

static void afxdp_close_queues(struct afxdp_priv *a)
{
	uint32_t qi;

	if (a->fast == NULL)
		return;
	for (qi = 0; qi < a->fast->nq; qi++) {
		if (a->fast->q[qi].xsk == NULL)
			continue;
		if (a->xdp != NULL)
			xdp_ctl_xsk_clear(a->xdp, qi);
		afxdp_queue_close(&a->fast->q[qi]);
	}
	rte_free(a->fast);
	a->fast = NULL;
}

static int afxdp_open_queues(struct port *p, struct afxdp_priv *a, char *err, size_t errlen)
{
	uint32_t qi;
	int ret;

	a->fast = rte_zmalloc("afxdp", sizeof(*a->fast) + a->nq * sizeof(a->fast->q[0]),
	                      RTE_CACHE_LINE_SIZE);
	if (a->fast == NULL) {
		snprintf(err, errlen, "port \"%s\": out of memory", p->name);
		return -ENOMEM;
	}
	a->fast->nq = (uint16_t)a->nq;
	if (a->zc_asked && a->mode == AFXDP_GENERIC)
		afxdp_warn(p, "zero-copy needs native XDP: using copy mode");
	for (qi = 0; qi < a->nq; qi++) {
		ret = afxdp_open_queue(p, a, qi);
		if (ret < 0) {
			snprintf(err, errlen,
			         "port \"%s\": interface %s: AF_XDP socket on queue %u: %s",
			         p->name, a->ifname, qi, strerror(-ret));
			afxdp_close_queues(a);
			return ret;
		}
	}
	return 0;
}

/* The interface's MTU, as far as an mbuf holds it. */
static void afxdp_set_mtu(struct port *p, struct afxdp_priv *a, unsigned int mtu)
{
	uint16_t len = (uint16_t)(RTE_MIN(mtu, (unsigned int)AFXDP_MTU_MAX) + RTE_ETHER_HDR_LEN);

	a->mtu = mtu;
	shared_publish(&p->max_len, len);
	/* and on tx: the kernel would drop a longer frame unseen, a UMEM frame holds no more */
	shared_publish(&p->tx_len_max, len);
}

static void afxdp_set_status(struct port *p, const struct afxdp_priv *a, const char *why)
{
	port_set_status(p, "afxdp %s, %s XDP, %s, %u queue%s%s%s", a->ifname,
	                afxdp_mode_names[a->mode], a->fast->q[0].zero_copy ? "zero-copy" : "copy",
	                a->nq, a->nq == 1 ? "" : "s", why[0] ? ": " : "", why);
}

static void afxdp_set_link(struct port *p, struct afxdp_priv *a, bool running)
{
	port_link_set(p, running, running ? "interface up" : "interface down or no carrier");
	afxdp_set_status(p, a, running ? "" : "link down");
}

static void afxdp_free(struct afxdp_priv *a)
{
	afxdp_close_queues(a);
	xdp_ctl_close(a->xdp); /* detaches the program if it attached it */
	netlink_close(a->nl);
	free(a->blocked);
	free(a);
}

static int afxdp_promisc(struct port *p, struct afxdp_priv *a, bool on, char *err, size_t errlen)
{
	char why[256];
	int ret;

	if (a->was_promisc)
		return 0; /* someone else wants it promiscuous: leave it so, either way */
	ret = netlink_link_promisc(a->nl, a->ifname, on, why, sizeof(why));
	if (ret < 0)
		snprintf(err, errlen, "port \"%s\": %s", p->name, why);
	return ret;
}

static int afxdp_setup(struct port *p, struct afxdp_priv *a, char *err, size_t errlen)
{
	struct netlink_link_info info;
	char why[256];
	int ret;

	ret = netlink_open(NULL, &a->nl, why, sizeof(why));
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": %s", p->name, why);
		return ret;
	}
	ret = afxdp_read_link(p, a, &info, err, errlen);
	if (ret == 0)
		ret = afxdp_check_free(p, a, err, errlen);
	if (ret == 0)
		ret = afxdp_load_xdp(p, a, err, errlen);
	if (ret == 0)
		ret = afxdp_attach(p, a, err, errlen);
	if (ret == 0)
		ret = afxdp_open_queues(p, a, err, errlen);
	if (ret == 0)
		ret = afxdp_promisc(p, a, true, err, errlen);
	if (ret < 0)
		return ret;
	afxdp_set_mtu(p, a, info.mtu);
	if (info.mtu > AFXDP_MTU_MAX)
		afxdp_warn(p, "MTU %u is more than the switch's buffers hold: port MTU %u",
		           info.mtu, (unsigned int)AFXDP_MTU_MAX);
	afxdp_set_link(p, a, info.running);
	return 0;
}

static int afxdp_open(struct port *p, int argc, char **argv, char *err, size_t errlen)
{
	struct afxdp_priv *a = calloc(1, sizeof(*a));
	int ret;

	if (a == NULL || (a->blocked = calloc(AFXDP_BLOCK_MAX, sizeof(*a->blocked))) == NULL) {
		free(a);
		return -ENOMEM;
	}
	ret = afxdp_parse(p, argc, argv, a, err, errlen);
	if (ret == 0)
		ret = afxdp_setup(p, a, err, errlen);
	if (ret < 0) {
		/* nothing half-made: no program attached, no socket, promiscuity as it was */
		afxdp_free(a);
		p->warning[0] = '\0';
		return ret;
	}
	p->priv = a;
	p->fast = a->fast;
	p->eth_id = RTE_MAX_ETHPORTS; /* not an ethdev */
	p->rx_burst = afxdp_rx_burst;
	p->tx_burst = afxdp_tx_burst;
	p->wake = afxdp_wake;
	p->wake_level = true; /* readable while its rx ring holds frames */
	p->wake_how = "socket";
	p->ntxq = (uint16_t)a->nq;
	p->tx_shared = a->nq < worker_count;
	return 0;
}

static void afxdp_close(struct port *p)
{
	struct afxdp_priv *a = p->priv;
	char err[512];

	shared_publish(&p->up, false);
	if (afxdp_promisc(p, a, false, err, sizeof(err)) < 0 && a->ifindex != 0)
		LOG_WARN("%s", err);
	afxdp_free(a);
	p->priv = NULL; /* port_free must not free it again */
	p->fast = NULL;
}

static void afxdp_describe(const struct port *p, FILE *out)
{
	const struct afxdp_priv *a = p->priv;

	words_quote(out, a->ifname);
	if (a->nq != 1)
		fprintf(out, " --queues %u", a->nq);
	if (a->mode_asked != AFXDP_NATIVE)
		fprintf(out, " --mode %s", afxdp_mode_names[a->mode_asked]);
	if (a->zc_asked)
		fputs(" --zero-copy", out);
	if (a->xdp_prog[0] != '\0') {
		fputs(" --xdp-prog ", out);
		words_quote(out, a->xdp_prog);
	}
}

static void afxdp_show(const struct port *p, struct json_object *o)
{
	const struct afxdp_priv *a = p->priv;
	struct json_object *drops = NULL, *xdp = json_object_new_object();
	struct json_object *blocked = json_object_new_array();
	char mac[MAC_STR_LEN];
	unsigned int i;

	json_object_object_get_ex(o, "drops", &drops);
	afxdp_show_drops(a, drops, xdp);
	for (i = 0; i < a->nblocked; i++) {
		mac_format(mac, &a->blocked[i]);
		json_object_array_add(blocked, json_object_new_string(mac));
	}
	json_object_object_add(o, "ifname", json_object_new_string(a->ifname));
	json_object_object_add(o, "queues", json_object_new_int((int)a->nq));
	json_object_object_add(o, "mode", json_object_new_string(afxdp_mode_names[a->mode]));
	json_object_object_add(o, "zero_copy", json_object_new_boolean(a->fast->q[0].zero_copy));
	json_object_object_add(o, "xdp_prog_id", json_object_new_int64(xdp_ctl_prog_id(a->xdp)));
	json_object_object_add(o, "if_mtu", json_object_new_int((int)a->mtu));
	json_object_object_add(o, "xdp", xdp);
	json_object_object_add(o, "blocked", blocked);
}

/* The interface was deleted under the port: down, counted, until the port is removed. */
static void afxdp_gone(struct port *p, struct afxdp_priv *a)
{
	LOG_WARN("port \"%s\": interface %s was deleted", p->name, a->ifname);
	port_link_set(p, false, "interface deleted");
	afxdp_set_status(p, a, "interface deleted");
}

static void afxdp_link_event(struct port *p, const struct port_link_event *ev)
{
	struct afxdp_priv *a = p->priv;
	struct netlink_link_info info;
	char why[256];

	if (ev == NULL) {
		/* events were lost: ask */
		if (netlink_link_info(a->nl, a->ifname, &info, why, sizeof(why)) < 0) {
			afxdp_gone(p, a);
			return;
		}
		afxdp_set_mtu(p, a, info.mtu);
		afxdp_set_link(p, a, info.running);
		return;
	}
	if (ev->ifindex != a->ifindex)
		return;
	if (ev->gone) {
		afxdp_gone(p, a);
		return;
	}
	if (ev->mtu != a->mtu) {
		LOG_INFO("port \"%s\": interface %s: MTU %u", p->name, a->ifname, ev->mtu);
		afxdp_set_mtu(p, a, ev->mtu);
	}
	if (ev->running != shared_read(&p->up))
		afxdp_set_link(p, a, ev->running);
}

const struct port_ops port_afxdp_ops = {
	.type = "afxdp",
	.open = afxdp_open,
	.close = afxdp_close,
	.describe = afxdp_describe,
	.show = afxdp_show,
	.vlan_changed = afxdp_vlan_changed,
	.guard_changed = afxdp_guard_changed,
	.set = afxdp_set,
	.describe_set = afxdp_describe_set,
	.link_event = afxdp_link_event,
};

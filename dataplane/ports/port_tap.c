/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host port: a TAP interface through DPDK's net_tap PMD, so the host (or a container,
 * with --netns) has its own address on the switch's LAN, as it had on br0. The switch
 * brings the interface up and gives it its addresses and routes (netctl's Address= and
 * Routes=) through libnl-3; its MAC is stable across restarts (netctl's MACAddress=).
 *
 * Removing the port closes the PMD's file descriptors: the kernel deletes a TAP that nobody
 * holds open (it is not persistent), and the interface's addresses and routes go with it.
 * Nothing is left to undo by hand.
 */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>
#include <rte_bus_vdev.h>

#include "api/words.h"
#include "ctl/log.h"
#include "ctl/mac.h"
#include "ctl/netlink.h"
#include "fast/shared.h"
#include "ports/port.h"

/* At most WORDS_MAX words per state-file line: 8 + 8 routes fit with room left. */
#define TAP_ADDR_MAX 8
#define TAP_ROUTE_MAX 8
#define TAP_TEXT_MAX 48 /* an IPv6 address with its prefix length */
#define TAP_USAGE                                                                       \
	"usage: port add NAME tap IFNAME [--address CIDR]... [--route DEST via GW]... " \
	"[--netns NS] [--mac MAC]"

struct tap_route {
	char dst[TAP_TEXT_MAX]; /* as given, for describe */
	char gw[TAP_TEXT_MAX];
	struct netlink_prefix dst_prefix;
	struct netlink_prefix gw_addr;
};

/* Control thread only: the workers see the port's ethdev, never this. */
struct tap_priv {
	char ifname[IFNAMSIZ];
	char netns[NETLINK_NETNS_MAX]; /* "" : lanswitchd's own namespace */
	char devname[32];
	struct rte_ether_addr mac;
	unsigned int naddr, nroute;
	char addr[TAP_ADDR_MAX][TAP_TEXT_MAX];
	struct netlink_prefix addr_prefix[TAP_ADDR_MAX];
	struct tap_route route[TAP_ROUTE_MAX];
	struct netlink *nl; /* bound to the interface's namespace */
	bool was_up;        /* at the last poll: tap_poll's own, p->up may change under it */
};

/* Linux's rules for names, and nothing the PMD's devargs would split on (',', '='). */
static int tap_parse_ifname(const struct port *p, const char *name, struct tap_priv *t, char *err,
                            size_t errlen)
{
	const char *c;

	if (*name == '\0' || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen,
		         "port \"%s\": interface name \"%s\": must be 1 to %d characters", p->name,
		         name, IFNAMSIZ - 1);
		return -EINVAL;
	}
	for (c = name; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && strchr("-_.", *c) == NULL)
			break;
	}
	if (*c != '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		snprintf(err, errlen,
		         "port \"%s\": interface name \"%s\": only letters, digits, '-', '_' and "
		         "'.' allowed",
		         p->name, name);
		return -EINVAL;
	}
	strcpy(t->ifname, name);
	return 0;
}

static int tap_parse_address(const struct port *p, const char *s, struct tap_priv *t, char *err,
                             size_t errlen)
{
	if (t->naddr == TAP_ADDR_MAX) {
		snprintf(err, errlen, "port \"%s\": at most %d addresses", p->name, TAP_ADDR_MAX);
		return -E2BIG;
	}
	if (strlen(s) >= TAP_TEXT_MAX || strcmp(s, "default") == 0 ||
	    netlink_prefix_parse(s, true, &t->addr_prefix[t->naddr]) < 0) {
		snprintf(err, errlen,
		         "port \"%s\": bad address \"%s\": expected ADDRESS/PREFIX, like "
		         "192.168.1.2/24",
		         p->name, s);
		return -EINVAL;
	}
	strcpy(t->addr[t->naddr++], s);
	return 0;
}

/* "DEST via GW": DEST a prefix, a host or "default"; GW a plain address of DEST's family. */
static int tap_parse_route(const struct port *p, char **w, struct tap_priv *t, char *err,
                           size_t errlen)
{
	struct tap_route *r = &t->route[t->nroute];

	if (t->nroute == TAP_ROUTE_MAX) {
		snprintf(err, errlen, "port \"%s\": at most %d routes", p->name, TAP_ROUTE_MAX);
		return -E2BIG;
	}
	if (strcmp(w[1], "via") != 0 || strlen(w[0]) >= TAP_TEXT_MAX ||
	    strlen(w[2]) >= TAP_TEXT_MAX || strchr(w[2], '/') != NULL ||
	    netlink_prefix_parse(w[0], false, &r->dst_prefix) < 0 ||
	    netlink_prefix_parse(w[2], false, &r->gw_addr) < 0 || r->gw_addr.family == AF_UNSPEC ||
	    (r->dst_prefix.family != AF_UNSPEC && r->dst_prefix.family != r->gw_addr.family)) {
		snprintf(err, errlen,
		         "port \"%s\": bad route \"%s %s %s\": expected DEST via GW, DEST a prefix "
		         "or default, GW an address of the same family",
		         p->name, w[0], w[1], w[2]);
		return -EINVAL;
	}
	strcpy(r->dst, w[0]);
	strcpy(r->gw, w[2]);
	t->nroute++;
	return 0;
}

static int tap_parse_mac(const struct port *p, const char *s, struct tap_priv *t, char *err,
                         size_t errlen)
{
	if (rte_ether_unformat_addr(s, &t->mac) < 0 || !rte_is_unicast_ether_addr(&t->mac) ||
	    rte_is_zero_ether_addr(&t->mac)) {
		snprintf(err, errlen,
		         "port \"%s\": bad MAC address \"%s\": expected a unicast address like "
		         "02:00:00:00:00:01",
		         p->name, s);
		return -EINVAL;
	}
	return 0;
}

/* Locally administered, unicast, and the same for the same port name on every start. */
static void tap_mac_derive(const char *name, struct rte_ether_addr *mac)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	int i;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	mac->addr_bytes[0] = 0x02;
	/* the top bytes: FNV's low bits mix little, "h1" and "h2" would differ in one byte */
	for (i = 1; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)(h >> (64 - 8 * i));
}

/* Words an option takes after itself; 0: not an option of ours. */
static int tap_option_words(const char *opt)
{
	static const struct {
		const char *name;
		int words;
	} opts[] = { { "--address", 1 }, { "--route", 3 }, { "--netns", 1 }, { "--mac", 1 } };
	size_t i;

	for (i = 0; i < RTE_DIM(opts); i++)
		if (strcmp(opt, opts[i].name) == 0)
			return opts[i].words;
	return 0;
}

static int tap_parse_option(const struct port *p, char **w, struct tap_priv *t, char *err,
                            size_t errlen)
{
	if (strcmp(w[0], "--address") == 0)
		return tap_parse_address(p, w[1], t, err, errlen);
	if (strcmp(w[0], "--route") == 0)
		return tap_parse_route(p, w + 1, t, err, errlen);
	if (strcmp(w[0], "--mac") == 0)
		return tap_parse_mac(p, w[1], t, err, errlen);
	if (netlink_netns_check(w[1]) < 0) {
		snprintf(err, errlen, "port \"%s\": bad netns name \"%s\"", p->name, w[1]);
		return -EINVAL;
	}
	strcpy(t->netns, w[1]);
	return 0;
}

static int tap_parse(const struct port *p, int argc, char **argv, struct tap_priv *t, char *err,
                     size_t errlen)
{
	int i, n, ret;

	if (argc < 1 || argv[0][0] == '-') {
		snprintf(err, errlen, TAP_USAGE);
		return -EINVAL;
	}
	ret = tap_parse_ifname(p, argv[0], t, err, errlen);
	tap_mac_derive(p->name, &t->mac);
	for (i = 1; ret == 0 && i < argc; i += n + 1) {
		n = tap_option_words(argv[i]);
		if (n == 0) {
			snprintf(err, errlen, "port \"%s\": unknown tap option \"%s\"", p->name,
			         argv[i]);
			return -EINVAL;
		}
		if (i + n >= argc) {
			snprintf(err, errlen, TAP_USAGE);
			return -EINVAL;
		}
		ret = tap_parse_option(p, argv + i, t, err, errlen);
	}
	return ret;
}

/* Check first: the PMD would attach to an existing TAP of that name and fail on anything
 * else with a message only the EAL log shows. */
static int tap_check_free(const struct port *p, const struct tap_priv *t, char *err, size_t errlen)
{
	int ret = netlink_link_index(t->nl, t->ifname);

	if (ret == -ENODEV)
		return 0;
	if (ret >= 0)
		ret = -EEXIST;
	snprintf(err, errlen, "port \"%s\": interface %s%s%s: %s", p->name, t->ifname,
	         t->netns[0] ? " in netns " : "", t->netns,
	         ret == -EEXIST ? "already exists" : strerror(-ret));
	return ret;
}

static void tap_destroy(struct port *p, const struct tap_priv *t)
{
	port_eth_stop(p);
	rte_vdev_uninit(t->devname);
}

static int tap_create_here(struct port *p, struct tap_priv *t, char *err, size_t errlen)
{
	static unsigned int seq;
	char args[IFNAMSIZ + MAC_STR_LEN + 16], mac[MAC_STR_LEN];
	int ret;

	/* vdev names must be unique for the process's life, port names may come back */
	snprintf(t->devname, sizeof(t->devname), "net_tap_ls%u", seq++);
	mac_format(mac, &t->mac);
	snprintf(args, sizeof(args), "iface=%s,mac=%s", t->ifname, mac);
	ret = rte_vdev_init(t->devname, args);
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": interface %s: net_tap cannot create it: %s",
		         p->name, t->ifname, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_get_port_by_name(t->devname, &p->eth_id);
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": %s: no ethdev", p->name, t->devname);
		goto err_uninit;
	}
	/* net_tap refuses other than as many tx queues as rx queues, and a port has one rx
	 * queue: with several workers they share one tx queue */
	p->txq_max = 1;
	/* its queue fd: the worker sleeps until the host sends */
	p->rx_intr = true;
	ret = port_eth_start(p, err, errlen);
	if (ret < 0)
		goto err_uninit;
	return 0;

err_uninit:
	rte_vdev_uninit(t->devname);
	return ret;
}

/*
 * The PMD creates the TAP in the namespace of the thread that opens /dev/net/tun, and keeps
 * a socket of that namespace for its own ioctls (link state, up/down at start and stop). So
 * it runs inside the target namespace: the interface is born there, is never visible (nor
 * up, nor chattering) in ours, may share a name with one of ours, and the PMD's link state
 * stays true. Moving it afterwards (rtnl_link_set_ns_fd) would leave the PMD asking our
 * namespace about a name that is no longer there.
 */
static int tap_create(struct port *p, struct tap_priv *t, char *err, size_t errlen)
{
	char why[256];
	int ret;

	if (t->netns[0] == '\0')
		return tap_create_here(p, t, err, errlen);
	ret = netlink_netns_enter(t->netns, why, sizeof(why));
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": %s", p->name, why);
		return ret;
	}
	ret = tap_create_here(p, t, err, errlen);
	if (netlink_netns_leave() < 0 && ret == 0) {
		tap_destroy(p, t);
		snprintf(err, errlen, "port \"%s\": cannot return from netns %s", p->name,
		         t->netns);
		ret = -EIO;
	}
	return ret;
}

/* Up first: the kernel refuses a route through a gateway on a link that is down. Restoring
 * (after the link was down) keeps what the kernel kept: EEXIST is no error then. */
static int tap_configure(const struct port *p, struct tap_priv *t, bool restore, char *err,
                         size_t errlen)
{
	int ret, ok = restore ? -EEXIST : 0;
	char why[256];
	unsigned int i;

	ret = restore ? 0 : netlink_link_up(t->nl, t->ifname, why, sizeof(why));
	for (i = 0; (ret == 0 || ret == ok) && i < t->naddr; i++)
		ret = netlink_addr_add(t->nl, t->ifname, &t->addr_prefix[i], why, sizeof(why));
	for (i = 0; (ret == 0 || ret == ok) && i < t->nroute; i++)
		ret = netlink_route_add(t->nl, t->ifname, &t->route[i].dst_prefix,
		                        &t->route[i].gw_addr, why, sizeof(why));
	if (ret < 0 && ret != ok) {
		snprintf(err, errlen, "port \"%s\": %s", p->name, why);
		return ret;
	}
	return 0;
}

/*
 * The PMD's link state is the interface's IFF_UP and IFF_RUNNING, asked of the interface's
 * own namespace; a TAP has carrier (RUNNING) while the PMD holds it open, so `up` means the
 * host side set it up. When someone sets it down and up again, the kernel has dropped its
 * routes (and IPv6 addresses) on the way down: the port's configuration says they belong
 * there, so they come back.
 */
static void tap_poll(struct port *p)
{
	struct tap_priv *t = p->priv;
	char err[512];
	bool up;

	port_eth_poll(p);
	up = shared_read(&p->up);
	if (up && !t->was_up) {
		if (tap_configure(p, t, true, err, sizeof(err)) < 0)
			LOG_WARN("%s", err);
	}
	t->was_up = up;
	port_set_status(p, "tap %s%s%s%s", t->ifname, t->netns[0] ? " in netns " : "", t->netns,
	                up ? "" : " (interface down)");
}

static int tap_open(struct port *p, int argc, char **argv, char *err, size_t errlen)
{
	struct tap_priv *t = calloc(1, sizeof(*t));
	char why[256];
	int ret;

	if (t == NULL)
		return -ENOMEM;
	ret = tap_parse(p, argc, argv, t, err, errlen);
	if (ret < 0)
		goto err_free;
	ret = netlink_open(t->netns[0] ? t->netns : NULL, &t->nl, why, sizeof(why));
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": %s", p->name, why);
		goto err_free;
	}
	ret = tap_check_free(p, t, err, errlen);
	if (ret < 0)
		goto err_netlink;
	ret = tap_create(p, t, err, errlen);
	if (ret < 0)
		goto err_netlink;
	/* undoing a half-configured interface is destroying it: addresses and routes go too */
	ret = tap_configure(p, t, false, err, errlen);
	if (ret < 0)
		goto err_destroy;
	p->priv = t;
	t->was_up = true; /* just configured: tap_poll must not do it again */
	tap_poll(p);
	return 0;

err_destroy:
	tap_destroy(p, t);
err_netlink:
	netlink_close(t->nl);
err_free:
	free(t);
	return ret;
}

static void tap_close(struct port *p)
{
	struct tap_priv *t = p->priv;

	tap_destroy(p, t);
	netlink_close(t->nl);
	t->nl = NULL;
}

static void tap_describe(const struct port *p, FILE *out)
{
	const struct tap_priv *t = p->priv;
	char mac[MAC_STR_LEN];
	unsigned int i;

	words_quote(out, t->ifname);
	for (i = 0; i < t->naddr; i++) {
		fputs(" --address ", out);
		words_quote(out, t->addr[i]);
	}
	for (i = 0; i < t->nroute; i++) {
		fputs(" --route ", out);
		words_quote(out, t->route[i].dst);
		fputs(" via ", out);
		words_quote(out, t->route[i].gw);
	}
	if (t->netns[0] != '\0') {
		fputs(" --netns ", out);
		words_quote(out, t->netns);
	}
	mac_format(mac, &t->mac);
	fprintf(out, " --mac %s", mac);
}

static void tap_show(const struct port *p, struct json_object *o)
{
	const struct tap_priv *t = p->priv;
	struct json_object *addrs = json_object_new_array(), *routes = json_object_new_array();
	char mac[MAC_STR_LEN], route[2 * TAP_TEXT_MAX + 8];
	unsigned int i;

	for (i = 0; i < t->naddr; i++)
		json_object_array_add(addrs, json_object_new_string(t->addr[i]));
	for (i = 0; i < t->nroute; i++) {
		snprintf(route, sizeof(route), "%s via %s", t->route[i].dst, t->route[i].gw);
		json_object_array_add(routes, json_object_new_string(route));
	}
	mac_format(mac, &t->mac);
	json_object_object_add(o, "ifname", json_object_new_string(t->ifname));
	json_object_object_add(o, "addresses", addrs);
	json_object_object_add(o, "routes", routes);
	json_object_object_add(o, "netns", t->netns[0] ? json_object_new_string(t->netns) : NULL);
	json_object_object_add(o, "mac", json_object_new_string(mac));
}

const struct port_ops port_tap_ops = {
	.type = "tap",
	.open = tap_open,
	.close = tap_close,
	.describe = tap_describe,
	.show = tap_show,
	.poll = tap_poll,
	.link_up_why = "interface up",
	.link_down_why = "interface down",
};

/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink through libnl-3 on the control thread: namespaces, link up, addresses, routes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include "ctl/log.h"
#include "ctl/netlink.h"

#define NETLINK_NETNS_DIR "/run/netns"
#define NETLINK_PREFIX_STR (INET6_ADDRSTRLEN + 4)

struct netlink {
	struct nl_sock *sk;
	int kernel_err; /* errno of the last error the kernel answered, set by netlink_on_err */
};

/* The daemon's own namespace, to come back to after netlink_netns_enter(). */
static int netlink_home_fd = -1;

int netlink_init(void)
{
	netlink_home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return netlink_home_fd < 0 ? -errno : 0;
}

void netlink_fini(void)
{
	if (netlink_home_fd >= 0)
		close(netlink_home_fd);
	netlink_home_fd = -1;
}

/* A name `ip netns` could have made: no path tricks through /run/netns. */
int netlink_netns_check(const char *netns)
{
	const char *c;

	if (*netns == '\0' || strlen(netns) >= NETLINK_NETNS_MAX || strcmp(netns, ".") == 0 ||
	    strcmp(netns, "..") == 0)
		return -EINVAL;
	for (c = netns; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr("-_.", *c) == NULL)
			return -EINVAL;
	return 0;
}

int netlink_netns_enter(const char *netns, char *err, size_t errlen)
{
	char path[sizeof(NETLINK_NETNS_DIR) + NETLINK_NETNS_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), NETLINK_NETNS_DIR "/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
		ret = -errno;
		/* a plain file there is not a namespace: setns() says EINVAL */
		snprintf(err, errlen, "netns %s: %s", netns,
		         ret == -EINVAL ? "not a network namespace" : strerror(-ret));
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int netlink_netns_leave(void)
{
	int ret = 0;

	if (setns(netlink_home_fd, CLONE_NEWNET) != 0) {
		/* cannot happen with a valid fd; if it did, this thread would configure the
		 * wrong namespace from now on: say so loudly */
		ret = -errno;
		LOG_ERR("netns: cannot return to the daemon's own namespace: %s", strerror(-ret));
	}
	return ret;
}

/* libnl turns the kernel's errno into its own codes: keep the errno for our messages. */
static int netlink_on_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	((struct netlink *)arg)->kernel_err = -e->error;
	return NL_STOP;
}

static int netlink_connect(struct netlink **out)
{
	struct netlink *nl = calloc(1, sizeof(*nl));
	int ret = -ENOMEM;

	if (nl == NULL)
		return ret;
	nl->sk = nl_socket_alloc();
	if (nl->sk == NULL)
		goto err_free;
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, netlink_on_err, nl);
	ret = nl_connect(nl->sk, NETLINK_ROUTE);
	if (ret < 0) {
		ret = ret == -NLE_NOMEM ? -ENOMEM : -EIO; /* socket() or bind() refused */
		goto err_socket;
	}
	*out = nl;
	return 0;

err_socket:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	return ret;
}

/* A netlink socket talks to the namespace it was created in, for good: create it there. */
int netlink_open(const char *netns, struct netlink **out, char *err, size_t errlen)
{
	int ret;

	if (netns != NULL) {
		ret = netlink_netns_enter(netns, err, errlen);
		if (ret < 0)
			return ret;
	}
	*out = NULL;
	ret = netlink_connect(out);
	if (netns != NULL && netlink_netns_leave() < 0) {
		netlink_close(*out);
		*out = NULL;
		ret = -EIO;
	}
	if (ret < 0)
		snprintf(err, errlen, "netlink socket%s%s: %s", netns ? " in netns " : "",
		         netns ? netns : "", strerror(-ret));
	return ret;
}

void netlink_close(struct netlink *nl)
{
	if (nl == NULL)
		return;
	nl_socket_free(nl->sk); /* closes it too */
	free(nl);
}

/* "ADDR/LEN", or "ADDR" when !need_len (a host: /32 or /128), or "default" (length 0). */
int netlink_prefix_parse(const char *s, bool need_len, struct netlink_prefix *out)
{
	char buf[NETLINK_PREFIX_STR], *slash, *end;
	unsigned long len, max;

	memset(out, 0, sizeof(*out));
	if (strcmp(s, "default") == 0)
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	max = out->family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		out->len = (uint8_t)max;
		return need_len ? -EINVAL : 0;
	}
	if (!isdigit((unsigned char)slash[1]))
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || len > max)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

static void netlink_prefix_format(const struct netlink_prefix *p, bool with_len, char *buf,
                                  size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (p->family == AF_UNSPEC || (p->len == 0 && with_len)) {
		snprintf(buf, len, "default");
		return;
	}
	inet_ntop(p->family, p->addr, a, sizeof(a));
	if (with_len)
		snprintf(buf, len, "%s/%u", a, p->len);
	else
		snprintf(buf, len, "%s", a);
}

static struct nl_addr *netlink_prefix_addr(const struct netlink_prefix *p, int family)
{
	struct nl_addr *a;

	a = nl_addr_build(family, p->addr, family == AF_INET ? 4 : 16);
	if (a != NULL)
		nl_addr_set_prefixlen(a, p->len);
	return a;
}

/* The kernel's errno when it answered one, else libnl's reason; always a negative errno. */
static int netlink_fail(struct netlink *nl, int nlerr, const char *ifname, char *err, size_t errlen,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int netlink_fail(struct netlink *nl, int nlerr, const char *ifname, char *err, size_t errlen,
                        const char *fmt, ...)
{
	int ret = nl->kernel_err ? -nl->kernel_err : (nlerr == -NLE_NOMEM ? -ENOMEM : -EIO);
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "interface %s: %s: %s", ifname, what,
	         nl->kernel_err ? strerror(nl->kernel_err) : nl_geterror(nlerr));
	return ret;
}

static int netlink_link_get(struct netlink *nl, const char *ifname, struct rtnl_link **link)
{
	nl->kernel_err = 0;
	return rtnl_link_get_kernel(nl->sk, 0, ifname, link);
}

/* The interface's index in the socket's namespace, or -ENODEV. */
int netlink_link_index(struct netlink *nl, const char *ifname)
{
	struct rtnl_link *link;
	int ret;

	ret = netlink_link_get(nl, ifname, &link);
	if (ret < 0 && nl->kernel_err != 0)
		return -nl->kernel_err;
	if (ret < 0)
		return ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND ? -ENODEV : -EIO;
	ret = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return ret;
}

/* Set and clear IFF_* flags of the interface; `what` names the step in messages. */
static int netlink_link_flags(struct netlink *nl, const char *ifname, unsigned int set,
                              unsigned int unset, const char *what, char *err, size_t errlen)
{
	struct rtnl_link *link, *change;
	int ret;

	ret = netlink_link_get(nl, ifname, &link);
	if (ret < 0)
		return netlink_fail(nl, ret, ifname, err, errlen, "find");
	change = rtnl_link_alloc();
	if (change == NULL) {
		ret = netlink_fail(nl, -NLE_NOMEM, ifname, err, errlen, "%s", what);
		goto out_link;
	}
	if (set != 0)
		rtnl_link_set_flags(change, set);
	if (unset != 0)
		rtnl_link_unset_flags(change, unset);
	nl->kernel_err = 0;
	ret = rtnl_link_change(nl->sk, link, change, 0);
	if (ret < 0)
		ret = netlink_fail(nl, ret, ifname, err, errlen, "%s", what);
	rtnl_link_put(change);
out_link:
	rtnl_link_put(link);
	return ret;
}

int netlink_link_up(struct netlink *nl, const char *ifname, char *err, size_t errlen)
{
	return netlink_link_flags(nl, ifname, IFF_UP, 0, "set up", err, errlen);
}

/* RX queues the driver uses now (ethtool's channels: RX plus combined); 0 if it cannot tell.
 * An ioctl rather than netlink: ethtool's netlink family needs a generic-netlink lookup for
 * one number. The socket is the calling thread's namespace, the daemon's own. */
static unsigned int netlink_rx_queues(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	ret = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return ret == 0 ? ch.rx_count + ch.combined_count : 0;
}

int netlink_link_info(struct netlink *nl, const char *ifname, struct netlink_link_info *out,
                      char *err, size_t errlen)
{
	struct rtnl_link *link;
	int ret;

	ret = netlink_link_get(nl, ifname, &link);
	if (ret < 0 && nl->kernel_err == 0 && (ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND)) {
		snprintf(err, errlen, "interface %s: no such interface", ifname);
		return -ENODEV;
	}
	if (ret < 0)
		return netlink_fail(nl, ret, ifname, err, errlen, "find");
	out->ifindex = rtnl_link_get_ifindex(link);
	out->mtu = rtnl_link_get_mtu(link);
	out->flags = rtnl_link_get_flags(link);
	out->running = (out->flags & IFF_UP) && (out->flags & IFF_RUNNING);
	/* the queues in use, not the ones allocated (veth allocates one per CPU, uses one) */
	out->rx_queues = netlink_rx_queues(ifname);
	if (out->rx_queues == 0)
		out->rx_queues = rtnl_link_get_num_rx_queues(link);
	rtnl_link_put(link);
	return 0;
}

int netlink_link_promisc(struct netlink *nl, const char *ifname, bool on, char *err, size_t errlen)
{
	return netlink_link_flags(nl, ifname, on ? IFF_PROMISC : 0, on ? 0 : IFF_PROMISC,
	                          on ? "promiscuous mode on" : "promiscuous mode off", err, errlen);
}

int netlink_addr_add(struct netlink *nl, const char *ifname, const struct netlink_prefix *addr,
                     char *err, size_t errlen)
{
	char text[NETLINK_PREFIX_STR];
	struct rtnl_addr *a = NULL;
	struct nl_addr *local;
	int ifindex, ret;

	netlink_prefix_format(addr, true, text, sizeof(text));
	ifindex = netlink_link_index(nl, ifname);
	local = netlink_prefix_addr(addr, addr->family);
	if (ifindex < 0 || local == NULL || (a = rtnl_addr_alloc()) == NULL) {
		ret = ifindex < 0 ? -NLE_OBJ_NOTFOUND : -NLE_NOMEM;
		goto out;
	}
	rtnl_addr_set_ifindex(a, ifindex);
	ret = rtnl_addr_set_local(a, local);
	nl->kernel_err = 0;
	if (ret == 0)
		ret = rtnl_addr_add(nl->sk, a, NLM_F_EXCL);
out:
	if (ret < 0)
		ret = netlink_fail(nl, ret, ifname, err, errlen, "add address %s", text);
	rtnl_addr_put(a);
	nl_addr_put(local);
	return ret;
}

/* A static route in the main table through a gateway on this interface; "default" takes
 * the gateway's family. */
static struct rtnl_route *netlink_route_build(int ifindex, const struct netlink_prefix *dst,
                                              const struct netlink_prefix *gw)
{
	struct nl_addr *d = netlink_prefix_addr(dst, gw->family);
	struct nl_addr *g = netlink_prefix_addr(gw, gw->family);
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

	if (d == NULL || g == NULL || r == NULL || nh == NULL)
		goto err;
	rtnl_route_set_family(r, (uint8_t)gw->family);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	if (rtnl_route_set_dst(r, d) < 0)
		goto err;
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_add_nexthop(r, nh); /* the route owns it now */
	nh = NULL;
	nl_addr_put(d);
	nl_addr_put(g);
	return r;

err:
	if (nh != NULL)
		rtnl_route_nh_free(nh);
	if (r != NULL)
		rtnl_route_put(r);
	nl_addr_put(g);
	nl_addr_put(d);
	return NULL;
}

int netlink_route_add(struct netlink *nl, const char *ifname, const struct netlink_prefix *dst,
                      const struct netlink_prefix *gw, char *err, size_t errlen)
{
	char d[NETLINK_PREFIX_STR], g[NETLINK_PREFIX_STR];
	struct rtnl_route *r = NULL;
	int ifindex, ret;

	netlink_prefix_format(dst, true, d, sizeof(d));
	netlink_prefix_format(gw, false, g, sizeof(g));
	ifindex = netlink_link_index(nl, ifname);
	if (ifindex < 0 || (r = netlink_route_build(ifindex, dst, gw)) == NULL) {
		ret = ifindex < 0 ? -NLE_OBJ_NOTFOUND : -NLE_NOMEM;
		goto out;
	}
	nl->kernel_err = 0;
	ret = rtnl_route_add(nl->sk, r, NLM_F_EXCL);
out:
	if (ret < 0)
		ret = netlink_fail(nl, ret, ifname, err, errlen, "add route %s via %s", d, g);
	if (r != NULL)
		rtnl_route_put(r);
	return ret;
}

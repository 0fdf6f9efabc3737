/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel side of ports through libnl-3 (rtnetlink): bring an interface up, give it
 * addresses and routes, in the daemon's own network namespace or in a named one
 * (/run/netns/NAME, as `ip netns add` makes).
 *
 * Threads: the control thread alone. A struct netlink is one rtnetlink socket, bound for its
 * whole life to the namespace it was opened in. netlink_netns_enter() moves the calling
 * thread (only that thread: setns() on a network namespace is per thread) into a namespace
 * until netlink_netns_leave().
 *
 * Every function that can fail returns a negative errno (the kernel's own when the kernel
 * refused) and writes a message naming the interface and the step that failed.
 */
#ifndef LANSWITCH_NETLINK_H
#define LANSWITCH_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETLINK_NETNS_MAX 64

struct netlink;

/* An address with its prefix length, as parsed from "192.168.1.2/24" or "default". */
struct netlink_prefix {
	int family; /* AF_INET or AF_INET6; AF_UNSPEC for "default" before a family is known */
	uint8_t len;
	uint8_t addr[16];
};

/* What a port over an existing interface needs to know of it. */
struct netlink_link_info {
	int ifindex;
	unsigned int mtu;
	unsigned int flags; /* IFF_* */
	bool running;       /* IFF_UP and IFF_RUNNING: administratively up, with carrier */
	unsigned int rx_queues;
};

int netlink_init(void);
void netlink_fini(void);

int netlink_netns_check(const char *netns);
int netlink_netns_enter(const char *netns, char *err, size_t errlen);
int netlink_netns_leave(void);

int netlink_open(const char *netns, struct netlink **out, char *err, size_t errlen);
void netlink_close(struct netlink *nl);

int netlink_prefix_parse(const char *s, bool need_len, struct netlink_prefix *out);
int netlink_link_index(struct netlink *nl, const char *ifname);
int netlink_link_up(struct netlink *nl, const char *ifname, char *err, size_t errlen);
int netlink_link_info(struct netlink *nl, const char *ifname, struct netlink_link_info *out,
                      char *err, size_t errlen);
/* Set or clear the interface's user-requested IFF_PROMISC. */
int netlink_link_promisc(struct netlink *nl, const char *ifname, bool on, char *err, size_t errlen);

/*
 * Link events of the daemon's own namespace (RTM_NEWLINK, RTM_DELLINK), read on the control
 * thread without blocking: netlink_watch_poll() hands each to the callback given to
 * netlink_watch_start(), or calls it with NULL when the kernel dropped events (the socket's
 * buffer overflowed) and the listener must ask for the state again.
 */
struct port_link_event;
typedef void (*netlink_watch_cb)(const struct port_link_event *ev);
int netlink_watch_start(netlink_watch_cb cb);
void netlink_watch_poll(void);
/* Its socket, readable when netlink_watch_poll() has work: the control thread sleeps on it. */
int netlink_watch_fd(void);
void netlink_watch_stop(void);
int netlink_addr_add(struct netlink *nl, const char *ifname, const struct netlink_prefix *addr,
                     char *err, size_t errlen);
int netlink_route_add(struct netlink *nl, const char *ifname, const struct netlink_prefix *dst,
                      const struct netlink_prefix *gw, char *err, size_t errlen);

#endif

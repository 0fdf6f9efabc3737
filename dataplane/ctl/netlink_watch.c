/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link events through libnl-3: a socket subscribed to RTNLGRP_LINK of the daemon's own
 * namespace, drained without blocking when the control thread wakes (its fd is among those it
 * sleeps on; each read takes one datagram whole, libnl keeps nothing back between calls). This is
 * how a port over a kernel interface (afxdp) learns that its cable went out or came back, or that
 * its MTU changed, without polling the kernel for every port.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "ctl/log.h"
#include "ctl/netlink.h"
#include "ports/port.h"

#define WATCH_RCVBUF (1 << 20) /* a burst of events from many interfaces at once */

static struct nl_sock *watch_sk;
static netlink_watch_cb watch_cb;

static void watch_on_link(struct nl_object *obj, void *arg)
{
	struct rtnl_link *link = (struct rtnl_link *)obj;
	unsigned int flags = rtnl_link_get_flags(link);
	struct port_link_event ev = {
		.ifindex = rtnl_link_get_ifindex(link),
		.running = (flags & IFF_UP) && (flags & IFF_RUNNING),
		.mtu = rtnl_link_get_mtu(link),
		.gone = *(const int *)arg == RTM_DELLINK,
	};

	watch_cb(&ev);
}

static int watch_on_msg(struct nl_msg *msg, void *arg)
{
	int type = nlmsg_hdr(msg)->nlmsg_type;

	if (type == RTM_NEWLINK || type == RTM_DELLINK)
		nl_msg_parse(msg, watch_on_link, &type);
	return NL_OK;
}

int netlink_watch_start(netlink_watch_cb cb)
{
	int ret = -ENOMEM;

	watch_sk = nl_socket_alloc();
	if (watch_sk == NULL)
		return ret;
	/* events carry no sequence numbers of ours */
	nl_socket_disable_seq_check(watch_sk);
	nl_socket_modify_cb(watch_sk, NL_CB_VALID, NL_CB_CUSTOM, watch_on_msg, NULL);
	ret = -EIO;
	if (nl_connect(watch_sk, NETLINK_ROUTE) < 0 ||
	    nl_socket_add_membership(watch_sk, RTNLGRP_LINK) < 0 ||
	    nl_socket_set_nonblocking(watch_sk) < 0)
		goto err;
	nl_socket_set_buffer_size(watch_sk, WATCH_RCVBUF, 0);
	watch_cb = cb;
	return 0;

err:
	nl_socket_free(watch_sk);
	watch_sk = NULL;
	return ret;
}

/* Everything queued now; an overflow means lost events, so the listener asks again. */
void netlink_watch_poll(void)
{
	int ret;

	if (watch_sk == NULL)
		return;
	/* > 0: messages handled, more may wait; -NLE_AGAIN: drained */
	do
		ret = nl_recvmsgs_default(watch_sk);
	while (ret > 0);
	if (ret < 0 && ret != -NLE_AGAIN) {
		LOG_WARN("netlink: link events lost (%s): asking the kernel again",
		         nl_geterror(ret));
		watch_cb(NULL);
	}
}

int netlink_watch_fd(void)
{
	return watch_sk != NULL ? nl_socket_get_fd(watch_sk) : -1;
}

void netlink_watch_stop(void)
{
	nl_socket_free(watch_sk);
	watch_sk = NULL;
	watch_cb = NULL;
}

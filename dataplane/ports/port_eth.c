/* SPDX-License-Identifier: BSD-3-Clause */
/* What every ethdev-backed port type shares: queue set-up, start, stop, link state. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "ctl/log.h"
#include "fast/shared.h"
#include "fast/worker.h"
#include "ports/port.h"

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

static void port_eth_link_update(struct port *p)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(p->eth_id, &link) != 0)
		return;
	port_link_set(p, link.link_status == RTE_ETH_LINK_UP, NULL);
}

/* Runs on the thread that saw the change (for vhost, DPDK's vhost-events thread), so a
 * guest's link comes up without waiting for the control thread's next tick. */
static int port_eth_lsc(uint16_t eth_id, enum rte_eth_event_type ev, void *arg, void *ret)
{
	port_eth_link_update(arg);
	return 0;
}

static int port_eth_setup_queues(struct port *p, const struct rte_eth_dev_info *info)
{
	uint16_t nrxd = PORT_RX_DESC, ntxd = PORT_TX_DESC, q;
	int socket = rte_eth_dev_socket_id(p->eth_id), ret;

	if (socket < 0)
		socket = (int)rte_socket_id();
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->eth_id, &nrxd, &ntxd);
	if (ret < 0)
		return ret;
	ret = rte_eth_rx_queue_setup(p->eth_id, 0, nrxd, socket, NULL, worker_pool);
	if (ret < 0)
		return ret;
	for (q = 0; q < p->ntxq; q++) {
		ret = rte_eth_tx_queue_setup(p->eth_id, q, ntxd, socket, NULL);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int port_eth_start_once(struct port *p, bool rx_intr, char *err, size_t errlen)
{
	struct rte_eth_conf conf = { .intr_conf.rxq = rx_intr };
	struct rte_eth_dev_info info;
	uint16_t mtu = RTE_ETHER_MTU;
	const char *step;
	int ret;

	step = "device info";
	ret = rte_eth_dev_info_get(p->eth_id, &info);
	if (ret < 0)
		goto err;
	p->ntxq = (uint16_t)RTE_MIN(worker_count, info.max_tx_queues);
	if (p->txq_max != 0 && p->ntxq > p->txq_max)
		p->ntxq = p->txq_max;
	p->tx_shared = p->ntxq < worker_count;
	if (*info.dev_flags & RTE_ETH_DEV_INTR_LSC)
		conf.intr_conf.lsc = 1;
	step = "configure";
	ret = rte_eth_dev_configure(p->eth_id, 1, p->ntxq, &conf);
	if (ret < 0)
		goto err;
	step = "queue setup";
	ret = port_eth_setup_queues(p, &info);
	if (ret < 0)
		goto err;
	step = "MTU";
	ret = rte_eth_dev_get_mtu(p->eth_id, &mtu);
	if (ret < 0)
		goto err;
	shared_publish(&p->max_len, (uint16_t)(mtu + RTE_ETHER_HDR_LEN));
	/* A switch port must receive frames for every MAC behind it. A device that has no MAC
	 * filter to turn off says -ENOTSUP: it receives them all anyway. */
	step = "promiscuous mode";
	ret = rte_eth_promiscuous_enable(p->eth_id);
	if (ret < 0 && ret != -ENOTSUP)
		goto err;
	step = "link callback";
	ret = rte_eth_dev_callback_register(p->eth_id, RTE_ETH_EVENT_INTR_LSC, port_eth_lsc, p);
	if (ret < 0)
		goto err;
	step = "start";
	ret = rte_eth_dev_start(p->eth_id);
	if (ret < 0)
		goto err_callback;
	port_eth_link_update(p);
	/* whether it is asleep or not, a worker polls: the interrupt stays off until it sleeps */
	if (rx_intr)
		rte_eth_dev_rx_intr_disable(p->eth_id, 0);
	return 0;

err_callback:
	rte_eth_dev_callback_unregister(p->eth_id, RTE_ETH_EVENT_INTR_LSC, port_eth_lsc, p);
err:
	snprintf(err, errlen, "port \"%s\": %s: %s", p->name, step, strerror(-ret));
	return ret;
}

/*
 * A device whose worker may sleep needs an rx interrupt (an fd the worker waits on). Not
 * every one has it: a device that refuses to start with it starts without, and one that
 * starts but gives no fd is polled all the same (port list: wake none).
 */
int port_eth_start(struct port *p, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	int ret;

	p->wake = NULL;
	p->wake_how = NULL;
	ret = port_eth_start_once(p, p->rx_intr, err, errlen);
	if (ret < 0 && p->rx_intr)
		ret = port_eth_start_once(p, false, err, errlen);
	else if (ret == 0 && p->rx_intr && rte_eth_dev_rx_intr_ctl_q_get_fd(p->eth_id, 0) >= 0) {
		p->wake = port_eth_wake;
		p->wake_how = "interrupt";
		/* a TAP's queue fd stays readable while frames wait; a NIC's is an eventfd */
		p->wake_level = rte_eth_dev_info_get(p->eth_id, &info) == 0 &&
		                strcmp(info.driver_name, "net_tap") == 0;
	}
	return ret;
}

/* The device's rx interrupt fd: a TAP's queue fd, a NIC's vfio eventfd (port.h: wake). */
int port_eth_wake(struct port *p, bool on, int *fds, int max)
{
	int fd;

	if (!on) {
		rte_eth_dev_rx_intr_disable(p->eth_id, 0);
		return 0;
	}
	fd = rte_eth_dev_rx_intr_ctl_q_get_fd(p->eth_id, 0);
	if (fd < 0)
		return -ENOTSUP;
	/* -ENOTSUP for net_tap, whose fd is readable whenever frames wait */
	rte_eth_dev_rx_intr_enable(p->eth_id, 0);
	fds[0] = fd;
	return 1;
}

void port_eth_stop(struct port *p)
{
	/* -EAGAIN: the callback is running right now; p must outlive it */
	while (rte_eth_dev_callback_unregister(p->eth_id, RTE_ETH_EVENT_INTR_LSC, port_eth_lsc,
	                                       p) == -EAGAIN)
		rte_delay_ms(1);
	shared_publish(&p->up, false);
	/* closing is the type's business: a device attached by name stays for reuse */
	rte_eth_dev_stop(p->eth_id);
}

void port_eth_poll(struct port *p)
{
	port_eth_link_update(p);
}

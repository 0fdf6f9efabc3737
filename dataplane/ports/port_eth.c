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

int port_eth_start(struct port *p, char *err, size_t errlen)
{
	struct rte_eth_conf conf = { 0 };
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
	return 0;

err_callback:
	rte_eth_dev_callback_unregister(p->eth_id, RTE_ETH_EVENT_INTR_LSC, port_eth_lsc, p);
err:
	snprintf(err, errlen, "port \"%s\": %s: %s", p->name, step, strerror(-ret));
	return ret;
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

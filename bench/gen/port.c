/* SPDX-License-Identifier: BSD-3-Clause */
/* Bringing one port up and down: one RX and one TX queue, jumbo MTU, promiscuous. */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "gen.h"
#include "mac.h"

#define PORT_NB_RXD 1024
#define PORT_NB_TXD 1024

int port_setup(struct gen *g, struct gen_port *p)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = PORT_NB_RXD, nb_txd = PORT_NB_TXD;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(p->id, &info);
	if (ret < 0) {
		GEN_ERR("port %s: cannot get device info: %s", p->name, strerror(-ret));
		return ret;
	}
	/* Room for the largest tagged frame we build, as far as the device goes. */
	conf.rxmode.mtu = RTE_MIN(info.max_mtu, (uint16_t)(FRAME_SIZE_MAX - RTE_ETHER_HDR_LEN -
	                                                   sizeof(struct rte_vlan_hdr)));
	/* Reflect sends back what RX gave us, chained or not. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/*
	 * With LSC interrupts virtio-user in server mode takes the switch back after the
	 * switch restarts: the interrupt thread accepts the new connection.
	 */
	if (*info.dev_flags & RTE_ETH_DEV_INTR_LSC)
		conf.intr_conf.lsc = 1;
	ret = rte_eth_dev_configure(p->id, 1, 1, &conf);
	if (ret < 0) {
		GEN_ERR("port %s: configure: %s", p->name, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &nb_rxd, &nb_txd);
	if (ret < 0) {
		GEN_ERR("port %s: descriptors: %s", p->name, strerror(-ret));
		return ret;
	}
	ret = rte_eth_rx_queue_setup(p->id, 0, nb_rxd, rte_socket_id(), NULL, g->pool);
	if (ret < 0) {
		GEN_ERR("port %s: RX queue: %s", p->name, strerror(-ret));
		return ret;
	}
	ret = rte_eth_tx_queue_setup(p->id, 0, nb_txd, rte_socket_id(), NULL);
	if (ret < 0) {
		GEN_ERR("port %s: TX queue: %s", p->name, strerror(-ret));
		return ret;
	}
	/* A server port's MAC is known before its probe, and read meanwhile: see probe.c. */
	if (!p->deferred) {
		ret = rte_eth_macaddr_get(p->id, &p->mac);
		if (ret < 0) {
			GEN_ERR("port %s: MAC address: %s", p->name, strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_start(p->id);
	if (ret < 0) {
		GEN_ERR("port %s: start: %s", p->name, strerror(-ret));
		return ret;
	}
	p->started = true;
	/*
	 * A guest sees every frame the switch gives it. virtio has no MAC filter in the PMD
	 * anyway; other PMDs (tap, pcap, a NIC) would drop frames for the MACs that srcs/dsts
	 * make up, so ask, and carry on where the PMD cannot.
	 */
	ret = rte_eth_promiscuous_enable(p->id);
	if (ret < 0 && ret != -ENOTSUP)
		GEN_INFO(g, "port %s: promiscuous mode: %s", p->name, strerror(-ret));
	return 0;
}

/* Main lcore, after the probe thread is joined. */
void port_close(struct gen_port *p)
{
	if (p->pend_n != 0) {
		rte_pktmbuf_free_bulk(p->pend, p->pend_n);
		p->pend_n = 0;
	}
	if (p->started)
		rte_eth_dev_stop(p->id);
	p->started = false;
	rte_eth_dev_close(p->id);
}

/*
 * Main lcore only. Asked every GEN_LINK_PERIOD_MS by the loop, not per burst: for virtio-user the
 * query is a syscall on the vhost-user socket, and in server mode it is what accepts the switch.
 */
bool port_link_update(struct gen *g, struct gen_port *p)
{
	struct rte_eth_link link;
	bool up;

	memset(&link, 0, sizeof(link));
	if (!gen_port_ready(p) || rte_eth_link_get_nowait(p->id, &link) < 0)
		link.link_status = RTE_ETH_LINK_DOWN;
	up = link.link_status == RTE_ETH_LINK_UP;
	if (up != p->link_up)
		GEN_INFO(g, "port %s: link %s", p->name, up ? "up" : "down");
	p->link_up = up;
	return up;
}

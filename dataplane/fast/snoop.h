/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Looking into frames the switch forwards, for what only the switch can see: a DHCP server
 * answering on a port (the ordered start waits for the router's), and the addresses of the
 * hosts behind each port (lanctl hosts). What it finds becomes an event (fast/event.h); the
 * control thread keeps the tables.
 *
 * Cost: a flooded frame (ARP and DHCP requests, IPv6 neighbour discovery, all broadcast or
 * multicast) is looked into on the flood path, which copies it anyway. A DHCP server's reply
 * may be unicast and take the plain path, so every frame gets one test there: the four
 * bytes where an IPv4 UDP header without options keeps its ports, against 67 -> 68
 * (snoop_dhcp_maybe); only a frame that passes is parsed. A server that sends IP options
 * with its replies is not seen (none does).
 */
#ifndef LANSWITCH_SNOOP_H
#define LANSWITCH_SNOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

struct port;
struct worker;

#define SNOOP_DHCP_SERVER_PORT 67
#define SNOOP_DHCP_CLIENT_PORT 68
/* where an untagged IPv4 frame without options has its UDP ports */
#define SNOOP_UDP_PORTS_OFF (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))

/* One load and one compare a frame: could this be a DHCP server's reply (UDP 67 -> 68)? */
static inline bool snoop_dhcp_maybe(const struct rte_mbuf *m)
{
	const uint32_t want =
	        rte_cpu_to_be_32(SNOOP_DHCP_SERVER_PORT << 16 | SNOOP_DHCP_CLIENT_PORT);
	uint32_t ports;

	if (unlikely(m->data_len < SNOOP_UDP_PORTS_OFF + sizeof(ports)))
		return false;
	memcpy(&ports, rte_pktmbuf_mtod_offset(m, const uint8_t *, SNOOP_UDP_PORTS_OFF),
	       sizeof(ports));
	return unlikely(ports == want);
}

/* A frame that passed snoop_dhcp_maybe, arriving on `in` in VLAN vlan (untagged now). */
void snoop_dhcp(struct worker *w, const struct port *in, const struct rte_mbuf *m, uint16_t vlan);
/* A frame being flooded: ARP, IPv6 neighbour discovery and DHCP tell hosts' addresses. */
void snoop_flood(struct worker *w, const struct port *in, const struct rte_mbuf *m, uint16_t vlan);

#endif

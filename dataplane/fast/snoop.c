/* SPDX-License-Identifier: BSD-3-Clause */
/* What the switch learns from DHCP, ARP and neighbour discovery it forwards (snoop.h). */
#include <netinet/in.h>

#include <rte_arp.h>

#include "fast/event.h"
#include "fast/shared.h"
#include "fast/snoop.h"
#include "fast/worker.h"

#define SNOOP_BOOTP_OFF (SNOOP_UDP_PORTS_OFF + sizeof(struct rte_udp_hdr))
#define SNOOP_BOOTP_REPLY 2
#define SNOOP_BOOTP_CHADDR 28
#define SNOOP_BOOTP_OPTIONS 240 /* after the magic cookie */
#define SNOOP_DHCP_COOKIE 0x63825363u
#define SNOOP_DHCP_MAX 600 /* what is read of a reply: the fixed part and its first options */
#define SNOOP_ICMP6 58
#define SNOOP_ND_NS 135
#define SNOOP_ND_NA 136

/* The DHCP message type (option 53) and the server's address (54) of a reply's options. */
static void snoop_dhcp_options(const uint8_t *o, size_t len, uint8_t *type, uint8_t server[4])
{
	size_t i = 0;

	while (i < len && o[i] != 255) {
		if (o[i] == 0) { /* pad */
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + o[i + 1] > len)
			return;
		if (o[i] == 53 && o[i + 1] == 1)
			*type = o[i + 2];
		else if (o[i] == 54 && o[i + 1] == 4)
			memcpy(server, o + i + 2, 4);
		i += 2 + o[i + 1];
	}
}

void snoop_dhcp(struct worker *w, const struct port *in, const struct rte_mbuf *m, uint16_t vlan)
{
	uint8_t copy[SNOOP_DHCP_MAX], type = 0;
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const uint8_t *b;
	struct event e = { .kind = EVENT_DHCP_SERVER, .vlan = vlan };
	uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)sizeof(copy));

	eh = rte_pktmbuf_read(m, 0, len, copy);
	if (eh == NULL || len < SNOOP_BOOTP_OFF + SNOOP_BOOTP_OPTIONS ||
	    eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	b = (const uint8_t *)eh + SNOOP_BOOTP_OFF;
	if (ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_UDP ||
	    b[0] != SNOOP_BOOTP_REPLY ||
	    rte_be_to_cpu_32(*(const unaligned_uint32_t *)(b + 236)) != SNOOP_DHCP_COOKIE)
		return;
	memcpy(e.ip, &ip->src_addr, 4); /* the server, unless it names itself (option 54) */
	snoop_dhcp_options(b + SNOOP_BOOTP_OPTIONS, len - SNOOP_BOOTP_OFF - SNOOP_BOOTP_OPTIONS,
	                   &type, e.ip);
	if (type != 2 && type != 5) /* OFFER, ACK */
		return;
	e.n = type;
	e.family = AF_INET;
	e.mac = eh->src_addr;
	memcpy(&e.mac2, b + SNOOP_BOOTP_CHADDR, sizeof(e.mac2));
	memcpy(e.ip2, b + 16, 4); /* yiaddr: the address the client gets */
	if (!event_budget_take(&w->ev_snoop, shared_read(&worker_now)))
		return;
	memcpy(e.port, in->name, sizeof(e.port));
	event_post(&e);
}

static void snoop_host(struct worker *w, const struct port *in, const struct rte_ether_addr *mac,
                       uint16_t vlan, int family, const void *ip)
{
	struct event e = { .kind = EVENT_HOST_SEEN, .vlan = vlan, .mac = *mac, .family = family };

	if (!event_budget_take(&w->ev_snoop, shared_read(&worker_now)))
		return;
	memcpy(e.ip, ip, family == AF_INET ? 4 : 16);
	memcpy(e.port, in->name, sizeof(e.port));
	event_post(&e);
}

static void snoop_arp(struct worker *w, const struct port *in, const struct rte_ether_hdr *eh,
                      uint32_t len, uint16_t vlan)
{
	const struct rte_arp_hdr *a = (const struct rte_arp_hdr *)(eh + 1);

	if (len < sizeof(*eh) + sizeof(*a) ||
	    a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || a->arp_hlen != 6 ||
	    a->arp_plen != 4 || a->arp_data.arp_sip == 0) /* 0: a probe, no address yet */
		return;
	snoop_host(w, in, &a->arp_data.arp_sha, vlan, AF_INET, &a->arp_data.arp_sip);
}

/* A neighbour solicitation names its sender's address (unless it is a DAD probe from ::), an
 * advertisement the address it is for. */
static void snoop_nd(struct worker *w, const struct port *in, const struct rte_ether_hdr *eh,
                     uint32_t len, uint16_t vlan)
{
	static const uint8_t unspecified[16];
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(eh + 1);
	const uint8_t *icmp = (const uint8_t *)(ip + 1);

	if (len < sizeof(*eh) + sizeof(*ip) + 24 || ip->proto != SNOOP_ICMP6)
		return;
	if (icmp[0] == SNOOP_ND_NS && memcmp(ip->src_addr, unspecified, 16) != 0)
		snoop_host(w, in, &eh->src_addr, vlan, AF_INET6, ip->src_addr);
	else if (icmp[0] == SNOOP_ND_NA)
		snoop_host(w, in, &eh->src_addr, vlan, AF_INET6, icmp + 8);
}

void snoop_flood(struct worker *w, const struct port *in, const struct rte_mbuf *m, uint16_t vlan)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	/* the headers these need are in the first segment of any frame a port delivers */
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
		snoop_arp(w, in, eh, m->data_len, vlan);
	else if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		snoop_nd(w, in, eh, m->data_len, vlan);
}

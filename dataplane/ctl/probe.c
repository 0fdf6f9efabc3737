/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Probes: frames the switch sends of its own into one port, to learn what is behind it. At
 * boot the router VM is alone and nobody asks it for an address, so to know that its DHCP
 * server answers the switch asks itself: a DHCPDISCOVER from a locally administered MAC
 * (fast/snoop.c sees the OFFER come in on the router's port and posts dhcp_server). An ARP
 * probe (RFC 5227: sender address 0.0.0.0, so no host's cache learns ours) asks who has an
 * address; the reply comes to the switch's own port, and tells the hosts table.
 *
 * Frames go through the internal port (ports/port_internal.c), made at the first probe, up
 * while a probe may still get its answer (PROBE_WINDOW_S) and down otherwise, so that
 * floods pass it by. Control thread only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "ctl/event_ctl.h"
#include "ctl/fdb_ctl.h"
#include "ctl/hosts.h"
#include "ctl/log.h"
#include "ctl/port_table.h"
#include "ctl/probe.h"
#include "ctl/vlan_ctl.h"
#include "ctl/worker_ctl.h"
#include "fast/shared.h"

#define PROBE_PORT ".probe"
#define PROBE_WINDOW_S 10
#define PROBE_DHCP_LEN 300 /* a BOOTP message's minimum */

static struct {
	struct port *port; /* the internal port, once made */
	struct rte_ether_addr mac;
	uint32_t until; /* worker clock: up until then */
} probe;

/* The internal port, made the first time: down, and in no VLAN until a probe needs one. */
static struct port *probe_port(char *err, size_t errlen)
{
	int ret;

	if (probe.port != NULL)
		return probe.port;
	ret = port_add(PROBE_PORT, "internal", 0, NULL, err, errlen);
	if (ret < 0)
		return NULL;
	probe.port = port_find(PROBE_PORT);
	rte_eth_random_addr(probe.mac.addr_bytes); /* locally administered, unicast */
	return probe.port;
}

/*
 * The own port carries vid, tagged (what reaches it says its VLAN), as well as the VLANs it
 * carried: the few that probes used, not all 4 094 (a port list would show them all).
 */
static int probe_port_vlan(struct port *own, uint16_t vid, char *err, size_t errlen)
{
	const struct vlan_set *v = own->vlan;
	uint16_t vids[VLAN_MAX];
	struct vlan_set *grown;
	unsigned int n = 0, i;

	if (vlan_member(v, vid) && v->pvid != vid)
		return 0;
	for (i = 1; i <= VLAN_MAX; i++)
		if (vlan_member(v, (uint16_t)i) && i != v->pvid)
			vids[n++] = (uint16_t)i;
	vids[n++] = vid;
	grown = vlan_trunk_new(vids, n, 0);
	if (grown == NULL) {
		snprintf(err, errlen, "probe: out of memory");
		return -ENOMEM;
	}
	return port_set_vlan(own, grown, err, errlen);
}

/* An mbuf of len bytes from the switch's pool, addressed from the probe MAC to dst. */
static struct rte_mbuf *probe_frame(uint16_t len, const struct rte_ether_addr *dst, uint16_t type)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(worker_pool);
	struct rte_ether_hdr *eh;

	if (m == NULL || rte_pktmbuf_append(m, len) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eh, 0, len);
	eh->dst_addr = *dst;
	eh->src_addr = probe.mac;
	eh->ether_type = rte_cpu_to_be_16(type);
	return m;
}

static void probe_dhcp_fill(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip =
	        rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *b = (uint8_t *)(udp + 1);
	uint32_t xid = (uint32_t)rte_rand();
	static const uint8_t options[] = { 99, 130, 83, 99,    /* the magic cookie */
		                           53, 1,   1,         /* DHCPDISCOVER */
		                           55, 3,   1,  3,  6, /* ask: mask, router, DNS */
		                           255 };

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + sizeof(*udp) + PROBE_DHCP_LEN);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->dst_addr = RTE_BE32(0xffffffff);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(68);
	udp->dst_port = RTE_BE16(67);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp) + PROBE_DHCP_LEN);
	b[0] = 1; /* BOOTREQUEST, Ethernet, 6-byte addresses */
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, &xid, sizeof(xid));
	memcpy(b + 28, probe.mac.addr_bytes, RTE_ETHER_ADDR_LEN); /* chaddr */
	memcpy(b + 236, options, sizeof(options));
}

static void probe_arp_fill(struct rte_mbuf *m, uint32_t ip)
{
	struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);

	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = probe.mac;
	a->arp_data.arp_tip = ip; /* sender 0.0.0.0: a probe */
}

/* The VLAN a probe into p uses: vlan if given (p must carry it), else p's untagged one. */
static int probe_vlan(const struct port *p, int vlan, uint16_t *vid, char *err, size_t errlen)
{
	const struct vlan_set *v = shared_read(&p->vlan);

	if (vlan < 0 && v->pvid == 0) {
		snprintf(err, errlen, "port \"%s\" has no untagged VLAN: say which (--vlan N)",
		         p->name);
		return -EINVAL;
	}
	*vid = vlan < 0 ? v->pvid : (uint16_t)vlan;
	if (!vlan_member(v, *vid)) {
		snprintf(err, errlen, "port \"%s\" does not carry VLAN %u", p->name, *vid);
		return -EINVAL;
	}
	return 0;
}

int probe_send(struct port *target, enum probe_kind kind, int vlan, uint32_t ip, char *err,
               size_t errlen)
{
	static const struct rte_ether_addr bcast = { .addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff,
		                                                     0xff } };
	struct rte_mbuf *m;
	struct port *own;
	uint16_t vid;
	int ret;

	ret = probe_vlan(target, vlan, &vid, err, errlen);
	if (ret < 0)
		return ret;
	own = probe_port(err, errlen);
	if (own == NULL)
		return -ENOMEM;
	ret = probe_port_vlan(own, vid, err, errlen);
	if (ret < 0)
		return ret;
	if (kind == PROBE_DHCP)
		m = probe_frame(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) +
		                        sizeof(struct rte_udp_hdr) + PROBE_DHCP_LEN,
		                &bcast, RTE_ETHER_TYPE_IPV4);
	else
		m = probe_frame(RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN, &bcast, RTE_ETHER_TYPE_ARP);
	if (m == NULL) {
		snprintf(err, errlen, "probe: no buffer left");
		return -ENOBUFS;
	}
	if (kind == PROBE_DHCP)
		probe_dhcp_fill(m);
	else
		probe_arp_fill(m, ip);
	m->hash.usr = (uint32_t)target->index + 1; /* fwd_directed: for this port alone */
	m->vlan_tci = vid;
	probe.until = worker_clock() + PROBE_WINDOW_S;
	shared_publish(&own->up, true);
	if (port_internal_send(own, m) < 0) {
		rte_pktmbuf_free(m);
		snprintf(err, errlen, "probe: the switch's own port is full: try again");
		return -ENOBUFS;
	}
	return 0;
}

/* An ARP reply to a probe: who has the address, and behind which port (the FDB knows). */
static void probe_arp_reply(const struct rte_arp_hdr *a, uint16_t vid)
{
	struct event e = { .kind = EVENT_ARP_REPLY, .vlan = vid, .family = AF_INET };
	struct fdb_key k = { .mac = a->arp_data.arp_sha, .vlan = vid };
	const struct port *p;
	uint64_t data;

	if (a->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY) || fdb_get(&k, &data) != 0 ||
	    (p = port_table[FDB_PORT(data)]) == NULL)
		return;
	e.mac = a->arp_data.arp_sha;
	memcpy(e.ip, &a->arp_data.arp_sip, 4);
	memcpy(e.port, p->name, sizeof(e.port));
	hosts_seen(&e.mac, vid, p->name, AF_INET, e.ip, worker_clock());
	event_post(&e); /* told every time: lanctl wait ... arp waits for it */
}

unsigned int probe_poll(uint32_t now)
{
	struct rte_mbuf *pkts[32];
	const struct rte_ether_hdr *eh;
	const struct rte_vlan_hdr *vh;
	unsigned int n, i, total = 0;

	if (probe.port == NULL)
		return 0;
	while ((n = port_internal_recv(probe.port, pkts, RTE_DIM(pkts))) > 0) {
		for (i = 0; i < n; i++) {
			/* it carries every VLAN tagged: what reaches it says its VLAN */
			eh = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
			vh = (const struct rte_vlan_hdr *)(eh + 1);
			if (pkts[i]->data_len >=
			            RTE_ETHER_HDR_LEN + sizeof(*vh) + sizeof(struct rte_arp_hdr) &&
			    eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) &&
			    vh->eth_proto == RTE_BE16(RTE_ETHER_TYPE_ARP))
				probe_arp_reply((const struct rte_arp_hdr *)(vh + 1),
				                rte_be_to_cpu_16(vh->vlan_tci) & RTE_VLAN_ID_MASK);
		}
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	if (shared_read(&probe.port->up) && now >= probe.until)
		shared_publish(&probe.port->up, false);
	return total;
}

/* port_del_all ran, or is about to: the port is gone with the others. */
void probe_fini(void)
{
	probe.port = NULL;
}

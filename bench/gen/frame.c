/* SPDX-License-Identifier: BSD-3-Clause */
/* Building lsgen's frames and finding the stamp in frames that come back. */
#include <errno.h>
#include <string.h>

#include "frame.h"
#include "mac.h"

#define FRAME_HDR_MAX (RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr))

void frame_spec_init(struct frame_spec *s, const struct rte_ether_addr *port_mac)
{
	memset(s, 0, sizeof(*s));
	s->src = *port_mac;
	memset(&s->dst, 0xff, sizeof(s->dst));
	s->srcs = 1;
	s->dsts = 1;
	s->ethertype = FRAME_ETHERTYPE_DEFAULT;
	s->size = 64;
}

/*
 * Frame i of a command. The header is composed in full on the stack and then cut to
 * s->size, so runts (down to 1 byte) are exact prefixes of the frame that would have been.
 */
int frame_build(struct rte_mbuf *m, const struct frame_spec *s, uint64_t i, uint16_t port,
                uint64_t seq, uint32_t tag, uint64_t tsc)
{
	uint8_t hdr[FRAME_HDR_MAX];
	struct rte_ether_addr a;
	struct frame_stamp st;
	size_t hlen = 2 * RTE_ETHER_ADDR_LEN;
	uint16_t be;
	char *data;

	data = rte_pktmbuf_append(m, s->size);
	if (data == NULL)
		return -ENOSPC;

	mac_add(&a, &s->dst, i % s->dsts);
	memcpy(hdr, &a, RTE_ETHER_ADDR_LEN);
	mac_add(&a, &s->src, i % s->srcs);
	memcpy(hdr + RTE_ETHER_ADDR_LEN, &a, RTE_ETHER_ADDR_LEN);
	if (s->tagged) {
		be = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		memcpy(hdr + hlen, &be, 2);
		be = rte_cpu_to_be_16((uint16_t)(s->pcp << 13 | s->vid));
		memcpy(hdr + hlen + 2, &be, 2);
		hlen += sizeof(struct rte_vlan_hdr);
	}
	be = rte_cpu_to_be_16(s->ethertype);
	memcpy(hdr + hlen, &be, 2);
	hlen += 2;

	memcpy(data, hdr, RTE_MIN(hlen, (size_t)s->size));
	if (s->size <= hlen)
		return 0;
	memset(data + hlen, 0, s->size - hlen);
	if (s->size < hlen + sizeof(st))
		return 0;
	st.magic = rte_cpu_to_be_32(FRAME_MAGIC);
	st.tag = tag;
	st.port = port;
	st.seq = seq;
	st.tsc = tsc;
	memcpy(data + hlen, &st, sizeof(st));
	return 0;
}

/*
 * The stamp of a frame lsgen built, wherever a switch put or removed a VLAN tag on the way;
 * NULL for other frames. Looks only in the first segment: the stamp sits within the first
 * 44 bytes, which every PMD here puts in the first segment.
 */
struct frame_stamp *frame_stamp_find(struct rte_mbuf *m)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	size_t off = 2 * RTE_ETHER_ADDR_LEN;
	struct frame_stamp *st;
	uint16_t type;

	if (m->data_len < RTE_ETHER_HDR_LEN)
		return NULL;
	memcpy(&type, d + off, 2);
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	    type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ))
		off += sizeof(struct rte_vlan_hdr);
	off += 2;
	if (m->data_len < off + sizeof(*st))
		return NULL;
	st = (struct frame_stamp *)(d + off);
	if (st->magic != rte_cpu_to_be_32(FRAME_MAGIC))
		return NULL;
	return st;
}

int frame_swap_macs(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh;
	struct rte_ether_addr t;

	if (m->data_len < RTE_ETHER_HDR_LEN)
		return -EINVAL;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	t = eh->dst_addr;
	eh->dst_addr = eh->src_addr;
	eh->src_addr = t;
	return 0;
}

/* src + k and dst + k (in the last three bytes), as frame_build() numbers its addresses. */
int frame_set_macs(struct rte_mbuf *m, const struct rte_ether_addr *src,
                   const struct rte_ether_addr *dst, uint32_t k)
{
	struct rte_ether_hdr *eh;

	if (m->data_len < RTE_ETHER_HDR_LEN)
		return -EINVAL;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	mac_add(&eh->dst_addr, dst, k);
	mac_add(&eh->src_addr, src, k);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crafting and reading test frames. A test frame is Ethernet (optionally 802.1Q tagged), the
 * local experimental EtherType 0x88b5, then a payload that names the frame: a magic, the
 * port it was sent on and a sequence number, padded with a byte pattern to the wanted length.
 * That lets a test say which sent frame a received one is, and compare it byte for byte.
 */
#ifndef LANSWITCH_TEST_FRAMES_H
#define LANSWITCH_TEST_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#define FRAME_ETHERTYPE 0x88b5
#define FRAME_MAGIC 0x4c535554u /* "LSUT" */
#define FRAME_UNTAGGED (-1)

struct frame_id {
	rte_be32_t magic;
	uint8_t port;
	rte_be16_t seq;
} __rte_packed;

/* 02:00:00:00:00:NN, a locally administered unicast address. */
static inline struct rte_ether_addr frame_mac(uint8_t n)
{
	struct rte_ether_addr a = { { 0x02, 0, 0, 0, 0, n } };

	return a;
}

static inline struct rte_ether_addr frame_mac_bcast(void)
{
	struct rte_ether_addr a = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

	return a;
}

/*
 * Write a frame into buf (at least len bytes) and return its length. tci < 0: untagged,
 * else a tag with that TCI (PCP and VID). len counts every byte from the destination MAC on
 * (no FCS) and must leave room for the headers and the frame_id.
 */
static inline uint16_t frame_build(uint8_t *buf, uint16_t len, const struct rte_ether_addr *dst,
                                   const struct rte_ether_addr *src, int tci, uint8_t port,
                                   uint16_t seq)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	struct frame_id id = { rte_cpu_to_be_32(FRAME_MAGIC), port, rte_cpu_to_be_16(seq) };
	uint16_t off = RTE_ETHER_HDR_LEN, i;
	struct rte_vlan_hdr *vh;

	eh->dst_addr = *dst;
	eh->src_addr = *src;
	if (tci >= 0) {
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh = (struct rte_vlan_hdr *)(eh + 1);
		vh->vlan_tci = rte_cpu_to_be_16((uint16_t)tci);
		vh->eth_proto = rte_cpu_to_be_16(FRAME_ETHERTYPE);
		off += RTE_VLAN_HLEN;
	} else {
		eh->ether_type = rte_cpu_to_be_16(FRAME_ETHERTYPE);
	}
	memcpy(buf + off, &id, sizeof(id));
	/* relative to the payload, so a frame and its tagged copy carry the same payload */
	for (i = off + sizeof(id); i < len; i++)
		buf[i] = (uint8_t)((i - off) * 7 + seq);
	return len;
}

/* An mbuf holding exactly the given bytes (any length, a runt included). */
static inline struct rte_mbuf *frame_mbuf_raw(struct rte_mempool *pool, const void *bytes,
                                              uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, bytes, len);
	return m;
}

/* frame_build() into a fresh mbuf. */
static inline struct rte_mbuf *frame_mbuf(struct rte_mempool *pool, uint16_t len,
                                          const struct rte_ether_addr *dst,
                                          const struct rte_ether_addr *src, int tci, uint8_t port,
                                          uint16_t seq)
{
	uint8_t buf[RTE_ETHER_MAX_JUMBO_FRAME_LEN];

	frame_build(buf, len, dst, src, tci, port, seq);
	return frame_mbuf_raw(pool, buf, len);
}

/* The TCI of a tagged frame, FRAME_UNTAGGED for an untagged one. */
static inline int frame_tci(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN))
		return FRAME_UNTAGGED;
	return rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(eh + 1))->vlan_tci);
}

/* The frame_id of a test frame; false if the frame is not one. */
static inline bool frame_id_get(const struct rte_mbuf *m, struct frame_id *id)
{
	uint16_t off = frame_tci(m) == FRAME_UNTAGGED ? RTE_ETHER_HDR_LEN
	                                              : RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;

	if (rte_pktmbuf_data_len(m) < off + sizeof(*id))
		return false;
	memcpy(id, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), sizeof(*id));
	return id->magic == rte_cpu_to_be_32(FRAME_MAGIC);
}

/* Whether m holds exactly len bytes equal to bytes (one segment). */
static inline bool frame_equal(const struct rte_mbuf *m, const void *bytes, uint16_t len)
{
	return m->nb_segs == 1 && rte_pktmbuf_pkt_len(m) == len &&
	       memcmp(rte_pktmbuf_mtod(m, const void *), bytes, len) == 0;
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frames lsgen sends: an Ethernet header (optionally one 802.1Q tag) and, when the frame
 * is long enough, a stamp right after the header. Everything after the stamp is zero, so a
 * capture of two runs with the same command compares equal except for the stamp.
 */
#ifndef LSGEN_FRAME_H
#define LSGEN_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

/* "LSGN" in a hex dump. */
#define FRAME_MAGIC 0x4c53474eu
#define FRAME_ETHERTYPE_DEFAULT 0x88b5 /* IEEE local experimental */
/* Largest frame (pkt_len, no FCS) lsgen builds; one mbuf holds it, see GEN_DATA_ROOM. */
#define FRAME_SIZE_MAX 9216

/*
 * tag says which lsgen process wrote tsc: only that process may turn tsc into a latency,
 * and a reflecting process re-stamps only its own frames (see loop.c). port is the index of
 * the sending port in that process and seq its count of frames sent before this one, so
 * (tag, port) names a stream whose seq a receiver checks for gaps and reordering (count.h).
 * seq and tsc are in host order: they are read back on the same machine.
 */
struct frame_stamp {
	rte_be32_t magic;
	uint32_t tag;
	uint16_t port;
	uint64_t seq;
	uint64_t tsc;
} __rte_packed;

/* What one send command asks for; frame i of the command uses src + i % srcs and so on. */
struct frame_spec {
	struct rte_ether_addr src;
	struct rte_ether_addr dst;
	uint32_t srcs;
	uint32_t dsts;
	bool tagged;
	uint16_t vid;
	uint8_t pcp;
	uint16_t ethertype;
	uint32_t size;
	bool seq_set; /* send's seq option: the port's sequence jumps to seq first */
	uint64_t seq;
};

void frame_spec_init(struct frame_spec *s, const struct rte_ether_addr *port_mac);
int frame_build(struct rte_mbuf *m, const struct frame_spec *s, uint64_t i, uint16_t port,
                uint64_t seq, uint32_t tag, uint64_t tsc);
struct frame_stamp *frame_stamp_find(struct rte_mbuf *m);
int frame_swap_macs(struct rte_mbuf *m);
int frame_set_macs(struct rte_mbuf *m, const struct rte_ether_addr *src,
                   const struct rte_ether_addr *dst, uint32_t k);

#endif

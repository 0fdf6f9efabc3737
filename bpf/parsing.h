/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounds-checked header parsing for lanswitch's XDP programs, after xdp-tools'
 * parsing_helpers.h: every read of the packet is preceded by a check against data_end, in a
 * form the verifier can follow (a pointer plus a constant compared with data_end), so each
 * program that includes this passes the verifier without checks of its own.
 *
 * BPF side only: needs <linux/bpf.h>, <linux/if_ether.h> and <bpf/bpf_endian.h> first.
 */
#ifndef LANSWITCH_BPF_PARSING_H
#define LANSWITCH_BPF_PARSING_H

#include <linux/types.h>

#define PARSE_VLAN_DEPTH 2 /* an 802.1ad S-tag and its 802.1Q C-tag, or two 802.1Q tags */
#define PARSE_VID_MASK 0x0fff

/* struct vlan_hdr lives in the kernel's internal headers, not the UAPI ones. */
struct parse_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* What parse_eth() found. Pointers point into the packet and are valid up to data_end. */
struct parse_eth {
	const __u8 *src_mac; /* 6 bytes, already checked to be within the packet */
	__be16 outer_tpid;   /* TPID of the first tag (0x8100 or 0x88a8); 0 when untagged */
	__u16 outer_vid;     /* VID of the first tag; 0 for untagged or priority-tagged */
	__u16 ntags;         /* VLAN tags parsed, at most PARSE_VLAN_DEPTH */
	__be16 proto;        /* EtherType after the tags (still a TPID past the depth) */
	__u16 hdr_len;       /* bytes of Ethernet header and tags */
};

static __always_inline int parse_proto_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/*
 * Parse the Ethernet header and up to PARSE_VLAN_DEPTH VLAN tags of [data, data_end).
 * Returns 0, or -1 when the frame ends before the Ethernet header or inside a tag it
 * announces: such a frame is a runt, whatever its length on the wire was.
 */
static __always_inline int parse_eth(void *data, void *data_end, struct parse_eth *p)
{
	struct ethhdr *eth = data;
	struct parse_vlan_hdr *vh;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	p->src_mac = eth->h_source;
	p->outer_tpid = 0;
	p->outer_vid = 0;
	p->ntags = 0;
	proto = eth->h_proto;
	vh = (void *)(eth + 1);

	/* Unrolled: a bounded loop the verifier walks once per iteration anyway. */
#pragma unroll
	for (i = 0; i < PARSE_VLAN_DEPTH; i++) {
		if (!parse_proto_is_vlan(proto))
			break;
		if ((void *)(vh + 1) > data_end)
			return -1;
		/* Only the outer tag decides: it is the one the port is configured for. */
		if (i == 0) {
			p->outer_tpid = proto;
			p->outer_vid = bpf_ntohs(vh->tci) & PARSE_VID_MASK;
		}
		proto = vh->encap_proto;
		vh++;
		p->ntags++;
	}
	p->proto = proto;
	p->hdr_len = (__u16)((void *)vh - data);
	return 0;
}

#endif

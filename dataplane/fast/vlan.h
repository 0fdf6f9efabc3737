/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's VLAN membership, with the Linux bridge's vlan_filtering semantics: untagged and
 * priority-tagged (VID 0) frames enter in the port's PVID (none on a trunk without a native
 * VLAN: dropped); a tagged frame enters only in a VLAN the port carries; a frame leaves
 * untagged in the PVID and tagged in every other VLAN.
 *
 * Immutable once published: the control thread builds a new one and swaps the port's
 * pointer, freeing the old one after an RCU grace period, so workers never see half an
 * update.
 */
#ifndef LANSWITCH_VLAN_H
#define LANSWITCH_VLAN_H

#include <stdbool.h>
#include <stdint.h>

#define VLAN_MAX 4094
#define VLAN_DEFAULT 1

struct vlan_set {
	uint16_t pvid;              /* 0: untagged frames are not accepted */
	uint16_t ntagged;           /* number of VLANs carried tagged, for printing */
	uint64_t member[4096 / 64]; /* VLANs the port carries, PVID included */
};

static inline bool vlan_member(const struct vlan_set *v, uint16_t vid)
{
	return (v->member[vid >> 6] >> (vid & 63)) & 1;
}

static inline void vlan_add(struct vlan_set *v, uint16_t vid)
{
	v->member[vid >> 6] |= 1ULL << (vid & 63);
}

#endif

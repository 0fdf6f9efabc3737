/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The maps of lanswitch_xdp.bpf.c as user space sees them: names, sizes, key and value
 * layouts. Shared by the BPF object and by xdp_ctl.c, so both sides agree on every byte.
 *
 * Names are what user space finds the maps by when the program was loaded by someone else
 * (DPDK's af_xdp PMD keeps its bpf_object to itself): keep them below 16 bytes, the kernel's
 * BPF_OBJ_NAME_LEN, and unique within the object.
 */
#ifndef LANSWITCH_XDP_MAPS_H
#define LANSWITCH_XDP_MAPS_H

#include <linux/types.h>

/*
 * DPDK's af_xdp PMD (xdp_prog=) looks the XSKMAP up by this exact name and fills it with its
 * sockets, keyed by queue index; any other name makes it refuse the program.
 */
#define XDP_MAP_XSKS "xsks_map"
#define XDP_MAP_COUNTERS "ls_counters"
#define XDP_MAP_VLANS "ls_vlans"
#define XDP_MAP_CONFIG "ls_config"
#define XDP_MAP_BLOCKED "ls_blocked"
#define XDP_MAP_ALLOWED "ls_allowed"

#define XDP_XSKS_MAX 256     /* RX queues: a frame from a higher one falls back to pass */
#define XDP_VLANS_MAX 4096   /* indexed by VID; 0 and 4095 never carry a VLAN */
#define XDP_BLOCKED_MAX 4096 /* block-list entries */
#define XDP_ALLOWED_MAX 16   /* allowed source MACs (the switch's GUARD_MACS_MAX) */
/*
 * ls_allowed holds twice as many: replacing one set by another adds the new MACs before it
 * deletes the old ones (xdp_ctl_set_allowed()), so for a moment it holds both.
 */
#define XDP_ALLOWED_ENTRIES (2 * XDP_ALLOWED_MAX)

/* Key of ls_blocked and ls_allowed: the MAC padded to 8 bytes. The pad must be zero: it is
 * hashed too. */
struct xdp_mac_key {
	__u8 addr[6];
	__u8 pad[2];
};

/*
 * The single value of ls_config (key 0). Zeroed at load: untagged frames are dropped, any
 * source MAC enters. One byte per setting: each is written whole, so a frame sees it either
 * as before or as after a change, never torn.
 */
struct xdp_config {
	__u8 untagged_allowed; /* bool: untagged and priority-tagged (VID 0) frames enter */
	__u8 allowed_only;     /* bool: only frames whose source MAC is in ls_allowed enter */
	__u8 pad[2];
};

#endif

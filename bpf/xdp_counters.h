/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every verdict of the XDP program, in one list. The enum indexes the program's per-CPU
 * counter map, and user space takes the names from the same list, so a new reason is one
 * line here and can never be counted under another reason's name.
 *
 * Shared by the BPF object and by user space: macros and an enum only, no includes.
 *
 * "drop" reasons are frames the kernel dropped for the switch; lanswitchd reports them in the
 * port's drops as "xdp_<name>". The others say where a frame that was kept went.
 */
#ifndef LANSWITCH_XDP_COUNTERS_H
#define LANSWITCH_XDP_COUNTERS_H

#define XDP_COUNTERS(X)                                                                          \
	X(RUNT, "runt", 1)               /* no full Ethernet header, or cut inside a VLAN tag */ \
	X(BLOCKED_MAC, "blocked_mac", 1) /* source MAC on the port's block list */               \
	X(MAC_NOT_ALLOWED, "mac_not_allowed", 1)   /* allowed-mac set, source MAC not in it */   \
	X(VLAN_NOT_ALLOWED, "vlan_not_allowed", 1) /* outer VID, or untagged, not carried */     \
	X(REDIRECTED, "redirected", 0)             /* into the AF_XDP socket of its RX queue */  \
	X(PASS, "pass", 0) /* no AF_XDP socket on its RX queue: left to the kernel stack */

enum xdp_counter {
#define XDP_COUNTER_ENUM(e, name, drop) XDP_CNT_##e,
	XDP_COUNTERS(XDP_COUNTER_ENUM)
#undef XDP_COUNTER_ENUM
	        XDP_CNT_MAX
};

#endif

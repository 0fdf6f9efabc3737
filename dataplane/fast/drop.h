/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every reason the fast path frees a frame, in one list. The enum, the names that lanctl
 * prints (as keys of a port's "drops") and the counters all come from it, so a new reason
 * is one line here.
 *
 * "in" reasons are charged to the ingress port (the frame was not forwarded), "out" reasons
 * to the egress port (the frame was forwarded but that port could not take it). Per port,
 * rx_packets = frames forwarded + drops with an "in" reason.
 */
#ifndef LANSWITCH_DROP_H
#define LANSWITCH_DROP_H

#define DROP_REASONS(X)                                                                           \
	X(RUNT, "runt", in) /* shorter than 14 bytes, 18 when tagged */                           \
	/* longer than the ingress port's MTU + header, or (afxdp) than a buffer holds */         \
	X(OVERSIZED, "oversized", in)                                                             \
	X(RX_NO_MBUF, "rx_no_mbuf", in)             /* (afxdp) no buffer to receive it into */    \
	X(VLAN_NOT_ALLOWED, "vlan_not_allowed", in) /* VLAN not carried by the port */            \
	X(BAD_SRC_MAC, "bad_src_mac", in)           /* multicast or all-zero source address */    \
	X(HAIRPIN, "hairpin", in)                   /* destination learned on the ingress port */ \
	X(PORT_DOWN, "port_down", in)               /* destination port's link is down */         \
	X(NO_EGRESS, "no_egress", in) /* flooded, but no other port is up in the VLAN */          \
	/* the port's guard (fast/guard.h) */                                                     \
	X(MAC_LIMIT, "mac_limit", in)             /* a new source past the port's mac-limit */    \
	X(MAC_NOT_ALLOWED, "mac_not_allowed", in) /* source MAC not in the port's allowed-mac */  \
	X(ARP_GUARD, "arp_guard", in)   /* ARP sender / IPv6 NA target outside arp-guard */       \
	X(DHCP_GUARD, "dhcp_guard", in) /* DHCP server message, dhcp-server deny */               \
	X(RA_GUARD, "ra_guard", in)     /* IPv6 router advertisement, ra-guard deny */            \
	X(STORM_BROADCAST, "storm_broadcast", in) /* past the port's storm broadcast PPS */       \
	X(STORM_MULTICAST, "storm_multicast", in) /* past its storm multicast PPS */              \
	X(STORM_UNKNOWN_UNICAST, "storm_unknown_unicast", in) /* past storm unknown-unicast */    \
	X(TX_RING_FULL, "tx_ring_full", out) /* egress took it neither in its ring nor held it */ \
	/* longer than the egress port takes (tx_len_max, + 4 when it leaves tagged) */           \
	X(TX_OVERSIZED, "tx_oversized", out)                                                      \
	X(NO_MBUF, "no_mbuf", out) /* no buffer left to copy a flooded or tagged frame */

enum drop_reason {
#define DROP_ENUM(e, name, side) DROP_##e,
	DROP_REASONS(DROP_ENUM)
#undef DROP_ENUM
	        DROP_MAX
};

extern const char *const drop_names[DROP_MAX];

#endif

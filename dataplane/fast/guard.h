/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's guard: what one bad guest may not do to the LAN. Per port, all off by default:
 *	mac-limit N [--flood]	at most N learned MACs (fdb.h counts them per port)
 *	allowed-mac MAC...	frames from any other source MAC are dropped (anti-spoofing)
 *	arp-guard IP/PREFIX...	ARP whose sender IP, and IPv6 neighbour advertisements whose
 *				target, is outside the list are dropped
 *	dhcp-server deny	DHCP (and DHCPv6) server messages from the port are dropped
 *	ra-guard deny		IPv6 router advertisements from the port are dropped
 *	storm CLASS PPS		broadcast, multicast, unknown unicast: a token bucket per class
 *
 * A port's settings are one struct port_guard, published whole through RCU like its VLAN set
 * (NULL while every protection is off, so a port without one pays one load per burst), and
 * never changed once published: the control thread builds a new one and swaps it in.
 *
 * guard_frame() is the per-frame decision (allowed-mac, arp-guard, dhcp-server, ra-guard): a
 * pure function of the settings and the frame's bytes, with no DPDK in it, so the fuzzer and
 * the unit tests call it on plain buffers. It reads only the len bytes it is given; the
 * caller gives it the frame as the switch sees it after the ingress checks (the port's own
 * VLAN tag removed). Storm control and mac-limit need the FDB and the clock: fwd.c applies
 * them.
 */
#ifndef LANSWITCH_GUARD_H
#define LANSWITCH_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#define GUARD_MACS_MAX 16
#define GUARD_NETS_MAX 16
/* guard_frame() looks at no more than this many bytes of a frame: headers, not payload */
#define GUARD_PEEK_MAX 256

/* inspect: which per-frame checks guard_frame() makes */
#define GUARD_F_MAC (1u << 0)  /* allowed-mac */
#define GUARD_F_ARP (1u << 1)  /* arp-guard */
#define GUARD_F_DHCP (1u << 2) /* dhcp-server deny */
#define GUARD_F_RA (1u << 3)   /* ra-guard deny */

enum guard_storm {
	GUARD_STORM_BROADCAST,
	GUARD_STORM_MULTICAST,
	GUARD_STORM_UNKNOWN_UNICAST,
	GUARD_STORM_MAX
};

/* An address prefix of arp-guard: 4 or 16 bytes of addr used, in network order. */
struct guard_net {
	uint8_t family; /* 4 or 6 */
	uint8_t prefix; /* 0..32, 0..128 */
	uint8_t addr[16];
};

struct port_guard {
	uint32_t inspect;                /* GUARD_F_* */
	uint32_t mac_limit;              /* 0: none */
	bool mac_limit_flood;            /* past the limit: forward without learning */
	uint16_t nmacs;                  /* allowed-mac; 0: any source */
	uint16_t nnets;                  /* arp-guard; 0: off */
	uint8_t macs[GUARD_MACS_MAX][6]; /* allowed source MACs */
	struct guard_net nets[GUARD_NETS_MAX];
	uint32_t storm_pps[GUARD_STORM_MAX]; /* 0: no limit */
};

/*
 * The drop reason (enum drop_reason) for a frame of len bytes at f, untagged (the ingress
 * port's tag removed), under g; -1: it passes. g->inspect == 0 passes everything. Frames too
 * short for the headers a check needs are judged on what is there: a truncated ARP, DHCP or
 * RA that a check applies to is dropped under that check's reason, never read past len.
 */
int guard_frame(const struct port_guard *g, const uint8_t *f, uint32_t len);

/* Whether every setting of g is off (a port without a guard). */
bool guard_is_off(const struct port_guard *g);

/* inspect, from the settings; call after changing a struct port_guard's fields. */
void guard_update_inspect(struct port_guard *g);

/* Parsing the words of "port set NAME KEY ..." into g (ctl and fuzz; plain C). Each returns
 * 0 or a negative errno with a message in err naming the bad word. */
int guard_parse_mac(const char *word, uint8_t mac[6]);
int guard_parse_net(const char *word, struct guard_net *net);
int guard_parse(struct port_guard *g, int argc, char **argv, char *err, unsigned int errlen);

#endif

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
 * VLAN tag removed), and looks through up to two more tags (QinQ) for the EtherType. Storm
 * control and mac-limit need the FDB and the clock: fwd.c applies them.
 */
#ifndef LANSWITCH_GUARD_H
#define LANSWITCH_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define GUARD_MACS_MAX 16
#define GUARD_NETS_MAX 16
/* guard_frame() looks at no more than this many bytes of a frame: headers, not payload */
#define GUARD_PEEK_MAX 256
#define GUARD_MAC_LIMIT_MAX 1000000u   /* mac-limit N */
#define GUARD_STORM_PPS_MAX 100000000u /* storm CLASS PPS */

/* inspect: which per-frame checks guard_frame() makes. GUARD_F_DHCP and GUARD_F_RA are the
 * dhcp-server deny and ra-guard deny settings themselves (no other field holds them);
 * GUARD_F_MAC and GUARD_F_ARP follow nmacs and nnets (guard_update_inspect). */
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
	/* storm control as fwd.c applies it (GCRA over the TSC), set by the control thread
	 * from storm_pps: cycles per frame, and how far ahead of now a class may run (a burst
	 * of one second's frames) */
	uint64_t storm_interval[GUARD_STORM_MAX];
	uint64_t storm_tolerance[GUARD_STORM_MAX];
	/* macs[] as guard_mac_word() reads them, for fwd.c's check of a run's source (set by
	 * guard_update_inspect) */
	uint64_t mac_words[GUARD_MACS_MAX];
};

/* A MAC's six bytes in one word (the FDB key's layout without the VLAN). */
static inline uint64_t guard_mac_word(const uint8_t *mac)
{
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, mac, sizeof(lo));
	memcpy(&hi, mac + sizeof(lo), sizeof(hi));
	return (uint64_t)lo | (uint64_t)hi << 32;
}

/* allowed-mac: whether the source whose word is w may send (nmacs 0: any). */
static inline bool guard_mac_allowed(const struct port_guard *g, uint64_t w)
{
	unsigned int i;

	for (i = 0; i < g->nmacs; i++)
		if (g->mac_words[i] == w)
			return true;
	return g->nmacs == 0;
}

/*
 * The drop reason (enum drop_reason) for a frame of len bytes at f, untagged (the ingress
 * port's tag removed), under g; -1: it passes. g->inspect == 0 passes everything. Frames too
 * short for the headers a check needs are judged on what is there: a truncated ARP, DHCP or
 * RA that a check applies to is dropped under that check's reason, never read past len. An
 * IPv6 packet whose upper-layer header is out of reach (cut short, a first fragment without
 * it, headers past GUARD_PEEK_MAX) could be any of them: RA guard, else arp-guard, else
 * dhcp-server deny drops it. Frames without a whole EtherType (runts) pass all but
 * allowed-mac; fwd.c drops them first anyway.
 */
int guard_frame(const struct port_guard *g, const uint8_t *f, uint32_t len);
/* guard_frame() without allowed-mac: the per-frame checks after it, for a caller that
 * checks a run's source once (fwd.c). */
int guard_frame_l3(const struct port_guard *g, const uint8_t *f, uint32_t len);

/* Whether every setting of g is off (a port without a guard). */
bool guard_is_off(const struct port_guard *g);

/* inspect's GUARD_F_MAC and GUARD_F_ARP from nmacs and nnets (GUARD_F_DHCP and GUARD_F_RA
 * kept as they are); call after changing a struct port_guard's fields. */
void guard_update_inspect(struct port_guard *g);

/* Parsing the words of "port set NAME KEY ..." (ctl and fuzz; plain C). */
/* A unicast, non-zero aa:bb:cc:dd:ee:ff (any case): 0, or -EINVAL. */
int guard_parse_mac(const char *word, uint8_t mac[6]);
/* IPv4/0-32 or IPv6/0-128: 0; -EINVAL; -ERANGE when the address has bits set past the prefix
 * (refused, net then holds the network so a message can name it). */
int guard_parse_net(const char *word, struct guard_net *net);
/*
 * argv[0] is the key (mac-limit, allowed-mac, arp-guard, dhcp-server, ra-guard, storm), the
 * rest its values. 0: that key's fields of g changed, inspect updated. -EINVAL: a message in
 * err naming the bad word, g unchanged. -ENOTSUP: not a guard key (or argc 0), err untouched.
 */
int guard_parse(struct port_guard *g, int argc, char **argv, char *err, unsigned int errlen);

#endif

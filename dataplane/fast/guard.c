/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's guard (guard.h): the per-frame decisions and the parser of its settings. Plain C
 * and libc, no DPDK: the fuzzer and the unit tests link this file alone.
 *
 * guard_frame() reads a frame as bytes, never past len nor past GUARD_PEEK_MAX, and judges a
 * frame cut short on what is there: when every byte present fits a frame a check is about
 * (an ARP, a DHCP server reply, an RA, a neighbour advertisement), it is dropped under that
 * check's reason. The switch sees whole frames, so a short one is malformed, and no host
 * should get a chance to read more into it than the guard did.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fast/drop.h"
#include "fast/guard.h"

#define GUARD_ETH_VLAN 0x8100
#define GUARD_ETH_QINQ 0x88a8
#define GUARD_ETH_IPV4 0x0800
#define GUARD_ETH_ARP 0x0806
#define GUARD_ETH_IPV6 0x86dd
#define GUARD_TAGS_MAX 2 /* tags inside the frame that guard_frame() looks through */

#define GUARD_ICMP6_RA 134
#define GUARD_ICMP6_NA 136

#define GUARD_PASS (-1)

static inline uint16_t guard_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Whether the n bytes at p (maybe fewer than want) are the start of want: what is there fits. */
static bool guard_could_be(const uint8_t *p, uint32_t n, const uint8_t *want, uint32_t wantlen)
{
	return memcmp(p, want, n < wantlen ? n : wantlen) == 0;
}

/* Whether addr is in the prefix (net, prefix): whole bytes, then the bits of a partial one. */
static bool guard_prefix_has(const uint8_t *net, unsigned int prefix, const uint8_t *addr)
{
	unsigned int whole = prefix >> 3, bits = prefix & 7;

	if (memcmp(net, addr, whole) != 0)
		return false;
	return bits == 0 || ((net[whole] ^ addr[whole]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

static bool guard_in_nets(const struct port_guard *g, uint8_t family, const uint8_t *addr)
{
	unsigned int i, max = family == 4 ? 32 : 128;

	for (i = 0; i < g->nnets && i < GUARD_NETS_MAX; i++) {
		const struct guard_net *net = &g->nets[i];

		if (net->family == family && net->prefix <= max &&
		    guard_prefix_has(net->addr, net->prefix, addr))
			return true;
	}
	return false;
}

static bool guard_src_allowed(const struct port_guard *g, const uint8_t *f, uint32_t len)
{
	unsigned int i;

	if (len < 12) /* no whole source address: not one of the allowed */
		return false;
	for (i = 0; i < g->nmacs && i < GUARD_MACS_MAX; i++)
		if (memcmp(g->macs[i], f + 6, 6) == 0)
			return true;
	return false;
}

/*
 * ARP at a, n bytes: the sender protocol address (after 8 bytes of header and a 6-byte sender
 * MAC) must be in an IPv4 prefix of the list. An ARP that is not Ethernet/IPv4 (hlen 6, plen
 * 4, ptype 0x0800) is dropped too: no host on this LAN sends one, and where its sender address
 * lies and what it means would be guesses. 0.0.0.0 is an RFC 5227 probe (DHCP clients send
 * them before taking an address): it claims no address, so it passes.
 */
static int guard_arp(const struct port_guard *g, const uint8_t *a, uint32_t n)
{
	static const uint8_t any[4];

	if (!(g->inspect & GUARD_F_ARP))
		return GUARD_PASS;
	if (n < 18 || guard_be16(a + 2) != GUARD_ETH_IPV4 || a[4] != 6 || a[5] != 4)
		return DROP_ARP_GUARD;
	if (memcmp(a + 14, any, 4) == 0 || guard_in_nets(g, 4, a + 14))
		return GUARD_PASS;
	return DROP_ARP_GUARD;
}

/*
 * IPv4 at ip, n bytes: under dhcp-server deny, UDP from port 67 to port 68 (OFFER, ACK, NAK)
 * is dropped. A non-first fragment carries no UDP header, so it passes. A packet cut short is
 * judged on the fields it has: it is dropped only when each of them fits a DHCP server reply
 * (protocol UDP or missing, fragment offset 0 or missing, the port bytes there 00 43 00 44).
 * Cut before the protocol byte, it could be one; once a field shows it is not (TCP, a later
 * fragment, another port), it passes whatever is missing after. An IHL below 5 makes a
 * packet no IPv4 stack takes, so it cannot be a reply a client reads: it passes.
 */
static int guard_ipv4(const struct port_guard *g, const uint8_t *ip, uint32_t n)
{
	static const uint8_t dhcp_ports[4] = { 0, 67, 0, 68 };
	uint32_t hl;

	if (!(g->inspect & GUARD_F_DHCP))
		return GUARD_PASS;
	if (n >= 10 && ip[9] != IPPROTO_UDP) /* the usual frame: TCP, or UDP to come */
		return GUARD_PASS;
	if (n >= 8 && (guard_be16(ip + 6) & 0x1fff) != 0)
		return GUARD_PASS;
	if (n < 10)
		return DROP_DHCP_GUARD;
	hl = (uint32_t)(ip[0] & 0x0f) << 2;
	if (hl < 20)
		return GUARD_PASS;
	if (hl >= n) /* options run past the end: no port is there to say it is not DHCP */
		return DROP_DHCP_GUARD;
	return guard_could_be(ip + hl, n - hl, dhcp_ports, 4) ? DROP_DHCP_GUARD : GUARD_PASS;
}

/*
 * An IPv6 packet whose upper-layer header is not within reach (cut short, a header chain
 * longer than GUARD_PEEK_MAX, a first fragment without it): it could be an RA, a neighbour
 * advertisement or a DHCPv6 reply, so the first check that applies drops it. RFC 7113 asks
 * this of RA guard for first fragments; RFC 7112 lets a node drop a first fragment without
 * the whole chain, which no honest sender makes.
 */
static int guard_ipv6_unknown(const struct port_guard *g)
{
	if (g->inspect & GUARD_F_RA)
		return DROP_RA_GUARD;
	if (g->inspect & GUARD_F_ARP)
		return DROP_ARP_GUARD;
	if (g->inspect & GUARD_F_DHCP)
		return DROP_DHCP_GUARD;
	return GUARD_PASS;
}

/*
 * ICMPv6 at ip + off (off <= n or past it when a header claimed more than is there). RA:
 * dropped under ra-guard. Neighbour advertisement: its target (bytes 8..23) must be in an
 * IPv6 prefix of arp-guard; with only IPv4 prefixes listed every NA is dropped, as the list
 * says (list fe80::/10 and the guest's IPv6 prefix to let its IPv6 work).
 */
static int guard_icmp6(const struct port_guard *g, const uint8_t *ip, uint32_t off, uint32_t n)
{
	if (off >= n) { /* no type byte: it could be either */
		if (g->inspect & GUARD_F_RA)
			return DROP_RA_GUARD;
		return (g->inspect & GUARD_F_ARP) ? DROP_ARP_GUARD : GUARD_PASS;
	}
	if (ip[off] == GUARD_ICMP6_RA)
		return (g->inspect & GUARD_F_RA) ? DROP_RA_GUARD : GUARD_PASS;
	if (ip[off] != GUARD_ICMP6_NA || !(g->inspect & GUARD_F_ARP))
		return GUARD_PASS;
	if (n - off < 24 || !guard_in_nets(g, 6, ip + off + 8))
		return DROP_ARP_GUARD;
	return GUARD_PASS;
}

/* UDP from port 547 to port 546: a DHCPv6 server's (or relay's) message to a client. */
static int guard_udp6(const struct port_guard *g, const uint8_t *ip, uint32_t off, uint32_t n)
{
	static const uint8_t dhcp6_ports[4] = { 0x02, 0x23, 0x02, 0x22 };

	if (!(g->inspect & GUARD_F_DHCP))
		return GUARD_PASS;
	if (off >= n)
		return DROP_DHCP_GUARD;
	return guard_could_be(ip + off, n - off, dhcp6_ports, 4) ? DROP_DHCP_GUARD : GUARD_PASS;
}

/*
 * IPv6 at ip, n bytes: walk the extension headers to the upper-layer one. The loop ends: each
 * header moves off on by at least 8 bytes and n is at most GUARD_PEEK_MAX. AH (51) is walked
 * too: hosts that hold its SA read what follows it.
 */
static int guard_ipv6(const struct port_guard *g, const uint8_t *ip, uint32_t n)
{
	uint32_t off = 40;
	uint8_t nh;

	if (n < 40)
		return guard_ipv6_unknown(g);
	nh = ip[6];
	for (;;) {
		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (off + 2 > n)
				return guard_ipv6_unknown(g);
			nh = ip[off];
			off += ((uint32_t)ip[off + 1] + 1) << 3;
			break;
		case IPPROTO_AH:
			if (off + 2 > n)
				return guard_ipv6_unknown(g);
			nh = ip[off];
			off += ((uint32_t)ip[off + 1] + 2) << 2;
			break;
		case IPPROTO_FRAGMENT: /* its offset is in its first 4 bytes, all 8 long */
			if (off + 4 > n)
				return guard_ipv6_unknown(g);
			if ((guard_be16(ip + off + 2) & 0xfff8) != 0)
				return GUARD_PASS; /* not the first: no upper-layer header in it */
			nh = ip[off];
			off += 8;
			break;
		case IPPROTO_ICMPV6:
			return guard_icmp6(g, ip, off, n);
		case IPPROTO_UDP:
			return guard_udp6(g, ip, off, n);
		default:
			return GUARD_PASS;
		}
	}
}

int guard_frame(const struct port_guard *g, const uint8_t *f, uint32_t len)
{
	if (g->inspect == 0)
		return GUARD_PASS;
	/* first: a spoofed frame is dropped as such whatever it carries */
	if ((g->inspect & GUARD_F_MAC) && !guard_src_allowed(g, f, len))
		return DROP_MAC_NOT_ALLOWED;
	return guard_frame_l3(g, f, len);
}

int guard_frame_l3(const struct port_guard *g, const uint8_t *f, uint32_t len)
{
	uint32_t n = len < GUARD_PEEK_MAX ? len : GUARD_PEEK_MAX, off = 12;
	uint16_t type;
	int tags;

	if (!(g->inspect & (GUARD_F_ARP | GUARD_F_DHCP | GUARD_F_RA)))
		return GUARD_PASS;
	/* Tags inside the frame (QinQ, or a tag on an access port) must not hide a DHCP offer or
	 * an RA from the guard: hosts that strip them would read it. */
	for (tags = 0;; tags++) {
		if (off + 2 > n) /* no EtherType: a runt, which fwd.c drops first (DROP_RUNT) */
			return GUARD_PASS;
		type = guard_be16(f + off);
		off += 2;
		if (tags == GUARD_TAGS_MAX || (type != GUARD_ETH_VLAN && type != GUARD_ETH_QINQ))
			break;
		off += 2; /* the TCI */
	}
	switch (type) {
	case GUARD_ETH_IPV4:
		return guard_ipv4(g, f + off, n - off);
	case GUARD_ETH_IPV6:
		return guard_ipv6(g, f + off, n - off);
	case GUARD_ETH_ARP:
		return guard_arp(g, f + off, n - off);
	default:
		return GUARD_PASS;
	}
}

bool guard_is_off(const struct port_guard *g)
{
	unsigned int i;

	/* mac_limit_flood means nothing without a limit (guard_parse clears it with one of 0) */
	if (g->inspect != 0 || g->nmacs != 0 || g->nnets != 0 || g->mac_limit != 0)
		return false;
	for (i = 0; i < GUARD_STORM_MAX; i++)
		if (g->storm_pps[i] != 0)
			return false;
	return true;
}

void guard_update_inspect(struct port_guard *g)
{
	unsigned int i;

	for (i = 0; i < GUARD_MACS_MAX; i++)
		g->mac_words[i] = i < g->nmacs ? guard_mac_word(g->macs[i]) : 0;
	/* GUARD_F_DHCP and GUARD_F_RA are the dhcp-server and ra-guard settings themselves */
	g->inspect = (g->inspect & (GUARD_F_DHCP | GUARD_F_RA)) | (g->nmacs ? GUARD_F_MAC : 0) |
	             (g->nnets ? GUARD_F_ARP : 0);
}

__attribute__((format(printf, 3, 4))) static int guard_err(char *err, unsigned int errlen,
                                                           const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A decimal number 0..max: digits only (no sign, no space, no junk). */
static int guard_parse_u32(const char *word, uint32_t max, uint32_t *v)
{
	uint64_t n = 0;
	unsigned int i;

	if (word[0] == '\0')
		return -EINVAL;
	for (i = 0; word[i] != '\0'; i++) {
		if (word[i] < '0' || word[i] > '9')
			return -EINVAL;
		n = n * 10 + (uint64_t)(word[i] - '0');
		if (n > max) /* at once: n stays far from overflowing */
			return -EINVAL;
	}
	*v = (uint32_t)n;
	return 0;
}

static int guard_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int guard_parse_mac(const char *word, uint8_t mac[6])
{
	static const uint8_t zero[6];
	uint8_t m[6];
	unsigned int i;
	int hi, lo;

	if (strlen(word) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		hi = guard_hex(word[3 * i]);
		lo = guard_hex(word[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && word[3 * i + 2] != ':'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	if ((m[0] & 1) || memcmp(m, zero, 6) == 0) /* a group address, or none: no host's */
		return -EINVAL;
	memcpy(mac, m, 6);
	return 0;
}

/*
 * An address with its host bits set (192.168.1.10/24) is refused, as `ip route` refuses it:
 * whoever writes it may mean the host (/32) or the network (/24), and the guard should not
 * guess which. -ERANGE says so, with net holding the network.
 */
int guard_parse_net(const char *word, struct guard_net *net)
{
	const char *slash = strchr(word, '/');
	char addr[INET6_ADDRSTRLEN];
	uint32_t prefix, max, i;
	bool host_bits = false;
	struct guard_net nt;

	if (slash == NULL || (size_t)(slash - word) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, word, (size_t)(slash - word));
	addr[slash - word] = '\0';
	memset(&nt, 0, sizeof(nt));
	if (inet_pton(AF_INET, addr, nt.addr) == 1)
		nt.family = 4;
	else if (inet_pton(AF_INET6, addr, nt.addr) == 1)
		nt.family = 6;
	else
		return -EINVAL;
	max = nt.family == 4 ? 32 : 128;
	if (guard_parse_u32(slash + 1, max, &prefix) < 0)
		return -EINVAL;
	nt.prefix = (uint8_t)prefix;
	for (i = 0; i < max / 8; i++) {
		uint32_t keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
		uint8_t mask = (uint8_t)(0xffu >> keep); /* its host bits */

		host_bits |= (nt.addr[i] & mask) != 0;
		nt.addr[i] &= (uint8_t)~mask;
	}
	*net = nt;
	return host_bits ? -ERANGE : 0;
}

/* mac-limit N [--flood]. 0 is no limit: nothing to flood past, so --flood is kept only with a
 * limit (one way to write each setting, one way to save it). */
static int guard_parse_mac_limit(struct port_guard *g, int n, char **v, char *err,
                                 unsigned int errlen)
{
	uint32_t limit;

	if (n < 1 || n > 2)
		return guard_err(err, errlen, "mac-limit: expected N [--flood]");
	if (guard_parse_u32(v[0], GUARD_MAC_LIMIT_MAX, &limit) < 0)
		return guard_err(err, errlen, "bad limit \"%s\": expected a number of MACs 0-%u",
		                 v[0], GUARD_MAC_LIMIT_MAX);
	if (n == 2 && strcmp(v[1], "--flood") != 0)
		return guard_err(err, errlen, "bad option \"%s\": expected --flood", v[1]);
	g->mac_limit = limit;
	g->mac_limit_flood = n == 2 && limit > 0;
	return 0;
}

/* allowed-mac MAC [MAC]... | none */
static int guard_parse_allowed(struct port_guard *g, int n, char **v, char *err,
                               unsigned int errlen)
{
	int i, j;

	if (n < 1)
		return guard_err(err, errlen, "allowed-mac: expected MAC [MAC]... or none");
	if (n > GUARD_MACS_MAX)
		return guard_err(err, errlen, "too many allowed MACs: at most %d", GUARD_MACS_MAX);
	memset(g->macs, 0, sizeof(g->macs));
	g->nmacs = 0;
	if (n == 1 && strcmp(v[0], "none") == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i], "none") == 0)
			return guard_err(err, errlen,
			                 "allowed-mac: none stands alone, not with MACs");
		if (guard_parse_mac(v[i], g->macs[i]) < 0)
			return guard_err(err, errlen,
			                 "bad MAC \"%s\": expected a unicast address like "
			                 "02:00:00:00:00:01",
			                 v[i]);
		for (j = 0; j < i; j++)
			if (memcmp(g->macs[j], g->macs[i], 6) == 0)
				return guard_err(err, errlen, "duplicate MAC \"%s\"", v[i]);
	}
	g->nmacs = (uint16_t)n;
	return 0;
}

/* arp-guard IP/PREFIX [IP/PREFIX]... | none */
static int guard_parse_arp(struct port_guard *g, int n, char **v, char *err, unsigned int errlen)
{
	char net[INET6_ADDRSTRLEN];
	struct guard_net *nt;
	int i, j, rc;

	if (n < 1)
		return guard_err(err, errlen,
		                 "arp-guard: expected IP/PREFIX [IP/PREFIX]... or none");
	if (n > GUARD_NETS_MAX)
		return guard_err(err, errlen, "too many arp-guard prefixes: at most %d",
		                 GUARD_NETS_MAX);
	memset(g->nets, 0, sizeof(g->nets));
	g->nnets = 0;
	if (n == 1 && strcmp(v[0], "none") == 0)
		return 0;
	for (i = 0; i < n; i++) {
		nt = &g->nets[i];
		if (strcmp(v[i], "none") == 0)
			return guard_err(err, errlen,
			                 "arp-guard: none stands alone, not with prefixes");
		rc = guard_parse_net(v[i], nt);
		if (rc == -ERANGE) {
			inet_ntop(nt->family == 4 ? AF_INET : AF_INET6, nt->addr, net, sizeof(net));
			return guard_err(err, errlen,
			                 "bad prefix \"%s\": host bits set, the network is %s/%u",
			                 v[i], net, nt->prefix);
		}
		if (rc < 0)
			return guard_err(err, errlen,
			                 "bad prefix \"%s\": expected IPv4/0-32 or IPv6/0-128",
			                 v[i]);
		for (j = 0; j < i; j++)
			if (memcmp(&g->nets[j], nt, sizeof(*nt)) == 0)
				return guard_err(err, errlen, "duplicate prefix \"%s\"", v[i]);
	}
	g->nnets = (uint16_t)n;
	return 0;
}

/* dhcp-server allow|deny and ra-guard allow|deny: deny is the inspect bit */
static int guard_parse_deny(struct port_guard *g, const char *key, uint32_t bit, int n, char **v,
                            char *err, unsigned int errlen)
{
	if (n != 1)
		return guard_err(err, errlen, "%s: expected allow or deny", key);
	if (strcmp(v[0], "deny") == 0)
		g->inspect |= bit;
	else if (strcmp(v[0], "allow") == 0)
		g->inspect &= ~bit;
	else
		return guard_err(err, errlen, "bad value \"%s\": expected allow or deny", v[0]);
	return 0;
}

static int guard_parse_dhcp(struct port_guard *g, int n, char **v, char *err, unsigned int errlen)
{
	return guard_parse_deny(g, "dhcp-server", GUARD_F_DHCP, n, v, err, errlen);
}

static int guard_parse_ra(struct port_guard *g, int n, char **v, char *err, unsigned int errlen)
{
	return guard_parse_deny(g, "ra-guard", GUARD_F_RA, n, v, err, errlen);
}

/* storm broadcast|multicast|unknown-unicast PPS */
static int guard_parse_storm(struct port_guard *g, int n, char **v, char *err, unsigned int errlen)
{
	static const char *const classes[GUARD_STORM_MAX] = {
		[GUARD_STORM_BROADCAST] = "broadcast",
		[GUARD_STORM_MULTICAST] = "multicast",
		[GUARD_STORM_UNKNOWN_UNICAST] = "unknown-unicast",
	};
	uint32_t pps;
	int c;

	if (n != 2)
		return guard_err(err, errlen,
		                 "storm: expected broadcast|multicast|unknown-unicast PPS");
	for (c = 0; c < GUARD_STORM_MAX; c++)
		if (strcmp(v[0], classes[c]) == 0)
			break;
	if (c == GUARD_STORM_MAX)
		return guard_err(
		        err, errlen,
		        "bad class \"%s\": expected broadcast, multicast or unknown-unicast", v[0]);
	if (guard_parse_u32(v[1], GUARD_STORM_PPS_MAX, &pps) < 0)
		return guard_err(err, errlen, "bad rate \"%s\": expected frames a second 0-%u",
		                 v[1], GUARD_STORM_PPS_MAX);
	g->storm_pps[c] = pps;
	return 0;
}

int guard_parse(struct port_guard *g, int argc, char **argv, char *err, unsigned int errlen)
{
	static const struct {
		const char *key;
		int (*parse)(struct port_guard *g, int n, char **v, char *err, unsigned int errlen);
	} keys[] = {
		{ "mac-limit", guard_parse_mac_limit }, { "allowed-mac", guard_parse_allowed },
		{ "arp-guard", guard_parse_arp },       { "dhcp-server", guard_parse_dhcp },
		{ "ra-guard", guard_parse_ra },         { "storm", guard_parse_storm },
	};
	struct port_guard next;
	unsigned int k;
	int rc;

	if (argc < 1)
		return -ENOTSUP;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (strcmp(argv[0], keys[k].key) == 0)
			break;
	if (k == sizeof(keys) / sizeof(keys[0]))
		return -ENOTSUP; /* the port type's own keys, or none: the caller says */
	/* into a copy: a refused command leaves g as it was */
	next = *g;
	rc = keys[k].parse(&next, argc - 1, argv + 1, err, errlen);
	if (rc < 0)
		return rc;
	guard_update_inspect(&next);
	*g = next;
	return 0;
}

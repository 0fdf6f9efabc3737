/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port guard (dataplane/fast/guard.c): guard_frame()'s verdict on frames built byte by
 * byte, every cut-short copy of them in a buffer of exactly its size (so ASan sees a read
 * past the end), and guard_parse()'s settings, limits and messages. Plain C, no DPDK.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fast/drop.h"
#include "fast/guard.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define PASS (-1)

static const uint8_t mac_guest[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_other[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t ip_in[4] = { 192, 168, 1, 10 }; /* in 192.168.1.0/24 */
static const uint8_t ip_out[4] = { 192, 168, 2, 1 }; /* outside it */
static const uint8_t ip_zero[4] = { 0, 0, 0, 0 };    /* an RFC 5227 probe's sender */
static const uint8_t ip6_in[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_out[16] = { 0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_ll[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

/* ---- frames, byte by byte ---- */

struct frame {
	uint8_t b[2048];
	uint32_t len;
};

static void put(struct frame *f, const void *p, uint32_t n)
{
	assert_true(f->len + n <= sizeof(f->b));
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put8(struct frame *f, uint8_t v)
{
	put(f, &v, 1);
}

static void put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void put_fill(struct frame *f, uint8_t v, uint32_t n)
{
	while (n-- > 0)
		put8(f, v);
}

/* Ethernet to broadcast from src, then any tags (TPIDs, 0-terminated), then type. */
static void eth(struct frame *f, const uint8_t src[6], uint16_t type, const uint16_t *tpids)
{
	f->len = 0;
	put_fill(f, 0xff, 6);
	put(f, src, 6);
	for (; tpids != NULL && *tpids != 0; tpids++) {
		put16(f, *tpids);
		put16(f, 100); /* the TCI: VLAN 100 */
	}
	put16(f, type);
}

/* IPv4 with ihl words of header (options: NOPs), frag the flags and offset field. */
static void ipv4(struct frame *f, uint8_t proto, unsigned int ihl, uint16_t frag)
{
	put8(f, (uint8_t)(0x40 | ihl));
	put8(f, 0);
	put16(f, 300); /* total length: not read */
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put(f, ip_in, 4);
	put_fill(f, 0xff, 4);
	put_fill(f, 1, (ihl - 5) * 4);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport, uint32_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, (uint16_t)(8 + payload));
	put16(f, 0);
	put_fill(f, 0xaa, payload);
}

static void arp(struct frame *f, uint16_t oper, const uint8_t sender[4])
{
	put16(f, 1);      /* Ethernet */
	put16(f, 0x0800); /* IPv4 */
	put8(f, 6);
	put8(f, 4);
	put16(f, oper);
	put(f, mac_guest, 6);
	put(f, sender, 4);
	put_fill(f, 0, 6);
	put(f, ip_in, 4);
}

static void ipv6(struct frame *f, uint8_t nh)
{
	put8(f, 0x60);
	put_fill(f, 0, 3);
	put16(f, 100); /* payload length: not read */
	put8(f, nh);
	put8(f, 255);
	put(f, ip6_ll, 16);
	put_fill(f, 0xff, 16);
}

/* A hop-by-hop, routing or destination options header of (len8 + 1) * 8 bytes (PadN). */
static void ext(struct frame *f, uint8_t nh, uint8_t len8)
{
	put8(f, nh);
	put8(f, len8);
	put8(f, 1);
	put8(f, (uint8_t)(len8 * 8 + 4));
	put_fill(f, 0, len8 * 8u + 4);
}

static void frag6(struct frame *f, uint8_t nh, uint16_t offset8, bool more)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
	put16(f, 0x1234);
	put16(f, 0x5678);
}

static void icmp6(struct frame *f, uint8_t type, const uint8_t target[16])
{
	put8(f, type);
	put8(f, 0);
	put16(f, 0);
	put_fill(f, 0, 4); /* NA: flags; RA: hop limit, flags, lifetime */
	if (target != NULL)
		put(f, target, 16);
	else
		put_fill(f, 0, 8); /* RA: reachable time, retrans timer */
}

/* ---- guards ---- */

static struct port_guard guard_with(uint32_t checks)
{
	struct port_guard g;

	memset(&g, 0, sizeof(g));
	if (checks & GUARD_F_MAC) {
		memcpy(g.macs[0], mac_guest, 6);
		g.nmacs = 1;
	}
	if (checks & GUARD_F_ARP) {
		assert_int_equal(guard_parse_net("192.168.1.0/24", &g.nets[0]), 0);
		assert_int_equal(guard_parse_net("2001:db8::/32", &g.nets[1]), 0);
		g.nnets = 2;
	}
	g.inspect = checks & (GUARD_F_DHCP | GUARD_F_RA);
	guard_update_inspect(&g);
	assert_int_equal(g.inspect, checks);
	return g;
}

#define ALL (GUARD_F_MAC | GUARD_F_ARP | GUARD_F_DHCP | GUARD_F_RA)

/* The verdict on a copy of f's first len bytes in a buffer of exactly that size. */
static int verdict_cut(const struct port_guard *g, const struct frame *f, uint32_t len)
{
	uint8_t *buf = malloc(len);
	int v;

	assert_true(buf != NULL || len == 0);
	if (len > 0)
		memcpy(buf, f->b, len);
	v = guard_frame(g, buf, len);
	free(buf);
	return v;
}

static int verdict(const struct port_guard *g, const struct frame *f)
{
	return verdict_cut(g, f, f->len);
}

/* ---- frames ---- */

static void test_off_passes_all(void **state)
{
	struct port_guard g = guard_with(0);
	struct frame f;

	eth(&f, mac_other, 0x0800, NULL);
	ipv4(&f, 17, 5, 0);
	udp(&f, 67, 68, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	assert_true(guard_is_off(&g));
	assert_int_equal(guard_frame(&g, NULL, 0), PASS);
}

static void test_allowed_mac(void **state)
{
	struct port_guard g = guard_with(GUARD_F_MAC);
	struct frame f;

	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 6, 5, 0);
	put_fill(&f, 0, 20);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_other, 0x0800, NULL);
	ipv4(&f, 6, 5, 0);
	put_fill(&f, 0, 20);
	assert_int_equal(verdict(&g, &f), DROP_MAC_NOT_ALLOWED);
	/* a second allowed MAC */
	memcpy(g.macs[1], mac_other, 6);
	g.nmacs = 2;
	assert_int_equal(verdict(&g, &f), PASS);

	/* a spoofed DHCP offer is dropped as spoofed, checked first */
	g = guard_with(ALL);
	eth(&f, mac_other, 0x0800, NULL);
	ipv4(&f, 17, 5, 0);
	udp(&f, 67, 68, 300);
	assert_int_equal(verdict(&g, &f), DROP_MAC_NOT_ALLOWED);
	f.b[11] = 0x01; /* the guest's own MAC */
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
}

static void test_arp(void **state)
{
	struct port_guard g = guard_with(GUARD_F_MAC | GUARD_F_ARP);
	struct frame f;
	uint16_t oper;

	for (oper = 1; oper <= 2; oper++) { /* request, reply */
		eth(&f, mac_guest, 0x0806, NULL);
		arp(&f, oper, ip_in);
		assert_int_equal(f.len, 42);
		assert_int_equal(verdict(&g, &f), PASS);
		eth(&f, mac_guest, 0x0806, NULL);
		arp(&f, oper, ip_out);
		assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
		eth(&f, mac_guest, 0x0806, NULL);
		arp(&f, oper, ip_zero);
		assert_int_equal(verdict(&g, &f), PASS);
	}
	/* cut before the sender IP's last byte; with it (the target is not read) */
	eth(&f, mac_guest, 0x0806, NULL);
	arp(&f, 2, ip_in);
	assert_int_equal(verdict_cut(&g, &f, 14 + 17), DROP_ARP_GUARD);
	assert_int_equal(verdict_cut(&g, &f, 14 + 18), PASS);
	/* not Ethernet/IPv4: hlen 8 */
	f.b[14 + 4] = 8;
	assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
	/* IPv4 prefixes only judge ARP: an in-list IPv6 prefix does not let an ARP through */
	g.nets[0] = g.nets[1];
	g.nnets = 1;
	eth(&f, mac_guest, 0x0806, NULL);
	arp(&f, 1, ip_in);
	assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
	/* /0 lets any sender through; /32 its one address */
	assert_int_equal(guard_parse_net("0.0.0.0/0", &g.nets[0]), 0);
	eth(&f, mac_guest, 0x0806, NULL);
	arp(&f, 1, ip_out);
	assert_int_equal(verdict(&g, &f), PASS);
	assert_int_equal(guard_parse_net("192.168.2.1/32", &g.nets[0]), 0);
	assert_int_equal(verdict(&g, &f), PASS);
	assert_int_equal(verdict_cut(&g, &f, 14 + 18), PASS); /* nothing read past the sender */
	/* a prefix longer than its family's (a struct not from the parser) matches nothing */
	g.nets[0].prefix = 33;
	assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
	assert_int_equal(guard_parse_net("192.168.2.0/31", &g.nets[0]), 0);
	assert_int_equal(verdict(&g, &f), PASS);
	assert_int_equal(guard_parse_net("192.168.2.2/31", &g.nets[0]), 0);
	assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
}

static void test_na(void **state)
{
	struct port_guard g = guard_with(GUARD_F_ARP);
	struct frame f;

	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 136, ip6_in);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 136, ip6_out);
	assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
	/* behind a hop-by-hop header */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 0);
	ext(&f, 58, 0);
	icmp6(&f, 136, ip6_in);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 0);
	ext(&f, 58, 1);
	icmp6(&f, 136, ip6_out);
	assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
	/* a neighbour solicitation or an echo is not judged */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 135, ip6_out);
	assert_int_equal(verdict(&g, &f), PASS);
	/* only IPv4 prefixes listed: every NA is dropped */
	g.nnets = 1;
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 136, ip6_in);
	assert_int_equal(verdict(&g, &f), DROP_ARP_GUARD);
	/* an RA is not arp-guard's business */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), PASS);
}

static void dhcp_offer(struct frame *f, const uint16_t *tpids, unsigned int ihl)
{
	eth(f, mac_guest, 0x0800, tpids);
	ipv4(f, 17, ihl, 0);
	udp(f, 67, 68, 300);
}

static void test_dhcp(void **state)
{
	static const uint16_t qinq[] = { 0x88a8, 0x8100, 0 };
	struct port_guard g = guard_with(GUARD_F_DHCP);
	struct frame f;

	dhcp_offer(&f, NULL, 5);
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
	dhcp_offer(&f, NULL, 8); /* 12 bytes of IP options */
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
	dhcp_offer(&f, NULL, 15);
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
	dhcp_offer(&f, qinq, 6);
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
	/* a first fragment (more fragments, offset 0) has the UDP header */
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 17, 5, 0x2000);
	udp(&f, 67, 68, 300);
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
	/* a later fragment has none: bytes that look like ports are payload */
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 17, 5, 0x2000 | 185);
	udp(&f, 67, 68, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	/* the client's request, relays, DNS */
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 17, 5, 0);
	udp(&f, 68, 67, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 17, 5, 0);
	udp(&f, 67, 67, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 17, 5, 0);
	udp(&f, 53, 68, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	/* TCP between the same ports */
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 6, 5, 0);
	udp(&f, 67, 68, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	/* not UDP: whatever its first bytes */
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 50, 5, 0);
	udp(&f, 67, 68, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	/* an IHL below 5: no stack takes it, whatever is where its ports would be */
	dhcp_offer(&f, NULL, 5);
	f.b[14] = 0x44;
	memcpy(f.b + 14 + 16, ((uint8_t[]){ 0, 67, 0, 68 }), 4);
	assert_int_equal(verdict(&g, &f), PASS);
	/* the highest bit of the fragment offset */
	eth(&f, mac_guest, 0x0800, NULL);
	ipv4(&f, 17, 5, 0x1000);
	udp(&f, 67, 68, 300);
	assert_int_equal(verdict(&g, &f), PASS);
	/* DHCPv6: advertise (server to client) dropped, solicit passes */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 17);
	udp(&f, 547, 546, 100);
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 60);
	ext(&f, 17, 0);
	udp(&f, 547, 546, 100);
	assert_int_equal(verdict(&g, &f), DROP_DHCP_GUARD);
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 17);
	udp(&f, 546, 547, 100);
	assert_int_equal(verdict(&g, &f), PASS);
	/* allow again */
	g.inspect = 0;
	dhcp_offer(&f, NULL, 5);
	assert_int_equal(verdict(&g, &f), PASS);
}

static void test_ra(void **state)
{
	static const uint16_t one[] = { 0x8100, 0 }, two[] = { 0x88a8, 0x8100, 0 },
	                      three[] = { 0x88a8, 0x8100, 0x8100, 0 };
	struct port_guard g = guard_with(GUARD_F_RA);
	struct frame f;

	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	/* behind hop-by-hop and destination options */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 0);
	ext(&f, 60, 0);
	ext(&f, 58, 2);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	/* behind routing, a whole first fragment, AH */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 43);
	ext(&f, 44, 0);
	frag6(&f, 51, 0, true);
	put8(&f, 58); /* AH: next, length 1 (12 bytes), then 10 more */
	put8(&f, 1);
	put_fill(&f, 0, 10);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	/* a first fragment whose chain stops before the ICMPv6 header (RFC 7113) */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 44);
	frag6(&f, 60, 0, true);
	ext(&f, 60, 3);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	/* a later fragment: no upper-layer header in it */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 44);
	frag6(&f, 58, 100, false);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), PASS);
	/* ICMPv6 cut before its type byte */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	/* behind one tag, two tags; a third hides it (then no host reads it as an RA either) */
	eth(&f, mac_guest, 0x86dd, one);
	ipv6(&f, 58);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	eth(&f, mac_guest, 0x86dd, two);
	ipv6(&f, 58);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	eth(&f, mac_guest, 0x86dd, three);
	ipv6(&f, 58);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), PASS);
	/* hop-by-hop options past GUARD_PEEK_MAX hide the upper layer: dropped */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 0);
	ext(&f, 58, 30);
	icmp6(&f, 134, NULL);
	assert_true(f.len > GUARD_PEEK_MAX);
	assert_int_equal(verdict(&g, &f), DROP_RA_GUARD);
	/* other ICMPv6 passes; RA allowed passes */
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 133, NULL);
	assert_int_equal(verdict(&g, &f), PASS);
	g.inspect = 0;
	eth(&f, mac_guest, 0x86dd, NULL);
	ipv6(&f, 58);
	icmp6(&f, 134, NULL);
	assert_int_equal(verdict(&g, &f), PASS);
}

static void test_plain_pass(void **state)
{
	struct port_guard g = guard_with(ALL);
	struct frame f;

	eth(&f, mac_guest, 0x0800, NULL); /* TCP */
	ipv4(&f, 6, 5, 0);
	put_fill(&f, 0, 1400);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x0800, NULL); /* UDP: DNS */
	ipv4(&f, 17, 5, 0);
	udp(&f, 40000, 53, 40);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x86dd, NULL); /* IPv6 TCP */
	ipv6(&f, 6);
	put_fill(&f, 0, 1400);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x86dd, NULL); /* IPv6 UDP */
	ipv6(&f, 17);
	udp(&f, 40000, 53, 40);
	assert_int_equal(verdict(&g, &f), PASS);
	eth(&f, mac_guest, 0x88b5, NULL); /* another EtherType */
	put_fill(&f, 0, 46);
	assert_int_equal(verdict(&g, &f), PASS);
}

struct sample {
	const char *name;
	struct frame f;
	uint32_t checks; /* the guard it is judged under, beside all of them on */
	int full;        /* its verdict whole */
	uint32_t from;   /* cut to from.. bytes (but not whole): the same verdict as whole */
	int cut;         /* cut to 14..from - 1 bytes (a whole EtherType, not enough to judge) */
};

static void samples_build(struct sample *s, unsigned int *n)
{
	static const uint16_t two[] = { 0x88a8, 0x8100, 0 };
	unsigned int i = 0;

	s[i] = (struct sample){ "arp out", .checks = GUARD_F_ARP, .full = DROP_ARP_GUARD };
	eth(&s[i].f, mac_guest, 0x0806, NULL);
	arp(&s[i].f, 2, ip_out);
	s[i++].from = 14;
	s[i] = (struct sample){ "arp in", .checks = GUARD_F_ARP, .full = PASS,
		                .cut = DROP_ARP_GUARD };
	eth(&s[i].f, mac_guest, 0x0806, NULL);
	arp(&s[i].f, 1, ip_in);
	s[i++].from = 14 + 18;
	s[i] = (struct sample){ "offer with options", .checks = GUARD_F_DHCP,
		                .full = DROP_DHCP_GUARD };
	dhcp_offer(&s[i].f, NULL, 7);
	s[i++].from = 14;
	s[i] = (struct sample){ "offer qinq", .checks = GUARD_F_DHCP, .full = DROP_DHCP_GUARD,
		                .cut = PASS }; /* cut inside the tags: no EtherType */
	dhcp_offer(&s[i].f, two, 5);
	s[i++].from = 22;
	s[i] = (struct sample){ "dhcpv6 advertise", .checks = GUARD_F_DHCP,
		                .full = DROP_DHCP_GUARD };
	eth(&s[i].f, mac_guest, 0x86dd, NULL);
	ipv6(&s[i].f, 0);
	ext(&s[i].f, 17, 0);
	udp(&s[i].f, 547, 546, 40);
	s[i++].from = 14;
	s[i] = (struct sample){ "ra hbh dstopts", .checks = GUARD_F_RA, .full = DROP_RA_GUARD };
	eth(&s[i].f, mac_guest, 0x86dd, NULL);
	ipv6(&s[i].f, 0);
	ext(&s[i].f, 60, 0);
	ext(&s[i].f, 58, 1);
	icmp6(&s[i].f, 134, NULL);
	s[i++].from = 14;
	s[i] = (struct sample){ "ra fragment", .checks = GUARD_F_RA, .full = DROP_RA_GUARD };
	eth(&s[i].f, mac_guest, 0x86dd, NULL);
	ipv6(&s[i].f, 44);
	frag6(&s[i].f, 58, 0, true);
	icmp6(&s[i].f, 134, NULL);
	s[i++].from = 14;
	s[i] = (struct sample){ "ra later fragment", .checks = GUARD_F_RA, .full = PASS,
		                .cut = DROP_RA_GUARD };
	eth(&s[i].f, mac_guest, 0x86dd, NULL);
	ipv6(&s[i].f, 44);
	frag6(&s[i].f, 58, 1, true);
	icmp6(&s[i].f, 134, NULL);
	s[i++].from = 14 + 40 + 4; /* the offset is there: not the first */
	s[i] = (struct sample){ "na out", .checks = GUARD_F_ARP, .full = DROP_ARP_GUARD };
	eth(&s[i].f, mac_guest, 0x86dd, NULL);
	ipv6(&s[i].f, 0);
	ext(&s[i].f, 58, 0);
	icmp6(&s[i].f, 136, ip6_out);
	s[i++].from = 14;
	s[i] = (struct sample){ "na in", .checks = GUARD_F_ARP, .full = PASS,
		                .cut = DROP_ARP_GUARD };
	eth(&s[i].f, mac_guest, 0x86dd, NULL);
	ipv6(&s[i].f, 58);
	icmp6(&s[i].f, 136, ip6_in);
	s[i++].from = 14 + 40 + 24;
	s[i] = (struct sample){ "tcp", .checks = ALL, .full = PASS, .cut = DROP_DHCP_GUARD };
	eth(&s[i].f, mac_guest, 0x0800, NULL);
	ipv4(&s[i].f, 6, 5, 0);
	put_fill(&s[i].f, 0, 40);
	s[i++].from = 14 + 10;
	s[i] = (struct sample){ "udp6", .checks = GUARD_F_DHCP, .full = PASS,
		                .cut = DROP_DHCP_GUARD };
	eth(&s[i].f, mac_guest, 0x86dd, NULL);
	ipv6(&s[i].f, 17);
	udp(&s[i].f, 40000, 53, 20);
	s[i++].from = 14 + 40 + 1; /* the first port byte (0x9c) already says it is not */
	*n = i;
}

static bool guard_reason(int v)
{
	return v == PASS || v == DROP_MAC_NOT_ALLOWED || v == DROP_ARP_GUARD ||
	       v == DROP_DHCP_GUARD || v == DROP_RA_GUARD;
}

/* What a sample cut to len bytes gets under its own checks. */
static int sample_cut(const struct sample *s, uint32_t len)
{
	if (len < 12 && (s->checks & GUARD_F_MAC))
		return DROP_MAC_NOT_ALLOWED; /* no whole source: not an allowed one */
	if (len < 14)
		return PASS; /* no EtherType: a runt, which fwd.c drops first */
	return len < s->from ? s->cut : s->full;
}

/*
 * Every cut of every sample, in a buffer of exactly its size (ASan builds catch a read past
 * it): under the sample's own checks exactly the verdict sample_cut() says (what is there
 * fits a frame the check is about: dropped), under all checks a guard reason or a pass, under
 * allowed-mac alone a drop below 12 bytes.
 */
static void test_every_cut(void **state)
{
	static struct sample s[16];
	struct port_guard own, all = guard_with(ALL), mac = guard_with(GUARD_F_MAC);
	unsigned int n, i;
	uint32_t len;

	samples_build(s, &n);
	for (i = 0; i < n; i++) {
		own = guard_with(s[i].checks);
		print_message("%s: %u bytes\n", s[i].name, s[i].f.len);
		assert_int_equal(verdict(&own, &s[i].f), s[i].full);
		for (len = 0; len < s[i].f.len; len++) {
			int v_own = verdict_cut(&own, &s[i].f, len);
			int v_all = verdict_cut(&all, &s[i].f, len);

			assert_true(guard_reason(v_own));
			assert_true(guard_reason(v_all));
			if (len < 12)
				assert_int_equal(verdict_cut(&mac, &s[i].f, len),
				                 DROP_MAC_NOT_ALLOWED);
			else
				assert_int_equal(verdict_cut(&mac, &s[i].f, len), PASS);
			assert_int_equal(v_own, sample_cut(&s[i], len));
		}
	}
}

/* ---- the parser ---- */

/* guard_parse on a line of words (split at spaces), err filled. */
static int parse(struct port_guard *g, const char *line, char *err, unsigned int errlen)
{
	char buf[1024], *argv[64], *save = NULL, *w;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		assert_true(argc < (int)DIM(argv));
		argv[argc++] = w;
	}
	return guard_parse(g, argc, argv, err, errlen);
}

/* A guard with a setting of every key, to see that a refused command changes none. */
static struct port_guard guard_busy(void)
{
	struct port_guard g;
	char err[256];

	memset(&g, 0, sizeof(g));
	assert_int_equal(parse(&g, "mac-limit 10 --flood", err, sizeof(err)), 0);
	assert_int_equal(
	        parse(&g, "allowed-mac 02:00:00:00:00:01 02:00:00:00:00:02", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "arp-guard 10.0.0.0/8 fe80::/10", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "dhcp-server deny", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "ra-guard deny", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "storm broadcast 1000", err, sizeof(err)), 0);
	assert_int_equal(g.inspect, ALL);
	return g;
}

static void test_parse_settings(void **state)
{
	struct port_guard g, zero;
	char err[256];

	memset(&g, 0, sizeof(g));
	memset(&zero, 0, sizeof(zero));
	assert_true(guard_is_off(&g));
	assert_int_equal(parse(&g, "mac-limit 1000000", err, sizeof(err)), 0);
	assert_int_equal(g.mac_limit, 1000000);
	assert_false(g.mac_limit_flood);
	assert_false(guard_is_off(&g));
	assert_int_equal(g.inspect, 0); /* no per-frame check */
	assert_int_equal(parse(&g, "mac-limit 5 --flood", err, sizeof(err)), 0);
	assert_int_equal(g.mac_limit, 5);
	assert_true(g.mac_limit_flood);
	assert_int_equal(parse(&g, "mac-limit 0 --flood", err, sizeof(err)), 0);
	assert_int_equal(g.mac_limit, 0);
	assert_false(g.mac_limit_flood); /* nothing to flood past */
	assert_true(guard_is_off(&g));

	assert_int_equal(
	        parse(&g, "allowed-mac 02:AB:cd:00:00:01 0a:00:00:00:00:ff", err, sizeof(err)), 0);
	assert_int_equal(g.nmacs, 2);
	assert_memory_equal(g.macs[0], ((uint8_t[]){ 0x02, 0xab, 0xcd, 0, 0, 1 }), 6);
	assert_memory_equal(g.macs[1], ((uint8_t[]){ 0x0a, 0, 0, 0, 0, 0xff }), 6);
	assert_int_equal(g.inspect, GUARD_F_MAC);
	assert_int_equal(parse(&g, "allowed-mac 02:00:00:00:00:09", err, sizeof(err)), 0);
	assert_int_equal(g.nmacs, 1);
	assert_memory_equal(g.macs[1], zero.macs[1], 6); /* the old list does not linger */
	assert_int_equal(parse(&g, "allowed-mac none", err, sizeof(err)), 0);
	assert_int_equal(g.nmacs, 0);
	assert_int_equal(g.inspect, 0);

	assert_int_equal(parse(&g, "arp-guard 192.168.1.0/24 2001:db8::/32 10.0.0.1/32 ::/0", err,
	                       sizeof(err)),
	                 0);
	assert_int_equal(g.nnets, 4);
	assert_int_equal(g.nets[0].family, 4);
	assert_int_equal(g.nets[0].prefix, 24);
	assert_memory_equal(g.nets[0].addr, ((uint8_t[]){ 192, 168, 1, 0 }), 4);
	assert_int_equal(g.nets[1].family, 6);
	assert_int_equal(g.nets[1].prefix, 32);
	assert_int_equal(g.nets[3].prefix, 0);
	assert_int_equal(g.inspect, GUARD_F_ARP);
	assert_int_equal(parse(&g, "arp-guard none", err, sizeof(err)), 0);
	assert_int_equal(g.nnets, 0);
	assert_int_equal(g.inspect, 0);

	assert_int_equal(parse(&g, "dhcp-server deny", err, sizeof(err)), 0);
	assert_int_equal(g.inspect, GUARD_F_DHCP);
	assert_int_equal(parse(&g, "ra-guard deny", err, sizeof(err)), 0);
	assert_int_equal(g.inspect, GUARD_F_DHCP | GUARD_F_RA);
	assert_int_equal(parse(&g, "dhcp-server allow", err, sizeof(err)), 0);
	assert_int_equal(g.inspect, GUARD_F_RA);
	assert_int_equal(parse(&g, "ra-guard allow", err, sizeof(err)), 0);
	assert_true(guard_is_off(&g));

	assert_int_equal(parse(&g, "storm broadcast 100000000", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "storm multicast 0", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "storm unknown-unicast 7", err, sizeof(err)), 0);
	assert_int_equal(g.storm_pps[GUARD_STORM_BROADCAST], 100000000);
	assert_int_equal(g.storm_pps[GUARD_STORM_MULTICAST], 0);
	assert_int_equal(g.storm_pps[GUARD_STORM_UNKNOWN_UNICAST], 7);
	assert_false(guard_is_off(&g));
	assert_int_equal(g.inspect, 0);
	assert_int_equal(parse(&g, "storm broadcast 0", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "storm unknown-unicast 0", err, sizeof(err)), 0);
	assert_true(guard_is_off(&g));
}

static void test_parse_limits(void **state)
{
	char line[1024], err[256];
	struct port_guard g;
	int i;

	memset(&g, 0, sizeof(g));
	snprintf(line, sizeof(line), "allowed-mac");
	for (i = 1; i <= GUARD_MACS_MAX; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " 02:00:00:00:00:%02x",
		         i);
	assert_int_equal(parse(&g, line, err, sizeof(err)), 0);
	assert_int_equal(g.nmacs, GUARD_MACS_MAX);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), " 02:00:00:00:01:00");
	assert_int_equal(parse(&g, line, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "too many allowed MACs: at most 16");

	snprintf(line, sizeof(line), "arp-guard");
	for (i = 1; i <= GUARD_NETS_MAX; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " 10.%d.0.0/16", i);
	assert_int_equal(parse(&g, line, err, sizeof(err)), 0);
	assert_int_equal(g.nnets, GUARD_NETS_MAX);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), " 10.200.0.0/16");
	assert_int_equal(parse(&g, line, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "too many arp-guard prefixes: at most 16");

	assert_int_equal(parse(&g, "arp-guard 0.0.0.0/0 ::/0 1.2.3.4/32 ::1/128", err, sizeof(err)),
	                 0);
	assert_int_equal(parse(&g, "mac-limit 0", err, sizeof(err)), 0);
	assert_int_equal(parse(&g, "mac-limit 000000000001000", err, sizeof(err)), 0);
	assert_int_equal(g.mac_limit, 1000);
}

/* Each refused command: its message exactly, and the guard as it was. */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *line, *err;
	} bad[] = {
		{ "mac-limit", "mac-limit: expected N [--flood]" },
		{ "mac-limit 1 --flood x", "mac-limit: expected N [--flood]" },
		{ "mac-limit 1000001",
		  "bad limit \"1000001\": expected a number of MACs 0-1000000" },
		{ "mac-limit -1", "bad limit \"-1\": expected a number of MACs 0-1000000" },
		{ "mac-limit +1", "bad limit \"+1\": expected a number of MACs 0-1000000" },
		{ "mac-limit 1x", "bad limit \"1x\": expected a number of MACs 0-1000000" },
		{ "mac-limit 99999999999999999999",
		  "bad limit \"99999999999999999999\": expected a number of MACs 0-1000000" },
		{ "mac-limit 18446744073709551617",
		  "bad limit \"18446744073709551617\": expected a number of MACs 0-1000000" },
		{ "mac-limit 5 --drop", "bad option \"--drop\": expected --flood" },
		{ "allowed-mac", "allowed-mac: expected MAC [MAC]... or none" },
		{ "allowed-mac xx",
		  "bad MAC \"xx\": expected a unicast address like 02:00:00:00:00:01" },
		{ "allowed-mac 02:00:00:00:00:01 01:00:5e:00:00:01",
		  "bad MAC \"01:00:5e:00:00:01\": expected a unicast address like "
		  "02:00:00:00:00:01" },
		{ "allowed-mac ff:ff:ff:ff:ff:ff", "bad MAC \"ff:ff:ff:ff:ff:ff\": expected a "
		                                   "unicast address like 02:00:00:00:00:01" },
		{ "allowed-mac 00:00:00:00:00:00", "bad MAC \"00:00:00:00:00:00\": expected a "
		                                   "unicast address like 02:00:00:00:00:01" },
		{ "allowed-mac 02-00-00-00-00-01", "bad MAC \"02-00-00-00-00-01\": expected a "
		                                   "unicast address like 02:00:00:00:00:01" },
		{ "allowed-mac 02:00:00:00:00:011", "bad MAC \"02:00:00:00:00:011\": expected a "
		                                    "unicast address like 02:00:00:00:00:01" },
		{ "allowed-mac 2:0:0:0:0:1",
		  "bad MAC \"2:0:0:0:0:1\": expected a unicast address like 02:00:00:00:00:01" },
		{ "allowed-mac 02:00:00:00:0g:01", "bad MAC \"02:00:00:00:0g:01\": expected a "
		                                   "unicast address like 02:00:00:00:00:01" },
		{ "allowed-mac 02:00:00:00:00:01 02:00:00:00:00:0A 02:00:00:00:00:0a",
		  "duplicate MAC \"02:00:00:00:00:0a\"" },
		{ "allowed-mac none 02:00:00:00:00:01",
		  "allowed-mac: none stands alone, not with MACs" },
		{ "allowed-mac 02:00:00:00:00:01 none",
		  "allowed-mac: none stands alone, not with MACs" },
		{ "arp-guard", "arp-guard: expected IP/PREFIX [IP/PREFIX]... or none" },
		{ "arp-guard 10.0.0.0/33",
		  "bad prefix \"10.0.0.0/33\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard 10.0.0.0",
		  "bad prefix \"10.0.0.0\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard 10.0.0.0/",
		  "bad prefix \"10.0.0.0/\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard 10.0.0/8",
		  "bad prefix \"10.0.0/8\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard 10.0.0.0/8x",
		  "bad prefix \"10.0.0.0/8x\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard 10.0.0.0/-8",
		  "bad prefix \"10.0.0.0/-8\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard fe80::/129",
		  "bad prefix \"fe80::/129\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard host/24", "bad prefix \"host/24\": expected IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard 0000000000000000000000000000000000000000000000000.0.0.0/8",
		  "bad prefix \"0000000000000000000000000000000000000000000000000.0.0.0/8\": "
		  "expected "
		  "IPv4/0-32 or IPv6/0-128" },
		{ "arp-guard 192.168.1.10/24",
		  "bad prefix \"192.168.1.10/24\": host bits set, the network is 192.168.1.0/24" },
		{ "arp-guard 10.0.0.0/8 2001:db8::1/64",
		  "bad prefix \"2001:db8::1/64\": host bits set, the network is 2001:db8::/64" },
		{ "arp-guard 10.0.0.0/8 10.0.0.0/8", "duplicate prefix \"10.0.0.0/8\"" },
		{ "arp-guard none 10.0.0.0/8", "arp-guard: none stands alone, not with prefixes" },
		{ "dhcp-server", "dhcp-server: expected allow or deny" },
		{ "dhcp-server deny deny", "dhcp-server: expected allow or deny" },
		{ "dhcp-server Deny", "bad value \"Deny\": expected allow or deny" },
		{ "ra-guard", "ra-guard: expected allow or deny" },
		{ "ra-guard on", "bad value \"on\": expected allow or deny" },
		{ "storm broadcast", "storm: expected broadcast|multicast|unknown-unicast PPS" },
		{ "storm broadcast 1 2",
		  "storm: expected broadcast|multicast|unknown-unicast PPS" },
		{ "storm unicast 10",
		  "bad class \"unicast\": expected broadcast, multicast or unknown-unicast" },
		{ "storm multicast 100000001",
		  "bad rate \"100000001\": expected frames a second 0-100000000" },
		{ "storm multicast 1e6", "bad rate \"1e6\": expected frames a second 0-100000000" },
	};
	struct port_guard g, before;
	char err[256];
	unsigned int i;

	before = guard_busy();
	for (i = 0; i < DIM(bad); i++) {
		memcpy(&g, &before, sizeof(g));
		err[0] = '\0';
		print_message("%s\n", bad[i].line);
		assert_int_equal(parse(&g, bad[i].line, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, bad[i].err);
		assert_memory_equal(&g, &before, sizeof(g));
	}
	/* a message cut to a small buffer, or no buffer */
	assert_int_equal(parse(&g, "ra-guard on", err, 6), -EINVAL);
	assert_string_equal(err, "bad v");
	assert_int_equal(parse(&g, "ra-guard on", NULL, 0), -EINVAL);
}

static void test_parse_not_guard(void **state)
{
	static const char *const lines[] = { "vlan 10", "block 02:00:00:00:00:01", "trunk 1,2",
		                             "mac-limits 1", "" };
	struct port_guard g, before;
	char err[256];
	unsigned int i;

	before = guard_busy();
	for (i = 0; i < DIM(lines); i++) {
		memcpy(&g, &before, sizeof(g));
		snprintf(err, sizeof(err), "untouched");
		assert_int_equal(parse(&g, lines[i], err, sizeof(err)), -ENOTSUP);
		assert_string_equal(err, "untouched");
		assert_memory_equal(&g, &before, sizeof(g));
	}
}

static void test_parse_words(void **state)
{
	struct guard_net net;
	uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 };

	assert_int_equal(guard_parse_mac("03:00:00:00:00:01", mac), -EINVAL);
	assert_memory_equal(mac, ((uint8_t[]){ 9, 9, 9, 9, 9, 9 }), 6); /* untouched */
	assert_int_equal(guard_parse_mac("Fe:dC:bA:98:76:54", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 }), 6);
	assert_int_equal(guard_parse_mac("", mac), -EINVAL);
	assert_int_equal(guard_parse_mac("02:00:00:00:00:01:", mac), -EINVAL);

	assert_int_equal(guard_parse_net("172.16.5.4/12", &net), -ERANGE);
	assert_int_equal(net.family, 4);
	assert_int_equal(net.prefix, 12);
	assert_memory_equal(net.addr, ((uint8_t[]){ 172, 16, 0, 0 }), 4);
	assert_int_equal(guard_parse_net("fe80::1/10", &net), -ERANGE);
	assert_memory_equal(net.addr, ((uint8_t[16]){ 0xfe, 0x80 }), 16);
	assert_int_equal(guard_parse_net("fe80::/10", &net), 0);
	assert_int_equal(guard_parse_net("10.0.0.128/24", &net), -ERANGE); /* each host bit */
	assert_int_equal(guard_parse_net("10.0.0.1/24", &net), -ERANGE);
	assert_int_equal(guard_parse_net("10.64.0.0/9", &net), -ERANGE);
	assert_int_equal(guard_parse_net("10.128.0.0/9", &net), 0);
	assert_memory_equal(net.addr, ((uint8_t[]){ 10, 128, 0, 0 }), 4);
	assert_int_equal(guard_parse_net("::ffff:10.0.0.0/104", &net), 0);
	assert_int_equal(net.family, 6);
	assert_int_equal(guard_parse_net("1.2.3.4/32/", &net), -EINVAL);
	assert_int_equal(guard_parse_net("/8", &net), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_passes_all),
		cmocka_unit_test(test_allowed_mac),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_dhcp),
		cmocka_unit_test(test_ra),
		cmocka_unit_test(test_plain_pass),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_parse_settings),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_not_guard),
		cmocka_unit_test(test_parse_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

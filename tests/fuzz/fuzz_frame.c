/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's guard (dataplane/fast/guard.c): the per-frame decision and the parser of its
 * settings, as a function of bytes and a length. The first byte says which:
 *   < 0x80: the rest is a frame, in a buffer of exactly its size, judged under a few fixed
 *           settings: each check alone, all of them together, none;
 *   >= 0x80: the rest is "KEY ..." (the words of "port set NAME KEY ...") up to a newline,
 *           parsed by guard_parse into a guard, and what follows the newline is a frame
 *           judged under it.
 * A check drops only under its own reason and only when it is on; all the checks together
 * drop exactly the frames one of them drops alone; fwd.c's split (a run's source checked once
 * by guard_mac_allowed, then guard_frame_l3 on each frame) decides as guard_frame does; a
 * refused setting leaves the guard as it was; what guard_parse accepts is within the struct's
 * bounds.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "api/words.h"
#include "fast/drop.h"
#include "fast/guard.h"
#include "fuzz.h"

#define FUZZ_PARSE 0x80

/* each alone, then all together (the last), as a user would set them */
static const char *const fuzz_settings[] = {
	"allowed-mac 52:54:00:12:34:56 02:00:00:00:00:01",
	"arp-guard 192.168.1.0/24 10.0.0.1/32 fd00::/64 fe80::1/128",
	"dhcp-server deny",
	"ra-guard deny",
};
#define FUZZ_SINGLES (sizeof(fuzz_settings) / sizeof(fuzz_settings[0]))
static const int fuzz_reasons[FUZZ_SINGLES] = { DROP_MAC_NOT_ALLOWED, DROP_ARP_GUARD,
	                                        DROP_DHCP_GUARD, DROP_RA_GUARD };
static struct port_guard fuzz_single[FUZZ_SINGLES], fuzz_all, fuzz_off;

static void fuzz_parse_line(struct port_guard *g, const char *line)
{
	struct words w;
	const char *why;
	char err[256];

	FUZZ_CHECK(words_split(line, &w, &why) > 0);
	FUZZ_CHECK(guard_parse(g, w.argc, w.argv, err, sizeof(err)) == 0);
}

static void fuzz_init(void)
{
	static int done;
	unsigned int i;

	if (done++)
		return;
	for (i = 0; i < FUZZ_SINGLES; i++) {
		fuzz_parse_line(&fuzz_single[i], fuzz_settings[i]);
		fuzz_parse_line(&fuzz_all, fuzz_settings[i]);
	}
	FUZZ_CHECK(guard_is_off(&fuzz_off) && !guard_is_off(&fuzz_all));
}

/* Which reasons the checks g has on may give. */
static bool fuzz_reason_allowed(const struct port_guard *g, int r)
{
	return r == -1 || (r == DROP_MAC_NOT_ALLOWED && (g->inspect & GUARD_F_MAC)) ||
	       (r == DROP_ARP_GUARD && (g->inspect & GUARD_F_ARP)) ||
	       (r == DROP_DHCP_GUARD && (g->inspect & GUARD_F_DHCP)) ||
	       (r == DROP_RA_GUARD && (g->inspect & GUARD_F_RA));
}

/* fwd.c's way, the source of a run checked once by its word (guard_mac_allowed) and each frame
 * by guard_frame_l3, decides as guard_frame does; r is guard_frame's answer. */
static void fuzz_split_agrees(const struct port_guard *g, const uint8_t *f, uint32_t len, int r)
{
	int l3 = guard_frame_l3(g, f, len);

	if (!(g->inspect & GUARD_F_MAC))
		FUZZ_CHECK(r == l3);
	else if (len >= 12)
		FUZZ_CHECK(
		        r ==
		        (guard_mac_allowed(g, guard_mac_word(f + 6)) ? l3 : DROP_MAC_NOT_ALLOWED));
	FUZZ_CHECK(l3 != DROP_MAC_NOT_ALLOWED);
}

static void fuzz_fixed(const uint8_t *f, uint32_t len)
{
	int r[FUZZ_SINGLES], all;
	bool any = false, same = false;
	unsigned int i;

	FUZZ_CHECK(guard_frame(&fuzz_off, f, len) == -1);
	for (i = 0; i < FUZZ_SINGLES; i++) {
		r[i] = guard_frame(&fuzz_single[i], f, len);
		FUZZ_CHECK(r[i] == -1 || r[i] == fuzz_reasons[i]);
		fuzz_split_agrees(&fuzz_single[i], f, len, r[i]);
		any |= r[i] != -1;
	}
	all = guard_frame(&fuzz_all, f, len);
	fuzz_split_agrees(&fuzz_all, f, len, all);
	FUZZ_CHECK((all != -1) == any);
	for (i = 0; i < FUZZ_SINGLES; i++)
		same |= all != -1 && r[i] == all;
	FUZZ_CHECK(all == -1 || same);
}

/* What guard_parse leaves in g fits the struct and says which checks are on. */
static void fuzz_guard_sane(const struct port_guard *g)
{
	unsigned int i;

	FUZZ_CHECK(g->nmacs <= GUARD_MACS_MAX && g->nnets <= GUARD_NETS_MAX);
	for (i = 0; i < g->nnets; i++)
		FUZZ_CHECK((g->nets[i].family == 4 && g->nets[i].prefix <= 32) ||
		           (g->nets[i].family == 6 && g->nets[i].prefix <= 128));
	FUZZ_CHECK(!!(g->inspect & GUARD_F_MAC) == (g->nmacs != 0));
	FUZZ_CHECK(!!(g->inspect & GUARD_F_ARP) == (g->nnets != 0));
	FUZZ_CHECK((g->inspect & ~(GUARD_F_MAC | GUARD_F_ARP | GUARD_F_DHCP | GUARD_F_RA)) == 0);
}

static void fuzz_words(struct words *w)
{
	struct guard_net net;
	uint8_t mac[6];
	int i;

	for (i = 0; i < w->argc; i++) {
		guard_parse_mac(w->argv[i], mac);
		if (guard_parse_net(w->argv[i], &net) == 0)
			FUZZ_CHECK((net.family == 4 && net.prefix <= 32) ||
			           (net.family == 6 && net.prefix <= 128));
	}
}

static void fuzz_parsed(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t linelen = nl != NULL ? (size_t)(nl - data) : size;
	struct port_guard g = fuzz_all, before = fuzz_all;
	struct words *w = malloc(sizeof(*w));
	char *line = fuzz_cstr(data, linelen), err[256];
	const char *why;
	uint8_t *f;
	uint32_t len;
	int r;

	FUZZ_CHECK(w != NULL);
	if (words_split(line, w, &why) <= 0)
		goto out;
	fuzz_words(w);
	err[0] = '\0';
	r = guard_parse(&g, w->argc, w->argv, err, sizeof(err));
	if (r < 0) {
		FUZZ_CHECK(memcmp(&g, &before, sizeof(g)) == 0);
		FUZZ_CHECK(r == -ENOTSUP || strlen(err) > 0);
		goto out;
	}
	fuzz_guard_sane(&g);
	len = nl != NULL ? (uint32_t)(size - linelen - 1) : 0;
	f = malloc(len > 0 ? len : 1);
	FUZZ_CHECK(f != NULL);
	memcpy(f, nl != NULL ? nl + 1 : data, len);
	r = guard_frame(&g, f, len);
	FUZZ_CHECK(fuzz_reason_allowed(&g, r));
	fuzz_split_agrees(&g, f, len, r);
	free(f);
out:
	free(line);
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *f;

	fuzz_init();
	if (size == 0)
		return 0;
	if (data[0] & FUZZ_PARSE) {
		fuzz_parsed(data + 1, size - 1);
		return 0;
	}
	/* exactly the frame's bytes: ASan sees a read one past its end */
	f = malloc(size - 1 > 0 ? size - 1 : 1);
	FUZZ_CHECK(f != NULL);
	memcpy(f, data + 1, size - 1);
	fuzz_fixed(f, (uint32_t)(size - 1));
	free(f);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* A port's guard on the control thread (guard_ctl.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <rte_cycles.h>

#include "api/words.h"
#include "ctl/fdb_ctl.h"
#include "ctl/guard_ctl.h"
#include "ctl/log.h"
#include "ctl/mac.h"
#include "ctl/worker_ctl.h"
#include "fast/fdb.h"
#include "fast/guard.h"
#include "fast/shared.h"
#include "ports/port.h"

static const char *const guard_storm_names[GUARD_STORM_MAX] = {
	[GUARD_STORM_BROADCAST] = "broadcast",
	[GUARD_STORM_MULTICAST] = "multicast",
	[GUARD_STORM_UNKNOWN_UNICAST] = "unknown-unicast",
};

/*
 * The workers' form of storm PPS: TSC cycles per frame, and a bucket of one second's frames
 * (pps - 1 intervals ahead of now), so a class may burst to its rate and no further.
 */
static void guard_storm_cycles(struct port_guard *g)
{
	uint64_t hz = rte_get_tsc_hz();
	unsigned int c;

	for (c = 0; c < GUARD_STORM_MAX; c++) {
		g->storm_interval[c] = 0;
		g->storm_tolerance[c] = 0;
		if (g->storm_pps[c] == 0)
			continue;
		g->storm_interval[c] = RTE_MAX(hz / g->storm_pps[c], (uint64_t)1);
		g->storm_tolerance[c] = g->storm_interval[c] * (g->storm_pps[c] - 1);
	}
}

static bool guard_macs_changed(const struct port_guard *old, const struct port_guard *g)
{
	if (old == NULL || old->nmacs != g->nmacs)
		return true;
	return memcmp(old->macs, g->macs, sizeof(g->macs[0]) * g->nmacs) != 0;
}

/*
 * The new settings go to the port's type first (afxdp mirrors allowed-mac in XDP), then to
 * the workers whole; the old ones are freed after a grace period. A new allowed-mac list
 * forgets what the port learned from other sources: a spoofed MAC learned before must not
 * keep drawing its traffic until it ages.
 */
int guard_port_set(struct port *p, int argc, char **argv, char *err, size_t errlen)
{
	struct port_guard *old = p->guard, *g = malloc(sizeof(*g));
	int ret;

	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (old != NULL)
		*g = *old;
	else
		memset(g, 0, sizeof(*g));
	ret = guard_parse(g, argc, argv, err, (unsigned int)errlen);
	if (ret < 0)
		goto err_free;
	guard_storm_cycles(g);
	if (guard_is_off(g)) {
		free(g);
		g = NULL;
	}
	if (p->ops->guard_changed != NULL) {
		ret = p->ops->guard_changed(p, g, err, errlen);
		if (ret < 0)
			goto err_free;
	}
	shared_publish(&p->guard, g);
	worker_sync();
	if (g != NULL && g->nmacs > 0 && guard_macs_changed(old, g))
		fdb_flush_port_except(p->index, g->macs, g->nmacs);
	free(old);
	LOG_INFO("port \"%s\": %s set", p->name, argv[0]);
	return 0;

err_free:
	free(g);
	return ret;
}

static void guard_net_format(const struct guard_net *n, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	inet_ntop(n->family == 6 ? AF_INET6 : AF_INET, n->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, n->prefix);
}

/* ctl/mac.h's form, from the guard's plain bytes (buf: MAC_STR_LEN at least) */
static void guard_mac_format(const uint8_t *m, char *buf)
{
	struct rte_ether_addr a;

	memcpy(a.addr_bytes, m, RTE_ETHER_ADDR_LEN);
	mac_format(buf, &a);
}

/* "port set NAME " */
static void guard_line(const struct port *p, FILE *out)
{
	fputs("port set ", out);
	words_quote(out, p->name);
	fputc(' ', out);
}

void guard_describe(const struct port *p, FILE *out)
{
	const struct port_guard *g = p->guard;
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned int i;

	if (g == NULL)
		return;
	if (g->mac_limit != 0) {
		guard_line(p, out);
		fprintf(out, "mac-limit %u%s\n", g->mac_limit,
		        g->mac_limit_flood ? " --flood" : "");
	}
	if (g->nmacs != 0) {
		guard_line(p, out);
		fputs("allowed-mac", out);
		for (i = 0; i < g->nmacs; i++) {
			guard_mac_format(g->macs[i], buf);
			fprintf(out, " %s", buf);
		}
		fputc('\n', out);
	}
	if (g->nnets != 0) {
		guard_line(p, out);
		fputs("arp-guard", out);
		for (i = 0; i < g->nnets; i++) {
			guard_net_format(&g->nets[i], buf, sizeof(buf));
			fprintf(out, " %s", buf);
		}
		fputc('\n', out);
	}
	if (g->inspect & GUARD_F_DHCP) {
		guard_line(p, out);
		fputs("dhcp-server deny\n", out);
	}
	if (g->inspect & GUARD_F_RA) {
		guard_line(p, out);
		fputs("ra-guard deny\n", out);
	}
	for (i = 0; i < GUARD_STORM_MAX; i++) {
		if (g->storm_pps[i] == 0)
			continue;
		guard_line(p, out);
		fprintf(out, "storm %s %u\n", guard_storm_names[i], g->storm_pps[i]);
	}
}

struct json_object *guard_json(const struct port *p)
{
	static const struct port_guard off;
	const struct port_guard *g = p->guard != NULL ? p->guard : &off;
	struct json_object *o = json_object_new_object(), *macs = json_object_new_array();
	struct json_object *nets = json_object_new_array(), *storm = json_object_new_object();
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned int i;

	json_object_object_add(o, "mac_limit", json_object_new_int64(g->mac_limit));
	json_object_object_add(o, "mac_limit_flood", json_object_new_boolean(g->mac_limit_flood));
	json_object_object_add(o, "learned", json_object_new_int64(fdb_learned(p->index)));
	for (i = 0; i < g->nmacs; i++) {
		guard_mac_format(g->macs[i], buf);
		json_object_array_add(macs, json_object_new_string(buf));
	}
	json_object_object_add(o, "allowed_macs", macs);
	for (i = 0; i < g->nnets; i++) {
		guard_net_format(&g->nets[i], buf, sizeof(buf));
		json_object_array_add(nets, json_object_new_string(buf));
	}
	json_object_object_add(o, "arp_guard", nets);
	json_object_object_add(
	        o, "dhcp_server",
	        json_object_new_string((g->inspect & GUARD_F_DHCP) ? "deny" : "allow"));
	json_object_object_add(
	        o, "ra_guard",
	        json_object_new_string((g->inspect & GUARD_F_RA) ? "deny" : "allow"));
	json_object_object_add(storm, "broadcast",
	                       json_object_new_int64(g->storm_pps[GUARD_STORM_BROADCAST]));
	json_object_object_add(storm, "multicast",
	                       json_object_new_int64(g->storm_pps[GUARD_STORM_MULTICAST]));
	json_object_object_add(storm, "unknown_unicast",
	                       json_object_new_int64(g->storm_pps[GUARD_STORM_UNKNOWN_UNICAST]));
	json_object_object_add(o, "storm", storm);
	return o;
}

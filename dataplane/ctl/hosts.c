/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hosts the switch has seen (lanctl hosts): for each (MAC, VLAN), the port it was last
 * seen on and the addresses it used, from the ARP, neighbour discovery and DHCP the switch
 * forwarded (fast/snoop.h posts them as events; this table is the control thread's alone).
 *
 * A host that answered as a DHCP server (an offer or an ack came in from it) is marked, with
 * when it last did: `lanctl doctor` tells from that whether any DHCP server was seen on the
 * LAN. Its address is not taken from the reply: a relay answers with the server's identifier
 * and its own MAC; the host's addresses come from its ARP as any host's do.
 *
 * Bounded: HOSTS_MAX hosts, HOSTS_ADDRS addresses of each family per host (the newest kept).
 * Aged like the FDB: a host goes when its MAC has left the FDB and it used no address for an
 * aging time. A full table makes room by dropping the host seen the longest ago.
 */
#include <arpa/inet.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl/fdb_ctl.h"
#include "ctl/hosts.h"
#include "ctl/mac.h"
#include "ports/port.h"

#define HOSTS_MAX 4096
#define HOSTS_ADDRS 4

struct host_addrs {
	uint8_t n;
	uint8_t addr[HOSTS_ADDRS][16]; /* newest first */
};

struct host {
	struct rte_ether_addr mac;
	uint16_t vlan; /* 0: free */
	char port[PORT_NAME_MAX];
	uint32_t seen; /* worker clock, seconds */
	struct host_addrs v4, v6;
	bool dhcp_server;   /* an offer or ack came from it */
	uint32_t dhcp_seen; /* the last one, worker clock */
};

static struct host hosts[HOSTS_MAX];
static unsigned int hosts_n; /* slots in use are [0, hosts_n); free ones inside have vlan 0 */

static struct host *hosts_find(const struct rte_ether_addr *mac, uint16_t vlan, bool create)
{
	struct host *h, *free_slot = NULL, *oldest = NULL;
	unsigned int i;

	for (i = 0; i < hosts_n; i++) {
		h = &hosts[i];
		if (h->vlan == 0) {
			free_slot = free_slot != NULL ? free_slot : h;
			continue;
		}
		if (h->vlan == vlan && rte_is_same_ether_addr(&h->mac, mac))
			return h;
		if (oldest == NULL || h->seen < oldest->seen)
			oldest = h;
	}
	if (!create)
		return NULL;
	if (free_slot == NULL)
		free_slot = hosts_n < HOSTS_MAX ? &hosts[hosts_n++] : oldest;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->mac = *mac;
	free_slot->vlan = vlan;
	return free_slot;
}

/* addr to the front, the newest first; a full list drops its oldest. */
static void hosts_addr_add(struct host_addrs *a, const uint8_t *addr, size_t len)
{
	uint8_t keep[16] = { 0 };
	unsigned int i;

	memcpy(keep, addr, len);
	for (i = 0; i < a->n && memcmp(a->addr[i], keep, 16) != 0; i++)
		;
	if (i == a->n) { /* new: it takes the last slot, a free one if there is one */
		if (a->n < HOSTS_ADDRS)
			a->n++;
		i = a->n - 1;
	}
	memmove(a->addr[1], a->addr[0], i * sizeof(a->addr[0]));
	memcpy(a->addr[0], keep, 16);
}

bool hosts_seen(const struct rte_ether_addr *mac, uint16_t vlan, const char *port, int family,
                const uint8_t *addr, uint32_t now)
{
	struct host *h = hosts_find(mac, vlan, true);
	struct host_addrs *a = family == AF_INET ? &h->v4 : &h->v6;
	size_t len = family == AF_INET ? 4 : 16;
	bool changed = strcmp(h->port, port) != 0;
	uint8_t want[16] = { 0 };
	unsigned int i;

	memcpy(want, addr, len);
	for (i = 0; i < a->n && memcmp(a->addr[i], want, 16) != 0; i++)
		;
	changed |= i == a->n;
	hosts_addr_add(a, addr, len);
	snprintf(h->port, sizeof(h->port), "%s", port);
	h->seen = now;
	return changed;
}

void hosts_dhcp_server(const struct rte_ether_addr *mac, uint16_t vlan, const char *port,
                       uint32_t now)
{
	struct host *h = hosts_find(mac, vlan, true);

	snprintf(h->port, sizeof(h->port), "%s", port);
	h->seen = now;
	h->dhcp_server = true;
	h->dhcp_seen = now;
}

/* Hosts whose MAC left the FDB and that used no address for an aging time. */
void hosts_age(uint32_t now, uint32_t aging)
{
	struct fdb_key k;
	uint64_t data;
	unsigned int i;

	if (aging == 0)
		return;
	for (i = 0; i < hosts_n; i++) {
		if (hosts[i].vlan == 0 || hosts[i].seen + aging > now)
			continue;
		k = (struct fdb_key){ .mac = hosts[i].mac, .vlan = hosts[i].vlan };
		if (fdb_get(&k, &data) != 0)
			hosts[i].vlan = 0;
	}
	while (hosts_n > 0 && hosts[hosts_n - 1].vlan == 0)
		hosts_n--;
}

static struct json_object *hosts_json_addrs(const struct host_addrs *a, int family)
{
	struct json_object *arr = json_object_new_array();
	char text[INET6_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < a->n; i++)
		if (inet_ntop(family, a->addr[i], text, sizeof(text)) != NULL)
			json_object_array_add(arr, json_object_new_string(text));
	return arr;
}

struct json_object *hosts_json(uint32_t now)
{
	struct json_object *arr = json_object_new_array(), *o;
	char mac[MAC_STR_LEN];
	unsigned int i;

	for (i = 0; i < hosts_n; i++) {
		if (hosts[i].vlan == 0)
			continue;
		mac_format(mac, &hosts[i].mac);
		o = json_object_new_object();
		json_object_object_add(o, "mac", json_object_new_string(mac));
		json_object_object_add(o, "vlan", json_object_new_int(hosts[i].vlan));
		json_object_object_add(o, "port", json_object_new_string(hosts[i].port));
		json_object_object_add(o, "ipv4", hosts_json_addrs(&hosts[i].v4, AF_INET));
		json_object_object_add(o, "ipv6", hosts_json_addrs(&hosts[i].v6, AF_INET6));
		json_object_object_add(o, "last_seen_s",
		                       json_object_new_int64(now - hosts[i].seen));
		json_object_object_add(o, "dhcp_server",
		                       json_object_new_boolean(hosts[i].dhcp_server));
		json_object_object_add(o, "dhcp_last_s",
		                       hosts[i].dhcp_server
		                               ? json_object_new_int64(now - hosts[i].dhcp_seen)
		                               : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* A port removed takes its hosts with it, as it takes its FDB entries. */
void hosts_forget_port(const char *port)
{
	unsigned int i;

	for (i = 0; i < hosts_n; i++)
		if (hosts[i].vlan != 0 && strcmp(hosts[i].port, port) == 0)
			hosts[i].vlan = 0;
}

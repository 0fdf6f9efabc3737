/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events on the control thread: the ring's life, its drain into JSON lines for lanctl
 * monitor, and the events only the control thread can see (fast/event.h has the rest).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "ctl/ctl_server.h"
#include "ctl/event_ctl.h"
#include "ctl/fdb_ctl.h"
#include "ctl/hosts.h"
#include "ctl/mac.h"
#include "ctl/worker_ctl.h"
#include "fast/shared.h"

/*
 * 4 096 events: what a burst of port changes or a second of rate-limited learning from 16
 * workers makes, many times over; the control thread drains it before every sleep, and the
 * first event posted while it sleeps wakes it (fast/doorbell.h).
 */
#define EVENT_RING_SIZE 4096
#define EVENT_DRAIN_BURST 64

static struct {
	uint64_t tsc0;             /* the TSC ... */
	struct timespec real0;     /* ... and the wall clock at the same moment */
	struct event_budget aged;  /* fdb_aged events: the control thread's own budget */
	uint64_t suppressed;       /* fdb events refused by all budgets, reported so far */
	uint64_t snoop_suppressed; /* dhcp_server and host_seen events likewise */
	uint64_t lost;             /* events_lost, reported so far */
	uint64_t refused;          /* the workers' fdb_full counters, summed last second */
	uint32_t refused_at;       /* the last second a worker refused to learn */
	bool full;                 /* fdb_full raised and not cleared */
} ev;

int event_init(int socket)
{
	event_ring = rte_ring_create_elem("lanswitch_events", sizeof(struct event), EVENT_RING_SIZE,
	                                  socket, RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
	if (event_ring == NULL)
		return -rte_errno;
	ev.tsc0 = rte_get_tsc_cycles();
	clock_gettime(CLOCK_REALTIME, &ev.real0);
	return 0;
}

void event_fini(void)
{
	rte_ring_free(event_ring);
	event_ring = NULL;
}

/* Wall-clock seconds of a TSC reading: the ring carries TSC stamps, cheap to take. */
static double event_time(uint64_t tsc)
{
	double since = (double)(int64_t)(tsc - ev.tsc0) / (double)rte_get_tsc_hz();

	return (double)ev.real0.tv_sec + (double)ev.real0.tv_nsec / 1e9 + since;
}

static void event_json_mac(struct json_object *o, const char *key, const struct rte_ether_addr *mac)
{
	char text[MAC_STR_LEN];

	mac_format(text, mac);
	json_object_object_add(o, key, json_object_new_string(text));
}

static void event_json_fdb(const struct event *e, struct json_object *o)
{
	event_json_mac(o, "mac", &e->mac);
	json_object_object_add(o, "vlan", json_object_new_int(e->vlan));
	json_object_object_add(o, "port", json_object_new_string(e->port));
	if (e->kind == EVENT_FDB_MOVED)
		json_object_object_add(o, "from", json_object_new_string(e->text));
}

/* A MAC and an IP address, as text under their keys. */
static void event_json_addr(struct json_object *o, const char *mac_key,
                            const struct rte_ether_addr *mac, const char *ip_key, int family,
                            const uint8_t *ip)
{
	char text[INET6_ADDRSTRLEN] = "?";

	event_json_mac(o, mac_key, mac);
	inet_ntop(family, ip, text, sizeof(text));
	json_object_object_add(o, ip_key, json_object_new_string(text));
}

/* A DHCP server answered: who, where, and what it gave to whom. */
static void event_json_dhcp(const struct event *e, struct json_object *o)
{
	json_object_object_add(o, "port", json_object_new_string(e->port));
	json_object_object_add(o, "vlan", json_object_new_int(e->vlan));
	json_object_object_add(o, "message", json_object_new_string(e->n == 2 ? "offer" : "ack"));
	event_json_addr(o, "mac", &e->mac, "ip", AF_INET, e->ip);
	event_json_addr(o, "client", &e->mac2, "address", AF_INET, e->ip2);
}

/* The shapes api/ctl_proto.h documents: "event" and "ts" first, then the kind's own keys. */
struct json_object *event_json(const struct event *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string(event_names[e->kind]));
	json_object_object_add(o, "ts", json_object_new_double(event_time(e->tsc)));
	switch (e->kind) {
	case EVENT_PORT_ADDED:
		json_object_object_add(o, "port", json_object_new_string(e->port));
		json_object_object_add(o, "type", json_object_new_string(e->text));
		break;
	case EVENT_PORT_REMOVED:
		json_object_object_add(o, "port", json_object_new_string(e->port));
		break;
	case EVENT_LINK:
		json_object_object_add(o, "port", json_object_new_string(e->port));
		json_object_object_add(o, "link", json_object_new_string(e->n ? "up" : "down"));
		json_object_object_add(o, "reason", json_object_new_string(e->text));
		break;
	case EVENT_FDB_LEARNED:
	case EVENT_FDB_MOVED:
	case EVENT_FDB_AGED:
		event_json_fdb(e, o);
		break;
	case EVENT_FDB_FULL:
		json_object_object_add(o, "state",
		                       json_object_new_string(e->n ? "raised" : "cleared"));
		json_object_object_add(o, "entries", json_object_new_uint64(e->n2));
		json_object_object_add(o, "capacity", json_object_new_uint64(fdb.size));
		break;
	case EVENT_FDB_SUPPRESSED:
	case EVENT_SNOOP_SUPPRESSED:
	case EVENT_EVENTS_LOST:
		json_object_object_add(o, "count", json_object_new_uint64(e->n2));
		break;
	case EVENT_DHCP_SERVER:
		event_json_dhcp(e, o);
		break;
	case EVENT_HOST_SEEN:
	case EVENT_ARP_REPLY:
		event_json_addr(o, "mac", &e->mac, "ip", e->family, e->ip);
		json_object_object_add(o, "vlan", json_object_new_int(e->vlan));
		json_object_object_add(o, "port", json_object_new_string(e->port));
		break;
	}
	return o;
}

/*
 * What the control thread keeps of an event before subscribers see it: a host's address
 * goes to the hosts table (and is news only when the table did not know it: a host that
 * ARPs every minute is told once); a DHCP server's offer or ack marks the server in it (the
 * doctor asks whether the LAN has one), and an ACK tells where its client is.
 */
static bool event_consume(const struct event *e)
{
	uint32_t now = shared_read(&worker_now);
	struct fdb_key k = { .mac = e->mac2, .vlan = e->vlan };
	const struct port *p;
	uint64_t data;

	if (e->kind == EVENT_HOST_SEEN)
		return hosts_seen(&e->mac, e->vlan, e->port, e->family, e->ip, now);
	if (e->kind == EVENT_DHCP_SERVER)
		hosts_dhcp_server(&e->mac, e->vlan, e->port, now);
	if (e->kind == EVENT_DHCP_SERVER && e->n == 5 && fdb_get(&k, &data) == 0 &&
	    (p = port_table[FDB_PORT(data)]) != NULL)
		hosts_seen(&e->mac2, e->vlan, p->name, AF_INET, e->ip2, now);
	return true;
}

unsigned int event_drain(void)
{
	struct event evs[EVENT_DRAIN_BURST];
	struct json_object *o;
	unsigned int n, i, total = 0;

	do {
		n = rte_ring_dequeue_burst_elem(event_ring, evs, sizeof(evs[0]), RTE_DIM(evs),
		                                NULL);
		for (i = 0; i < n; i++) {
			if (!event_consume(&evs[i]))
				continue;
			o = event_json(&evs[i]);
			ctl_server_broadcast(
			        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		}
		total += n;
	} while (n == RTE_DIM(evs));
	return total;
}

static void event_post_count(enum event_kind kind, uint64_t count)
{
	struct event e = { .kind = kind, .n2 = count };

	event_post(&e);
}

void event_post_port(enum event_kind kind, const struct port *p)
{
	struct event e = { .kind = kind };

	memcpy(e.port, p->name, sizeof(e.port));
	snprintf(e.text, sizeof(e.text), "%s", p->ops->type);
	event_post(&e);
}

void event_post_aged(const struct rte_ether_addr *mac, uint16_t vlan, const struct port *p,
                     uint32_t now)
{
	event_post_fdb(&ev.aged, now, EVENT_FDB_AGED, mac, vlan, p->name, NULL);
}

/*
 * fdb_full is raised when a worker refused to learn a new MAC (the table held --fdb-size
 * entries, or both of a key's buckets were full) and cleared once the table has room again
 * and a second went by without a refusal.
 */
static void event_tick_full(uint32_t now)
{
	uint64_t refused = 0;
	struct event e = { .kind = EVENT_FDB_FULL };
	unsigned int i;

	for (i = 0; i < worker_count; i++)
		refused += __atomic_load_n(&workers[i]->fdb_full, __ATOMIC_RELAXED);
	if (refused != ev.refused)
		ev.refused_at = now;
	ev.refused = refused;
	if (!ev.full && ev.refused_at == now && refused != 0)
		ev.full = true;
	else if (ev.full && ev.refused_at + 1 < now && fdb_count() < fdb.size)
		ev.full = false;
	else
		return;
	e.n = ev.full;
	e.n2 = fdb_count();
	event_post(&e);
}

void event_tick(uint32_t now)
{
	uint64_t suppressed = __atomic_load_n(&ev.aged.suppressed, __ATOMIC_RELAXED);
	uint64_t lost = __atomic_load_n(&event_lost, __ATOMIC_RELAXED);
	unsigned int i;

	event_tick_full(now);
	for (i = 0; i < worker_count; i++)
		suppressed += __atomic_load_n(&workers[i]->ev_fdb.suppressed, __ATOMIC_RELAXED);
	if (suppressed != ev.suppressed)
		event_post_count(EVENT_FDB_SUPPRESSED, suppressed - ev.suppressed);
	ev.suppressed = suppressed;
	for (i = 0, suppressed = 0; i < worker_count; i++)
		suppressed += __atomic_load_n(&workers[i]->ev_snoop.suppressed, __ATOMIC_RELAXED);
	if (suppressed != ev.snoop_suppressed)
		event_post_count(EVENT_SNOOP_SUPPRESSED, suppressed - ev.snoop_suppressed);
	ev.snoop_suppressed = suppressed;
	/* a lost event is reported by an event, which the ring has room for by now (drained
	 * before every sleep); if not, it is counted with the next */
	if (lost != ev.lost)
		event_post_count(EVENT_EVENTS_LOST, lost - ev.lost);
	ev.lost = lost;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events on the control thread: the ring's life, its drain into JSON lines for lanctl
 * monitor, and the events only the control thread can see (fast/event.h has the rest).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "ctl/ctl_server.h"
#include "ctl/event_ctl.h"
#include "ctl/fdb_ctl.h"
#include "ctl/mac.h"
#include "ctl/worker_ctl.h"

/*
 * 4 096 events: what a burst of port changes or a second of rate-limited learning from 16
 * workers makes, many times over; the control thread drains it every tick.
 */
#define EVENT_RING_SIZE 4096
#define EVENT_DRAIN_BURST 64

static struct {
	uint64_t tsc0;            /* the TSC ... */
	struct timespec real0;    /* ... and the wall clock at the same moment */
	struct event_budget aged; /* fdb_aged events: the control thread's own budget */
	uint64_t suppressed;      /* fdb events refused by all budgets, reported so far */
	uint64_t lost;            /* events_lost, reported so far */
	uint64_t refused;         /* the workers' fdb_full counters, summed last tick */
	uint32_t refused_at;      /* the last second a worker refused to learn */
	bool full;                /* fdb_full raised and not cleared */
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

static void event_json_fdb(const struct event *e, struct json_object *o)
{
	char mac[MAC_STR_LEN];

	mac_format(mac, &e->mac);
	json_object_object_add(o, "mac", json_object_new_string(mac));
	json_object_object_add(o, "vlan", json_object_new_int(e->vlan));
	json_object_object_add(o, "port", json_object_new_string(e->port));
	if (e->kind == EVENT_FDB_MOVED)
		json_object_object_add(o, "from", json_object_new_string(e->text));
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
	case EVENT_EVENTS_LOST:
		json_object_object_add(o, "count", json_object_new_uint64(e->n2));
		break;
	}
	return o;
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
	/* a lost event is reported by an event, which the ring has room for by now (drained
	 * every tick); if not, it is counted with the next */
	if (lost != ev.lost)
		event_post_count(EVENT_EVENTS_LOST, lost - ev.lost);
	ev.lost = lost;
}

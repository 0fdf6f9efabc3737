/* SPDX-License-Identifier: BSD-3-Clause */
/* The port table: add, remove, reconfigure, list. Control thread only. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/words.h"
#include "ctl/event_ctl.h"
#include "ctl/fdb_ctl.h"
#include "ctl/guard_ctl.h"
#include "ctl/hosts.h"
#include "ctl/log.h"
#include "ctl/port_table.h"
#include "ctl/vlan_ctl.h"
#include "ctl/worker_ctl.h"
#include "fast/shared.h"

struct port *port_table[PORT_MAX];
static uint32_t port_gen; /* the last port's gen */
uint16_t port_table_len;

/* Adding a port type: one file with its ops, one line here. */
static const struct port_ops *const port_types[] = {
	&port_vhost_ops, &port_dpdk_ops, &port_tap_ops, &port_afxdp_ops, &port_internal_ops,
};

struct port *port_find(const char *name)
{
	uint16_t i;

	for (i = 0; i < port_table_len; i++)
		if (port_table[i] != NULL && strcmp(port_table[i]->name, name) == 0)
			return port_table[i];
	return NULL;
}

void port_set_status(struct port *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->status, sizeof(p->status), fmt, ap);
	va_end(ap);
}

static int port_check_name(const char *name, char *err, size_t errlen)
{
	const char *c;

	if (*name == '\0' || strlen(name) >= PORT_NAME_MAX) {
		snprintf(err, errlen, "port name \"%s\": must be 1 to %d characters", name,
		         PORT_NAME_MAX - 1);
		return -EINVAL;
	}
	for (c = name; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.') {
			snprintf(err, errlen,
			         "port name \"%s\": only letters, digits, '-', '_' and '.' allowed",
			         name);
			return -EINVAL;
		}
	}
	if (port_find(name) != NULL) {
		snprintf(err, errlen, "port \"%s\": already exists", name);
		return -EEXIST;
	}
	return 0;
}

static const struct port_ops *port_type_find(const char *type)
{
	size_t i;

	for (i = 0; i < RTE_DIM(port_types); i++)
		if (strcmp(port_types[i]->type, type) == 0)
			return port_types[i];
	return NULL;
}

static int port_free_slot(void)
{
	int i;

	for (i = 0; i < PORT_MAX; i++)
		if (port_table[i] == NULL)
			return i;
	return -1;
}

/* Only once no worker can reach p: the frames still held for it (fwd_hold) go with it. */
static void port_free(struct port *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->held != NULL)
		for (i = 0; i < (size_t)worker_count * p->held_max; i++)
			rte_pktmbuf_free(p->held[i]);
	free(p->held);
	free(p->vlan);
	free(p->guard);
	free(p->priv);
	free(p);
}

/* The control thread is the only writer: it reads its own writes plainly. */
static void port_table_publish(uint16_t slot, struct port *p)
{
	uint16_t len = port_table_len;

	shared_publish(&port_table[slot], p);
	while (len > 0 && port_table[len - 1] == NULL)
		len--;
	if (p != NULL && slot >= len)
		len = slot + 1;
	shared_publish(&port_table_len, len);
}

int port_add(const char *name, const char *type, int argc, char **argv, char *err, size_t errlen)
{
	const struct port_ops *ops;
	struct port *p;
	int slot, ret;

	ret = port_check_name(name, err, errlen);
	if (ret < 0)
		return ret;
	ops = port_type_find(type);
	if (ops == NULL) {
		snprintf(err, errlen,
		         "port \"%s\": unknown port type \"%s\" (vhost, dpdk, tap, afxdp)", name,
		         type);
		return -EINVAL;
	}
	/* '.' starts the names of the switch's own ports, and only theirs */
	if ((name[0] == '.') != ops->own) {
		snprintf(err, errlen, "port name \"%s\": %s", name,
		         ops->own ? "the switch's own ports start with '.'"
		                  : "names starting with '.' are the switch's own");
		return -EINVAL;
	}
	slot = port_free_slot();
	if (slot < 0) {
		snprintf(err, errlen, "port \"%s\": the switch already has %d ports", name,
		         PORT_MAX);
		return -ENOSPC;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->vlan = vlan_access_new(VLAN_DEFAULT)) == NULL) {
		ret = -ENOMEM;
		snprintf(err, errlen, "port \"%s\": %s", name, strerror(-ret));
		goto err_free;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->index = (uint16_t)slot;
	p->ops = ops;
	p->worker = worker_pick();
	rte_spinlock_init(&p->tx_lock);
	p->gen = ++port_gen;
	p->tx_len_max = UINT16_MAX;      /* the types whose device has a limit say so (afxdp) */
	p->link_told = PORT_LINK_UNTOLD; /* until port_added is posted */
	ret = ops->open(p, argc, argv, err, errlen);
	if (ret < 0)
		goto err_free;
	if (p->held_max > 0 &&
	    (p->held = calloc((size_t)worker_count * p->held_max, sizeof(*p->held))) == NULL) {
		ret = -ENOMEM;
		snprintf(err, errlen, "port \"%s\": %s", name, strerror(-ret));
		ops->close(p);
		goto err_free;
	}
	port_table_publish(p->index, p);
	worker_assign();
	LOG_INFO("port \"%s\": added (%s, slot %d, worker %u): %s", name, type, slot, p->worker,
	         p->status);
	/* announced first, its link after: a guest that connected while the port was opened
	 * is told after the port it connected to */
	if (!ops->own) { /* the switch's own port comes and goes untold */
		event_post_port(EVENT_PORT_ADDED, p);
		__atomic_store_n(&p->link_told, 0, __ATOMIC_RELEASE);
		port_link_report(p);
	}
	if (p->warning[0] != '\0')
		LOG_WARN("port \"%s\": %s", name, p->warning);
	return 0;

err_free:
	port_free(p);
	return ret;
}

/* Leave the workers' view, wait for them, then close; the slot's FDB entries and counters
 * go before the slot can be reused. */
static void port_remove(struct port *p)
{
	uint16_t slot = p->index;

	/* going, not down: a guest that disconnects now is no link event */
	__atomic_store_n(&p->link_told, PORT_LINK_UNTOLD, __ATOMIC_RELEASE);
	shared_publish(&p->up, false);
	port_table_publish(slot, NULL);
	worker_assign(); /* returns after a grace period: no worker sees p now */
	p->ops->close(p);
	fdb_flush(slot, true);
	hosts_forget_port(p->name);
	worker_port_reset(slot);
	LOG_INFO("port \"%s\": removed", p->name);
	if (!p->ops->own)
		event_post_port(EVENT_PORT_REMOVED, p);
	port_free(p);
}

int port_del(const char *name, char *err, size_t errlen)
{
	struct port *p = port_find(name);

	if (p == NULL) {
		snprintf(err, errlen, "port \"%s\": no such port", name);
		return -ENOENT;
	}
	port_remove(p);
	return 0;
}

void port_del_all(void)
{
	uint16_t i;

	for (i = port_table_len; i > 0; i--)
		if (port_table[i - 1] != NULL)
			port_remove(port_table[i - 1]);
}

/* Swap in a new VLAN set; dynamic entries learned under the old one are forgotten. */
int port_set_vlan(struct port *p, struct vlan_set *v, char *err, size_t errlen)
{
	struct vlan_set *old = p->vlan;
	int ret;

	if (p->ops->vlan_changed != NULL) {
		ret = p->ops->vlan_changed(p, v, err, errlen);
		if (ret < 0) {
			free(v);
			return ret;
		}
	}

	shared_publish(&p->vlan, v);
	worker_sync();
	free(old);
	fdb_flush_vlan_change(p->index, v);
	return 0;
}

/* From netlink_watch: each port over a kernel interface checks whether it is its own. */
void port_link_event(const struct port_link_event *ev)
{
	uint16_t i;

	for (i = 0; i < port_table_len; i++)
		if (port_table[i] != NULL && port_table[i]->ops->link_event != NULL)
			port_table[i]->ops->link_event(port_table[i], ev);
}

void port_poll_all(void)
{
	uint16_t i;

	for (i = 0; i < port_table_len; i++)
		if (port_table[i] != NULL && port_table[i]->ops->poll != NULL)
			port_table[i]->ops->poll(port_table[i]);
}

static void port_vlan_words(const struct vlan_set *v, FILE *out)
{
	const char *sep = "";
	unsigned int vid;

	if (v->ntagged == 0) {
		fprintf(out, "vlan %u", v->pvid);
		return;
	}
	fputs("trunk ", out);
	for (vid = 1; vid <= VLAN_MAX; vid++) {
		if (vid != v->pvid && vlan_member(v, (uint16_t)vid)) {
			fprintf(out, "%s%u", sep, vid);
			sep = ",";
		}
	}
	if (v->pvid != 0)
		fprintf(out, " --native %u", v->pvid);
}

/* The commands that recreate every port, for the state file and "config show". */
void port_describe_all(FILE *out)
{
	const struct port *p;
	uint16_t i;

	for (i = 0; i < port_table_len; i++) {
		p = port_table[i];
		if (p == NULL || p->ops->own) /* the switch makes those itself */
			continue;
		fputs("port add ", out);
		words_quote(out, p->name);
		fprintf(out, " %s ", p->ops->type);
		p->ops->describe(p, out);
		fputc('\n', out);
		if (p->vlan->ntagged != 0 || p->vlan->pvid != VLAN_DEFAULT) {
			fputs("port set ", out);
			words_quote(out, p->name);
			fputc(' ', out);
			port_vlan_words(p->vlan, out);
			fputc('\n', out);
		}
		guard_describe(p, out);
		if (p->ops->describe_set != NULL)
			p->ops->describe_set(p, out);
	}
}

static void port_json_vlan(const struct vlan_set *v, struct json_object *o)
{
	struct json_object *trunk = json_object_new_array();
	unsigned int vid;

	for (vid = 1; v->ntagged != 0 && vid <= VLAN_MAX; vid++)
		if (vid != v->pvid && vlan_member(v, (uint16_t)vid))
			json_object_array_add(trunk, json_object_new_int((int)vid));
	json_object_object_add(o, "vlan", v->ntagged == 0 ? json_object_new_int(v->pvid) : NULL);
	json_object_object_add(o, "trunk", trunk);
	json_object_object_add(
	        o, "native", v->ntagged != 0 && v->pvid != 0 ? json_object_new_int(v->pvid) : NULL);
}

static struct json_object *port_json(const struct port *p)
{
	struct json_object *o = json_object_new_object(), *drops = json_object_new_object();
	struct port_stats s;
	unsigned int r;

	worker_port_stats(p->index, &s);
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "type", json_object_new_string(p->ops->type));
	json_object_object_add(o, "link",
	                       json_object_new_string(shared_read(&p->up) ? "up" : "down"));
	json_object_object_add(o, "rx_packets", json_object_new_uint64(s.rx_packets));
	json_object_object_add(o, "rx_bytes", json_object_new_uint64(s.rx_bytes));
	json_object_object_add(o, "tx_packets", json_object_new_uint64(s.tx_packets));
	json_object_object_add(o, "tx_bytes", json_object_new_uint64(s.tx_bytes));
	/* forwarded to this port and waiting for it: not in tx_packets or drops (yet) */
	json_object_object_add(o, "tx_held", json_object_new_uint64(worker_port_held(p->index)));
	for (r = 0; r < DROP_MAX; r++)
		json_object_object_add(drops, drop_names[r], json_object_new_uint64(s.drops[r]));
	json_object_object_add(o, "drops", drops);
	json_object_object_add(o, "mtu", json_object_new_int(p->max_len - RTE_ETHER_HDR_LEN));
	json_object_object_add(o, "status", json_object_new_string(p->status));
	/* what wakes its sleeping worker; none: its worker never sleeps */
	json_object_object_add(o, "wake",
	                       json_object_new_string(p->wake_how != NULL ? p->wake_how : "none"));
	json_object_object_add(o, "warning",
	                       p->warning[0] ? json_object_new_string(p->warning) : NULL);
	json_object_object_add(
	        o, "link_downs",
	        json_object_new_uint64(__atomic_load_n(&p->link_downs, __ATOMIC_RELAXED)));
	port_json_vlan(p->vlan, o);
	json_object_object_add(o, "guard", guard_json(p));
	if (p->ops->show != NULL)
		p->ops->show(p, o);
	return o;
}

struct json_object *port_list_json(void)
{
	struct json_object *arr = json_object_new_array();
	uint16_t i;

	for (i = 0; i < port_table_len; i++)
		if (port_table[i] != NULL)
			json_object_array_add(arr, port_json(port_table[i]));
	return arr;
}

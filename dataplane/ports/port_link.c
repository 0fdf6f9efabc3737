/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's link, set by whichever thread sees it change: the control thread (a poll, a
 * netlink event) or DPDK's vhost-events thread (a guest connecting). Each change is counted
 * (link_downs), logged and told to lanctl monitor once, in the order the changes were made,
 * without a lock: an exchange tells the one thread that made a change, and a compare-and-swap
 * on what subscribers were last told keeps two threads from telling the same change twice.
 */
#include <string.h>

#include "ctl/log.h"
#include "fast/event.h"
#include "fast/shared.h"
#include "ports/port.h"

/* What a change to `up` is called when its type says nothing. */
static const char *port_link_why(const struct port *p, bool up)
{
	const char *why = up ? p->ops->link_up_why : p->ops->link_down_why;

	return why != NULL ? why : up ? "link up" : "link down";
}

bool port_link_set(struct port *p, bool up, const char *why)
{
	if (__atomic_exchange_n(&p->up, up, __ATOMIC_ACQ_REL) == up)
		return false;
	if (!up)
		__atomic_fetch_add(&p->link_downs, 1, __ATOMIC_RELAXED);
	if (why == NULL)
		why = port_link_why(p, up);
	__atomic_store_n(&p->link_why[up], why, __ATOMIC_RELEASE);
	LOG_INFO("port \"%s\": link %s (%s)", p->name, up ? "up" : "down", why);
	port_link_report(p);
	return true;
}

void port_link_report(struct port *p)
{
	uint8_t told = __atomic_load_n(&p->link_told, __ATOMIC_ACQUIRE), now;
	struct event e = { .kind = EVENT_LINK };
	const char *why;

	do {
		if (told == PORT_LINK_UNTOLD)
			return;
		now = shared_read(&p->up);
		if (told == now)
			return;
	} while (!__atomic_compare_exchange_n(&p->link_told, &told, now, false, __ATOMIC_ACQ_REL,
	                                      __ATOMIC_ACQUIRE));
	why = __atomic_load_n(&p->link_why[now], __ATOMIC_ACQUIRE);
	e.n = now;
	memcpy(e.port, p->name, sizeof(e.port));
	snprintf(e.text, sizeof(e.text), "%s", why != NULL ? why : port_link_why(p, now));
	event_post(&e);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the two halves of `vm convert`: vm_convert.c checks a domain's interfaces and plans
 * each conversion, vm_rewrite.c rewrites one planned interface in place.
 */
#ifndef LANSWITCH_VM_REWRITE_H
#define LANSWITCH_VM_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "vm_xml.h"

/* One interface on the bridge, checked and named, before anything changes. */
struct vm_plan {
	xmlNodePtr iface;
	unsigned int position;
	struct vm_port port;
	char model[64]; /* the model to replace by virtio; "" to keep the one there */
};

/* ---- nwfilter (vm_nwfilter.c) ---- */

/* Whether the switch's guard stands in for this <filterref>'s filter (vm_nwfilter.c: which). */
bool vm_nwfilter_is_guard(xmlNodePtr filterref);
/*
 * The arp-guard prefixes of the interface's filter (IP=ADDR parameters become ADDR/32) added to
 * g, whose allowed-mac is set already. -EINVAL with why when an IP parameter is not an IPv4
 * address, or there are more than arp-guard takes.
 */
int vm_nwfilter_guard(xmlNodePtr iface, struct vm_guard *g, char *why, size_t len);
/*
 * What became of the filter, into buf: "nwfilter 'clean-traffic' (IP=192.168.1.20) became
 * allowed-mac 52:54:00:3e:a1:20, arp-guard 192.168.1.20/32". 1 when it is a warning (a
 * protection lost: a filter the guard does not stand in for, or only in part), 0 when not.
 */
int vm_nwfilter_said(xmlNodePtr filterref, const struct vm_guard *g, char *buf, size_t len);
/* " (IP=192.168.1.20, IP=192.168.1.21)": the filter's parameters, "" without any. */
void vm_nwfilter_params(xmlNodePtr filterref, char *params, size_t len);

/*
 * Rewrites the planned interface to type='vhostuser' in place: its position, alias, address
 * and boot order stay. Fills done (old and new element, port, warnings). -ENOMEM.
 */
int vm_rewrite(const struct vm_plan *plan, struct vm_converted *done);

#endif

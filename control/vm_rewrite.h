/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the two halves of `vm convert`: vm_convert.c checks a domain's interfaces and plans
 * each conversion, vm_rewrite.c rewrites one planned interface in place.
 */
#ifndef LANSWITCH_VM_REWRITE_H
#define LANSWITCH_VM_REWRITE_H

#include <libxml/tree.h>

#include "vm_xml.h"

/* One interface on the bridge, checked and named, before anything changes. */
struct vm_plan {
	xmlNodePtr iface;
	unsigned int position;
	struct vm_port port;
	char model[64]; /* the model to replace by virtio; "" to keep the one there */
};

/*
 * Rewrites the planned interface to type='vhostuser' in place: its position, alias, address
 * and boot order stay. Fills done (old and new element, port, warnings). -ENOMEM.
 */
int vm_rewrite(const struct vm_plan *plan, struct vm_converted *done);

#endif

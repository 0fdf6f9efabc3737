/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an interface's nwfilter becomes when `vm convert` moves it to the switch (vm_rewrite.h).
 * libvirt refuses a <filterref> on a vhost-user interface (its rules bind to a host tap device,
 * which vhost-user has none of), so the filter goes; what the switch's guard can do in its place
 * it does. libvirt 9.0's shipped filters (/usr/share/libvirt/nwfilter):
 *
 *   no-mac-spoofing	frames from the guest with another source MAC dropped: allowed-mac
 *   clean-traffic	no-mac-spoofing, no-arp-spoofing (ARP whose sender IP is not one of
 *			$IP, or whose sender MAC is not $MAC, dropped), no-ip-spoofing (IPv4
 *			from another source than $IP dropped) and no-other-l2-traffic: allowed-mac
 *			and, for each IP parameter, arp-guard IP/32. The IPv4 source check and
 *			the drop of other L2 protocols have no counterpart; with allowed-mac and
 *			arp-guard the guest can neither take another's MAC nor claim another's
 *			address on the LAN, which is what the filter is usually there for. An
 *			arp-guard of IPv4 prefixes alone drops the guest's IPv6 neighbour
 *			advertisements too: no change for it, since clean-traffic let no IPv6
 *			through at all.
 *   clean-traffic-gateway	the same, and traffic only to and from $GATEWAY_MAC: that
 *			restriction has no counterpart, so it is a warning (a protection lost).
 *
 * Without an IP parameter libvirt learns the guest's address from its traffic (CTRL_IP_LEARNING);
 * the switch cannot, so such a clean-traffic leaves no arp-guard, and that is a warning too. Any
 * other filter is removed with the warning it always had.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vm_rewrite.h"
#include "vm_xml_node.h"

/* A filter the guard stands in for, and whether it reads the IP parameters for arp-guard. */
static const struct {
	const char *name;
	bool arp;     /* its IP parameters become arp-guard */
	bool gateway; /* its GATEWAY_MAC restriction is lost */
} vm_nwfilter_known[] = {
	{ "clean-traffic", true, false },
	{ "clean-traffic-gateway", true, true },
	{ "no-mac-spoofing", false, false },
};

static int vm_nwfilter_find(xmlNodePtr filterref)
{
	char filter[64];
	unsigned int i;

	if (vm_node_attr(filterref, "filter", filter, sizeof(filter)) < 0)
		return -1;
	for (i = 0; i < sizeof(vm_nwfilter_known) / sizeof(vm_nwfilter_known[0]); i++)
		if (strcmp(filter, vm_nwfilter_known[i].name) == 0)
			return (int)i;
	return -1;
}

bool vm_nwfilter_is_guard(xmlNodePtr filterref)
{
	return vm_nwfilter_find(filterref) >= 0;
}

int vm_nwfilter_guard(xmlNodePtr iface, struct vm_guard *g, char *why, size_t len)
{
	xmlNodePtr ref = vm_node_child(iface, "filterref"), p;
	char name[64], value[INET_ADDRSTRLEN + 64], net[VM_NET_LEN + 64];
	struct in_addr a;
	int k = vm_nwfilter_find(ref);

	if (k < 0 || !vm_nwfilter_known[k].arp)
		return 0;
	for (p = vm_node_child(ref, "parameter"); p != NULL; p = vm_node_next(p, "parameter")) {
		if (vm_node_attr(p, "name", name, sizeof(name)) < 0 || strcmp(name, "IP") != 0)
			continue;
		/* no-ip-spoofing and no-arp-ip-spoofing match IPv4 alone */
		if (vm_node_attr(p, "value", value, sizeof(value)) < 0 ||
		    inet_pton(AF_INET, value, &a) != 1) {
			snprintf(why, len, "nwfilter '%s': IP='%s' is not an IPv4 address",
			         vm_nwfilter_known[k].name, value);
			return -EINVAL;
		}
		snprintf(net, sizeof(net), "%s/32", value);
		if (vm_guard_add_net(g, net) < 0) {
			snprintf(why, len,
			         "nwfilter '%s': more than %d IP parameters, the most the switch's "
			         "arp-guard takes",
			         vm_nwfilter_known[k].name, VM_GUARD_NETS_MAX);
			return -EINVAL;
		}
	}
	return 0;
}

int vm_nwfilter_said(xmlNodePtr filterref, const struct vm_guard *g, char *buf, size_t len)
{
	char filter[64], params[512], guard[VM_GUARD_NETS_MAX * VM_NET_LEN + 64];
	int k = vm_nwfilter_find(filterref);

	vm_node_attr(filterref, "filter", filter, sizeof(filter));
	vm_nwfilter_params(filterref, params, sizeof(params));
	if (k < 0) {
		snprintf(buf, len,
		         "nwfilter '%s'%s removed: libvirt filters on the host's tap device, which "
		         "a "
		         "vhost-user interface does not have; its protection is gone",
		         filter, params);
		return 1;
	}
	/* what the switch does instead, in the words of port set */
	vm_guard_text(g, VM_GUARD_BIT(VM_GUARD_ALLOWED_MAC) | VM_GUARD_BIT(VM_GUARD_ARP), guard,
	              sizeof(guard));
	if (vm_nwfilter_known[k].gateway) {
		snprintf(buf, len,
		         "nwfilter '%s'%s became %s; its restriction to traffic with the gateway "
		         "($GATEWAY_MAC) has no counterpart on the switch: gone",
		         filter, params, guard);
		return 1;
	}
	if (vm_nwfilter_known[k].arp && g->nnets == 0) {
		snprintf(buf, len,
		         "nwfilter '%s' became %s; without an IP parameter libvirt learned the "
		         "guest's address, which the switch does not: no arp-guard",
		         filter, guard);
		return 1;
	}
	snprintf(buf, len, "nwfilter '%s'%s became %s", filter, params, guard);
	return 0;
}

void vm_nwfilter_params(xmlNodePtr filterref, char *params, size_t len)
{
	char name[64], value[128];
	size_t n = 0;
	xmlNodePtr p;

	params[0] = '\0';
	for (p = vm_node_child(filterref, "parameter"); p != NULL;
	     p = vm_node_next(p, "parameter")) {
		vm_node_attr(p, "name", name, sizeof(name));
		vm_node_attr(p, "value", value, sizeof(value));
		n += (size_t)snprintf(params + n, n < len ? len - n : 0, "%s%s=%s",
		                      n > 0 ? ", " : " (", name, value);
		if (n >= len)
			break;
	}
	if (n > 0 && n + 1 < len)
		strcat(params, ")");
}

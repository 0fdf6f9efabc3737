/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl vm convert` on a domain's XML (vm_xml.h): its <interface type='bridge'>s on the
 * bridge are all checked and planned here first, named and given a socket, and rewritten
 * (vm_rewrite.c) only when none is refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_rewrite.h"
#include "vm_xml.h"
#include "vm_xml_node.h"

/*
 * An interface without <model> gets libvirt's default, an emulated NIC (rtl8139 or e1000e on
 * x86): as much a change to the guest as e1000 is.
 */
#define VM_CONVERT_NO_MODEL "(none: libvirt's default, emulated)"

struct vm_convert {
	const char *domain;
	const char *bridge;
	const char *socket_dir;
	bool model_virtio;
	bool router;
	const struct vm_net_resolver *nets;
	struct vm_convert_report *report;
	struct vm_plan *plans;
	unsigned int nplans;
	struct vm_iface *taken; /* the domain's interfaces on the switch already */
	int ntaken;
	unsigned int next_index; /* of the next port name */
};

/* Appends one line to report->refused. */
static int vm_convert_refuse(struct vm_convert *c, const char *who, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int vm_convert_refuse(struct vm_convert *c, const char *who, const char *fmt, ...)
{
	char *why = NULL, *line = NULL, *old = c->report->refused;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&why, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	n = asprintf(&line, "%sdomain \"%s\": interface %s: %s\n", old != NULL ? old : "",
	             c->domain, who, why);
	free(why);
	if (n < 0)
		return -ENOMEM;
	free(old);
	c->report->refused = line;
	return 0;
}

static bool vm_convert_is_virtio(const char *model)
{
	return strcmp(model, "virtio") == 0 || strcmp(model, "virtio-transitional") == 0 ||
	       strcmp(model, "virtio-non-transitional") == 0;
}

/*
 * The port's VLANs from <vlan>, which libvirt takes on a bridge only with Open vSwitch: one
 * tag is an access port, several (or trunk='yes') a trunk whose nativeMode='untagged' tag is
 * the native VLAN. NULL when they fit, else why not.
 */
static const char *vm_convert_vlan(xmlNodePtr vlan, struct vm_vlan *v, char *why, size_t len)
{
	bool trunk = vm_node_attr_is(vlan, "trunk", "yes"), any = false;
	unsigned int ntags = 0;
	char id[16], mode[16];
	unsigned long vid;
	xmlNodePtr tag;
	char *end;

	vm_vlan_set_access(v, 1); /* lanswitchd's default */
	if (vlan == NULL)
		return NULL;
	v->access = 0;
	for (tag = vm_node_child(vlan, "tag"); tag != NULL; tag = vm_node_next(tag, "tag")) {
		vm_node_attr(tag, "id", id, sizeof(id));
		vid = strtoul(id, &end, 10);
		if (id[0] < '0' || id[0] > '9' || *end != '\0' || vid < 1 || vid > VM_VLAN_MAX) {
			snprintf(why, len, "<vlan> tag '%s' is not a VLAN 1-%d", id, VM_VLAN_MAX);
			return why;
		}
		ntags++;
		mode[0] = '\0';
		vm_node_attr(tag, "nativeMode", mode, sizeof(mode));
		if (strcmp(mode, "tagged") == 0) {
			snprintf(
			        why, len,
			        "<vlan> tag %lu is native-tagged: lanswitch sends a trunk's native "
			        "VLAN untagged",
			        vid);
			return why;
		}
		if (strcmp(mode, "untagged") == 0) {
			v->native = (uint16_t)vid;
		} else {
			vm_vlan_add_tagged(v, (uint16_t)vid);
			any = true;
		}
	}
	if (ntags == 0) {
		snprintf(why, len, "<vlan> has no <tag>");
		return why;
	}
	if (!any) /* only a native VLAN: that is an access port */
		vm_vlan_set_access(v, v->native);
	else if (!trunk && ntags == 1)
		vm_vlan_set_access(v, (uint16_t)vid);
	return NULL;
}

/* The next port name and socket not taken by one of the domain's lanswitch interfaces. */
static int vm_convert_name(struct vm_convert *c, struct vm_port *p, char *err, size_t errlen)
{
	int i, ret;

	for (;;) {
		vm_port_name(c->domain, c->next_index++, p->name, sizeof(p->name));
		ret = vm_socket_path(c->socket_dir, p->name, p->socket, sizeof(p->socket), err,
		                     errlen);
		if (ret < 0)
			return ret;
		for (i = 0; i < c->ntaken && strcmp(c->taken[i].socket, p->socket) != 0; i++)
			;
		if (i == c->ntaken)
			return 0;
	}
}

/* One interface on the bridge: planned, or refused (a line in the report). */
static int vm_convert_check(struct vm_convert *c, xmlNodePtr iface, unsigned int position)
{
	char who[192], mac[64], model[64] = "", queues[16], why[256];
	struct vm_plan *plan = &c->plans[c->nplans];
	int n;

	memset(plan, 0, sizeof(*plan));
	/*
	 * Without a <mac> libvirt would give the new interface a new one, and the guest would
	 * see a new NIC. A definition libvirt has stored always has one (it assigns it at
	 * define time), and lanctl converts that stored definition: this catches only
	 * hand-written XML.
	 */
	n = vm_node_attr(vm_node_child(iface, "mac"), "address", mac, sizeof(mac));
	if (n < 0) {
		snprintf(who, sizeof(who), "#%u on %s", position, c->bridge);
		return vm_convert_refuse(c, who, "has no <mac>");
	}
	snprintf(who, sizeof(who), "%s (#%u on %s)", mac, position, c->bridge);
	if (vm_mac_parse(mac, plan->port.mac) < 0)
		return vm_convert_refuse(c, who, "<mac address='%s'> is not a unicast MAC", mac);

	if (vm_node_attr(vm_node_child(iface, "model"), "type", model, sizeof(model)) < 0)
		snprintf(model, sizeof(model), "%s", VM_CONVERT_NO_MODEL);
	if (!vm_convert_is_virtio(model) && !c->model_virtio)
		return vm_convert_refuse(
		        c, who,
		        "model '%s' is not virtio, which vhost-user requires, and a "
		        "virtio NIC is a new device to the guest (pfSense renames "
		        "em0 to vtnet0, Windows needs the NetKVM driver): "
		        "--model-virtio converts it anyway",
		        model);
	if (vm_node_attr(vm_node_child(iface, "driver"), "queues", queues, sizeof(queues)) >= 0 &&
	    strtoul(queues, NULL, 10) > 1)
		return vm_convert_refuse(c, who,
		                         "<driver queues='%s'>: lanswitch takes single-queue "
		                         "vhost-user ports only, for now",
		                         queues);
	if (vm_convert_vlan(vm_node_child(iface, "vlan"), &plan->port.vlan, why, sizeof(why)))
		return vm_convert_refuse(c, who, "%s", why);
	/* a guest's port sends from its own MAC alone; its nwfilter may say more (arp-guard) */
	vm_guard_init(&plan->port.guard, plan->port.mac, c->router);
	if (vm_nwfilter_guard(iface, &plan->port.guard, why, sizeof(why)) < 0)
		return vm_convert_refuse(c, who, "%s", why);
	if (vm_convert_name(c, &plan->port, why, sizeof(why)) < 0)
		return vm_convert_refuse(c, who, "%s", why);

	plan->iface = iface;
	plan->position = position;
	snprintf(plan->model, sizeof(plan->model), "%s", vm_convert_is_virtio(model) ? "" : model);
	c->nplans++;
	return 0;
}

/*
 * A type='network' interface: refused when its network is a bridge onto BR, whose traffic
 * would then bypass the switch (lanswitch replaces BR, and a libvirt network in bridge mode is
 * BR under another name); left alone on any other network (a NAT network on virbr0 is not the
 * LAN). Which bridge a network is only libvirt knows: the resolver asks it.
 */
static int vm_convert_check_network(struct vm_convert *c, xmlNodePtr iface, unsigned int position)
{
	char network[64], bridge[64], mac[64], who[96], why[256];
	int ret;

	vm_node_attr(vm_node_child(iface, "source"), "network", network, sizeof(network));
	if (vm_node_attr(vm_node_child(iface, "mac"), "address", mac, sizeof(mac)) >= 0)
		snprintf(who, sizeof(who), "%s (#%u)", mac, position);
	else
		snprintf(who, sizeof(who), "#%u", position);
	ret = c->nets->bridge(c->nets->ctx, network, bridge, sizeof(bridge), why, sizeof(why));
	if (ret < 0)
		return vm_convert_refuse(c, who, "type='network' (network '%s'): %s", network, why);
	if (strcmp(bridge, c->bridge) != 0)
		return 0;
	return vm_convert_refuse(c, who,
	                         "type='network' on network '%s', whose bridge is %s: make it "
	                         "type='bridge' (<source bridge='%s'/>) first",
	                         network, bridge, c->bridge);
}

/* Every interface of the domain: a plan for each one on the bridge, or refusals. */
static int vm_convert_check_all(struct vm_convert *c, xmlNodePtr devices)
{
	unsigned int position = 0;
	xmlNodePtr iface;
	int ret;

	for (iface = vm_node_child(devices, "interface"); iface != NULL;
	     iface = vm_node_next(iface, "interface")) {
		position++;
		if (vm_node_attr_is(iface, "type", "network"))
			ret = vm_convert_check_network(c, iface, position);
		else if (vm_node_attr_is(iface, "type", "bridge") &&
		         vm_node_attr_is(vm_node_child(iface, "source"), "bridge", c->bridge))
			ret = vm_convert_check(c, iface, position);
		else
			continue; /* another bridge, or not ours to touch */
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int vm_convert_count(xmlNodePtr devices)
{
	xmlNodePtr i;
	int n = 0;

	for (i = vm_node_child(devices, "interface"); i != NULL; i = vm_node_next(i, "interface"))
		n++;
	return n;
}

int vm_xml_convert(xmlDocPtr doc, const char *domain, const struct vm_convert_opts *opts,
                   struct vm_convert_report *report)
{
	struct vm_convert c = {
		.domain = domain,
		.bridge = opts->bridge,
		.socket_dir = opts->socket_dir,
		.model_virtio = opts->model_virtio,
		.router = opts->router,
		.nets = opts->nets,
		.report = report,
	};
	xmlNodePtr root = xmlDocGetRootElement(doc), devices;
	unsigned int i;
	int n, ret;

	memset(report, 0, sizeof(*report));
	if (!vm_node_is(root, "domain"))
		return -EINVAL;
	devices = vm_node_child(root, "devices");
	n = vm_convert_count(devices);
	c.plans = calloc((size_t)n + 1, sizeof(*c.plans));
	c.taken = calloc((size_t)n + 1, sizeof(*c.taken));
	if (c.plans == NULL || c.taken == NULL) {
		ret = -ENOMEM;
		goto free_plans;
	}
	c.ntaken = vm_xml_lanswitch_ifaces(doc, c.socket_dir, c.taken, (unsigned int)n);

	/* Check first, act second: a refusal leaves the domain as it was. */
	ret = vm_convert_check_all(&c, devices);
	if (ret < 0)
		goto free_plans;
	if (report->refused != NULL) {
		ret = -EINVAL;
		goto free_plans;
	}
	if (c.nplans == 0) {
		snprintf(report->note, sizeof(report->note),
		         "domain \"%s\" has no interface on bridge %s: nothing to do", domain,
		         c.bridge);
		ret = 0;
		goto free_plans;
	}

	report->ifaces = calloc(c.nplans, sizeof(*report->ifaces));
	if (report->ifaces == NULL) {
		ret = -ENOMEM;
		goto free_plans;
	}
	for (i = 0; i < c.nplans; i++) {
		report->n++;
		ret = vm_rewrite(&c.plans[i], &report->ifaces[i]);
		if (ret < 0)
			goto free_plans;
	}
	ret = vm_xml_memory_share(doc, &report->memory);
	if (ret == 0)
		ret = (int)c.nplans;

free_plans:
	free(c.taken);
	free(c.plans);
	return ret;
}

void vm_convert_report_clear(struct vm_convert_report *report)
{
	unsigned int i, w;

	for (i = 0; i < report->n; i++) {
		free(report->ifaces[i].old_xml);
		free(report->ifaces[i].new_xml);
		free(report->ifaces[i].filter_note);
		for (w = 0; w < report->ifaces[i].nwarnings; w++)
			free(report->ifaces[i].warnings[w]);
	}
	free(report->ifaces);
	vm_mem_change_clear(&report->memory);
	free(report->refused);
	memset(report, 0, sizeof(*report));
}

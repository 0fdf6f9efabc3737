/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One planned interface of `vm convert` rewritten in place from type='bridge' to
 * type='vhostuser' (vm_rewrite.h); vm_convert.c has checked it first.
 *
 * What an interface keeps and loses on vhost-user, as libvirt 9.0 has it (formatdomain.rst
 * "vhost-user interface" and "Setting NIC driver-specific options", the schema
 * domaincommon.rng that virt-xml-validate uses, domain_validate.c, qemu_validate.c,
 * qemu_hotplug.c, virnetdevbandwidth.c):
 *   kept: <mac>, <model> if virtio (virDomainNetDefValidate refuses any other model on
 *     vhostuser), <address>, <boot>, <alias>, <rom>, <link>, <acpi>, <teaming>, <driver>'s
 *     attributes but name (queues, rx_queue_size...), <mtu> (QEMU hands the MTU to a
 *     vhost-user backend and the docs do not exclude vhostuser; libvirt's own
 *     qemuDomainNetSupportsMTU was not among the sources we could read).
 *   removed because libvirt refuses them on vhostuser: <virtualport> (not in the schema's
 *     vhostuser group), <coalesce> (qemuValidateNetSupportsCoalesce: network and bridge
 *     only), <vlan> (virDomainActualNetDefValidate: hostdev, macvtap passthrough and Open
 *     vSwitch only; its tags move to the port), <port isolated='yes'> (bridge and network
 *     only), <filterref> (qemuDomainAttachNetDevice: "filterref is not supported for
 *     network interfaces of type vhostuser"; nwfilter rules bind to a host tap device, and a
 *     vhost-user interface has none: the switch's guard stands in for the usual filters,
 *     vm_nwfilter.c).
 *   removed because libvirt ignores them there: <source bridge> (replaced), <target dev>
 *     (the tap device's name), <driver name> ("the name attribute is ignored. The backend
 *     driver used is always vhost-user"), <bandwidth> (virNetDevSupportsBandwidth: not
 *     vhostuser), <tune> (the tap's sndbuf), <backend> (tap and vhost-net device paths),
 *     <script> and <downscript> (tap set-up).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_rewrite.h"
#include "vm_xml.h"
#include "vm_xml_node.h"

/* Children that go without a word: the dry-run's old and new element show them. */
static const char *const vm_rewrite_dropped[] = {
	"target", "virtualport", "coalesce", "tune", "backend", "script", "downscript", NULL,
};

static int vm_rewrite_warn(struct vm_converted *done, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int vm_rewrite_warn(struct vm_converted *done, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (done->nwarnings == VM_CONVERT_WARN_MAX)
		return 0;
	va_start(ap, fmt);
	n = vasprintf(&done->warnings[done->nwarnings], fmt, ap);
	va_end(ap);
	if (n < 0) {
		done->warnings[done->nwarnings] = NULL;
		return -ENOMEM;
	}
	done->nwarnings++;
	return 0;
}

/*
 * The filter goes (vm_rewrite.h), and what the switch's guard does instead is said: a note when
 * it stands in for the filter, a warning when a protection is lost (vm_nwfilter.c).
 */
static int vm_rewrite_filter(struct vm_converted *done, xmlNodePtr filterref)
{
	char said[1024];

	if (vm_nwfilter_said(filterref, &done->port.guard, said, sizeof(said)) == 1)
		return vm_rewrite_warn(done, "%s", said);
	if (done->filter_note != NULL) /* libvirt takes one <filterref>: a second is kept quiet */
		return 0;
	done->filter_note = strdup(said);
	return done->filter_note != NULL ? 0 : -ENOMEM;
}

/* Removes what vhost-user refuses or ignores, saying what the guest loses. */
static int vm_rewrite_strip(xmlNodePtr iface, struct vm_converted *done)
{
	const char *const *name;
	xmlNodePtr n, driver;
	int ret = 0;

	for (name = vm_rewrite_dropped; *name != NULL; name++)
		while ((n = vm_node_child(iface, *name)) != NULL)
			vm_node_remove(n);
	while ((n = vm_node_child(iface, "filterref")) != NULL && ret == 0) {
		ret = vm_rewrite_filter(done, n);
		vm_node_remove(n);
	}
	while ((n = vm_node_child(iface, "bandwidth")) != NULL && ret == 0) {
		ret = vm_rewrite_warn(done, "<bandwidth> removed: libvirt shapes only tap devices, "
		                            "so the guest's rate limit no longer applies");
		vm_node_remove(n);
	}
	while ((n = vm_node_child(iface, "port")) != NULL && ret == 0) {
		if (vm_node_attr_is(n, "isolated", "yes"))
			ret = vm_rewrite_warn(done,
			                      "<port isolated='yes'/> removed: it isolated the "
			                      "guest on the Linux bridge; on lanswitch it reaches "
			                      "every port of its VLAN");
		vm_node_remove(n);
	}
	while ((n = vm_node_child(iface, "vlan")) != NULL)
		vm_node_remove(n); /* its tags are the port's now */
	driver = vm_node_child(iface, "driver");
	if (driver != NULL) {
		xmlUnsetProp(driver, BAD_CAST "name");
		if (driver->properties == NULL && xmlFirstElementChild(driver) == NULL)
			vm_node_remove(driver);
	}
	return ret;
}

int vm_rewrite(const struct vm_plan *plan, struct vm_converted *done)
{
	xmlNodePtr iface = plan->iface, source, model;
	int ret;

	done->position = plan->position;
	done->port = plan->port;
	done->old_xml = vm_node_format(iface);
	if (done->old_xml == NULL)
		return -ENOMEM;

	source = vm_node_child(iface, "source");
	while (source->properties != NULL)
		xmlRemoveProp(source->properties);
	if (xmlSetProp(iface, BAD_CAST "type", BAD_CAST "vhostuser") == NULL ||
	    xmlSetProp(source, BAD_CAST "type", BAD_CAST "unix") == NULL ||
	    xmlSetProp(source, BAD_CAST "path", BAD_CAST plan->port.socket) == NULL ||
	    xmlSetProp(source, BAD_CAST "mode", BAD_CAST "server") == NULL)
		return -ENOMEM;

	if (plan->model[0] != '\0') {
		model = vm_node_child(iface, "model");
		if (model == NULL)
			model = vm_node_insert(iface, source, "model");
		if (model == NULL || xmlSetProp(model, BAD_CAST "type", BAD_CAST "virtio") == NULL)
			return -ENOMEM;
		ret = vm_rewrite_warn(done,
		                      "model '%s' became virtio: the guest sees a new NIC (pfSense "
		                      "renames em0 to vtnet0, Windows needs the NetKVM driver)",
		                      plan->model);
		if (ret < 0)
			return ret;
	}
	ret = vm_rewrite_strip(iface, done);
	if (ret < 0)
		return ret;
	done->new_xml = vm_node_format(iface);
	return done->new_xml != NULL ? 0 : -ENOMEM;
}

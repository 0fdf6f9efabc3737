/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl vm detach DOMAIN`: the domain's ports leave the switch, and its persistent
 * definition loses their interfaces and lanswitch's metadata.
 *
 * The metadata says which ports are the domain's (attach and convert write it), and each
 * port's socket which interface is its. The ports are deleted first, then the definition
 * without them is defined; when the define fails the ports are made again, so the domain and
 * the switch never disagree. A running domain also loses the interfaces live
 * (virDomainDetachDeviceFlags: the guest is asked to release the device, as a PCI unplug).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "virt.h"
#include "vm_cmd.h"

struct vm_detach {
	const struct lanctl_opts *opts;
	struct virt virt;
	virDomainPtr dom;
	const char *name; /* libvirt's, owned by dom */
	xmlDocPtr doc;
	struct vm_port ports[VM_PORTS_MAX];
	unsigned int nports;
	bool gone[VM_PORTS_MAX]; /* the switch had no such port */
	unsigned int ndeleted;   /* ports[0..ndeleted) deleted from the switch */
	int ninterfaces;         /* interfaces taken from the persistent definition */
	bool running, live_failed;
};

static int vm_detach_read(struct vm_detach *d, const char *name)
{
	char err[256];
	int n;

	if (virt_domain_find(&d->virt, name, &d->dom) < 0)
		return -ENOENT;
	d->name = virDomainGetName(d->dom);
	if (virDomainIsPersistent(d->dom) != 1) {
		fprintf(stderr,
		        "lanctl: domain \"%s\" is transient: vm detach changes its persistent "
		        "definition\n",
		        d->name);
		return -EINVAL;
	}
	d->doc = virt_domain_read(d->dom, true);
	if (d->doc == NULL)
		return -EIO;
	n = vm_xml_metadata_read(d->doc, d->ports, VM_PORTS_MAX, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", d->name, err);
		return n;
	}
	if (n == 0) {
		fprintf(stderr,
		        "lanctl: domain \"%s\" has no port on the switch (no lanswitch metadata)\n",
		        d->name);
		return -ENOENT;
	}
	d->nports = (unsigned int)n;
	return 0;
}

/* The persistent definition in memory, without the ports' interfaces and our metadata. */
static int vm_detach_edit(struct vm_detach *d)
{
	char err[256];
	int ret;

	d->ninterfaces = vm_xml_interfaces_take(d->doc, d->ports, d->nports, NULL, 0);
	ret = d->ninterfaces < 0 ? d->ninterfaces
	                         : vm_xml_metadata_set(d->doc, NULL, 0, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", d->name, strerror(-ret));
	return ret;
}

/* The ports deleted so far, made again: the define that was to follow failed. */
static void vm_detach_undo(struct vm_detach *d)
{
	unsigned int i;

	for (i = 0; i < d->ndeleted; i++) {
		if (d->gone[i])
			continue;
		if (vm_switch_port_add(d->opts, &d->ports[i]) >= 0)
			fprintf(stderr, "lanctl: undone: port %s made again\n", d->ports[i].name);
		else
			fprintf(stderr, "lanctl: could not undo: port %s is gone from the switch\n",
			        d->ports[i].name);
	}
}

/*
 * The running guest loses the interfaces too, and its running metadata our element. A failure
 * is said: the guest keeps the interface, without a port, until its next cold start.
 */
static void vm_detach_live(struct vm_detach *d)
{
	char *removed[VM_PORTS_MAX] = { NULL };
	xmlDocPtr live;
	int n, i;

	live = virt_domain_read(d->dom, false);
	n = live != NULL ? vm_xml_interfaces_take(live, d->ports, d->nports, removed, VM_PORTS_MAX)
	                 : -EIO;
	xmlFreeDoc(live);
	for (i = 0; i < n && i < VM_PORTS_MAX; i++) {
		if (virDomainDetachDeviceFlags(d->dom, removed[i], VIR_DOMAIN_AFFECT_LIVE) < 0) {
			fprintf(stderr,
			        "lanctl: domain \"%s\": detached from its persistent definition, "
			        "but "
			        "the running guest keeps an interface until its next cold start: "
			        "%s\n",
			        d->name, virt_error());
			d->live_failed = true;
		}
		free(removed[i]);
	}
	if (n < 0)
		d->live_failed = true;
	if (virDomainSetMetadata(d->dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, VM_XML_NS,
	                         VIR_DOMAIN_AFFECT_LIVE) < 0 &&
	    virt_error_code() != VIR_ERR_NO_DOMAIN_METADATA) {
		fprintf(stderr, "lanctl: domain \"%s\": its running metadata: %s\n", d->name,
		        virt_error());
		d->live_failed = true;
	}
}

static int vm_detach_apply(struct vm_detach *d)
{
	int ret;

	for (d->ndeleted = 0; d->ndeleted < d->nports; d->ndeleted++) {
		ret = vm_switch_port_del(d->opts, d->ports[d->ndeleted].name,
		                         &d->gone[d->ndeleted]);
		if (ret < 0)
			goto undo;
	}
	ret = virt_domain_define(&d->virt, d->name, d->doc, NULL);
	if (ret < 0)
		goto undo;
	d->running = virt_domain_running(d->dom);
	if (d->running)
		vm_detach_live(d);
	return 0;
undo:
	vm_detach_undo(d);
	return ret;
}

static int vm_detach_print(const struct vm_detach *d)
{
	struct json_object *o, *ports, *p;
	unsigned int i;
	int status;

	if (!d->opts->json) {
		for (i = 0; i < d->nports; i++)
			printf("domain \"%s\": detached from port %s (MAC %s)%s\n", d->name,
			       d->ports[i].name, d->ports[i].mac,
			       d->gone[i] ? ", which the switch did not have" : "");
		if (d->running && !d->live_failed)
			printf("domain \"%s\" is running: its interfaces were unplugged\n",
			       d->name);
		return vm_out_json(d->opts, NULL);
	}
	o = json_object_new_object();
	ports = json_object_new_array();
	json_object_object_add(o, "domain", json_object_new_string(d->name));
	for (i = 0; i < d->nports; i++) {
		p = json_object_new_object();
		vm_out_port_json(p, &d->ports[i]);
		json_object_object_add(p, "on_switch", json_object_new_boolean(!d->gone[i]));
		json_object_array_add(ports, p);
	}
	json_object_object_add(o, "ports", ports);
	json_object_object_add(o, "interfaces", json_object_new_int(d->ninterfaces));
	json_object_object_add(o, "running", json_object_new_boolean(d->running));
	status = vm_out_json(d->opts, o);
	json_object_put(o);
	return status;
}

int vm_detach_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	struct vm_detach d = { .opts = opts };
	int ret;

	if (virt_open(&d.virt, opts->uri) < 0)
		return LANCTL_EXIT_REFUSED;
	ret = vm_detach_read(&d, argv[0]);
	if (ret == 0)
		ret = vm_detach_edit(&d);
	if (ret == 0)
		ret = vm_detach_apply(&d);
	if (ret == 0) {
		ret = vm_detach_print(&d);
		if (d.live_failed)
			ret = LANCTL_EXIT_REFUSED;
	} else {
		ret = vm_exit(ret);
	}
	xmlFreeDoc(d.doc);
	if (d.dom != NULL)
		virDomainFree(d.dom);
	virt_close(&d.virt);
	return ret;
}

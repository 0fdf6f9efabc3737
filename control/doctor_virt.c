/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor and libvirt (doctor.h): libvirtd answers on the URI (-c, as the vm commands), and
 * every domain is read once for the checks after it: its definitions and the ports its
 * lanswitch metadata names (the persistent definition's for a persistent domain, the running
 * one's for a transient domain: what `lanctl vm list` reads). Then the check of domains still
 * on a kernel bridge, which reads every persistent definition.
 *
 * virt.c (the vm commands' connection) prints what fails on stderr; the doctor connects and
 * reads itself, so that libvirt's reason is in the finding rather than beside it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "vm_xml_node.h"

#define DOCTOR_BRIDGES_MAX 8

/* libvirt prints each error on stderr unless a handler takes it: kept for virt_error. */
static void doctor_virt_quiet(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

static int doctor_by_name(const void *a, const void *b)
{
	return strcmp(virDomainGetName(*(virDomainPtr const *)a),
	              virDomainGetName(*(virDomainPtr const *)b));
}

/* A definition of the domain (inactive: the persistent one), or NULL after a finding. */
static xmlDocPtr doctor_virt_read(struct doctor *d, struct doctor_dom *x, bool inactive)
{
	char *xml, err[256];
	xmlDocPtr doc;

	xml = virDomainGetXMLDesc(x->dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (xml == NULL) {
		doctor_addf(d, "virsh dumpxml shows what libvirt says of it", "domain \"%s\": %s",
		            x->name, virt_error());
		return NULL;
	}
	doc = vm_xml_read(xml, err, sizeof(err));
	free(xml);
	if (doc == NULL)
		doctor_addf(d, "virsh dumpxml shows what libvirt says of it", "domain \"%s\": %s",
		            x->name, err);
	return doc;
}

/* What the checks ask of one domain; a finding (and false) when it cannot be read. */
static bool doctor_virt_domain(struct doctor *d, struct doctor_dom *x)
{
	char err[256];

	x->name = virDomainGetName(x->dom);
	x->persistent = virDomainIsPersistent(x->dom) == 1;
	x->running = virDomainIsActive(x->dom) == 1;
	if (x->persistent && (x->config = doctor_virt_read(d, x, true)) == NULL)
		return false;
	if (x->running && (x->live = doctor_virt_read(d, x, false)) == NULL)
		return false;
	x->ports = calloc(VM_PORTS_MAX, sizeof(*x->ports));
	if (x->ports == NULL) {
		doctor_addf(d, "free some memory", "domain \"%s\": %s", x->name, strerror(ENOMEM));
		return false;
	}
	x->nports = vm_xml_metadata_read(x->persistent ? x->config : x->live, x->ports,
	                                 VM_PORTS_MAX, err, sizeof(err));
	if (x->nports < 0) {
		doctor_addf(d, "lanctl vm detach, then vm attach, writes it anew",
		            "domain \"%s\": its lanswitch metadata: %s", x->name, err);
		x->nports = 0;
	}
	return true;
}

static void doctor_virt_fail(struct doctor *d, const char *what)
{
	char skipped[256];

	doctor_needing(DOCTOR_NEED_LIBVIRT, skipped, sizeof(skipped));
	doctor_addf(d,
	            "start libvirtd: systemctl start libvirtd (without systemd: mkdir -p "
	            "/var/run/libvirt /var/log/libvirt; virtlogd -d; libvirtd -d), or name "
	            "another with lanctl -c URI",
	            "%s %s: %s (not checked: %s)", d->opts->uri, what, virt_error(), skipped);
}

void doctor_libvirt(struct doctor *d)
{
	virDomainPtr *doms = NULL;
	unsigned int i, kept = 0;
	int n;

	virSetErrorFunc(NULL, doctor_virt_quiet);
	d->virt.uri = d->opts->uri;
	d->virt.conn = virConnectOpen(d->opts->uri);
	if (d->virt.conn == NULL) {
		doctor_virt_fail(d, "does not answer");
		return;
	}
	n = virConnectListAllDomains(d->virt.conn, &doms, 0);
	if (n < 0) {
		doctor_virt_fail(d, "lists no domains");
		return;
	}
	qsort(doms, (size_t)n, sizeof(*doms), doctor_by_name);
	d->doms = calloc((size_t)n + 1, sizeof(*d->doms));
	for (i = 0; i < (unsigned int)n; i++) {
		/* one that cannot be read (said) hides no other */
		if (d->doms != NULL) {
			d->doms[kept].dom = doms[i];
			if (doctor_virt_domain(d, &d->doms[kept])) {
				kept++;
				continue;
			}
			xmlFreeDoc(d->doms[kept].config);
			xmlFreeDoc(d->doms[kept].live);
			free(d->doms[kept].ports);
			memset(&d->doms[kept], 0, sizeof(d->doms[kept]));
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	d->ndoms = kept;
	d->loaded |= DOCTOR_NEED_LIBVIRT;
}

void doctor_libvirt_close(struct doctor *d)
{
	unsigned int i;

	for (i = 0; i < d->ndoms; i++) {
		xmlFreeDoc(d->doms[i].config);
		xmlFreeDoc(d->doms[i].live);
		free(d->doms[i].ports);
		virDomainFree(d->doms[i].dom);
	}
	free(d->doms);
	d->doms = NULL;
	d->ndoms = 0;
	virt_close(&d->virt);
}

/* The bridges of the domain's type='bridge' interfaces, and how many on each. */
struct doctor_bridges {
	char name[DOCTOR_BRIDGES_MAX][64];
	unsigned int count[DOCTOR_BRIDGES_MAX];
	unsigned int n;
};

static void doctor_bridges_read(xmlDocPtr doc, struct doctor_bridges *b)
{
	xmlNodePtr devices = vm_node_child(xmlDocGetRootElement(doc), "devices"), iface;
	char name[64];
	unsigned int i;

	memset(b, 0, sizeof(*b));
	for (iface = vm_node_child(devices, "interface"); iface != NULL;
	     iface = vm_node_next(iface, "interface")) {
		if (!vm_node_attr_is(iface, "type", "bridge") ||
		    vm_node_attr(vm_node_child(iface, "source"), "bridge", name, sizeof(name)) <= 0)
			continue;
		for (i = 0; i < b->n && strcmp(b->name[i], name) != 0; i++)
			;
		if (i == DOCTOR_BRIDGES_MAX)
			continue;
		if (i == b->n)
			snprintf(b->name[b->n++], sizeof(b->name[0]), "%s", name);
		b->count[i]++;
	}
}

/* Persistent domains with interfaces on a kernel bridge: what `vm convert` moves. */
void doctor_bridge(struct doctor *d)
{
	char on[512], fix[1024];
	struct doctor_bridges b;
	size_t no, nf;
	unsigned int i, j;

	for (i = 0; i < d->ndoms; i++) {
		if (d->doms[i].config == NULL)
			continue; /* transient: vm convert changes persistent definitions */
		doctor_bridges_read(d->doms[i].config, &b);
		if (b.n == 0)
			continue;
		no = nf = 0;
		for (j = 0; j < b.n; j++) {
			no += (size_t)snprintf(on + no, no < sizeof(on) ? sizeof(on) - no : 0,
			                       "%s%u interface%s on %s", j > 0 ? ", " : "",
			                       b.count[j], b.count[j] == 1 ? "" : "s", b.name[j]);
			nf += (size_t)snprintf(fix + nf, nf < sizeof(fix) ? sizeof(fix) - nf : 0,
			                       "%slanctl vm convert %s --bridge %s",
			                       j > 0 ? "; " : "", d->doms[i].name, b.name[j]);
		}
		if (nf < sizeof(fix))
			snprintf(fix + nf, sizeof(fix) - nf,
			         " (every domain on it at once: lanctl vm convert --all --bridge "
			         "%s)",
			         b.n == 1 ? b.name[0] : "BR");
		doctor_addf(d, fix, "domain \"%s\" is still on a kernel bridge: %s",
		            d->doms[i].name, on);
	}
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The domain behind each host of `lanctl hosts`: the switch knows MACs, libvirt knows which
 * domain has which MAC. lanctl asks libvirt (-c URI) for every domain's interfaces (a running
 * domain's live definition: a hot-plugged NIC counts) and adds "vm" to each host: the
 * domain's name, or null for a host that is no domain here. When libvirt does not answer,
 * every "vm" is null and nothing is said: the switch's view stands on its own.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <libxml/xpath.h>

#include "lanctl.h"
#include "virt.h"

/* The name of the domain with an interface of MAC mac among doms, or NULL. */
static const char *hosts_vm_of(virDomainPtr *doms, xmlDocPtr *docs, int n, const char *mac)
{
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr macs;
	const char *name = NULL;
	xmlChar *a;
	int i, j;

	for (i = 0; i < n && name == NULL; i++) {
		if (docs[i] == NULL || (ctx = xmlXPathNewContext(docs[i])) == NULL)
			continue;
		macs = xmlXPathEvalExpression(BAD_CAST "/domain/devices/interface/mac", ctx);
		for (j = 0; macs != NULL && macs->nodesetval != NULL &&
		            j < macs->nodesetval->nodeNr && name == NULL;
		     j++) {
			a = xmlGetProp(macs->nodesetval->nodeTab[j], BAD_CAST "address");
			if (a != NULL && strcasecmp((const char *)a, mac) == 0)
				name = virDomainGetName(doms[i]);
			xmlFree(a);
		}
		xmlXPathFreeObject(macs);
		xmlXPathFreeContext(ctx);
	}
	return name;
}

void hosts_vm_names(const struct lanctl_opts *opts, struct json_object *hosts)
{
	virDomainPtr *doms = NULL;
	xmlDocPtr *docs = NULL;
	struct json_object *h;
	const char *name;
	struct virt v = { 0 };
	size_t i;
	int n = -1, d;

	if (!json_object_is_type(hosts, json_type_array))
		return;
	if (virt_open_quiet(&v, opts->uri) == 0) {
		n = virConnectListAllDomains(v.conn, &doms, 0);
		docs = n > 0 ? calloc((size_t)n, sizeof(*docs)) : NULL;
		for (d = 0; docs != NULL && d < n; d++)
			docs[d] = virt_domain_read(doms[d], !virt_domain_running(doms[d]));
	}
	for (i = 0; i < json_object_array_length(hosts); i++) {
		h = json_object_array_get_idx(hosts, i);
		name = docs != NULL ? hosts_vm_of(doms, docs, n, print_get_str(h, "mac") ?: "")
		                    : NULL;
		json_object_object_add(h, "vm", name != NULL ? json_object_new_string(name) : NULL);
	}
	for (d = 0; d < n; d++) {
		if (docs != NULL)
			xmlFreeDoc(docs[d]);
		virDomainFree(doms[d]);
	}
	free(docs);
	free(doms);
	virt_close(&v);
}

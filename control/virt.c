/* SPDX-License-Identifier: BSD-3-Clause */
/* lanctl's libvirt connection and the few calls every vm command makes (virt.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virt.h"
#include "vm_xml.h"

/* libvirt prints each error on stderr unless a handler takes it: ours keeps it for virt_error. */
static void virt_error_keep(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

const char *virt_error(void)
{
	virErrorPtr e = virGetLastError();

	return e != NULL && e->message != NULL ? e->message : "unknown libvirt error";
}

int virt_error_code(void)
{
	virErrorPtr e = virGetLastError();

	return e != NULL ? e->code : VIR_ERR_OK;
}

int virt_open_quiet(struct virt *v, const char *uri)
{
	virSetErrorFunc(NULL, virt_error_keep);
	v->uri = uri;
	v->conn = virConnectOpen(uri);
	return v->conn != NULL ? 0 : -ECONNREFUSED;
}

int virt_open(struct virt *v, const char *uri)
{
	int ret = virt_open_quiet(v, uri);

	if (ret < 0)
		fprintf(stderr, "lanctl: libvirt %s: %s\n", uri, virt_error());
	return ret;
}

void virt_close(struct virt *v)
{
	if (v->conn != NULL)
		virConnectClose(v->conn);
	v->conn = NULL;
}

int virt_domain_find(struct virt *v, const char *name, virDomainPtr *dom)
{
	*dom = virDomainLookupByName(v->conn, name);
	if (*dom != NULL)
		return 0;
	if (virt_error_code() == VIR_ERR_NO_DOMAIN)
		fprintf(stderr, "lanctl: domain \"%s\": not found on %s\n", name, v->uri);
	else
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", name, virt_error());
	return -ENOENT;
}

char *virt_domain_text(virDomainPtr dom)
{
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

	if (xml == NULL)
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", virDomainGetName(dom), virt_error());
	return xml;
}

xmlDocPtr virt_domain_read(virDomainPtr dom, bool inactive)
{
	char *xml, err[256];
	xmlDocPtr doc;

	xml = virDomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (xml == NULL) {
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", virDomainGetName(dom), virt_error());
		return NULL;
	}
	doc = vm_xml_read(xml, err, sizeof(err));
	if (doc == NULL)
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", virDomainGetName(dom), err);
	free(xml);
	return doc;
}

int virt_domain_define(struct virt *v, const char *name, xmlDocPtr doc, const char *text)
{
	char *xml = doc != NULL ? vm_xml_write(doc) : NULL;
	virDomainPtr dom;
	int ret = 0;

	if (doc != NULL && xml == NULL) {
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	/* VALIDATE: libvirt's schema first, so a mistake of ours is refused, not stored */
	dom = virDomainDefineXMLFlags(v->conn, xml != NULL ? xml : text,
	                              VIR_DOMAIN_DEFINE_VALIDATE);
	if (dom == NULL) {
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", name, virt_error());
		ret = -EINVAL;
	} else {
		virDomainFree(dom);
	}
	free(xml);
	return ret;
}

bool virt_domain_running(virDomainPtr dom)
{
	return virDomainIsActive(dom) == 1;
}

const char *virt_domain_state(virDomainPtr dom)
{
	static const char *const names[VIR_DOMAIN_PMSUSPENDED + 1] = {
		[VIR_DOMAIN_NOSTATE] = "no state",     [VIR_DOMAIN_RUNNING] = "running",
		[VIR_DOMAIN_BLOCKED] = "idle",         [VIR_DOMAIN_PAUSED] = "paused",
		[VIR_DOMAIN_SHUTDOWN] = "in shutdown", [VIR_DOMAIN_SHUTOFF] = "shut off",
		[VIR_DOMAIN_CRASHED] = "crashed",      [VIR_DOMAIN_PMSUSPENDED] = "pmsuspended",
	};
	int state, reason;

	if (virDomainGetState(dom, &state, &reason, 0) < 0 || state < 0 ||
	    state > VIR_DOMAIN_PMSUSPENDED || names[state] == NULL)
		return "unknown";
	return names[state];
}

int virt_network_bridge(void *ctx, const char *network, char *bridge, size_t len, char *err,
                        size_t errlen)
{
	struct virt *v = ctx;
	virNetworkPtr net;
	char *name;

	bridge[0] = '\0';
	net = virNetworkLookupByName(v->conn, network);
	if (net == NULL) {
		if (virt_error_code() == VIR_ERR_NO_NETWORK)
			return 0; /* undefined: no bridge, so not BR */
		snprintf(err, errlen, "%s", virt_error());
		return -EIO;
	}
	/*
	 * A network without a bridge (macvtap, hostdev, forward mode='bridge' onto an
	 * interface) has no name to give: it cannot be BR either.
	 */
	name = virNetworkGetBridgeName(net);
	if (name != NULL)
		snprintf(bridge, len, "%s", name);
	free(name);
	virNetworkFree(net);
	return 0;
}

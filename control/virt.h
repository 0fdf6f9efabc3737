/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanctl's libvirt connection (the C API; never virsh): open it, find domains, read and define
 * their XML, tell their state, ask which bridge a network is. lanswitchd never links this.
 *
 * libvirt's errors are captured (virSetErrorFunc) and never printed by libvirt itself, which
 * would write its own lines on stderr: each failure here is one line that names what failed
 * (the URI, the domain) and gives libvirt's own reason. Functions that print say so; they
 * return a negative errno.
 */
#ifndef LANSWITCH_VIRT_H
#define LANSWITCH_VIRT_H

#include <stdbool.h>
#include <stddef.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>

struct virt {
	virConnectPtr conn;
	const char *uri;
};

/* Connects to uri. Prints "lanctl: libvirt URI: REASON" on failure. */
int virt_open(struct virt *v, const char *uri);
/*
 * The same without a word: -ECONNREFUSED with virt_error() saying why. For the follow agent,
 * which tries again every few seconds and says once that libvirt is away.
 */
int virt_open_quiet(struct virt *v, const char *uri);
void virt_close(struct virt *v);

/* libvirt's reason for the last call that failed in this thread. */
const char *virt_error(void);
/* The libvirt error code of that failure (VIR_ERR_NO_DOMAIN...), VIR_ERR_OK without one. */
int virt_error_code(void);

/*
 * The domain called name. Prints "lanctl: domain "NAME": not found on URI" (or libvirt's
 * reason) on failure. Free with virDomainFree.
 */
int virt_domain_find(struct virt *v, const char *name, virDomainPtr *dom);

/*
 * The domain's persistent definition (inactive) or its running one, as a document. Prints on
 * failure; NULL then. Free with xmlFreeDoc.
 */
xmlDocPtr virt_domain_read(virDomainPtr dom, bool inactive);
/* The persistent definition as text, malloc'ed (for undoing a define); prints on failure. */
char *virt_domain_text(virDomainPtr dom);

/*
 * Defines the document (or the text, when doc is NULL) as the domain's persistent definition,
 * validated against libvirt's schema first. Prints "lanctl: domain "NAME": REASON" on failure.
 */
int virt_domain_define(struct virt *v, const char *name, xmlDocPtr doc, const char *text);

/* Whether the domain runs (is active); a failure counts as not running. */
bool virt_domain_running(virDomainPtr dom);
/* Its state in virsh's words: "running", "shut off", "paused"... */
const char *virt_domain_state(virDomainPtr dom);

/*
 * The vm_net_resolver of vm_xml_convert (ctx: the struct virt): the bridge of a libvirt
 * network, "" when libvirt has no such network or the network has no bridge (macvtap,
 * hostdev); an error when libvirt cannot say.
 */
int virt_network_bridge(void *ctx, const char *network, char *bridge, size_t len, char *err,
                        size_t errlen);

#endif

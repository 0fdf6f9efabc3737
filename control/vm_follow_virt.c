/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The follow agent's libvirt side (vm_follow.h): the connection with its keepalive, its close
 * callback and the domain event callbacks, and the ports every domain's metadata names.
 *
 * The callbacks run inside virEventRunDefaultImpl (or inside a libvirt call of the loop's,
 * when that call is the one to find the connection closed): each records what happened in the
 * struct vm_follow and returns. virDomainGetName only reads the domain object, no RPC.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_cmd.h"
#include "vm_follow.h"

/* The domain events whose domain may name other ports now, or none. */
static bool vm_follow_virt_changes_ports(int event)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_DEFINED:   /* vm attach, convert, detach; a define of any kind */
	case VIR_DOMAIN_EVENT_UNDEFINED: /* its ports go, unless it still runs (transient now) */
	case VIR_DOMAIN_EVENT_STARTED:   /* a transient domain's ports come with it */
	case VIR_DOMAIN_EVENT_STOPPED:   /* and go with it */
		return true;
	default: /* suspended, resumed, shut down inside, crashed: the ports stay as they are */
		return false;
	}
}

static void vm_follow_virt_record(struct vm_follow *f, virDomainPtr dom, int event, int detail)
{
	struct vm_follow_event *e;

	f->sync_due = true;
	if (f->nevents == VM_FOLLOW_EVENTS_MAX) {
		f->events_lost++; /* the pass after them covers every domain anyway */
		return;
	}
	e = &f->events[f->nevents++];
	snprintf(e->domain, sizeof(e->domain), "%s", virDomainGetName(dom));
	e->event = event;
	e->detail = detail;
}

static int vm_follow_virt_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
                                    void *opaque)
{
	if (vm_follow_virt_changes_ports(event))
		vm_follow_virt_record(opaque, dom, event, detail);
	return 0;
}

/* virDomainSetMetadata of lanswitch's element, live or persistent: no define event comes. */
static void vm_follow_virt_metadata(virConnectPtr conn, virDomainPtr dom, int type,
                                    const char *nsuri, void *opaque)
{
	if (type == VIR_DOMAIN_METADATA_ELEMENT && nsuri != NULL && strcmp(nsuri, VM_XML_NS) == 0)
		vm_follow_virt_record(opaque, dom, -1, 0);
}

/* libvirtd went away (or stopped answering keepalives): the loop reconnects. */
static void vm_follow_virt_closed(virConnectPtr conn, int reason, void *opaque)
{
	struct vm_follow *f = opaque;

	f->libvirt_lost = true;
	f->lost_reason = reason;
}

const char *vm_follow_virt_reason(int reason)
{
	switch (reason) {
	case VIR_CONNECT_CLOSE_REASON_EOF:
		return "end of file";
	case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
		return "keepalive timeout";
	case VIR_CONNECT_CLOSE_REASON_CLIENT:
		return "closed by this client";
	default:
		return "I/O error";
	}
}

const char *vm_follow_virt_event_name(int event)
{
	switch (event) {
	case -1:
		return "lanswitch metadata changed";
	case VIR_DOMAIN_EVENT_DEFINED:
		return "defined";
	case VIR_DOMAIN_EVENT_UNDEFINED:
		return "undefined";
	case VIR_DOMAIN_EVENT_STARTED:
		return "started";
	case VIR_DOMAIN_EVENT_STOPPED:
		return "stopped";
	default:
		return "event";
	}
}

int vm_follow_virt_connect(struct vm_follow *f)
{
	virConnectPtr conn;
	int ret;

	ret = virt_open_quiet(&f->virt, f->opts->uri);
	if (ret < 0)
		return ret;
	conn = f->virt.conn;
	f->libvirt_lost = false;
	/*
	 * A libvirtd that hangs, not only one that exits, must end the connection: after
	 * VM_FOLLOW_KEEPALIVE_COUNT unanswered pings the close callback runs. A driver without
	 * keepalive (a local one such as test:///) needs none: it cannot go away.
	 */
	if (virConnectSetKeepAlive(conn, VM_FOLLOW_KEEPALIVE_S, VM_FOLLOW_KEEPALIVE_COUNT) < 0 &&
	    virt_error_code() != VIR_ERR_NO_SUPPORT)
		goto fail;
	if (virConnectRegisterCloseCallback(conn, vm_follow_virt_closed, f, NULL) < 0)
		goto fail;
	f->lifecycle_id = virConnectDomainEventRegisterAny(
	        conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
	        VIR_DOMAIN_EVENT_CALLBACK(vm_follow_virt_lifecycle), f, NULL);
	if (f->lifecycle_id < 0)
		goto fail;
	f->metadata_id = virConnectDomainEventRegisterAny(
	        conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
	        VIR_DOMAIN_EVENT_CALLBACK(vm_follow_virt_metadata), f, NULL);
	if (f->metadata_id < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "lanctl: vm follow: libvirt %s: following its domains: %s\n", f->opts->uri,
	        virt_error());
	vm_follow_virt_drop(f);
	return -EIO;
}

void vm_follow_virt_drop(struct vm_follow *f)
{
	virConnectPtr conn = f->virt.conn;

	if (conn == NULL)
		return;
	/*
	 * On a connection libvirtd closed, each deregistration fails to tell the daemon, but
	 * takes the callback (and its reference on the connection) off this side first, which is
	 * what lets virConnectClose free it: the failures are not errors here.
	 */
	if (f->metadata_id >= 0)
		virConnectDomainEventDeregisterAny(conn, f->metadata_id);
	if (f->lifecycle_id >= 0)
		virConnectDomainEventDeregisterAny(conn, f->lifecycle_id);
	virConnectUnregisterCloseCallback(conn, vm_follow_virt_closed);
	virt_close(&f->virt);
	virResetLastError();
	f->metadata_id = -1;
	f->lifecycle_id = -1;
}

static int vm_follow_virt_by_name(const void *a, const void *b)
{
	return strcmp(virDomainGetName(*(virDomainPtr const *)a),
	              virDomainGetName(*(virDomainPtr const *)b));
}

/* The table grown to hold n more. */
static int vm_follow_virt_grow(struct vm_follow_want **want, unsigned int n, unsigned int more)
{
	struct vm_follow_want *grown = realloc(*want, sizeof(**want) * (n + more));

	if (grown == NULL)
		return -ENOMEM;
	*want = grown;
	return 0;
}

/*
 * The domain's ports appended to *want. A domain whose ports cannot be read is said, and
 * clears *complete; one undefined since the list was made has none (its event follows).
 */
static int vm_follow_virt_domain(virDomainPtr dom, struct vm_follow_want **want, unsigned int *n,
                                 bool *complete)
{
	struct vm_port ports[VM_PORTS_MAX];
	const char *name = virDomainGetName(dom);
	unsigned int flags = VIR_DOMAIN_AFFECT_CONFIG;
	char *meta, err[256];
	int persistent, k, i;

	persistent = virDomainIsPersistent(dom);
	if (persistent == 0) {
		/* transient: its running definition, while it runs */
		if (virDomainIsActive(dom) != 1)
			return 0;
		flags = VIR_DOMAIN_AFFECT_LIVE;
	}
	meta = persistent < 0
	               ? NULL
	               : virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, VM_XML_NS, flags);
	if (meta == NULL) {
		if (virt_error_code() == VIR_ERR_NO_DOMAIN_METADATA ||
		    virt_error_code() == VIR_ERR_NO_DOMAIN)
			return 0;
		fprintf(stderr, "lanctl: vm follow: domain \"%s\": %s\n", name, virt_error());
		*complete = false;
		return 0;
	}
	k = vm_xml_metadata_parse(meta, ports, VM_PORTS_MAX, err, sizeof(err));
	free(meta);
	if (k < 0) {
		fprintf(stderr, "lanctl: vm follow: domain \"%s\": %s\n", name, err);
		*complete = false;
		return 0;
	}
	if (k > 0 && vm_follow_virt_grow(want, *n, (unsigned int)k) < 0)
		return -ENOMEM;
	for (i = 0; i < k; i++) {
		(*want)[*n].domain = strdup(name);
		if ((*want)[*n].domain == NULL)
			return -ENOMEM;
		(*want)[*n].port = ports[i];
		(*n)++;
	}
	return 0;
}

int vm_follow_virt_wanted(struct vm_follow *f, struct vm_follow_want **want, unsigned int *n,
                          bool *complete)
{
	virDomainPtr *doms = NULL;
	int ndoms, i, ret = 0;

	*want = NULL;
	*n = 0;
	*complete = true;
	ndoms = virConnectListAllDomains(f->virt.conn, &doms, 0);
	if (ndoms < 0) {
		fprintf(stderr, "lanctl: vm follow: libvirt %s: listing domains: %s\n",
		        f->opts->uri, virt_error());
		return -EIO;
	}
	qsort(doms, (size_t)ndoms, sizeof(*doms), vm_follow_virt_by_name);
	for (i = 0; i < ndoms; i++) {
		if (ret == 0)
			ret = vm_follow_virt_domain(doms[i], want, n, complete);
		virDomainFree(doms[i]);
	}
	free(doms);
	if (ret == 0 && f->libvirt_lost) /* closed halfway: what was read may be short */
		ret = -EIO;
	if (ret == -ENOMEM)
		fprintf(stderr, "lanctl: vm follow: the domains' ports: %s\n", strerror(ENOMEM));
	if (ret < 0) {
		vm_follow_virt_want_free(*want, *n);
		*want = NULL;
		*n = 0;
		return -EIO;
	}
	return 0;
}

void vm_follow_virt_want_free(struct vm_follow_want *want, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free((char *)want[i].domain);
	free(want);
}

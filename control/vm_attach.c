/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl vm attach DOMAIN [--mac MAC] [--vlan N | --trunk LIST [--native N]] [--queues N]
 * [--add] [--dhcp-server] [--socket-dir DIR]`: a port on the switch, and an <interface
 * type='vhostuser'> on it in the domain's persistent definition, with the port in the domain's
 * metadata. The port is guarded (vm_guard.c): allowed-mac the interface's MAC, dhcp-server and
 * ra-guard deny, or allow with --dhcp-server (the domain is the router).
 *
 * Checked first: --queues (the switch serves one queue pair per port: a guest with more
 * would lose frames), the domain (known, persistent, not on the switch already unless --add
 * asks for another interface), the MAC, the socket path's length. Then the domain's document
 * is edited in memory: the interface, its memory shared when it was not (vhost-user needs the
 * guest's RAM shared with the switch, and libvirt only warns, with false positives, when it
 * is not: the guest would just have no network), the metadata. Then the port is made, and the
 * document defined; if the define fails the port is deleted again.
 *
 * A running domain whose running definition has shared memory also gets the interface live
 * (hot-plug). One without gets no live change, since the guest could not use it: shared
 * memory, like the interface, comes at its next cold start, and lanctl says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <json-c/json.h>

#include "virt.h"
#include "vm_cmd.h"

#define VM_ATTACH_COLD_START                                                                      \
	"at its next cold start (shut it down, then start it: a reboot from inside the guest is " \
	"not enough)"

struct vm_attach {
	const struct lanctl_opts *opts;
	struct vm_args args;
	struct virt virt;
	virDomainPtr dom;
	const char *name;                       /* libvirt's, owned by dom */
	xmlDocPtr doc;                          /* the persistent definition, edited */
	struct vm_port ports[VM_PORTS_MAX + 1]; /* its metadata's, then the new port */
	unsigned int nports;
	struct vm_port *port;                 /* the new one, last of ports */
	struct vm_iface ifaces[VM_PORTS_MAX]; /* its interfaces in the socket directory */
	int nifaces;
	struct vm_mem_change memory;
	bool running;
	bool live; /* running with shared memory: hot-plug */
	bool hotplugged;
	bool live_failed; /* the hot-plug or the running metadata failed (said) */
};

/* The domain, its persistent definition, and what of it is on the switch already. */
static int vm_attach_read(struct vm_attach *a)
{
	char err[256];
	int n;

	if (virt_domain_find(&a->virt, a->args.pos[0], &a->dom) < 0)
		return -ENOENT;
	a->name = virDomainGetName(a->dom);
	if (virDomainIsPersistent(a->dom) != 1) {
		fprintf(stderr,
		        "lanctl: domain \"%s\" is transient: vm attach changes its persistent "
		        "definition (define it first)\n",
		        a->name);
		return -EINVAL;
	}
	a->doc = virt_domain_read(a->dom, true);
	if (a->doc == NULL)
		return -EIO;
	n = vm_xml_metadata_read(a->doc, a->ports, VM_PORTS_MAX, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", a->name, err);
		return n;
	}
	a->nports = (unsigned int)n;
	a->nifaces = vm_xml_lanswitch_ifaces(a->doc, a->args.socket_dir, a->ifaces, VM_PORTS_MAX);
	if (a->nifaces > VM_PORTS_MAX)
		a->nifaces = VM_PORTS_MAX;
	if ((a->nports > 0 || a->nifaces > 0) && !a->args.set[VM_OPT_ADD]) {
		fprintf(stderr,
		        "lanctl: domain \"%s\" is on the switch already (%s %s, MAC %s): --add "
		        "attaches another interface\n",
		        a->name, a->nports > 0 ? "port" : "socket",
		        a->nports > 0 ? a->ports[0].name : a->ifaces[0].socket,
		        a->nports > 0 ? a->ports[0].mac : a->ifaces[0].mac);
		return -EEXIST;
	}
	return 0;
}

/* Whether one of the domain's ports has this name or socket already. */
static bool vm_attach_taken(const struct vm_attach *a, const struct vm_port *p)
{
	unsigned int i;
	int k;

	for (i = 0; i < a->nports; i++)
		if (strcmp(a->ports[i].name, p->name) == 0 ||
		    strcmp(a->ports[i].socket, p->socket) == 0)
			return true;
	for (k = 0; k < a->nifaces; k++)
		if (strcmp(a->ifaces[k].socket, p->socket) == 0)
			return true;
	return false;
}

/* A MAC in libvirt's own range (52:54:00), none of the domain's interfaces has. */
static int vm_attach_mac(struct vm_attach *a, struct vm_port *p)
{
	uint8_t r[3];
	int position;

	if (a->args.set[VM_OPT_MAC]) {
		position = vm_xml_mac_position(a->doc, a->args.mac);
		if (position > 0) {
			fprintf(stderr,
			        "lanctl: domain \"%s\": MAC %s is its interface #%d's already\n",
			        a->name, a->args.mac, position);
			return -EEXIST;
		}
		snprintf(p->mac, sizeof(p->mac), "%s", a->args.mac);
		return 0;
	}
	do {
		if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
			fprintf(stderr, "lanctl: a MAC for domain \"%s\": getrandom: %s\n", a->name,
			        strerror(errno));
			return -EIO;
		}
		snprintf(p->mac, sizeof(p->mac), "52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
	} while (vm_xml_mac_position(a->doc, p->mac) > 0);
	return 0;
}

/* The new port: the next free name (the domain's, then ".1"...), its socket, MAC and VLANs. */
static int vm_attach_port(struct vm_attach *a)
{
	struct vm_port *p = &a->ports[a->nports];
	unsigned int index;
	char err[256];
	int ret;

	memset(p, 0, sizeof(*p));
	for (index = 0;; index++) {
		vm_port_name(a->name, index, p->name, sizeof(p->name));
		if (vm_socket_path(a->args.socket_dir, p->name, p->socket, sizeof(p->socket), err,
		                   sizeof(err)) < 0) {
			fprintf(stderr, "lanctl: domain \"%s\": %s\n", a->name, err);
			return -EINVAL;
		}
		if (!vm_attach_taken(a, p))
			break;
	}
	p->vlan = a->args.vlan;
	a->port = p;
	a->nports++;
	ret = vm_attach_mac(a, p);
	/* a guest's port sends from its MAC alone, and serves no DHCP or RA unless the router's */
	if (ret == 0)
		vm_guard_init(&p->guard, p->mac, a->args.set[VM_OPT_DHCP_SERVER]);
	return ret;
}

/* The persistent definition in memory: shared memory, the interface, the metadata. */
static int vm_attach_edit(struct vm_attach *a)
{
	char err[256];
	int ret;

	ret = vm_xml_memory_share(a->doc, &a->memory);
	if (ret == 0)
		ret = vm_xml_interface_add(a->doc, a->port->mac, a->port->socket, err, sizeof(err));
	if (ret == 0)
		ret = vm_xml_metadata_set(a->doc, a->ports, a->nports, err, sizeof(err));
	if (ret < 0)
		fprintf(stderr, "lanctl: domain \"%s\": %s\n", a->name,
		        ret == -ENOMEM ? strerror(ENOMEM) : err);
	return ret;
}

/* Whether the running domain can take the interface now: its running memory is shared. */
static int vm_attach_live_check(struct vm_attach *a)
{
	xmlDocPtr live;
	char why[256];

	a->running = virt_domain_running(a->dom);
	if (!a->running)
		return 0;
	live = virt_domain_read(a->dom, false);
	if (live == NULL)
		return -EIO;
	a->live = vm_xml_memory_shared(live, why, sizeof(why)) == 1;
	xmlFreeDoc(live);
	return 0;
}

/* The port into the running definition's metadata too: its own ports, then this one. */
static int vm_attach_live_metadata(struct vm_attach *a, char *err, size_t errlen)
{
	struct vm_port ports[VM_PORTS_MAX + 1];
	char *meta = NULL;
	xmlDocPtr live;
	int n, ret;

	live = virt_domain_read(a->dom, false);
	if (live == NULL) {
		snprintf(err, errlen, "its running definition could not be read");
		return -EIO;
	}
	n = vm_xml_metadata_read(live, ports, VM_PORTS_MAX, err, errlen);
	xmlFreeDoc(live);
	if (n < 0)
		return n;
	ports[n++] = *a->port;
	ret = vm_xml_metadata_format(ports, (unsigned int)n, &meta, err, errlen);
	if (ret == 0 &&
	    virDomainSetMetadata(a->dom, VIR_DOMAIN_METADATA_ELEMENT, meta, VM_XML_NS_KEY,
	                         VM_XML_NS, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		snprintf(err, errlen, "%s", virt_error());
		ret = -EIO;
	}
	free(meta);
	return ret;
}

/*
 * The interface into the running guest. The persistent definition has it already: a failure
 * here is said (exit code 1), and the interface comes at the next cold start.
 */
static void vm_attach_hotplug(struct vm_attach *a)
{
	char *iface = NULL, err[256];

	if (vm_xml_interface_new(a->port->mac, a->port->socket, &iface, err, sizeof(err)) == 0 &&
	    virDomainAttachDeviceFlags(a->dom, iface, VIR_DOMAIN_AFFECT_LIVE) < 0)
		snprintf(err, sizeof(err), "%s", virt_error());
	else if (iface != NULL)
		a->hotplugged = true;
	free(iface);
	if (!a->hotplugged) {
		fprintf(stderr,
		        "lanctl: domain \"%s\": attached in its persistent definition, but the "
		        "hot-plug failed: %s; the interface comes " VM_ATTACH_COLD_START "\n",
		        a->name, err);
		a->live_failed = true;
		return;
	}
	if (vm_attach_live_metadata(a, err, sizeof(err)) < 0) {
		fprintf(stderr,
		        "lanctl: domain \"%s\": hot-plugged, but its running metadata was not "
		        "updated (its persistent one was): %s\n",
		        a->name, err);
		a->live_failed = true;
	}
}

static void vm_attach_print_text(const struct vm_attach *a)
{
	char settings[512];

	vm_out_settings(a->port, settings, sizeof(settings));
	printf("domain \"%s\": attached on port %s (MAC %s, socket %s, %s)\n", a->name,
	       a->port->name, a->port->mac, a->port->socket, settings);
	if (a->memory.changed)
		printf("domain \"%s\": memory shared with the switch, as vhost-user needs: %s\n",
		       a->name, a->memory.what);
	if (a->hotplugged)
		printf("domain \"%s\" is running: the interface was hot-plugged\n", a->name);
	else if (a->running && !a->live)
		printf("domain \"%s\" is running without shared memory, so nothing changed in it "
		       "(a vhost-user interface would have no network there): the interface%s "
		       "takes effect " VM_ATTACH_COLD_START "\n",
		       a->name, a->memory.changed ? " and the shared memory" : "");
	else if (!a->running && a->memory.changed)
		printf("domain \"%s\": the shared memory takes effect " VM_ATTACH_COLD_START "\n",
		       a->name);
}

static int vm_attach_print(const struct vm_attach *a)
{
	struct json_object *o, *mem;
	int status;

	if (!a->opts->json) {
		vm_attach_print_text(a);
		return vm_out_json(a->opts, NULL);
	}
	o = json_object_new_object();
	json_object_object_add(o, "domain", json_object_new_string(a->name));
	vm_out_port_json(o, a->port);
	json_object_object_add(o, "running", json_object_new_boolean(a->running));
	json_object_object_add(o, "hotplugged", json_object_new_boolean(a->hotplugged));
	mem = json_object_new_object();
	json_object_object_add(mem, "changed", json_object_new_boolean(a->memory.changed));
	json_object_object_add(mem, "what", json_object_new_string(a->memory.what));
	json_object_object_add(o, "memory", mem);
	status = vm_out_json(a->opts, o);
	json_object_put(o);
	return status;
}

/*
 * Checked and edited in memory: now the definition, then the port, then the running guest.
 * The definition first, as vm convert does: a port that no domain names yet is one the follow
 * agent removes, and it could remove it between the port's add and its guard. A port that
 * fails puts the old definition back.
 */
static int vm_attach_apply(struct vm_attach *a)
{
	struct json_object *ports;
	char *original;
	int ret, made;

	ret = vm_sockdir_make(a->args.socket_dir);
	if (ret < 0)
		return ret;
	/* a switch that does not answer: nothing changes in libvirt */
	ret = vm_switch_ports(a->opts, &ports);
	if (ret < 0)
		return ret;
	json_object_put(ports);
	original = virt_domain_text(a->dom);
	if (original == NULL)
		return -EIO;
	ret = virt_domain_define(&a->virt, a->name, a->doc, NULL);
	if (ret < 0)
		goto out;
	made = vm_switch_port_add(a->opts, a->port);
	if (made < 0) {
		if (virt_domain_define(&a->virt, a->name, NULL, original) == 0)
			fprintf(stderr, "lanctl: undone: domain \"%s\" defined as it was\n",
			        a->name);
		ret = made;
		goto out;
	}
	if (a->live)
		vm_attach_hotplug(a);
out:
	free(original);
	return ret;
}

int vm_attach_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	struct vm_attach a = { .opts = opts };
	int ret;

	if (vm_args_read(def, argc, argv, &a.args) < 0)
		return LANCTL_EXIT_USAGE;
	if (a.args.queues > 1) {
		fprintf(stderr,
		        "lanctl: vm attach: --queues %lu: the switch serves one queue pair per "
		        "port for now, and a guest with more would lose frames\n",
		        a.args.queues);
		return LANCTL_EXIT_REFUSED;
	}
	if (virt_open(&a.virt, opts->uri) < 0)
		return LANCTL_EXIT_REFUSED;
	ret = vm_attach_read(&a);
	if (ret == 0)
		ret = vm_attach_port(&a);
	if (ret == 0)
		ret = vm_attach_edit(&a);
	if (ret == 0)
		ret = vm_attach_live_check(&a);
	if (ret == 0)
		ret = vm_attach_apply(&a);
	if (ret == 0) {
		ret = vm_attach_print(&a);
		/* attached, but not live: what was done is printed, what failed was said */
		if (a.live_failed)
			ret = LANCTL_EXIT_REFUSED;
	} else {
		ret = vm_exit(ret);
	}
	vm_mem_change_clear(&a.memory);
	xmlFreeDoc(a.doc);
	if (a.dom != NULL)
		virDomainFree(a.dom);
	virt_close(&a.virt);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The doctor's checks of the domains on the switch (doctor.h), those whose lanswitch metadata
 * names ports: their memory is shared with the switch, their ports are on it with the guard
 * the metadata records, and a running one's links are up.
 *
 * A guest that just started has its port down until its virtio-net driver starts: the link
 * check leaves a domain alone for DOCTOR_BOOT_S after its start. libvirt's API does not tell
 * when a domain started; its QEMU's pid file, which the system instance writes at the start
 * (/run/libvirt/qemu/NAME.pid), does. Where it cannot be read (another URI, a user not root)
 * the finding says that a domain that just started may still be booting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#include "doctor.h"
#include "vm_follow_plan.h"

#define DOCTOR_BOOT_S 120 /* a guest's driver is up by then, Windows' included */
#define DOCTOR_PID_DIR "/run/libvirt/qemu"
#define DOCTOR_COLD_START "then shut it down and start it: a reboot inside the guest is not enough"

/* The element on one line, as a fix quotes it: indentation and newlines dropped. */
static void doctor_vm_flat(const char *xml, char *buf, size_t len)
{
	size_t n = 0;

	for (; *xml != '\0' && n + 1 < len; xml++) {
		if (*xml == '\n') {
			while (xml[1] == ' ')
				xml++;
			continue;
		}
		buf[n++] = *xml;
	}
	buf[n] = '\0';
}

/* The fix of a definition whose memory is not shared: what vm_xml_memory_share would make. */
static void doctor_vm_memory_fix(const char *name, xmlDocPtr doc, char *fix, size_t len)
{
	struct vm_mem_change change;
	xmlDocPtr copy = xmlCopyDoc(doc, 1);
	char backing[256];

	if (copy != NULL && vm_xml_memory_share(copy, &change) == 0 && change.new_xml != NULL) {
		doctor_vm_flat(change.new_xml, backing, sizeof(backing));
		snprintf(fix, len,
		         "virsh edit %s: %s%s%s (what lanctl vm attach adds), " DOCTOR_COLD_START,
		         name, backing, strstr(change.what, "NUMA") != NULL ? "; " : "",
		         strstr(change.what, "NUMA") != NULL ? change.what : "");
	} else {
		snprintf(fix, len,
		         "virsh edit %s: <memoryBacking><source type=\"memfd\"/><access "
		         "mode=\"shared\"/></memoryBacking>, " DOCTOR_COLD_START,
		         name);
	}
	if (copy != NULL)
		vm_mem_change_clear(&change);
	xmlFreeDoc(copy);
}

void doctor_vm_memory(struct doctor *d)
{
	char why[256], fix[1024];
	struct doctor_dom *x;
	unsigned int i;

	for (i = 0; i < d->ndoms; i++) {
		x = &d->doms[i];
		if (x->nports == 0)
			continue;
		/* the definition the next start uses; a transient domain has only the running one
		 */
		if (vm_xml_memory_shared(x->config != NULL ? x->config : x->live, why,
		                         sizeof(why)) == 0) {
			doctor_vm_memory_fix(x->name, x->config != NULL ? x->config : x->live, fix,
			                     sizeof(fix));
			doctor_addf(
			        d, fix,
			        "domain \"%s\" is on the switch, but its memory is not shared with "
			        "it (%s): the guest gets no network",
			        x->name, why);
			continue;
		}
		/* shared since it started (attach, convert): not until its next cold start */
		if (x->live != NULL && vm_xml_memory_shared(x->live, why, sizeof(why)) == 0) {
			snprintf(fix, sizeof(fix),
			         "virsh shutdown %s, then virsh start %s: a reboot "
			         "inside the guest is not enough",
			         x->name, x->name);
			doctor_addf(
			        d, fix,
			        "domain \"%s\" runs without its memory shared with the switch "
			        "(%s), "
			        "which its definition has now: the guest gets no network until its "
			        "next cold start",
			        x->name, why);
		}
	}
}

/* The settings of keys (VM_GUARD_BIT) in g, in port set's words: "dhcp-server allow". */
static void doctor_vm_guard_words(const struct vm_guard *g, unsigned int keys, const char *port,
                                  const char *before, const char *sep, char *buf, size_t len)
{
	char *words[VM_GUARD_WORDS_MAX];
	size_t used = 0;
	unsigned int k;
	int n, i;

	buf[0] = '\0';
	for (k = 0; k < VM_GUARD_KEYS && used < len; k++) {
		if (!(keys & VM_GUARD_BIT(k)))
			continue;
		n = vm_guard_words(g, (enum vm_guard_key)k, port, words);
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used > 0 ? sep : "",
		                         before);
		for (i = 3; i < n && used < len; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i > 3 ? " " : "",
			                         words[i]);
	}
}

/* The `port set` its VLANs need, after "; ", unless it is the switch's default. */
static void doctor_vm_vlan_fix(const struct vm_port *p, char *fix, size_t len)
{
	char *trunk;

	fix[0] = '\0';
	if (p->vlan.access == 1)
		return;
	if (p->vlan.access != 0) {
		snprintf(fix, len, "; lanctl port set %s vlan %u", p->name, p->vlan.access);
		return;
	}
	trunk = vm_vlan_trunk_text(&p->vlan);
	if (trunk == NULL)
		return;
	if (p->vlan.native != 0)
		snprintf(fix, len, "; lanctl port set %s trunk %s --native %u", p->name, trunk,
		         p->vlan.native);
	else
		snprintf(fix, len, "; lanctl port set %s trunk %s", p->name, trunk);
	free(trunk);
}

/* `port add`, and the `port set`s its VLANs and guard need, as vm_switch.c sends them. */
static void doctor_vm_port_fix(const struct vm_port *p, char *fix, size_t len)
{
	char vlan[VM_VLAN_MAX * 5 + 64], guard[1024], lanctl[VM_PORT_NAME_MAX + 32];
	unsigned int k, keys = 0;
	struct vm_guard off;

	doctor_vm_vlan_fix(p, vlan, sizeof(vlan));
	/* on a new port: the settings that are not the switch's defaults */
	vm_guard_off(&off);
	for (k = 0; k < VM_GUARD_KEYS && p->guard.recorded; k++)
		if (!vm_guard_key_equal(&p->guard, &off, (enum vm_guard_key)k))
			keys |= VM_GUARD_BIT(k);
	snprintf(lanctl, sizeof(lanctl), "; lanctl port set %s ", p->name);
	doctor_vm_guard_words(&p->guard, keys, p->name, lanctl, "", guard, sizeof(guard));
	snprintf(fix, len, "lanctl port add %s vhost %s%s%s", p->name, p->socket, vlan, guard);
}

/*
 * A port on the switch whose guard is not the one its domain's metadata records: a guest's
 * port that lets a DHCP server or a spoofed MAC through (set by hand, or restored from a state
 * file of before). The agent puts it back at its next pass; without the agent it stays.
 */
static void doctor_vm_guard(struct doctor *d, const struct doctor_dom *x, const struct vm_port *p,
                            struct json_object *port)
{
	char had[512], want[512], fix[1024], lanctl[VM_PORT_NAME_MAX + 32];
	struct vm_guard have;
	unsigned int k, diff = 0;

	vm_switch_guard_read(port, &have);
	if (!vm_follow_guard_differs(&p->guard, &have))
		return;
	for (k = 0; k < VM_GUARD_KEYS; k++)
		if (!vm_guard_key_equal(&p->guard, &have, (enum vm_guard_key)k))
			diff |= VM_GUARD_BIT(k);
	doctor_vm_guard_words(&have, diff, "", "", ", ", had, sizeof(had));
	doctor_vm_guard_words(&p->guard, diff, "", "", ", ", want, sizeof(want));
	snprintf(lanctl, sizeof(lanctl), "lanctl port set %s ", p->name);
	doctor_vm_guard_words(&p->guard, diff, p->name, lanctl, "; ", fix, sizeof(fix));
	doctor_addf(d, fix,
	            "domain \"%s\": its port %s's guard is not what its metadata says (the "
	            "switch has %s, the metadata %s)",
	            x->name, p->name, had, want);
}

void doctor_vm_port(struct doctor *d)
{
	struct json_object *port;
	struct doctor_dom *x;
	char fix[2048];
	unsigned int i;
	int j;

	for (i = 0; i < d->ndoms; i++) {
		x = &d->doms[i];
		for (j = 0; j < x->nports; j++) {
			port = vm_switch_port_find(d->ports, x->ports[j].name);
			if (port != NULL) {
				doctor_vm_guard(d, x, &x->ports[j], port);
				continue;
			}
			doctor_vm_port_fix(&x->ports[j], fix, sizeof(fix));
			doctor_addf(
			        d, fix,
			        "domain \"%s\": its port %s (socket %s) is not on the switch: its "
			        "interface is connected to nothing",
			        x->name, x->ports[j].name, x->ports[j].socket);
		}
	}
}

/* Seconds since the domain started, -1 when that cannot be told (doctor_vm.c's comment). */
static long doctor_vm_uptime(struct doctor *d, const struct doctor_dom *x)
{
	char *uri = virConnectGetURI(d->virt.conn), path[512];
	/* another URI may be another host's libvirt (qemu+ssh://...): its pid files are not ours */
	bool system = uri != NULL && strcmp(uri, "qemu:///system") == 0;
	struct stat st;

	free(uri);
	if (!system)
		return -1;
	snprintf(path, sizeof(path), DOCTOR_PID_DIR "/%s.pid", x->name);
	if (stat(path, &st) < 0)
		return -1;
	return (long)(time(NULL) - st.st_mtime);
}

static void doctor_vm_link_down(struct doctor *d, const struct doctor_dom *x,
                                const struct vm_port *p, struct json_object *port, long up)
{
	const char *status = print_get_str(port, "status") ?: "";
	char fix[768], since[64];

	if (up >= 0)
		snprintf(since, sizeof(since), "has run for over %d minutes", DOCTOR_BOOT_S / 60);
	else
		snprintf(since, sizeof(since), "runs");
	if (strncmp(status, "waiting for socket", 18) == 0) {
		snprintf(fix, sizeof(fix),
		         "QEMU made no socket at %s: the domain's interface names another path "
		         "(virsh dumpxml %s), or the socket was removed: virsh shutdown %s, then "
		         "virsh start %s",
		         p->socket, x->name, x->name, x->name);
		doctor_addf(d, fix,
		            "domain \"%s\" %s, but its port %s's link is down (the switch: %s)",
		            x->name, since, p->name, status);
		return;
	}
	snprintf(fix, sizeof(fix),
	         "its guest has not started its virtio-net driver: the interface up inside the "
	         "guest, a virtio driver in it (Windows: NetKVM, from virtio-win)%s",
	         up >= 0 ? ""
	                 : "; if it started less than 2 minutes ago it may still be booting: "
	                   "run lanctl doctor again then");
	doctor_addf(d, fix, "domain \"%s\" %s, but its port %s's link is down", x->name, since,
	            p->name);
}

void doctor_vm_link(struct doctor *d)
{
	struct json_object *port;
	struct doctor_dom *x;
	unsigned int i;
	long up;
	int j;

	for (i = 0; i < d->ndoms; i++) {
		x = &d->doms[i];
		if (!x->running || x->nports == 0)
			continue;
		up = doctor_vm_uptime(d, x);
		if (up >= 0 && up < DOCTOR_BOOT_S)
			continue; /* booting, most likely: its driver starts soon */
		for (j = 0; j < x->nports; j++) {
			port = vm_switch_port_find(d->ports, x->ports[j].name);
			/* a port not on the switch is vm-port's finding */
			if (port != NULL && strcmp(print_get_str(port, "link") ?: "", "up") != 0)
				doctor_vm_link_down(d, x, &x->ports[j], port, up);
		}
	}
}

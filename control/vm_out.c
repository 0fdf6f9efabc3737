/* SPDX-License-Identifier: BSD-3-Clause */
/* What the vm commands print, text and JSON, and their exit codes (vm_cmd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "vm_cmd.h"

void vm_out_vlan(const struct vm_vlan *v, char *buf, size_t len)
{
	char *trunk;
	int n;

	if (v->access != 0) {
		snprintf(buf, len, "vlan %u", v->access);
		return;
	}
	trunk = vm_vlan_trunk_text(v);
	n = snprintf(buf, len, "trunk %s", trunk != NULL ? trunk : "?");
	if (v->native != 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " native %u", v->native);
	free(trunk);
}

void vm_out_settings(const struct vm_port *p, char *buf, size_t len)
{
	size_t n;

	vm_out_vlan(&p->vlan, buf, len);
	n = strlen(buf);
	if (p->guard.recorded && n + 2 < len) {
		snprintf(buf + n, len - n, "; ");
		vm_guard_text(&p->guard, VM_GUARD_ALL, buf + n + 2, len - n - 2);
	}
}

/* The guard as `port list` writes a port's "guard": the settings lanctl makes, by their keys. */
static struct json_object *vm_out_guard_json(const struct vm_guard *g)
{
	struct json_object *o, *macs, *nets;
	unsigned int i;

	if (!g->recorded)
		return NULL;
	o = json_object_new_object();
	macs = json_object_new_array();
	nets = json_object_new_array();
	for (i = 0; i < g->nmacs; i++)
		json_object_array_add(macs, json_object_new_string(g->macs[i]));
	for (i = 0; i < g->nnets; i++)
		json_object_array_add(nets, json_object_new_string(g->nets[i]));
	json_object_object_add(o, "allowed_macs", macs);
	json_object_object_add(o, "arp_guard", nets);
	json_object_object_add(o, "dhcp_server",
	                       json_object_new_string(g->dhcp_server ? "allow" : "deny"));
	json_object_object_add(o, "ra_guard", json_object_new_string(g->ra ? "allow" : "deny"));
	return o;
}

/* The VLANs as `port list` writes them: "vlan" N or null, "trunk" [...], "native" N or null. */
static void vm_out_vlan_json(struct json_object *o, const struct vm_vlan *v)
{
	struct json_object *trunk = json_object_new_array();
	uint16_t vid;

	for (vid = 1; vid <= VM_VLAN_MAX && v->access == 0; vid++)
		if (vm_vlan_is_tagged(v, vid))
			json_object_array_add(trunk, json_object_new_int(vid));
	json_object_object_add(o, "vlan", v->access != 0 ? json_object_new_int(v->access) : NULL);
	json_object_object_add(o, "trunk", trunk);
	json_object_object_add(o, "native", v->native != 0 ? json_object_new_int(v->native) : NULL);
}

void vm_out_port_json(struct json_object *o, const struct vm_port *p)
{
	json_object_object_add(o, "port", json_object_new_string(p->name));
	json_object_object_add(o, "mac", json_object_new_string(p->mac));
	json_object_object_add(o, "socket", json_object_new_string(p->socket));
	vm_out_vlan_json(o, &p->vlan);
	json_object_object_add(o, "guard", vm_out_guard_json(&p->guard));
}

int vm_out_json(const struct lanctl_opts *opts, struct json_object *json)
{
	int rc = 0;

	if (opts->json)
		rc = print_json_plain(json, stdout);
	/* a full disk or a closed pipe must not pass for success in a script */
	errno = 0;
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = errno != 0 ? -errno : -EIO;
	if (rc < 0) {
		fprintf(stderr, "lanctl: writing output: %s\n", strerror(-rc));
		return LANCTL_EXIT_REFUSED;
	}
	return LANCTL_EXIT_OK;
}

int vm_exit(int rc)
{
	if (rc == 0)
		return LANCTL_EXIT_OK;
	return rc == -ECOMM ? LANCTL_EXIT_SOCKET : LANCTL_EXIT_REFUSED;
}

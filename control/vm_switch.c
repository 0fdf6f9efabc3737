/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's side of a domain's ports (vm_cmd.h): the same port commands a user would type,
 * sent over the control socket (client.c), so the switch checks them and saves them in its
 * state file as it does any other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "vm_cmd.h"

#define VM_SWITCH_WORDS_MAX 8

/* The words of `port set NAME vlan N` or `port set NAME trunk LIST [--native N]`. */
static int vm_switch_vlan_words(const struct vm_port *p, char **words, char *vid, char *native,
                                char **trunk)
{
	int n = 0;

	words[n++] = "port";
	words[n++] = "set";
	words[n++] = (char *)p->name;
	if (p->vlan.access != 0) {
		sprintf(vid, "%u", p->vlan.access);
		words[n++] = "vlan";
		words[n++] = vid;
		return n;
	}
	*trunk = vm_vlan_trunk_text(&p->vlan);
	if (*trunk == NULL)
		return -ENOMEM;
	words[n++] = "trunk";
	words[n++] = *trunk;
	if (p->vlan.native != 0) {
		sprintf(native, "%u", p->vlan.native);
		words[n++] = "--native";
		words[n++] = native;
	}
	return n;
}

/* The switch's port called p's name is the one p needs: a vhost port on p's socket, client. */
static bool vm_switch_port_is(const struct lanctl_opts *opts, const struct vm_port *p)
{
	struct json_object *ports, *o;
	bool same = false;
	size_t i;

	if (vm_switch_ports(opts, &ports) < 0)
		return false;
	for (i = 0; i < json_object_array_length(ports); i++) {
		o = json_object_array_get_idx(ports, i);
		if (strcmp(print_get_str(o, "name") ?: "", p->name) != 0)
			continue;
		same = strcmp(print_get_str(o, "type") ?: "", "vhost") == 0 &&
		       strcmp(print_get_str(o, "path") ?: "", p->socket) == 0 &&
		       strcmp(print_get_str(o, "mode") ?: "", "client") == 0;
	}
	json_object_put(ports);
	return same;
}

int vm_switch_port_guard(const struct lanctl_opts *opts, const struct vm_port *p,
                         const struct vm_guard *had)
{
	char *words[VM_GUARD_WORDS_MAX], err[512];
	unsigned int k;
	int n, ret;

	if (!p->guard.recorded) /* metadata from before guards: the switch's is left alone */
		return 0;
	for (k = 0; k < VM_GUARD_KEYS; k++) {
		if (had != NULL && vm_guard_key_equal(&p->guard, had, (enum vm_guard_key)k))
			continue;
		n = vm_guard_words(&p->guard, (enum vm_guard_key)k, p->name, words);
		ret = client_ask(opts, words, n, NULL, err, sizeof(err));
		if (ret < 0) {
			if (ret != -ECOMM)
				fprintf(stderr, "lanctl: %s\n", err);
			return ret;
		}
	}
	return 0;
}

/*
 * The VLANs and the guard of a port just added (what differs from a new port's defaults), or
 * of one the switch had (all of them: it may have had anything).
 */
static int vm_switch_port_settings(const struct lanctl_opts *opts, const struct vm_port *p,
                                   bool reused)
{
	struct vm_guard off;
	int ret = 0;

	vm_guard_off(&off);
	/* untagged in VLAN 1 is the switch's default: nothing to set on a new port */
	if (p->vlan.access != 1 || reused)
		ret = vm_switch_port_vlan(opts, p);
	if (ret == 0)
		ret = vm_switch_port_guard(opts, p, reused ? NULL : &off);
	return ret;
}

int vm_switch_port_add(const struct lanctl_opts *opts, const struct vm_port *p)
{
	char *add[] = { "port", "add", (char *)p->name, "vhost", (char *)p->socket }, err[512];
	bool gone, reused = false;
	int ret;

	/* client mode, the default: QEMU owns the socket (mode='server'), either side restarts */
	ret = client_ask(opts, add, 5, NULL, err, sizeof(err));
	if (ret == -EREMOTEIO && strstr(err, "already exists") != NULL &&
	    vm_switch_port_is(opts, p)) {
		printf("port %s: on the switch already, on socket %s: used as it is\n", p->name,
		       p->socket);
		reused = true;
		ret = 0;
	}
	if (ret < 0) {
		if (ret != -ECOMM)
			fprintf(stderr, "lanctl: %s\n", err);
		return ret;
	}
	ret = vm_switch_port_settings(opts, p, reused);
	if (ret < 0) {
		/* a port without its guard is not one to leave on the LAN */
		if (!reused)
			vm_switch_port_del(opts, p->name, &gone);
		return ret;
	}
	return reused ? 1 : 0;
}

int vm_switch_port_vlan(const struct lanctl_opts *opts, const struct vm_port *p)
{
	char *set[VM_SWITCH_WORDS_MAX], vid[8], native[8], *trunk = NULL, err[512];
	int ret, n;

	n = vm_switch_vlan_words(p, set, vid, native, &trunk);
	ret = n < 0 ? n : client_ask(opts, set, n, NULL, err, sizeof(err));
	free(trunk);
	if (ret < 0 && ret != -ECOMM)
		fprintf(stderr, "lanctl: %s\n", n < 0 ? strerror(-n) : err);
	return ret;
}

int vm_switch_port_del(const struct lanctl_opts *opts, const char *name, bool *gone)
{
	char *del[] = { "port", "del", (char *)name };
	struct json_object *ports = NULL;
	char err[512];
	int ret;

	/* a port someone removed already is what detach wants: asked first, not guessed from text
	 */
	*gone = false;
	ret = vm_switch_ports(opts, &ports);
	if (ret < 0)
		return ret;
	*gone = vm_switch_port_find(ports, name) == NULL;
	json_object_put(ports);
	if (*gone)
		return 0;
	ret = client_ask(opts, del, 3, NULL, err, sizeof(err));
	if (ret < 0 && ret != -ECOMM)
		fprintf(stderr, "lanctl: %s\n", err);
	return ret;
}

void vm_switch_undo(const struct lanctl_opts *opts, const struct vm_port *ports, unsigned int n)
{
	unsigned int i;
	bool gone;

	for (i = 0; i < n; i++) {
		if (vm_switch_port_del(opts, ports[i].name, &gone) == 0)
			fprintf(stderr, "lanctl: undone: port %s deleted again\n", ports[i].name);
		else
			fprintf(stderr, "lanctl: could not undo: port %s is still on the switch\n",
			        ports[i].name);
	}
}

int vm_switch_ports(const struct lanctl_opts *opts, struct json_object **ports)
{
	char *list[] = { "port", "list" }, err[512];
	struct json_object *result = NULL;
	int ret;

	ret = client_ask(opts, list, 2, &result, err, sizeof(err));
	if (ret < 0) {
		if (ret != -ECOMM)
			fprintf(stderr, "lanctl: port list: %s\n", err);
		return ret;
	}
	if (!json_object_is_type(result, json_type_array)) {
		json_object_put(result);
		client_fail(opts, "malformed reply", "port list: no array of ports");
		return -ECOMM;
	}
	*ports = result;
	return 0;
}

struct json_object *vm_switch_port_find(struct json_object *ports, const char *name)
{
	struct json_object *p, *n;
	size_t i;

	for (i = 0; i < json_object_array_length(ports); i++) {
		p = json_object_array_get_idx(ports, i);
		if (json_object_object_get_ex(p, "name", &n) &&
		    strcmp(json_object_get_string(n), name) == 0)
			return p;
	}
	return NULL;
}

/* A list of strings of `port list`'s "guard" into g, through add (vm_guard_add_mac, _net). */
static void vm_switch_guard_list(struct json_object *guard, const char *key, struct vm_guard *g,
                                 int (*add)(struct vm_guard *, const char *))
{
	struct json_object *list;
	size_t i;

	if (!json_object_object_get_ex(guard, key, &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	/* one the agent cannot read stays out, and the port is set again: the safe side */
	for (i = 0; i < json_object_array_length(list); i++)
		add(g, json_object_get_string(json_object_array_get_idx(list, i)) ?: "");
}

void vm_switch_guard_read(struct json_object *port, struct vm_guard *g)
{
	struct json_object *guard;

	memset(g, 0, sizeof(*g));
	if (!json_object_object_get_ex(port, "guard", &guard))
		return;
	vm_guard_off(g); /* "guard": null is every protection off */
	vm_switch_guard_list(guard, "allowed_macs", g, vm_guard_add_mac);
	vm_switch_guard_list(guard, "arp_guard", g, vm_guard_add_net);
	g->dhcp_server = strcmp(print_get_str(guard, "dhcp_server") ?: "allow", "deny") != 0;
	g->ra = strcmp(print_get_str(guard, "ra_guard") ?: "allow", "deny") != 0;
}

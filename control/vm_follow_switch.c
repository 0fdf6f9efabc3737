/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The follow agent's switch side (vm_follow.h): a `monitor` subscription in libvirt's event
 * loop, which tells the agent when lanswitchd goes away (the stream ends) so that it can bring
 * the restarted switch in step; and the switch's ports as a table for the plan.
 *
 * The events themselves are read and dropped: what the agent keeps in step is the domains'
 * ports, which the switch changes only when told to, and lanswitchd restores them from its
 * state file when it restarts. Reading them all keeps the switch from dropping the agent as a
 * subscriber that does not read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vm_cmd.h"
#include "vm_follow.h"

/* The stream has something (events, or its end): the loop reads it. */
static void vm_follow_switch_ready(int watch, int fd, int events, void *opaque)
{
	struct vm_follow *f = opaque;

	f->stream_ready = true;
}

int vm_follow_switch_subscribe(struct vm_follow *f)
{
	struct monitor_reader *r = f->stream;
	int fd, ret;

	/* nothing listening is the usual answer while lanswitchd is away: asked quietly first */
	ret = client_connect(f->opts->socket, f->opts->timeout_s, &fd);
	if (ret < 0)
		return ret;
	close(fd);
	r->fd = -1;
	if (monitor_subscribe(f->opts, r, false) >= 0) {
		ret = -ECOMM; /* said */
		goto close_stream;
	}
	f->stream_watch = virEventAddHandle(r->fd, VIR_EVENT_HANDLE_READABLE,
	                                    vm_follow_switch_ready, f, NULL);
	if (f->stream_watch < 0) {
		fprintf(stderr, "lanctl: vm follow: the switch's events into libvirt's loop: %s\n",
		        virt_error());
		ret = -ECOMM;
		goto close_stream;
	}
	/* the reply may have come with events behind it, already in the buffer */
	f->stream_ready = true;
	return 0;
close_stream:
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	return ret;
}

void vm_follow_switch_drop(struct vm_follow *f)
{
	if (f->stream_watch >= 0)
		virEventRemoveHandle(f->stream_watch);
	f->stream_watch = -1;
	if (f->stream->fd >= 0)
		close(f->stream->fd);
	f->stream->fd = -1;
	f->stream_ready = false;
}

int vm_follow_switch_drain(struct vm_follow *f)
{
	/* a deadline passed already: poll without waiting, take whole lines, keep the rest */
	struct timespec now = client_deadline(0);
	ssize_t n;

	while ((n = monitor_read_line(f->stream, &now)) > 0)
		;
	if (n == -ETIMEDOUT || n == -EINTR)
		return 0;
	return -ECONNRESET; /* the end of the stream, or a line longer than any event */
}

static int vm_follow_switch_int(struct json_object *port, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(port, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int(v);
}

/* One element of `port list` (api/ctl_proto.h gives its shape) into h. */
static void vm_follow_switch_port(struct json_object *port, struct vm_follow_have *h)
{
	struct json_object *trunk;
	int vid;
	size_t i;

	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", print_get_str(port, "name") ?: "");
	snprintf(h->type, sizeof(h->type), "%s", print_get_str(port, "type") ?: "");
	snprintf(h->path, sizeof(h->path), "%s", print_get_str(port, "path") ?: "");
	h->server = strcmp(print_get_str(port, "mode") ?: "", "server") == 0;
	vm_switch_guard_read(port, &h->guard);
	vid = vm_follow_switch_int(port, "vlan");
	if (vid > 0 && vid <= VM_VLAN_MAX) {
		vm_vlan_set_access(&h->vlan, (uint16_t)vid);
		return;
	}
	vm_vlan_set_access(&h->vlan, 0);
	if (json_object_object_get_ex(port, "trunk", &trunk) &&
	    json_object_is_type(trunk, json_type_array))
		for (i = 0; i < json_object_array_length(trunk); i++) {
			vid = json_object_get_int(json_object_array_get_idx(trunk, i));
			if (vid > 0 && vid <= VM_VLAN_MAX)
				vm_vlan_add_tagged(&h->vlan, (uint16_t)vid);
		}
	vid = vm_follow_switch_int(port, "native");
	if (vid > 0 && vid <= VM_VLAN_MAX)
		h->vlan.native = (uint16_t)vid;
}

int vm_follow_switch_ports(struct vm_follow *f, struct vm_follow_have **have, unsigned int *n)
{
	struct json_object *ports = NULL;
	size_t i, len;
	int ret;

	*have = NULL;
	*n = 0;
	ret = vm_switch_ports(f->opts, &ports);
	if (ret < 0)
		return ret;
	len = json_object_array_length(ports);
	*have = calloc(len + 1, sizeof(**have));
	if (*have == NULL) {
		fprintf(stderr, "lanctl: vm follow: the switch's ports: %s\n", strerror(ENOMEM));
		json_object_put(ports);
		return -ENOMEM;
	}
	for (i = 0; i < len; i++)
		vm_follow_switch_port(json_object_array_get_idx(ports, i), &(*have)[i]);
	*n = (unsigned int)len;
	json_object_put(ports);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One pass of the follow agent (vm_follow.h): the ports every domain names (libvirt), the
 * ports the switch has (`port list`), the plan between them (vm_follow_plan.c), and its steps
 * carried out with the same port commands a user would type, each said on stdout in one line.
 *
 * The domains are read first and the switch second: a `vm attach` that made its port and has
 * not defined its domain yet finds its port removed (it looks like an orphan) and made again
 * by the pass that the define's event starts, a moment later. Nothing is lost either way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm_cmd.h"
#include "vm_follow.h"

/* What one pass did. */
struct vm_follow_tally {
	unsigned int changed;
	unsigned int failed; /* refused by the switch, or left to someone else (said) */
};

/*
 * A step the switch refused (it said why, on stderr) is counted and the pass goes on; one it
 * did not answer ends the pass (-ECOMM).
 */
static int vm_follow_sync_failed(int ret, struct vm_follow_tally *t)
{
	if (ret == -ECOMM)
		return ret;
	t->failed++;
	return 0;
}

/* A port's socket file, once the port is gone: a socket only, never another kind of file. */
static void vm_follow_sync_unlink(const struct vm_follow_have *h, char *said, size_t len)
{
	struct stat st;

	said[0] = '\0';
	if (lstat(h->path, &st) < 0) {
		if (errno != ENOENT)
			fprintf(stderr, "lanctl: vm follow: socket %s: %s\n", h->path,
			        strerror(errno));
		return;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(said, len, "; %s is not a socket: left as it is", h->path);
		return;
	}
	if (unlink(h->path) < 0) {
		fprintf(stderr, "lanctl: vm follow: socket %s: %s\n", h->path, strerror(errno));
		return;
	}
	snprintf(said, len, "; its socket %s deleted", h->path);
}

static int vm_follow_sync_remove(struct vm_follow *f, const struct vm_follow_have *h,
                                 struct vm_follow_tally *t)
{
	char said[VM_SOCKET_PATH_MAX + 64];
	bool gone;
	int ret;

	ret = vm_switch_port_del(f->opts, h->name, &gone);
	if (ret < 0)
		return vm_follow_sync_failed(ret, t);
	vm_follow_sync_unlink(h, said, sizeof(said));
	printf("port %s removed: no domain names it any more%s\n", h->name, said);
	t->changed++;
	return 0;
}

static int vm_follow_sync_add(struct vm_follow *f, const struct vm_follow_want *w,
                              const struct vm_follow_have *h, struct vm_follow_tally *t)
{
	char settings[512];
	bool gone;
	int ret;

	/* the switch cannot move a port to another socket: deleted, then made anew */
	if (h != NULL) {
		ret = vm_switch_port_del(f->opts, h->name, &gone);
		if (ret < 0)
			return vm_follow_sync_failed(ret, t);
	}
	ret = vm_switch_port_add(f->opts, &w->port);
	if (ret < 0)
		return vm_follow_sync_failed(ret, t);
	vm_out_settings(&w->port, settings, sizeof(settings));
	if (h == NULL)
		printf("domain \"%s\": port %s added (socket %s, %s)\n", w->domain, w->port.name,
		       w->port.socket, settings);
	else
		printf("domain \"%s\": port %s made again (socket %s, %s): the switch had it on "
		       "%s%s\n",
		       w->domain, w->port.name, w->port.socket, settings, h->path,
		       h->server ? " in server mode" : "");
	t->changed++;
	return 0;
}

/* The port's VLANs and guard, where they are not what the metadata records. */
static int vm_follow_sync_set(struct vm_follow *f, const struct vm_follow_step *s,
                              struct vm_follow_tally *t)
{
	const struct vm_follow_want *w = s->want;
	const struct vm_follow_have *h = s->have;
	char want[512], had[512];
	int ret;

	if (s->vlan) {
		ret = vm_switch_port_vlan(f->opts, &w->port);
		if (ret < 0)
			return vm_follow_sync_failed(ret, t);
		vm_out_vlan(&w->port.vlan, want, sizeof(want));
		vm_out_vlan(&h->vlan, had, sizeof(had));
		printf("domain \"%s\": port %s set to %s (the switch had %s)\n", w->domain,
		       w->port.name, want, had);
	}
	if (s->guard) {
		/* only the settings that differ: the others are right already */
		ret = vm_switch_port_guard(f->opts, &w->port, &h->guard);
		if (ret < 0)
			return vm_follow_sync_failed(ret, t);
		vm_guard_text(&w->port.guard, VM_GUARD_ALL, want, sizeof(want));
		vm_guard_text(&h->guard, VM_GUARD_ALL, had, sizeof(had));
		printf("domain \"%s\": port %s's guard set to %s (the switch had %s)\n", w->domain,
		       w->port.name, want, had);
	}
	t->changed++;
	return 0;
}

/* What the agent leaves to someone else, said on stderr at every pass until it is resolved. */
static void vm_follow_sync_refuse(const struct vm_follow_step *s, struct vm_follow_tally *t)
{
	const struct vm_follow_want *w = s->want;

	t->failed++;
	if (s->kind == VM_FOLLOW_DUPLICATE)
		fprintf(stderr,
		        "lanctl: vm follow: domain \"%s\": port %s is domain \"%s\"'s already: "
		        "left to it\n",
		        w->domain, w->port.name, s->first->domain);
	else if (strcmp(s->have->type, "vhost") != 0)
		fprintf(stderr,
		        "lanctl: vm follow: domain \"%s\": port %s: the switch has a %s port of "
		        "that name: left as it is\n",
		        w->domain, w->port.name, s->have->type);
	else
		fprintf(stderr,
		        "lanctl: vm follow: domain \"%s\": port %s: the switch has one of that "
		        "name "
		        "on %s, outside the socket directory: left as it is\n",
		        w->domain, w->port.name, s->have->path);
}

static int vm_follow_sync_step(struct vm_follow *f, const struct vm_follow_step *s,
                               struct vm_follow_tally *t)
{
	switch (s->kind) {
	case VM_FOLLOW_REMOVE:
		return vm_follow_sync_remove(f, s->have, t);
	case VM_FOLLOW_REPLACE:
		return vm_follow_sync_add(f, s->want, s->have, t);
	case VM_FOLLOW_ADD:
		return vm_follow_sync_add(f, s->want, NULL, t);
	case VM_FOLLOW_SET:
		return vm_follow_sync_set(f, s, t);
	case VM_FOLLOW_CONFLICT:
	case VM_FOLLOW_DUPLICATE:
		vm_follow_sync_refuse(s, t);
		return 0;
	}
	return 0;
}

/* How many domains name the plan's ports: want is sorted by domain. */
static unsigned int vm_follow_sync_domains(const struct vm_follow *f,
                                           const struct vm_follow_want *want, unsigned int n)
{
	const char *last = NULL;
	unsigned int i, count = 0;

	for (i = 0; i < n; i++) {
		if (!vm_follow_in_dir(f->dir, want[i].port.socket))
			continue;
		if (last == NULL || strcmp(last, want[i].domain) != 0)
			count++;
		last = want[i].domain;
	}
	return count;
}

int vm_follow_sync(struct vm_follow *f)
{
	struct vm_follow_plan plan = { 0 };
	struct vm_follow_tally tally = { 0 };
	struct vm_follow_want *want = NULL;
	struct vm_follow_have *have = NULL;
	unsigned int nwant, nhave, ndomains, i;
	bool complete;
	int ret;

	ret = vm_follow_virt_wanted(f, &want, &nwant, &complete);
	if (ret < 0)
		return ret;
	ret = vm_follow_switch_ports(f, &have, &nhave);
	if (ret < 0)
		goto free_want;
	if (!complete)
		fprintf(stderr, "lanctl: vm follow: a domain's ports could not be read (above): no "
		                "port is removed until they can be\n");
	ret = vm_follow_plan_make(f->dir, want, nwant, have, nhave, complete, &plan);
	if (ret < 0) {
		fprintf(stderr, "lanctl: vm follow: %s\n", strerror(-ret));
		goto free_have;
	}
	for (i = 0; i < plan.n && ret == 0; i++)
		ret = vm_follow_sync_step(f, &plan.steps[i], &tally);
	if (ret < 0)
		goto clear_plan;
	ndomains = vm_follow_sync_domains(f, want, nwant);
	if (tally.failed > 0)
		printf("out of step: %u port%s of %u domain%s, %u not as they say (above)\n",
		       plan.ports, plan.ports == 1 ? "" : "s", ndomains, ndomains == 1 ? "" : "s",
		       tally.failed);
	else if (tally.changed > 0 || f->sync_report)
		printf("in step: %u port%s of %u domain%s\n", plan.ports,
		       plan.ports == 1 ? "" : "s", ndomains, ndomains == 1 ? "" : "s");
	f->sync_report = false;
clear_plan:
	vm_follow_plan_clear(&plan);
free_have:
	free(have);
free_want:
	vm_follow_virt_want_free(want, nwant);
	return ret;
}

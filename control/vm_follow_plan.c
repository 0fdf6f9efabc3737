/* SPDX-License-Identifier: BSD-3-Clause */
/* The follow agent's steps from the domains' ports and the switch's (vm_follow_plan.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm_follow_plan.h"

bool vm_follow_in_dir(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && path[len] == '/' && path[len + 1] != '\0' &&
	       strchr(path + len + 1, '/') == NULL;
}

bool vm_follow_vlan_equal(const struct vm_vlan *a, const struct vm_vlan *b)
{
	if (a->access != 0 || b->access != 0)
		return a->access == b->access;
	return a->native == b->native && memcmp(a->tagged, b->tagged, sizeof(a->tagged)) == 0;
}

bool vm_follow_guard_differs(const struct vm_guard *want, const struct vm_guard *have)
{
	return want->recorded && have->recorded && !vm_guard_equal(want, have);
}

/* A port the agent made: vhost-user, client mode, its socket directly in the directory. */
static bool vm_follow_is_ours(const char *dir, const struct vm_follow_have *h)
{
	return strcmp(h->type, "vhost") == 0 && vm_follow_in_dir(dir, h->path);
}

static const struct vm_follow_have *vm_follow_have_find(const struct vm_follow_have *have,
                                                        unsigned int nhave, const char *name)
{
	unsigned int i;

	for (i = 0; i < nhave; i++)
		if (strcmp(have[i].name, name) == 0)
			return &have[i];
	return NULL;
}

/* The first entry of want before want[end] that names this port in the directory, or NULL. */
static const struct vm_follow_want *vm_follow_want_find(const char *dir,
                                                        const struct vm_follow_want *want,
                                                        unsigned int end, const char *name)
{
	unsigned int i;

	for (i = 0; i < end; i++)
		if (strcmp(want[i].port.name, name) == 0 &&
		    vm_follow_in_dir(dir, want[i].port.socket))
			return &want[i];
	return NULL;
}

static void vm_follow_plan_add(struct vm_follow_plan *plan, enum vm_follow_step_kind kind,
                               const struct vm_follow_want *want, const struct vm_follow_have *have)
{
	plan->steps[plan->n++] =
	        (struct vm_follow_step){ .kind = kind, .want = want, .have = have };
}

/* What one wanted port needs, if anything. */
static void vm_follow_plan_want(const char *dir, const struct vm_follow_want *want, unsigned int i,
                                const struct vm_follow_have *have, unsigned int nhave,
                                struct vm_follow_plan *plan)
{
	const struct vm_follow_want *w = &want[i], *first;
	const struct vm_follow_have *h;

	if (!vm_follow_in_dir(dir, w->port.socket)) {
		plan->elsewhere++;
		return;
	}
	first = vm_follow_want_find(dir, want, i, w->port.name);
	if (first != NULL) {
		vm_follow_plan_add(plan, VM_FOLLOW_DUPLICATE, w, NULL);
		plan->steps[plan->n - 1].first = first;
		return;
	}
	plan->ports++;
	h = vm_follow_have_find(have, nhave, w->port.name);
	if (h == NULL)
		vm_follow_plan_add(plan, VM_FOLLOW_ADD, w, NULL);
	else if (!vm_follow_is_ours(dir, h))
		vm_follow_plan_add(plan, VM_FOLLOW_CONFLICT, w, h);
	else if (strcmp(h->path, w->port.socket) != 0 || h->server)
		/* del and add: the switch cannot move a port to another socket */
		vm_follow_plan_add(plan, VM_FOLLOW_REPLACE, w, h);
	else if (!vm_follow_vlan_equal(&h->vlan, &w->port.vlan) ||
	         vm_follow_guard_differs(&w->port.guard, &h->guard)) {
		vm_follow_plan_add(plan, VM_FOLLOW_SET, w, h);
		plan->steps[plan->n - 1].vlan = !vm_follow_vlan_equal(&h->vlan, &w->port.vlan);
		plan->steps[plan->n - 1].guard = vm_follow_guard_differs(&w->port.guard, &h->guard);
	} else {
		plan->in_step++;
	}
}

int vm_follow_plan_make(const char *dir, const struct vm_follow_want *want, unsigned int nwant,
                        const struct vm_follow_have *have, unsigned int nhave, bool may_remove,
                        struct vm_follow_plan *plan)
{
	unsigned int i;

	memset(plan, 0, sizeof(*plan));
	/* at most one step per wanted port and one per port of the switch's */
	plan->steps = calloc((size_t)nwant + nhave + 1, sizeof(*plan->steps));
	if (plan->steps == NULL)
		return -ENOMEM;
	for (i = 0; i < nhave && may_remove; i++)
		if (vm_follow_is_ours(dir, &have[i]) &&
		    vm_follow_want_find(dir, want, nwant, have[i].name) == NULL)
			vm_follow_plan_add(plan, VM_FOLLOW_REMOVE, NULL, &have[i]);
	for (i = 0; i < nwant; i++)
		vm_follow_plan_want(dir, want, i, have, nhave, plan);
	return 0;
}

void vm_follow_plan_clear(struct vm_follow_plan *plan)
{
	free(plan->steps);
	plan->steps = NULL;
	plan->n = 0;
}

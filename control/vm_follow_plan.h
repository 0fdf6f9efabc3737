/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The follow agent's decision, without libvirt or the switch: the ports the domains' metadata
 * names against the ports the switch has, into the steps that bring the switch in step
 * (vm_follow_plan.c). The agent gathers both sides and carries the steps out; the unit test
 * gives it tables.
 *
 * The agent keeps the ports whose sockets are in its socket directory and no others: a port
 * it made (a vhost-user port, client mode, its socket directly in the directory) is "ours",
 * and one of ours that no domain names is removed. A port of the same name that is not ours
 * (another type, a socket elsewhere) is someone else's and is left as it is.
 */
#ifndef LANSWITCH_VM_FOLLOW_PLAN_H
#define LANSWITCH_VM_FOLLOW_PLAN_H

#include <stdbool.h>

#include "vm_xml.h"

/* A port that a domain's metadata names: what the switch should have. */
struct vm_follow_want {
	const char *domain; /* libvirt's name of it; owned by whoever filled the table */
	struct vm_port port;
};

/* The longest port type name `port list` gives ("vhost", "afxdp", "internal"...). */
#define VM_FOLLOW_TYPE_MAX 16

/* A port the switch has, from `port list`. */
struct vm_follow_have {
	char name[VM_PORT_NAME_MAX + 1];
	char type[VM_FOLLOW_TYPE_MAX];
	char path[VM_SOCKET_PATH_MAX]; /* a vhost port's socket; "" for other types */
	bool server;                   /* a vhost port in server mode (the agent makes clients) */
	struct vm_vlan vlan;
	struct vm_guard guard; /* recorded: the switch reports one (`port list`'s "guard") */
};

enum vm_follow_step_kind {
	VM_FOLLOW_REMOVE,    /* have: ours, named by no domain: port del, and its socket file */
	VM_FOLLOW_REPLACE,   /* want, have: ours on another socket or in server mode: del, add */
	VM_FOLLOW_ADD,       /* want: the switch has no such port */
	VM_FOLLOW_SET,       /* want, have: the port's VLANs or guard are not the metadata's */
	VM_FOLLOW_CONFLICT,  /* want, have: the switch has a port of that name that is not ours */
	VM_FOLLOW_DUPLICATE, /* want, first: an earlier domain names the same port; first wins */
};

struct vm_follow_step {
	enum vm_follow_step_kind kind;
	const struct vm_follow_want *want;  /* NULL for REMOVE */
	const struct vm_follow_have *have;  /* NULL for ADD and DUPLICATE */
	const struct vm_follow_want *first; /* DUPLICATE: the domain whose port it is */
	bool vlan, guard;                   /* SET: which of the two differ */
};

struct vm_follow_plan {
	struct vm_follow_step *steps; /* removals first (they free names and sockets), then the
	                                 rest in the order of want */
	unsigned int n;
	unsigned int ports;     /* wanted ports in the directory, each counted once */
	unsigned int in_step;   /* of those, the ones the switch has right already */
	unsigned int elsewhere; /* wanted ports whose sockets are outside the directory: left */
};

/*
 * Compares want (in the order the steps should follow) with have. dir is the socket directory
 * without trailing slashes. may_remove false leaves every port of ours where it is: the agent
 * could not read some domain's ports, and one of them may be named there. Returns 0 (clear the
 * plan with vm_follow_plan_clear whatever the return) or -ENOMEM.
 */
int vm_follow_plan_make(const char *dir, const struct vm_follow_want *want, unsigned int nwant,
                        const struct vm_follow_have *have, unsigned int nhave, bool may_remove,
                        struct vm_follow_plan *plan);
void vm_follow_plan_clear(struct vm_follow_plan *plan);

/* Whether path is a file directly in dir (dir without trailing slashes), as vm_socket_path makes.
 */
bool vm_follow_in_dir(const char *dir, const char *path);
/* Whether two ports carry the same VLANs the same way (untagged in one, or the same trunk). */
bool vm_follow_vlan_equal(const struct vm_vlan *a, const struct vm_vlan *b);
/*
 * Whether the switch's guard of a port (have) is not what the metadata records (want). Not
 * when the metadata records none (the switch's is left alone) or the switch reports none (a
 * lanswitchd without guards: there is nothing to compare, and nothing it would take).
 */
bool vm_follow_guard_differs(const struct vm_guard *want, const struct vm_guard *have);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl doctor`: the checks of what breaks a setup of libvirt domains on the switch, each one
 * function in a table (doctor.c), run in order over one struct doctor. A check adds zero or more
 * findings, each a message saying what is wrong and a fix saying what to type; doctor.c prints
 * them, one line each (or a JSON array with -j), and turns them into the exit code.
 *
 * Two checks load what later ones read: "switch" asks lanswitchd for its ports and hosts,
 * "libvirt" connects and reads the domains on the switch. A check that needs one of them is
 * skipped when it failed, and the finding that says it failed names what was skipped.
 *
 * Checks never change anything: they read files, libvirt and the switch's answers.
 */
#ifndef LANSWITCH_DOCTOR_H
#define LANSWITCH_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "virt.h"
#include "vm_cmd.h"

struct json_object;

/* What a check needs loaded before it can run. */
enum doctor_need {
	DOCTOR_NEED_SWITCH = 1 << 0,  /* d->ports, d->hosts and d->config */
	DOCTOR_NEED_LIBVIRT = 1 << 1, /* d->virt and d->doms */
};

/* A domain that libvirt listed, with what the checks ask of it. */
struct doctor_dom {
	virDomainPtr dom;
	const char *name;
	bool persistent;
	bool running;
	xmlDocPtr config; /* the persistent definition; NULL for a transient domain */
	xmlDocPtr live;   /* the running one; NULL when it does not run */
	/* its ports on the switch, from its lanswitch metadata (vm list reads the same) */
	struct vm_port *ports;
	int nports;
};

struct doctor {
	const struct lanctl_opts *opts;
	const char *socket_dir;
	const char *check;            /* the check running: the name its findings carry */
	struct json_object *findings; /* [{"check","message","fix"}] */
	unsigned int loaded;          /* enum doctor_need: what loaded */
	bool switch_silent;           /* the switch did not answer: exit code 3 */
	/* DOCTOR_NEED_SWITCH: `port list`, `hosts` and `config show`, as the switch answered */
	struct json_object *ports;
	struct json_object *hosts;
	struct json_object *config;
	/* DOCTOR_NEED_LIBVIRT */
	struct virt virt;
	struct doctor_dom *doms;
	unsigned int ndoms;
};

/* doctor.c: a finding of the check running. */
void doctor_add(struct doctor *d, const char *message, const char *fix);
void doctor_addf(struct doctor *d, const char *fix, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* "upper-nic, dhcp": the checks that need what need names, for the finding that says why
 * they did not run. */
void doctor_needing(unsigned int need, char *buf, size_t len);

/* doctor_sys.c: the host */
void doctor_hugepages(struct doctor *d);
void doctor_hugetlbfs(struct doctor *d);
void doctor_sockdir(struct doctor *d);

/* doctor_switch.c: lanswitchd */
void doctor_switch(struct doctor *d);
void doctor_upper_nic(struct doctor *d);
void doctor_dhcp(struct doctor *d);
void doctor_state_file(struct doctor *d);

/* doctor_virt.c: libvirt, and the domains still on a kernel bridge */
void doctor_libvirt(struct doctor *d);
void doctor_libvirt_close(struct doctor *d);
void doctor_bridge(struct doctor *d);

/* doctor_vm.c: the domains on the switch */
void doctor_vm_memory(struct doctor *d);
void doctor_vm_port(struct doctor *d);
void doctor_vm_link(struct doctor *d);

#endif

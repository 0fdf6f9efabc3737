/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vm commands' options (vm_cmd.h). The grammar (api/grammar.c) has checked which words
 * stand where; here each option's value is read and checked for what it means, with a usage
 * error (exit code 2) that names the option, before anything talks to libvirt or the switch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/grammar.h"
#include "vm_cmd.h"

struct vm_opt_def {
	const char *word;
	bool value; /* takes the next word */
};

static const struct vm_opt_def vm_opt_defs[VM_OPT_MAX] = {
	[VM_OPT_MAC] = { "--mac", true },
	[VM_OPT_VLAN] = { "--vlan", true },
	[VM_OPT_TRUNK] = { "--trunk", true },
	[VM_OPT_NATIVE] = { "--native", true },
	[VM_OPT_QUEUES] = { "--queues", true },
	[VM_OPT_ADD] = { "--add", false },
	[VM_OPT_SOCKET_DIR] = { "--socket-dir", true },
	[VM_OPT_BRIDGE] = { "--bridge", true },
	[VM_OPT_ALL] = { "--all", false },
	[VM_OPT_MODEL_VIRTIO] = { "--model-virtio", false },
	[VM_OPT_DRY_RUN] = { "--dry-run", false },
	/* attach: a flag (the domain is the router); convert: names one (vm_args_value) */
	[VM_OPT_DHCP_SERVER] = { "--dhcp-server", false },
};

/* Whether option o takes the next word in def's command. */
static bool vm_args_value(const struct cmd_def *def, int o)
{
	return vm_opt_defs[o].value ||
	       (o == VM_OPT_DHCP_SERVER && grammar_id(def) == CMD_VM_CONVERT);
}

static int vm_args_usage(const struct cmd_def *def, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int vm_args_usage(const struct cmd_def *def, const char *fmt, ...)
{
	char err[GRAMMAR_ERR_MAX], name[64];
	va_list ap;
	int n;

	grammar_name(def, name, sizeof(name));
	n = snprintf(err, sizeof(err), "%s: ", name);
	va_start(ap, fmt);
	vsnprintf(err + n, sizeof(err) - (size_t)n, fmt, ap);
	va_end(ap);
	help_usage_error(def, err);
	return -EINVAL;
}

/* Each option's value, for what it means. */
static int vm_args_check(const struct cmd_def *def, struct vm_args *a)
{
	char *end;

	vm_vlan_set_access(&a->vlan, 1); /* the switch's default for a new port */
	if (a->set[VM_OPT_VLAN] && a->set[VM_OPT_TRUNK])
		return vm_args_usage(def, "--vlan and --trunk exclude each other: a port is "
		                          "untagged in one VLAN or a trunk");
	if (a->set[VM_OPT_VLAN] && vm_vlan_parse_id(a->val[VM_OPT_VLAN], &a->vlan.access) < 0)
		return vm_args_usage(def, "--vlan: expected a VLAN 1-%d, got \"%s\"", VM_VLAN_MAX,
		                     a->val[VM_OPT_VLAN]);
	if (a->set[VM_OPT_TRUNK] && vm_vlan_parse_trunk(a->val[VM_OPT_TRUNK], &a->vlan) < 0)
		return vm_args_usage(def,
		                     "--trunk: expected VLANs 1-%d separated by commas, got \"%s\"",
		                     VM_VLAN_MAX, a->val[VM_OPT_TRUNK]);
	if (a->set[VM_OPT_NATIVE] && vm_vlan_parse_id(a->val[VM_OPT_NATIVE], &a->vlan.native) < 0)
		return vm_args_usage(def, "--native: expected a VLAN 1-%d, got \"%s\"", VM_VLAN_MAX,
		                     a->val[VM_OPT_NATIVE]);
	a->vlan_asked = a->set[VM_OPT_VLAN] || a->set[VM_OPT_TRUNK];

	if (a->set[VM_OPT_MAC] && vm_mac_parse(a->val[VM_OPT_MAC], a->mac) < 0)
		return vm_args_usage(def,
		                     "--mac: expected a unicast MAC such as 52:54:00:12:34:56, "
		                     "got \"%s\"",
		                     a->val[VM_OPT_MAC]);
	a->queues = 1;
	if (a->set[VM_OPT_QUEUES]) {
		errno = 0;
		a->queues = strtoul(a->val[VM_OPT_QUEUES], &end, 10);
		if (a->val[VM_OPT_QUEUES][0] < '1' || a->val[VM_OPT_QUEUES][0] > '9' ||
		    *end != '\0' || errno != 0)
			return vm_args_usage(def,
			                     "--queues: expected a number of queues, got \"%s\"",
			                     a->val[VM_OPT_QUEUES]);
	}
	a->socket_dir =
	        a->set[VM_OPT_SOCKET_DIR] ? a->val[VM_OPT_SOCKET_DIR] : VM_SOCKET_DIR_DEFAULT;
	/* libvirt takes only absolute socket paths */
	if (a->socket_dir[0] != '/')
		return vm_args_usage(def,
		                     "--socket-dir: expected an absolute directory, got \"%s\"",
		                     a->socket_dir);
	return 0;
}

int vm_args_read(const struct cmd_def *def, int argc, char **argv, struct vm_args *a)
{
	int i, o;

	memset(a, 0, sizeof(*a));
	a->pos = argv;
	while (a->npos < argc && strncmp(argv[a->npos], "--", 2) != 0)
		a->npos++;
	for (i = a->npos; i < argc; i++) {
		for (o = 0; o < VM_OPT_MAX && strcmp(argv[i], vm_opt_defs[o].word) != 0; o++)
			;
		/* the grammar let through only the command's own options, each with its value */
		if (o == VM_OPT_MAX || (vm_args_value(def, o) && i + 1 == argc))
			return vm_args_usage(def, "unexpected \"%s\"", argv[i]);
		a->set[o] = true;
		a->val[o] = vm_args_value(def, o) ? argv[++i] : "";
		if (o != VM_OPT_DHCP_SERVER || a->val[o][0] == '\0')
			continue;
		/* the one option that repeats */
		if (a->ndhcp_servers == VM_DHCP_SERVERS_MAX)
			return vm_args_usage(def, "--dhcp-server: at most %d domains",
			                     VM_DHCP_SERVERS_MAX);
		a->dhcp_servers[a->ndhcp_servers++] = a->val[o];
	}
	return vm_args_check(def, a);
}

/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl/cmd.h"
#include "ctl/guard_ctl.h"
#include "ctl/port_table.h"
#include "ctl/vlan_ctl.h"

/* Each handler's argv matches one of its forms (cmd_check): the words are in place. */
int cmd_port_add(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	struct port *p;
	int ret;

	ret = port_add(argv[0], argv[1], argc - 2, argv + 2, res->err, sizeof(res->err));
	p = ret == 0 ? port_find(argv[0]) : NULL;
	/* a fallback (generic XDP instead of native, copy instead of zero-copy) is no error,
	 * but the one who asked must hear of it */
	if (p != NULL && p->warning[0] != '\0') {
		res->json = json_object_new_object();
		json_object_object_add(res->json, "warning", json_object_new_string(p->warning));
	}
	return ret;
}

/* A port a user may change: it exists and is not the switch's own. */
static struct port *cmd_port_find(const char *name, struct cmd_result *res)
{
	struct port *p = port_find(name);

	if (p == NULL)
		snprintf(res->err, sizeof(res->err), "port \"%s\": no such port", name);
	else if (p->ops->own)
		snprintf(res->err, sizeof(res->err),
		         "port \"%s\": the switch's own port, not to be changed", name);
	return p != NULL && !p->ops->own ? p : NULL;
}

int cmd_port_del(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	if (cmd_port_find(argv[0], res) == NULL)
		return -ENOENT;
	return port_del(argv[0], res->err, sizeof(res->err));
}

int cmd_port_list(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	res->json = port_list_json();
	return 0;
}

/* "N[,M...] [--native N]" */
static struct vlan_set *cmd_port_parse_trunk(int argc, char **argv, struct cmd_result *res)
{
	uint16_t vids[VLAN_MAX], native = 0;
	unsigned int n;
	int ret;

	ret = vlan_parse_list(argv[0], vids, VLAN_MAX, &n);
	if (ret < 0) {
		snprintf(res->err, sizeof(res->err),
		         "bad VLAN list \"%s\": expected VLAN IDs 1-%d separated by commas",
		         argv[0], VLAN_MAX);
		return NULL;
	}
	if (argc == 3 && vlan_parse_id(argv[2], &native) < 0) {
		snprintf(res->err, sizeof(res->err), "bad native VLAN \"%s\": expected 1-%d",
		         argv[2], VLAN_MAX);
		return NULL;
	}
	return vlan_trunk_new(vids, n, native);
}

/* A key of the port's type ("block MAC" on afxdp): the type says whether it knows it. */
static int cmd_port_set_own(const struct cmd_def *def, struct port *p, char **argv,
                            struct cmd_result *res)
{
	int ret = -ENOTSUP;

	if (p->ops->set != NULL)
		ret = p->ops->set(p, argv[1], argv[2], res->err, sizeof(res->err));
	if (ret == -ENOTSUP) {
		snprintf(res->err, sizeof(res->err), "port \"%s\": a %s port has no setting \"%s\"",
		         p->name, p->ops->type, argv[1]);
		return cmd_usage(def, res);
	}
	return ret;
}

int cmd_port_set(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	struct vlan_set *v = NULL;
	struct port *p;
	uint16_t vid;
	int ret;

	p = cmd_port_find(argv[0], res);
	if (p == NULL)
		return -ENOENT;
	ret = guard_port_set(p, argc - 1, argv + 1, res->err, sizeof(res->err));
	if (ret != -ENOTSUP)
		return ret;
	if (strcmp(argv[1], "vlan") == 0) {
		if (vlan_parse_id(argv[2], &vid) < 0) {
			snprintf(res->err, sizeof(res->err), "bad VLAN \"%s\": expected 1-%d",
			         argv[2], VLAN_MAX);
			return -EINVAL;
		}
		v = vlan_access_new(vid);
	} else if (strcmp(argv[1], "trunk") == 0) {
		v = cmd_port_parse_trunk(argc - 2, argv + 2, res);
		if (v == NULL)
			return -EINVAL;
	} else {
		return cmd_port_set_own(def, p, argv, res);
	}
	if (v == NULL) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		return -ENOMEM;
	}
	return port_set_vlan(p, v, res->err, sizeof(res->err));
}

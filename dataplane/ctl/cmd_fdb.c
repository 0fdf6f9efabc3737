/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl/cmd.h"
#include "ctl/fdb_ctl.h"
#include "ctl/vlan_ctl.h"
#include "ctl/worker_ctl.h"
#include "ports/port.h"

/* Each handler's argv matches one of its forms (cmd_check): the words are in place. */
int cmd_fdb_show(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	res->json = fdb_show_json(worker_clock());
	return 0;
}

static int cmd_fdb_parse_mac(const char *s, struct rte_ether_addr *mac, struct cmd_result *res)
{
	if (rte_ether_unformat_addr(s, mac) != 0 || !rte_is_valid_assigned_ether_addr(mac)) {
		snprintf(
		        res->err, sizeof(res->err),
		        "bad MAC address \"%s\": expected a unicast address like 02:00:00:00:00:01",
		        s);
		return -EINVAL;
	}
	return 0;
}

/* The N of "vlan N" at the end of a command, when it is there; *vid stays as it was if not. */
static int cmd_fdb_parse_vlan(int argc, char **argv, int *vid, struct cmd_result *res)
{
	uint16_t v;

	if (argc == 0)
		return 0;
	if (vlan_parse_id(argv[1], &v) < 0) {
		snprintf(res->err, sizeof(res->err), "bad VLAN \"%s\": expected 1-%d", argv[1],
		         VLAN_MAX);
		return -ERANGE;
	}
	*vid = v;
	return 0;
}

int cmd_fdb_add(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	struct fdb_key key = { 0 };
	struct port *p;
	int vid, ret;

	if (cmd_fdb_parse_mac(argv[0], &key.mac, res) < 0)
		return -EINVAL;
	p = port_find(argv[1]);
	if (p == NULL) {
		snprintf(res->err, sizeof(res->err), "port \"%s\": no such port", argv[1]);
		return -ENOENT;
	}
	vid = p->vlan->pvid;
	ret = cmd_fdb_parse_vlan(argc - 2, argv + 2, &vid, res);
	if (ret < 0)
		return ret;
	if (vid == 0 || !vlan_member(p->vlan, (uint16_t)vid)) {
		snprintf(res->err, sizeof(res->err), "port \"%s\" does not carry VLAN %d", p->name,
		         vid);
		return -EINVAL;
	}
	key.vlan = (uint16_t)vid;
	ret = fdb_add_static(&key, p->index);
	if (ret < 0)
		snprintf(res->err, sizeof(res->err), "fdb: %s",
		         ret == -ENOSPC ? "table full" : strerror(-ret));
	return ret;
}

int cmd_fdb_del(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	struct rte_ether_addr mac;
	int vid = -1, ret;

	if (cmd_fdb_parse_mac(argv[0], &mac, res) < 0)
		return -EINVAL;
	ret = cmd_fdb_parse_vlan(argc - 1, argv + 1, &vid, res);
	if (ret < 0)
		return ret;
	if (fdb_del_mac(&mac, vid) == 0) {
		snprintf(res->err, sizeof(res->err), "fdb: no entry for %s%s%s", argv[0],
		         vid < 0 ? "" : " vlan ", vid < 0 ? "" : argv[2]);
		return -ENOENT;
	}
	return 0;
}

int cmd_fdb_flush(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	struct port *p = NULL;
	unsigned int n;

	if (argc == 1 && (p = port_find(argv[0])) == NULL) {
		snprintf(res->err, sizeof(res->err), "port \"%s\": no such port", argv[0]);
		return -ENOENT;
	}
	n = fdb_flush(p != NULL ? p->index : -1, false);
	res->json = json_object_new_object();
	json_object_object_add(res->json, "flushed", json_object_new_int64(n));
	return 0;
}

/* "aging SECONDS": the only setting so far */
int cmd_fdb_set(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(argv[1], &end, 10);
	if (argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' || errno != 0 || v > 1000000) {
		snprintf(res->err, sizeof(res->err),
		         "bad aging time \"%s\": expected 0 (never) to 1000000 seconds", argv[1]);
		return -EINVAL;
	}
	__atomic_store_n(&fdb.aging, (uint32_t)v, __ATOMIC_RELAXED);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* `probe PORT dhcp | arp IP [--vlan N]`: the switch asks into one port (ctl/probe.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "ctl/cmd.h"
#include "ctl/port_table.h"
#include "ctl/probe.h"
#include "ctl/vlan_ctl.h"

int cmd_probe(const struct cmd_def *def, int argc, char **argv, struct cmd_result *res)
{
	enum probe_kind kind = strcmp(argv[1], "dhcp") == 0 ? PROBE_DHCP : PROBE_ARP;
	int i = kind == PROBE_DHCP ? 2 : 3, vlan = -1;
	struct port *p = port_find(argv[0]);
	struct in_addr ip = { 0 };
	uint16_t vid;

	if (p == NULL || p->ops->own) {
		snprintf(res->err, sizeof(res->err), "port \"%s\": no such port", argv[0]);
		return -ENOENT;
	}
	if (kind == PROBE_ARP && inet_pton(AF_INET, argv[2], &ip) != 1) {
		snprintf(res->err, sizeof(res->err), "bad IPv4 address \"%s\"", argv[2]);
		return -EINVAL;
	}
	if (argc > i) { /* --vlan N */
		if (vlan_parse_id(argv[i + 1], &vid) < 0) {
			snprintf(res->err, sizeof(res->err), "bad VLAN \"%s\": expected 1-%d",
			         argv[i + 1], VLAN_MAX);
			return -EINVAL;
		}
		vlan = vid;
	}
	return probe_send(p, kind, vlan, ip.s_addr, res->err, sizeof(res->err));
}

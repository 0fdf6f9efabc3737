/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printer for `hosts`: one line per host the switch has seen, with its addresses joined by
 * commas, the way `ip neigh` lists what the kernel knows, and "server" under DHCP for a host
 * that answered as a DHCP server (-j says how long ago: dhcp_last_s).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "lanctl.h"

enum hosts_col {
	HOSTS_COL_MAC,
	HOSTS_COL_VLAN,
	HOSTS_COL_PORT,
	HOSTS_COL_VM,
	HOSTS_COL_IPV4,
	HOSTS_COL_IPV6,
	HOSTS_COL_SEEN,
	HOSTS_COL_DHCP,
	HOSTS_COL_MAX
};

static const struct print_col hosts_cols[HOSTS_COL_MAX] = {
	[HOSTS_COL_MAC] = { "MAC", false },    [HOSTS_COL_VLAN] = { "VLAN", true },
	[HOSTS_COL_PORT] = { "PORT", false },  [HOSTS_COL_VM] = { "VM", false },
	[HOSTS_COL_IPV4] = { "IPV4", false },  [HOSTS_COL_IPV6] = { "IPV6", false },
	[HOSTS_COL_SEEN] = { "SEEN_S", true }, [HOSTS_COL_DHCP] = { "DHCP", false },
};

/* The array's strings joined by commas; "-" for none. */
static void hosts_cell_list(char *cell, struct json_object *host, const char *key)
{
	struct json_object *arr, *a;
	size_t i, n, len = 0;

	cell[0] = '\0';
	if (json_object_object_get_ex(host, key, &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		n = json_object_array_length(arr);
		for (i = 0; i < n && len < PRINT_CELL_MAX; i++) {
			a = json_object_array_get_idx(arr, i);
			len += (size_t)snprintf(cell + len, PRINT_CELL_MAX - len, "%s%s",
			                        i ? "," : "", json_object_get_string(a));
		}
	}
	if (cell[0] == '\0')
		snprintf(cell, PRINT_CELL_MAX, "-");
}

static void hosts_cells(struct json_object *host, char cell[][PRINT_CELL_MAX])
{
	print_cell_str(cell[HOSTS_COL_MAC], host, "mac");
	print_cell_u64(cell[HOSTS_COL_VLAN], host, "vlan");
	print_cell_str(cell[HOSTS_COL_PORT], host, "port");
	print_cell_str(cell[HOSTS_COL_VM], host, "vm");
	hosts_cell_list(cell[HOSTS_COL_IPV4], host, "ipv4");
	hosts_cell_list(cell[HOSTS_COL_IPV6], host, "ipv6");
	print_cell_u64(cell[HOSTS_COL_SEEN], host, "last_seen_s");
	snprintf(cell[HOSTS_COL_DHCP], PRINT_CELL_MAX, "%s",
	         json_object_get_boolean(json_object_object_get(host, "dhcp_server")) ? "server"
	                                                                              : "-");
}

int cmd_hosts_print(struct json_object *result, FILE *out)
{
	static const struct print_table table = {
		.cols = hosts_cols,
		.ncols = HOSTS_COL_MAX,
		.header = true,
		.cells = hosts_cells,
	};

	return print_table(&table, result, out);
}

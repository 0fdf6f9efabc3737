/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printer for `port list`: one aligned line per port, then under it the drop reasons that
 * counted something and the port's status, the way `ip -s link` puts details under a link.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <json-c/json.h>

#include "lanctl.h"

enum port_col {
	PORT_COL_NAME,
	PORT_COL_TYPE,
	PORT_COL_LINK,
	PORT_COL_RX_PKTS,
	PORT_COL_RX_BYTES,
	PORT_COL_TX_PKTS,
	PORT_COL_TX_BYTES,
	PORT_COL_VLAN,
	PORT_COL_MAX
};

static const struct print_col port_cols[PORT_COL_MAX] = {
	[PORT_COL_NAME] = { "NAME", false },        [PORT_COL_TYPE] = { "TYPE", false },
	[PORT_COL_LINK] = { "LINK", false },        [PORT_COL_RX_PKTS] = { "RX_PKTS", true },
	[PORT_COL_RX_BYTES] = { "RX_BYTES", true }, [PORT_COL_TX_PKTS] = { "TX_PKTS", true },
	[PORT_COL_TX_BYTES] = { "TX_BYTES", true }, [PORT_COL_VLAN] = { "VLAN", false },
};

/* Appends to a cell; false once it no longer fits. */
static bool port_cell_append(char *cell, size_t *len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static bool port_cell_append(char *cell, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cell + *len, PRINT_CELL_MAX - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= PRINT_CELL_MAX - *len)
		return false;
	*len += n;
	return true;
}

/* "10" for an access port, "trunk 10,20 native 1" for a trunk, "-" for neither. */
static void port_cell_vlan(char *cell, struct json_object *port)
{
	struct json_object *trunk, *vid;
	uint64_t vlan, native;
	size_t i, n, len = 0;
	bool fits = true;

	if (print_get_u64(port, "vlan", &vlan)) {
		snprintf(cell, PRINT_CELL_MAX, "%" PRIu64, vlan);
		return;
	}
	if (!json_object_object_get_ex(port, "trunk", &trunk) ||
	    !json_object_is_type(trunk, json_type_array) || json_object_array_length(trunk) == 0) {
		snprintf(cell, PRINT_CELL_MAX, "-");
		return;
	}
	n = json_object_array_length(trunk);
	fits = port_cell_append(cell, &len, "trunk");
	for (i = 0; i < n && fits; i++) {
		vid = json_object_array_get_idx(trunk, i);
		fits = port_cell_append(cell, &len, "%s%" PRIu64, i ? "," : " ",
		                        json_object_get_uint64(vid));
	}
	if (fits && print_get_u64(port, "native", &native))
		fits = port_cell_append(cell, &len, " native %" PRIu64, native);
	/* A long trunk list must not look complete when it was cut. */
	if (!fits)
		memcpy(cell + PRINT_CELL_MAX - 4, "...", 4);
}

static void port_cells(struct json_object *port, char cell[][PRINT_CELL_MAX])
{
	print_cell_str(cell[PORT_COL_NAME], port, "name");
	print_cell_str(cell[PORT_COL_TYPE], port, "type");
	print_cell_str(cell[PORT_COL_LINK], port, "link");
	print_cell_u64(cell[PORT_COL_RX_PKTS], port, "rx_packets");
	print_cell_u64(cell[PORT_COL_RX_BYTES], port, "rx_bytes");
	print_cell_u64(cell[PORT_COL_TX_PKTS], port, "tx_packets");
	print_cell_u64(cell[PORT_COL_TX_BYTES], port, "tx_bytes");
	port_cell_vlan(cell[PORT_COL_VLAN], port);
}

/* A JSON array of strings, as "LABEL WORD WORD..."; nothing when empty. */
static bool port_guard_words(struct json_object *g, const char *key, const char *label, bool any,
                             FILE *out)
{
	struct json_object *arr;
	size_t i, n;

	if (!json_object_object_get_ex(g, key, &arr) || !json_object_is_type(arr, json_type_array))
		return any;
	n = json_object_array_length(arr);
	if (n == 0)
		return any;
	fprintf(out, "%s%s", any ? ", " : "    guard: ", label);
	for (i = 0; i < n; i++)
		fprintf(out, " %s", json_object_get_string(json_object_array_get_idx(arr, i)));
	return true;
}

/* The protections that are on, in the words that set them: "guard: mac-limit 5 (2 learned),
 * dhcp-server deny"; nothing for a port without one. */
static void port_guard_note(struct json_object *port, FILE *out)
{
	static const char *const classes[] = { "broadcast", "multicast", "unknown_unicast" };
	struct json_object *g, *storm;
	uint64_t limit = 0, learned = 0, pps;
	bool any = false;
	size_t i;

	if (!json_object_object_get_ex(port, "guard", &g) ||
	    !json_object_is_type(g, json_type_object))
		return;
	if (print_get_u64(g, "mac_limit", &limit) && limit > 0) {
		print_get_u64(g, "learned", &learned);
		fprintf(out, "    guard: mac-limit %" PRIu64 "%s (%" PRIu64 " learned)", limit,
		        json_object_get_boolean(json_object_object_get(g, "mac_limit_flood"))
		                ? " --flood"
		                : "",
		        learned);
		any = true;
	}
	any = port_guard_words(g, "allowed_macs", "allowed-mac", any, out);
	any = port_guard_words(g, "arp_guard", "arp-guard", any, out);
	if (print_get_str(g, "dhcp_server") &&
	    strcmp(print_get_str(g, "dhcp_server"), "deny") == 0) {
		fprintf(out, "%sdhcp-server deny", any ? ", " : "    guard: ");
		any = true;
	}
	if (print_get_str(g, "ra_guard") && strcmp(print_get_str(g, "ra_guard"), "deny") == 0) {
		fprintf(out, "%sra-guard deny", any ? ", " : "    guard: ");
		any = true;
	}
	if (json_object_object_get_ex(g, "storm", &storm)) {
		for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
			if (!print_get_u64(storm, classes[i], &pps) || pps == 0)
				continue;
			fprintf(out, "%sstorm %s %" PRIu64, any ? ", " : "    guard: ", classes[i],
			        pps);
			any = true;
		}
	}
	if (any)
		fputc('\n', out);
}

/* Only reasons that counted something: the full list is in -j for whoever wants zeros. */
static void port_notes(struct json_object *port, FILE *out)
{
	struct json_object *drops;
	const char *status = print_get_str(port, "status");
	bool any = false;

	if (json_object_object_get_ex(port, "drops", &drops) &&
	    json_object_is_type(drops, json_type_object)) {
		json_object_object_foreach(drops, reason, count)
		{
			if (!json_object_is_type(count, json_type_int) ||
			    json_object_get_uint64(count) == 0)
				continue;
			fprintf(out, "%s%s=%" PRIu64, any ? " " : "    drops: ", reason,
			        json_object_get_uint64(count));
			any = true;
		}
		if (any)
			fputc('\n', out);
	}
	if (status)
		fprintf(out, "    status: %s\n", status);
	if (print_get_str(port, "warning"))
		fprintf(out, "    warning: %s\n", print_get_str(port, "warning"));
	port_guard_note(port, out);
	/* adaptive mode: this port is why its worker never sleeps */
	if (print_get_str(port, "wake") && strcmp(print_get_str(port, "wake"), "none") == 0)
		fprintf(out,
		        "    wake: none (no rx interrupts: its worker polls and never sleeps)\n");
}

int cmd_port_list_print(struct json_object *result, FILE *out)
{
	static const struct print_table table = {
		.cols = port_cols,
		.ncols = PORT_COL_MAX,
		.header = true,
		.cells = port_cells,
		.notes = port_notes,
	};

	return print_table(&table, result, out);
}

/* The port was added, with less than was asked (a fallback the daemon chose). */
int cmd_port_add_print(struct json_object *result, FILE *out)
{
	const char *warning = print_get_str(result, "warning");

	if (warning == NULL)
		return -EPROTO;
	fprintf(out, "warning: %s\n", warning);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printer for `fdb show`, in the shape of `bridge fdb show`: one sentence-like line per
 * entry, "MAC PORT vlan N age S" or "... static", with the columns aligned.
 */
#include <errno.h>
#include <inttypes.h>

#include <json-c/json.h>

#include "lanctl.h"

enum fdb_col { FDB_COL_MAC, FDB_COL_PORT, FDB_COL_VLAN, FDB_COL_AGE, FDB_COL_MAX };

static const struct print_col fdb_cols[FDB_COL_MAX] = {
	[FDB_COL_MAC] = { "MAC", false },
	[FDB_COL_PORT] = { "PORT", false },
	[FDB_COL_VLAN] = { "VLAN", false },
	[FDB_COL_AGE] = { "AGE", false },
};

static void fdb_cells(struct json_object *entry, char cell[][PRINT_CELL_MAX])
{
	struct json_object *is_static;
	uint64_t vlan, age;

	print_cell_str(cell[FDB_COL_MAC], entry, "mac");
	print_cell_str(cell[FDB_COL_PORT], entry, "port");
	if (print_get_u64(entry, "vlan", &vlan))
		snprintf(cell[FDB_COL_VLAN], PRINT_CELL_MAX, "vlan %" PRIu64, vlan);
	else
		cell[FDB_COL_VLAN][0] = '\0';

	/* A static entry never ages, so its age would only be noise. */
	if (json_object_object_get_ex(entry, "static", &is_static) &&
	    json_object_get_boolean(is_static))
		snprintf(cell[FDB_COL_AGE], PRINT_CELL_MAX, "static");
	else if (print_get_u64(entry, "age_s", &age))
		snprintf(cell[FDB_COL_AGE], PRINT_CELL_MAX, "age %" PRIu64, age);
	else
		cell[FDB_COL_AGE][0] = '\0';
}

int cmd_fdb_show_print(struct json_object *result, FILE *out)
{
	static const struct print_table table = {
		.cols = fdb_cols,
		.ncols = FDB_COL_MAX,
		.header = false,
		.cells = fdb_cells,
	};

	return print_table(&table, result, out);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output helpers shared by the printers: aligned column tables over an array of result
 * objects, and the JSON forms (-j, and the fallback for shapes no printer knows).
 *
 * Missing or mistyped fields print as "-" instead of failing: a newer daemon may drop or
 * change a field, and the rest of the table is still worth showing. Unknown fields are
 * ignored for the same reason.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "lanctl.h"

#define PRINT_COL_GAP "  "

bool print_is_object_array(struct json_object *result)
{
	size_t i, n;

	if (!json_object_is_type(result, json_type_array))
		return false;
	n = json_object_array_length(result);
	for (i = 0; i < n; i++) {
		if (!json_object_is_type(json_object_array_get_idx(result, i), json_type_object))
			return false;
	}
	return true;
}

/* Empty trailing cells print nothing, so no line ends in padding. */
static void print_row(const struct print_table *table, char cell[][PRINT_CELL_MAX],
                      const size_t *width, FILE *out)
{
	unsigned int c, last = 0;

	for (c = 0; c < table->ncols; c++) {
		if (cell[c][0] != '\0')
			last = c;
	}
	for (c = 0; c <= last; c++) {
		if (c > 0)
			fputs(PRINT_COL_GAP, out);
		if (table->cols[c].right)
			fprintf(out, "%*s", (int)width[c], cell[c]);
		else if (c == last)
			fputs(cell[c], out);
		else
			fprintf(out, "%-*s", (int)width[c], cell[c]);
	}
	fputc('\n', out);
}

int print_table(const struct print_table *table, struct json_object *rows, FILE *out)
{
	char cell[PRINT_COLS_MAX][PRINT_CELL_MAX];
	size_t width[PRINT_COLS_MAX] = { 0 };
	struct json_object *row;
	size_t i, n;
	unsigned int c;

	if (!print_is_object_array(rows) || table->ncols > PRINT_COLS_MAX)
		return -EPROTO;
	n = json_object_array_length(rows);
	if (n == 0)
		return 0;

	for (c = 0; c < table->ncols && table->header; c++) {
		snprintf(cell[c], PRINT_CELL_MAX, "%s", table->cols[c].title);
		width[c] = strlen(cell[c]);
	}
	/* Cells are formatted twice, to measure then to print, so no row is stored. */
	for (i = 0; i < n; i++) {
		table->cells(json_object_array_get_idx(rows, i), cell);
		for (c = 0; c < table->ncols; c++) {
			if (strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
		}
	}

	if (table->header) {
		for (c = 0; c < table->ncols; c++)
			snprintf(cell[c], PRINT_CELL_MAX, "%s", table->cols[c].title);
		print_row(table, cell, width, out);
	}
	for (i = 0; i < n; i++) {
		row = json_object_array_get_idx(rows, i);
		table->cells(row, cell);
		print_row(table, cell, width, out);
		if (table->notes)
			table->notes(row, out);
	}
	return 0;
}

const char *print_get_str(struct json_object *obj, const char *key)
{
	struct json_object *val;

	if (!json_object_object_get_ex(obj, key, &val) ||
	    !json_object_is_type(val, json_type_string))
		return NULL;
	return json_object_get_string(val);
}

bool print_get_u64(struct json_object *obj, const char *key, uint64_t *val)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*val = json_object_get_uint64(v);
	return true;
}

void print_cell_str(char *cell, struct json_object *obj, const char *key)
{
	const char *s = print_get_str(obj, key);

	snprintf(cell, PRINT_CELL_MAX, "%s", s ? s : "-");
}

void print_cell_u64(char *cell, struct json_object *obj, const char *key)
{
	uint64_t v;

	if (print_get_u64(obj, key, &v))
		snprintf(cell, PRINT_CELL_MAX, "%" PRIu64, v);
	else
		snprintf(cell, PRINT_CELL_MAX, "-");
}

/*
 * Slashes stay unescaped: the output is still valid JSON, and paths such as
 * /run/lanswitch/pfsense.sock stay greppable.
 */
int print_json_plain(struct json_object *result, FILE *out)
{
	const char *s = json_object_to_json_string_ext(
	        result, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -ENOMEM;
	fprintf(out, "%s\n", s);
	return 0;
}

int print_json_pretty(struct json_object *result, FILE *out)
{
	const char *s = json_object_to_json_string_ext(
	        result,
	        JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -ENOMEM;
	fprintf(out, "%s\n", s);
	return 0;
}

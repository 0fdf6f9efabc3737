/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printer for `config show`: the running configuration as config file lines, so that
 * `lanctl config show > /etc/lanswitch/lanswitch.conf` saves what was changed at runtime.
 */
#include <errno.h>

#include <json-c/json.h>

#include "lanctl.h"

int cmd_config_show_print(struct json_object *result, FILE *out)
{
	struct json_object *lines;
	size_t i, n;

	if (!json_object_is_type(result, json_type_object) ||
	    !json_object_object_get_ex(result, "lines", &lines) ||
	    !json_object_is_type(lines, json_type_array))
		return -EPROTO;
	/* Check every line first: a printer that fails must not have printed half. */
	n = json_object_array_length(lines);
	for (i = 0; i < n; i++) {
		if (!json_object_is_type(json_object_array_get_idx(lines, i), json_type_string))
			return -EPROTO;
	}
	for (i = 0; i < n; i++)
		fprintf(out, "%s\n", json_object_get_string(json_object_array_get_idx(lines, i)));
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* A request line into the words of its command (ctl/ctl_decode.h). */
#include <string.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "ctl/ctl_decode.h"

/* argv points into req; returns argc or -1 with why set. */
static int ctl_decode_args(struct json_object *req, char **argv, const char **why)
{
	struct json_object *args, *a;
	size_t i, n;

	if (!json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, CTL_KEY_ARGS, &args) ||
	    !json_object_is_type(args, json_type_array)) {
		*why = "bad request: expected {\"args\":[\"word\",...]}";
		return -1;
	}
	n = json_object_array_length(args);
	if (n == 0 || n > CTL_MAX_ARGS) {
		*why = n == 0 ? "bad request: no command" : "bad request: too many words";
		return -1;
	}
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(args, i);
		if (!json_object_is_type(a, json_type_string)) {
			*why = "bad request: every word must be a string";
			return -1;
		}
		argv[i] = (char *)json_object_get_string(a);
		/* "a\u0000b" is a word of three bytes that C reads as "a": port del would take
		 * it for port a */
		if (strlen(argv[i]) != (size_t)json_object_get_string_len(a)) {
			*why = "bad request: NUL character in a word";
			return -1;
		}
	}
	return (int)n;
}

int ctl_decode(const char *line, size_t len, struct json_object **req, char **argv,
               const char **why)
{
	int argc;

	*req = NULL;
	/* json-c would stop at the NUL and take the request before it for the whole line */
	if (strlen(line) != len) {
		*why = "bad request: NUL byte in request";
		return -1;
	}
	*req = json_tokener_parse(line);
	if (*req == NULL) {
		*why = "bad request: not JSON";
		return -1;
	}
	argc = ctl_decode_args(*req, argv, why);
	if (argc < 0) {
		json_object_put(*req);
		*req = NULL;
	}
	return argc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's requests (dataplane/ctl/ctl_decode.c): the input up to its first
 * newline is one request line, as ctl_server.c hands the decoder one (its framing is not
 * fuzzed here: one line an input keeps the rate up, json-c allocating a lot under ASan). The
 * line is decoded, then its words go through cmd_run as far as the handler (the handlers are
 * stubs: fuzz_stub_cmd.c). What a request decodes to, written again by lanctl's encoder
 * (control/client.c), decodes to the same words; and the line is read as a reply by lanctl's
 * reply parser too, which a daemon's bytes reach.
 */
#include <errno.h>

#include <json-c/json.h>

#include "api/ctl_proto.h"
#include "ctl/cmd.h"
#include "ctl/ctl_decode.h"
#include "fuzz.h"
#include "lanctl.h"

/* lanctl's request for the same words decodes to them again. */
static void fuzz_reencode(int argc, char **argv)
{
	struct json_object *req;
	char *again[CTL_MAX_ARGS], *line;
	const char *why;
	size_t len;
	int i;

	if (client_request_build(argv, argc, &line, &len) == -E2BIG)
		return; /* lanctl refuses what the daemon would */
	FUZZ_CHECK(line != NULL && len >= 1 && line[len - 1] == '\n');
	line[len - 1] = '\0';
	FUZZ_CHECK(ctl_decode(line, len - 1, &req, again, &why) == argc);
	for (i = 0; i < argc; i++)
		FUZZ_CHECK(strcmp(argv[i], again[i]) == 0);
	json_object_put(req);
	free(line);
}

static void fuzz_line(const char *line, size_t len)
{
	struct json_object *req = NULL, *reply = NULL;
	struct cmd_result res = { 0 };
	char *argv[CTL_MAX_ARGS];
	const char *why = NULL;
	bool changed;
	int argc, i;

	argc = ctl_decode(line, len, &req, argv, &why);
	if (argc < 0) {
		FUZZ_CHECK(argc == -1 && req == NULL && why != NULL &&
		           strncmp(why, "bad request: ", 13) == 0);
	} else {
		FUZZ_CHECK(argc >= 1 && argc <= CTL_MAX_ARGS && req != NULL);
		for (i = 0; i < argc; i++)
			FUZZ_CHECK(argv[i] != NULL);
		if (cmd_run(argc, argv, false, &changed, &res) < 0)
			FUZZ_CHECK(strlen(res.err) > 0 && res.json == NULL);
		fuzz_reencode(argc, argv);
		json_object_put(req);
	}
	why = NULL;
	if (client_reply_parse(line, len, &reply, &why) < 0)
		FUZZ_CHECK(why != NULL);
	json_object_put(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl != NULL ? (size_t)(nl - data) : size;
	/* len bytes and a NUL where the newline was, in a buffer that ends there */
	char *line = fuzz_cstr(data, len);

	fuzz_line(line, len);
	free(line);
	return 0;
}

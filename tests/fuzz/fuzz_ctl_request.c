/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's requests (dataplane/ctl/ctl_decode.c): the input as what a client
 * sent, cut into lines at each newline as ctl_server.c cuts them (the last one too, as if its
 * newline came). Each line is decoded, then its words go through cmd_run as far as the
 * handler (the handlers are stubs: fuzz_stub_cmd.c). What a request decodes to, written
 * again by lanctl's encoder (control/client.c), decodes to the same words; and each line is
 * read as a reply by lanctl's reply parser too, which a daemon's bytes reach.
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
	char *in = fuzz_cstr(data, size), *start = in, *nl;

	/* ctl_server.c ends each line at its newline; the decoder sees len bytes and a NUL */
	while (start < in + size) {
		nl = memchr(start, '\n', (size_t)(in + size - start));
		if (nl == NULL)
			nl = in + size;
		*nl = '\0';
		fuzz_line(start, (size_t)(nl - start));
		start = nl + 1;
	}
	free(in);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api/words.c: the input as one line of a config file, state file or lanctl's own files.
 * words_split never writes past its buffer nor reads past the line; every word it gives back,
 * quoted by words_quote (as the state file and lanctl write words), splits back to itself.
 */
#include <errno.h>

#include "api/words.h"
#include "fuzz.h"

/* Every word of w quoted, separated by one blank: a line as config_describe writes one. */
static char *fuzz_words_join(const struct words *w)
{
	char *line = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&line, &len);
	int i;

	FUZZ_CHECK(m != NULL);
	for (i = 0; i < w->argc; i++) {
		if (i > 0)
			fputc(' ', m);
		words_quote(m, w->argv[i]);
	}
	FUZZ_CHECK(fclose(m) == 0);
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct words *w = malloc(sizeof(*w)), *again = malloc(sizeof(*again));
	const char *why = NULL;
	char *line = fuzz_cstr(data, size), *quoted;
	int n, i;

	FUZZ_CHECK(w != NULL && again != NULL);
	n = words_split(line, w, &why);
	if (n < 0) {
		FUZZ_CHECK((n == -EINVAL || n == -E2BIG) && why != NULL);
		goto out;
	}
	FUZZ_CHECK(n == w->argc && n <= WORDS_MAX);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(w->argv[i] >= w->buf &&
		           w->argv[i] + strlen(w->argv[i]) < w->buf + sizeof(w->buf));
	/* the words hold fewer bytes than the line, quotes and escapes gone: they fit again */
	quoted = fuzz_words_join(w);
	FUZZ_CHECK(words_split(quoted, again, &why) == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(strcmp(w->argv[i], again->argv[i]) == 0);
	free(quoted);
out:
	free(line);
	free(again);
	free(w);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the libFuzzer targets share. A target's checks are the properties its code promises
 * (a quoted word splits back to itself, a parsed VLAN is in range): FUZZ_CHECK aborts on a
 * broken one, which libFuzzer reports as a crash like any sanitizer's. Not assert(): a release
 * build (NDEBUG) would drop the checks without a word.
 */
#ifndef LANSWITCH_FUZZ_H
#define LANSWITCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
			        #cond);                                                       \
			abort();                                                              \
		}                                                                             \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string in a buffer of exactly size + 1 bytes, so ASan sees any read past
 * its terminating NUL (libFuzzer's own buffer has no such bound). Free it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif

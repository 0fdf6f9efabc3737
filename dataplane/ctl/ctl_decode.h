/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control protocol's request decoder (api/ctl_proto.h): one request line in, the words of
 * its command out. Apart from the socket and from running the command, so the fuzzer calls it
 * on plain bytes (tests/fuzz/fuzz_ctl_request.c). Control thread only.
 */
#ifndef LANSWITCH_CTL_DECODE_H
#define LANSWITCH_CTL_DECODE_H

#include <stddef.h>

struct json_object;

/*
 * The line's len bytes (its newline removed; line[len] == '\0') as a request. Returns argc
 * (1..CTL_MAX_ARGS) with argv[] pointing into *req, which the caller puts once done with
 * them; or -1 with *req NULL and why the error reply ("bad request: not JSON", ...).
 */
int ctl_decode(const char *line, size_t len, struct json_object **req, char **argv,
               const char **why);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* The state file's seal: an end line that tells a whole, unedited file (ctl/state_seal.c). */
#ifndef LANSWITCH_STATE_SEAL_H
#define LANSWITCH_STATE_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* in the header of every sealed state file */
#define STATE_SEAL_HEADER "# lanswitch-state: sealed"

/* FNV-1a, continued from h over p[0..n): enough to notice an edit, not a forgery */
#define STATE_SEAL_FNV_INIT 0xcbf29ce484222325ULL
uint64_t state_seal_fnv(uint64_t h, const char *p, size_t n);
/* body, then its end line */
int state_seal_write(FILE *out, const char *body, size_t len);
/* 0: sealed and whole, or written before seals; -EBADMSG: damaged, why says how; another
 * negative errno: unreadable */
int state_seal_check(const char *path, char *why, size_t whylen);
/* what a damaged state file's name gets: PATH.damaged-DATE-TIME */
#define STATE_SEAL_ASIDE ".damaged-"
/* Rename path aside (PATH.damaged-DATE-TIME, the local time at), kept for inspection; its new
 * name in aside. */
int state_seal_aside(const char *path, time_t at, char *aside, size_t asidelen);

#endif

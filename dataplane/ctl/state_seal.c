/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state file's seal: a state file written by this version says so in its header
 * (STATE_SEAL_HEADER) and ends with "# end DIGEST", the FNV-1a of every byte before that line.
 * A file cut short (a full disk, a copy interrupted) lacks the line; one edited by hand no
 * longer matches it, even when every line still parses. A file without the header was written
 * before seals: it is taken as it is, so an upgrade keeps its runtime changes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ctl/log.h"
#include "ctl/state_seal.h"

#define STATE_SEAL_END "# end "
#define STATE_SEAL_MAX (64u << 20) /* a state file is a few KB; more is not ours */

uint64_t state_seal_fnv(uint64_t h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 0x100000001b3ULL;
	return h;
}

int state_seal_write(FILE *out, const char *body, size_t len)
{
	if (fwrite(body, 1, len, out) != len)
		return -EIO;
	if (fprintf(out, STATE_SEAL_END "%016" PRIx64 "\n",
	            state_seal_fnv(STATE_SEAL_FNV_INIT, body, len)) < 0)
		return -EIO;
	return 0;
}

/* The whole file, NUL-terminated, in *buf (free it); its length in *len. */
static int state_seal_read(const char *path, char **buf, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) != 0 || st.st_size > STATE_SEAL_MAX) {
		ret = st.st_size > STATE_SEAL_MAX ? -EFBIG : -errno;
		goto out;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (*buf == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	*len = fread(*buf, 1, (size_t)st.st_size, f);
	(*buf)[*len] = '\0';
	if (ferror(f)) {
		ret = -EIO;
		free(*buf);
	}
out:
	fclose(f);
	return ret;
}

int state_seal_check(const char *path, char *why, size_t whylen)
{
	size_t len = 0, end;
	char *buf = NULL, *last;
	uint64_t want;
	int ret;

	ret = state_seal_read(path, &buf, &len);
	if (ret < 0) {
		snprintf(why, whylen, "%s", strerror(-ret));
		return ret;
	}
	ret = 0;
	if (strstr(buf, STATE_SEAL_HEADER "\n") == NULL)
		goto out; /* written before seals */
	ret = -EBADMSG;
	if (len == 0 || buf[len - 1] != '\n') {
		snprintf(why, whylen, "cut short (no end line)");
		goto out;
	}
	buf[len - 1] = '\0';
	last = strrchr(buf, '\n');
	end = last == NULL ? 0 : (size_t)(last + 1 - buf);
	if (strncmp(buf + end, STATE_SEAL_END, strlen(STATE_SEAL_END)) != 0) {
		snprintf(why, whylen, "cut short (no end line)");
		goto out;
	}
	want = strtoull(buf + end + strlen(STATE_SEAL_END), NULL, 16);
	if (want != state_seal_fnv(STATE_SEAL_FNV_INIT, buf, end)) {
		snprintf(why, whylen, "changed since it was written (its end line does not match)");
		goto out;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

int state_seal_aside(const char *path, time_t at, char *aside, size_t asidelen)
{
	char stamp[32];
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime_r(&at, &tm));
	snprintf(aside, asidelen, "%s" STATE_SEAL_ASIDE "%s", path, stamp);
	if (rename(path, aside) != 0)
		return -errno;
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* Port names and socket paths of libvirt domains (vm_name.h says what they are). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vm_name.h"

#define VM_NAME_HASH_LEN 5 /* "-hhhh" */

/*
 * FNV-1a (32 bits) of the original name, folded to 16 by xor as FNV's authors advise for
 * shorter hashes: a fixed, documented function, so the suffix is the same on every machine
 * and in every future version of lanctl.
 */
static uint16_t vm_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return (uint16_t)((h >> 16) ^ (h & 0xffff));
}

static bool vm_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/*
 * The characters of name a port may have, at most max of them; returns how many the whole
 * reduction holds (which may be more than max). A leading '-' would read as an option on
 * lanctl's command line and a leading '.' hides the socket file, so neither starts a name.
 */
static size_t vm_name_reduce(const char *name, char *out, size_t max)
{
	size_t n = 0;

	for (; *name != '\0'; name++) {
		if (!vm_name_char_ok(*name) || (n == 0 && (*name == '-' || *name == '.')))
			continue;
		if (n < max)
			out[n] = *name;
		n++;
	}
	out[n < max ? n : max] = '\0';
	return n;
}

int vm_port_name(const char *domain, unsigned int index, char *buf, size_t len)
{
	char base[VM_PORT_NAME_MAX + 1], suffix[16];
	size_t full, keep, slen = 0;
	int n;

	if (len < VM_PORT_NAME_MAX + 1)
		return -ENOSPC;
	if (index > 0)
		slen = (size_t)snprintf(suffix, sizeof(suffix), ".%u", index);
	else
		suffix[0] = '\0';

	full = vm_name_reduce(domain, base, VM_PORT_NAME_MAX);
	if (full == strlen(domain) && full + slen <= VM_PORT_NAME_MAX) {
		snprintf(buf, len, "%s%s", base, suffix);
		return 0;
	}

	keep = VM_PORT_NAME_MAX - VM_NAME_HASH_LEN - slen;
	if (keep < strlen(base))
		base[keep] = '\0';
	/* "win.-1a2b" reads badly: the part kept ends on a letter or digit. */
	for (n = (int)strlen(base) - 1; n >= 0 && (base[n] == '-' || base[n] == '.'); n--)
		base[n] = '\0';
	/* Nothing left of the name (all UTF-8, say): the hash alone, after a word. */
	if (base[0] == '\0')
		strcpy(base, "vm");
	snprintf(buf, len, "%s-%04x%s", base, vm_name_hash(domain), suffix);
	return 0;
}

bool vm_port_name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > VM_PORT_NAME_MAX || name[0] == '-' || name[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!vm_name_char_ok(name[i]))
			return false;
	return true;
}

int vm_socket_path(const char *dir, const char *port, char *buf, size_t len, char *err,
                   size_t errlen)
{
	size_t dlen = strlen(dir);
	int n;

	if (dir[0] != '/') {
		snprintf(err, errlen, "socket directory \"%s\": must be an absolute path", dir);
		return -EINVAL;
	}
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (dlen == 1)
		dlen = 0; /* "/" itself: no "//" */
	n = snprintf(buf, len, "%.*s/%s.sock", (int)dlen, dir, port);
	if (n < 0 || (size_t)n >= len || n >= VM_SOCKET_PATH_MAX) {
		snprintf(err, errlen,
		         "socket path \"%.*s/%s.sock\": %d bytes, a unix socket path must be "
		         "under %d (choose a shorter --socket-dir)",
		         (int)dlen, dir, port, n, VM_SOCKET_PATH_MAX);
		if (len > 0)
			buf[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

int vm_socket_path_check(const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path);

	if (path[0] != '/') {
		snprintf(err, errlen, "socket path \"%s\": must be absolute", path);
		return -EINVAL;
	}
	if (n >= VM_SOCKET_PATH_MAX) {
		snprintf(err, errlen,
		         "socket path \"%s\": %zu bytes, a unix socket path must be under %d", path,
		         n, VM_SOCKET_PATH_MAX);
		return -EINVAL;
	}
	return 0;
}

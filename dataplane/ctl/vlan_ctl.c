/* SPDX-License-Identifier: BSD-3-Clause */
/* Building VLAN sets (ctl/vlan_ctl.h): the control thread's; workers only read them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/vlan_ctl.h"

struct vlan_set *vlan_access_new(uint16_t vid)
{
	struct vlan_set *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->pvid = vid;
	vlan_add(v, vid);
	return v;
}

struct vlan_set *vlan_trunk_new(const uint16_t *vids, unsigned int n, uint16_t native)
{
	struct vlan_set *v = calloc(1, sizeof(*v));
	unsigned int i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (vids[i] == native || vlan_member(v, vids[i]))
			continue;
		vlan_add(v, vids[i]);
		v->ntagged++;
	}
	if (native != 0) {
		v->pvid = native;
		vlan_add(v, native);
	}
	return v;
}

/* 1..4094: 0 means "no VLAN" on the wire and 4095 is reserved by 802.1Q. */
int vlan_parse_id(const char *s, uint16_t *vid)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > VLAN_MAX)
		return -ERANGE;
	*vid = (uint16_t)v;
	return 0;
}

int vlan_parse_list(const char *s, uint16_t *vids, unsigned int max, unsigned int *n)
{
	char buf[4096], *tok, *save = NULL;
	int ret;

	if (strlen(s) >= sizeof(buf) || *s == '\0')
		return -EINVAL;
	strcpy(buf, s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (*n == max)
			return -E2BIG;
		ret = vlan_parse_id(tok, &vids[*n]);
		if (ret < 0)
			return ret;
		(*n)++;
	}
	return *n == 0 ? -EINVAL : 0;
}

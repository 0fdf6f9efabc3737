/* SPDX-License-Identifier: BSD-3-Clause */
/* Building VLAN sets from what lanctl and the config file say (ctl/vlan_ctl.c). */
#ifndef LANSWITCH_VLAN_CTL_H
#define LANSWITCH_VLAN_CTL_H

#include <stdint.h>

#include "fast/vlan.h"

struct vlan_set *vlan_access_new(uint16_t vid);
struct vlan_set *vlan_trunk_new(const uint16_t *vids, unsigned int n, uint16_t native);
int vlan_parse_id(const char *s, uint16_t *vid);
int vlan_parse_list(const char *s, uint16_t *vids, unsigned int max, unsigned int *n);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef LANSWITCH_MAC_H
#define LANSWITCH_MAC_H

#include <stdio.h>

#include <rte_ether.h>

#define MAC_STR_LEN 18

/* Lower case, as ip and bridge print MACs (rte_ether_format_addr prints upper case). */
static inline void mac_format(char *buf, const struct rte_ether_addr *a)
{
	const uint8_t *b = a->addr_bytes;

	snprintf(buf, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
	         b[5]);
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* MAC address helpers shared by the frame builder, the counters and the command replies. */
#ifndef LSGEN_MAC_H
#define LSGEN_MAC_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>

#define MAC_STR_LEN RTE_ETHER_ADDR_FMT_SIZE

/* Lower case, unlike rte_ether_format_addr(): the form people write in --vdev mac=... */
static inline void mac_format(char *buf, size_t len, const struct rte_ether_addr *a)
{
	const uint8_t *b = a->addr_bytes;

	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static inline int mac_parse(const char *s, struct rte_ether_addr *a)
{
	return rte_ether_unformat_addr(s, a) == 0 ? 0 : -EINVAL;
}

static inline uint64_t mac_to_u64(const struct rte_ether_addr *a)
{
	const uint8_t *b = a->addr_bytes;

	return (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 | (uint64_t)b[2] << 24 |
	       (uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5];
}

static inline void mac_from_u64(struct rte_ether_addr *a, uint64_t v)
{
	int i;

	for (i = RTE_ETHER_ADDR_LEN - 1; i >= 0; i--, v >>= 8)
		a->addr_bytes[i] = v & 0xff;
}

/*
 * base + i over the last three bytes only: the OUI and the locally-administered bit of the
 * base stay as given, so a many-MAC run never wanders into multicast addresses.
 */
static inline void mac_add(struct rte_ether_addr *out, const struct rte_ether_addr *base,
                           uint32_t i)
{
	const uint8_t *b = base->addr_bytes;
	uint32_t low = ((uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5]) + i;

	*out = *base;
	out->addr_bytes[3] = (low >> 16) & 0xff;
	out->addr_bytes[4] = (low >> 8) & 0xff;
	out->addr_bytes[5] = low & 0xff;
}

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* The hosts the switch has seen and their addresses (ctl/hosts.c). Control thread only. */
#ifndef LANSWITCH_HOSTS_H
#define LANSWITCH_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

struct json_object;

/* mac used addr (AF_INET: 4 bytes, AF_INET6: 16) in vlan behind port at now; true when that
 * is news: a new host, a new address, or another port. */
bool hosts_seen(const struct rte_ether_addr *mac, uint16_t vlan, const char *port, int family,
                const uint8_t *addr, uint32_t now);
/* mac answered as a DHCP server (an offer or an ack) in vlan behind port at now: marked. */
void hosts_dhcp_server(const struct rte_ether_addr *mac, uint16_t vlan, const char *port,
                       uint32_t now);
void hosts_age(uint32_t now, uint32_t aging);
void hosts_forget_port(const char *port);
struct json_object *hosts_json(uint32_t now);

#endif

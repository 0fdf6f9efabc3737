/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FDB on the control thread (ctl/fdb_ctl.c): set-up, static entries, deletes of every
 * kind (aging, flushes, lanctl), and what lanctl shows. Deletes unlink entries and free their
 * slots after an RCU grace period (fast/fdb.h says why that keeps the workers safe).
 */
#ifndef LANSWITCH_FDB_CTL_H
#define LANSWITCH_FDB_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fast/fdb.h"

struct json_object;
struct vlan_set;

int fdb_init(uint32_t size, struct rte_rcu_qsbr *qsbr);
void fdb_fini(void);
int fdb_get(const struct fdb_key *key, uint64_t *data);
int fdb_add_static(const struct fdb_key *key, uint16_t port);
unsigned int fdb_flush_port_except(int port, const uint8_t (*macs)[6], unsigned int n);
unsigned int fdb_del_mac(const struct rte_ether_addr *mac, int vlan);
unsigned int fdb_flush(int port, bool include_static);
unsigned int fdb_flush_vlan_change(int port, const struct vlan_set *keep);
unsigned int fdb_age(uint32_t now);
uint32_t fdb_count(void);
struct json_object *fdb_show_json(uint32_t now);
void fdb_describe(FILE *out);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The afxdp port type's own state, shared by its two files: port_afxdp.c (the port: options,
 * interface, sockets, link) and afxdp_xdp.c (its XDP program: loading, attaching, the maps
 * it reads, the counters it writes). Control thread only; the workers see port->fast.
 */
#ifndef LANSWITCH_PORT_AFXDP_H
#define LANSWITCH_PORT_AFXDP_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ports/port.h"

#define AFXDP_USAGE                                                                            \
	"usage: port add NAME afxdp IFACE [--queues N] [--mode native|generic] [--zero-copy] " \
	"[--xdp-prog OBJ]"
#define AFXDP_QUEUES_MAX 64
#define AFXDP_BLOCK_MAX 4096 /* XDP_BLOCKED_MAX */

enum afxdp_mode { AFXDP_NATIVE, AFXDP_GENERIC };

extern const char *const afxdp_mode_names[];

/* Control thread only; the workers see p->fast. */
struct afxdp_priv {
	char ifname[IFNAMSIZ];
	char xdp_prog[PATH_MAX]; /* "": the program built into lanswitchd */
	unsigned int nq;
	enum afxdp_mode mode_asked, mode;
	bool zc_asked;
	bool was_promisc; /* before the port made it promiscuous: restored on removal */
	int ifindex;
	unsigned int mtu; /* the interface's */
	struct netlink *nl;
	struct xdp_ctl *xdp;
	struct afxdp_fast *fast;
	unsigned int nblocked;
	struct rte_ether_addr *blocked; /* AFXDP_BLOCK_MAX entries */
};

/* Append to the port's warning ("; " between): what open() did other than asked. */
void afxdp_warn(struct port *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* afxdp_xdp.c */
int afxdp_load_xdp(struct port *p, struct afxdp_priv *a, char *err, size_t errlen);
int afxdp_attach(struct port *p, struct afxdp_priv *a, char *err, size_t errlen);
void afxdp_describe_set(const struct port *p, FILE *out);
void afxdp_show_drops(const struct afxdp_priv *a, struct json_object *drops,
                      struct json_object *xdp);
int afxdp_set(struct port *p, const char *key, const char *value, char *err, size_t errlen);
int afxdp_vlan_changed(struct port *p, const struct vlan_set *v, char *err, size_t errlen);
int afxdp_guard_changed(struct port *p, const struct port_guard *g, char *err, size_t errlen);

#endif

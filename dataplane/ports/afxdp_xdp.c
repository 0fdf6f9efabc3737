/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The afxdp port's XDP program: load it (built in, or --xdp-prog), attach it (native, or
 * generic where the driver has no native XDP), keep its maps in step with the port (VLANs,
 * block list, allowed-mac) and read its verdict counters for "port list".
 *
 * The program is loaded once, when the port opens, and stays attached through link events
 * and MTU changes: its maps are filled here at load and kept in step after, never restored.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>

#include <json-c/json.h>

#include "api/words.h"
#include "ctl/mac.h"
#include "fast/guard.h"
#include "ports/afxdp_queue.h"
#include "ports/port_afxdp.h"
#include "xdp_ctl.h"

_Static_assert(GUARD_MACS_MAX <= XDP_CTL_ALLOWED_MAX, "allowed-mac: more MACs than XDP holds");

/* a, not p->priv: the port's open fills the maps before p->priv is set */
static int afxdp_set_vlans(struct port *p, struct afxdp_priv *a, const struct vlan_set *v,
                           char *err, size_t errlen)
{
	int ret;

	ret = xdp_ctl_vlan_set(a->xdp, v->member);
	if (ret == 0)
		ret = xdp_ctl_untagged_allow(a->xdp, v->pvid != 0);
	if (ret < 0)
		snprintf(err, errlen, "port \"%s\": XDP VLAN map: %s", p->name, strerror(-ret));
	return ret;
}

/* allowed-mac in the kernel: frames from other sources never reach the socket. */
static int afxdp_set_allowed(struct port *p, struct afxdp_priv *a, const struct port_guard *g,
                             char *err, size_t errlen)
{
	int ret;

	ret = xdp_ctl_set_allowed(a->xdp, g != NULL ? g->macs : NULL, g != NULL ? g->nmacs : 0);
	if (ret < 0)
		snprintf(err, errlen, "port \"%s\": XDP allowed-mac map: %s", p->name,
		         strerror(-ret));
	return ret;
}

int afxdp_load_xdp(struct port *p, struct afxdp_priv *a, char *err, size_t errlen)
{
	char why[384];
	int ret;

	if (a->xdp_prog[0] == '\0') {
		ret = xdp_ctl_open(&a->xdp);
		if (ret < 0)
			snprintf(why, sizeof(why),
			         "the built-in XDP program: the kernel refused it: %s",
			         strerror(-ret));
	} else {
		ret = xdp_ctl_open_file(a->xdp_prog, &a->xdp, why, sizeof(why));
	}
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": %s", p->name, why);
		return ret;
	}
	ret = afxdp_set_vlans(p, a, p->vlan, err, errlen);
	if (ret < 0)
		return ret;
	/* a port opens without a guard today; should one ever be set first, it holds here too */
	return afxdp_set_allowed(p, a, p->guard, err, errlen);
}

/*
 * Native where the driver has it; where it has not, generic, said aloud. A program someone
 * else attached stays: replacing it could cut the host off its LAN.
 */
int afxdp_attach(struct port *p, struct afxdp_priv *a, char *err, size_t errlen)
{
	uint32_t other = 0;
	int ret;

	if (xdp_ctl_attached_id(a->ifindex, &other) == 0 && other != 0) {
		snprintf(err, errlen,
		         "port \"%s\": interface %s already has an XDP program (id %u); lanswitch "
		         "does not replace it",
		         p->name, a->ifname, other);
		return -EBUSY;
	}
	a->mode = a->mode_asked;
	if (a->mode == AFXDP_NATIVE) {
		ret = xdp_ctl_attach(a->xdp, a->ifindex, XDP_FLAGS_DRV_MODE);
		if (ret == 0)
			return 0;
		afxdp_warn(p, "native XDP refused by %s's driver (%s): using generic mode",
		           a->ifname, strerror(-ret));
		a->mode = AFXDP_GENERIC;
	}
	ret = xdp_ctl_attach(a->xdp, a->ifindex, XDP_FLAGS_SKB_MODE);
	if (ret < 0)
		snprintf(err, errlen,
		         "port \"%s\": interface %s: cannot attach the XDP program: %s", p->name,
		         a->ifname, strerror(-ret));
	return ret;
}

void afxdp_describe_set(const struct port *p, FILE *out)
{
	const struct afxdp_priv *a = p->priv;
	char mac[MAC_STR_LEN];
	unsigned int i;

	for (i = 0; i < a->nblocked; i++) {
		mac_format(mac, &a->blocked[i]);
		fputs("port set ", out);
		words_quote(out, p->name);
		fprintf(out, " block %s\n", mac);
	}
}

/* The program's verdicts, and the sockets' own drops, next to the switch's drop reasons. */
void afxdp_show_drops(const struct afxdp_priv *a, struct json_object *drops,
                      struct json_object *xdp)
{
	struct afxdp_queue_stats st, sum = { 0 };
	uint64_t c[XDP_CNT_MAX];
	char key[48];
	uint32_t qi;
	int i;

	if (xdp_ctl_counters(a->xdp, c) == 0) {
		for (i = 0; i < XDP_CNT_MAX; i++) {
			json_object_object_add(xdp, xdp_counter_names[i],
			                       json_object_new_uint64(c[i]));
			if (!xdp_counter_is_drop[i])
				continue;
			snprintf(key, sizeof(key), "xdp_%s", xdp_counter_names[i]);
			json_object_object_add(drops, key, json_object_new_uint64(c[i]));
		}
	}
	for (qi = 0; qi < a->nq; qi++) {
		if (afxdp_queue_stats(&a->fast->q[qi], &st) < 0)
			continue;
		sum.rx_dropped += st.rx_dropped;
		sum.rx_ring_full += st.rx_ring_full;
		sum.rx_invalid += st.rx_invalid;
		sum.tx_invalid += st.tx_invalid;
	}
	json_object_object_add(drops, "xsk_rx_dropped", json_object_new_uint64(sum.rx_dropped));
	json_object_object_add(drops, "xsk_rx_ring_full", json_object_new_uint64(sum.rx_ring_full));
	json_object_object_add(drops, "xsk_invalid",
	                       json_object_new_uint64(sum.rx_invalid + sum.tx_invalid));
}

static int afxdp_block_find(const struct afxdp_priv *a, const struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 0; i < a->nblocked; i++)
		if (rte_is_same_ether_addr(&a->blocked[i], mac))
			return (int)i;
	return -1;
}

/* "block MAC" / "unblock MAC": the program drops frames from MAC before the switch sees
 * them. */
int afxdp_set(struct port *p, const char *key, const char *value, char *err, size_t errlen)
{
	struct afxdp_priv *a = p->priv;
	bool block = strcmp(key, "block") == 0;
	struct rte_ether_addr mac;
	int i, ret;

	if (!block && strcmp(key, "unblock") != 0)
		return -ENOTSUP;
	if (rte_ether_unformat_addr(value, &mac) < 0) {
		snprintf(err, errlen, "port \"%s\": bad MAC address \"%s\"", p->name, value);
		return -EINVAL;
	}
	i = afxdp_block_find(a, &mac);
	if (block && i >= 0) {
		snprintf(err, errlen, "port \"%s\": %s is already blocked", p->name, value);
		return -EEXIST;
	}
	if (!block && i < 0) {
		snprintf(err, errlen, "port \"%s\": %s is not blocked", p->name, value);
		return -ENOENT;
	}
	if (block && a->nblocked == AFXDP_BLOCK_MAX) {
		snprintf(err, errlen, "port \"%s\": the block list is full (%d)", p->name,
		         AFXDP_BLOCK_MAX);
		return -E2BIG;
	}
	ret = block ? xdp_ctl_block_mac(a->xdp, mac.addr_bytes)
	            : xdp_ctl_unblock_mac(a->xdp, mac.addr_bytes);
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": XDP block list: %s", p->name, strerror(-ret));
		return ret;
	}
	if (block)
		a->blocked[a->nblocked++] = mac;
	else
		a->blocked[i] = a->blocked[--a->nblocked];
	return 0;
}

int afxdp_vlan_changed(struct port *p, const struct vlan_set *v, char *err, size_t errlen)
{
	return afxdp_set_vlans(p, p->priv, v, err, errlen);
}

int afxdp_guard_changed(struct port *p, const struct port_guard *g, char *err, size_t errlen)
{
	return afxdp_set_allowed(p, p->priv, g, err, errlen);
}

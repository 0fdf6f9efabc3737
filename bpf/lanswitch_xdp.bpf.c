// SPDX-License-Identifier: (GPL-2.0-only OR BSD-3-Clause)
/*
 * The XDP program of lanswitch's AF_XDP port, attached to the upper NIC. Each frame either
 * goes to the AF_XDP socket of the RX queue it arrived on, or is dropped here, in the kernel,
 * when the switch would drop it anyway, which saves the copy into user space and a worker's
 * cycles:
 *
 *   runt               no full Ethernet header, or cut inside a VLAN tag it announces
 *   blocked_mac        source MAC in ls_blocked
 *   mac_not_allowed    ls_config says allowed-only and the source MAC is not in ls_allowed
 *   vlan_not_allowed   outer VID not set in ls_vlans, or untagged / priority-tagged while
 *                      ls_config says untagged frames do not enter
 *   redirected         into the queue's socket in xsks_map
 *   pass               no socket bound for the queue: the kernel stack gets the frame
 *
 * Every verdict is counted in ls_counters (per CPU, indexed by enum xdp_counter). The maps
 * start zeroed, so a freshly loaded program drops every frame until the control side says
 * which VLANs the port carries: a port never leaks frames of a VLAN it was not given.
 *
 * ls_config is looked up once per frame, before the checks that need it: an array lookup
 * with a constant key, which the verifier inlines, so a port without allowed-mac pays a
 * flag test for it and no hash lookup.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "parsing.h"
#include "xdp_counters.h"
#include "xdp_maps.h"

/* Written by DPDK's af_xdp PMD or xdp_ctl_xsk_set(); read per frame. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDP_XSKS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* One slot per CPU: the program is the only writer of its CPU's slot, so no atomics. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ls_counters SEC(".maps");

/* Written by the control thread (xdp_ctl); one byte per VID, non-zero: carried. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDP_VLANS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} ls_vlans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_config);
} ls_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDP_BLOCKED_MAX);
	__type(key, struct xdp_mac_key);
	__type(value, __u8);
} ls_blocked SEC(".maps");

/* The port's allowed-mac set; read only while ls_config's allowed_only is set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDP_ALLOWED_ENTRIES);
	__type(key, struct xdp_mac_key);
	__type(value, __u8);
} ls_allowed SEC(".maps");

static __always_inline int verdict(__u32 reason, int action)
{
	__u64 *c = bpf_map_lookup_elem(&ls_counters, &reason);

	if (c)
		*c += 1;
	return action;
}

/* cfg: ls_config's value, NULL read as zeroed (it never is: an array's key 0 exists). */
static __always_inline int vlan_allowed(const struct xdp_config *cfg, __u16 vid)
{
	__u32 key = vid;
	__u8 *carried;

	/* VID 0 is a priority tag: the frame enters as an untagged one would. */
	if (vid == 0)
		return cfg && cfg->untagged_allowed;
	carried = bpf_map_lookup_elem(&ls_vlans, &key);
	return carried && *carried;
}

SEC("xdp")
int lanswitch_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xdp_mac_key mac = {};
	struct xdp_config *cfg;
	struct parse_eth p;
	__u32 zero = 0;
	int action;

	if (parse_eth(data, data_end, &p) < 0)
		return verdict(XDP_CNT_RUNT, XDP_DROP);

	__builtin_memcpy(mac.addr, p.src_mac, sizeof(mac.addr));
	if (bpf_map_lookup_elem(&ls_blocked, &mac))
		return verdict(XDP_CNT_BLOCKED_MAC, XDP_DROP);

	/* A MAC both blocked and outside the allowed set is counted once, as blocked. */
	cfg = bpf_map_lookup_elem(&ls_config, &zero);
	if (cfg && cfg->allowed_only && !bpf_map_lookup_elem(&ls_allowed, &mac))
		return verdict(XDP_CNT_MAC_NOT_ALLOWED, XDP_DROP);

	/*
	 * The switch is an 802.1Q bridge, as Linux's is with vlan_protocol 802.1Q: an 802.1ad
	 * S-tag is no VLAN tag to it, and an S-tagged frame enters as an untagged one would.
	 */
	if (!vlan_allowed(cfg, p.outer_tpid == bpf_htons(ETH_P_8021Q) ? p.outer_vid : 0))
		return verdict(XDP_CNT_VLAN_NOT_ALLOWED, XDP_DROP);

	/*
	 * The low bits of the flags are the action when the queue has no socket: XDP_PASS, so a
	 * queue the switch does not poll keeps working for the kernel instead of going dark.
	 */
	action = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
	return verdict(action == XDP_REDIRECT ? XDP_CNT_REDIRECTED : XDP_CNT_PASS, action);
}

/* GPL-compatible for the kernel (some helpers are GPL-only), BSD like the rest of lanswitch. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_ctl: the user-space side of lanswitch_xdp.bpf.c. It loads the program (from the
 * skeleton built into the library) or finds the maps of one already loaded by someone else
 * (DPDK's af_xdp PMD loads xdp_prog= itself and keeps its bpf_object), then fills the maps
 * the program reads and sums the per-CPU counters it writes.
 *
 * Every function returns 0 or a negative errno. A handle belongs to one thread (lanswitchd's
 * control thread); the maps it writes are read by the program on every CPU, and each single
 * element update is atomic for the program, so a frame sees a VLAN either carried or not.
 */
#ifndef LANSWITCH_XDP_CTL_H
#define LANSWITCH_XDP_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "xdp_counters.h"

#define XDP_CTL_VLAN_WORDS (4096 / 64) /* uint64_t words of a VLAN bitmap, bit = VID */
#define XDP_CTL_ALLOWED_MAX 16         /* MACs of xdp_ctl_set_allowed() (XDP_ALLOWED_MAX) */

struct xdp_ctl;

/* "runt", "blocked_mac", ... indexed by enum xdp_counter. */
extern const char *const xdp_counter_names[XDP_CNT_MAX];
/* Whether the reason is a drop (reported by the switch as "xdp_<name>"). */
extern const bool xdp_counter_is_drop[XDP_CNT_MAX];

/* Load a new instance of the program and its maps, not attached to any interface. */
int xdp_ctl_open(struct xdp_ctl **ctlp);
/*
 * The maps of the loaded program with this id, matched by name, type and sizes: -ENOENT if
 * one is missing (not lanswitch_xdp), -EPROTO if one has another layout (an object file and
 * a library from different builds).
 */
int xdp_ctl_open_prog_id(uint32_t prog_id, struct xdp_ctl **ctlp);
/*
 * Load the XDP program of an object file (a build of lanswitch_xdp.bpf.c, or one of the
 * user's with the same maps) rather than the built-in one. On error, err says which step
 * failed: the file, the kernel's verifier, a missing program or maps of another layout.
 */
int xdp_ctl_open_file(const char *path, struct xdp_ctl **ctlp, char *err, size_t errlen);
/* The maps of the program attached to this interface (any one mode); -ENOENT if none. */
int xdp_ctl_open_ifindex(int ifindex, struct xdp_ctl **ctlp);
/* Detach if xdp_ctl_attach() attached it, and drop this handle's references. NULL is ok. */
void xdp_ctl_close(struct xdp_ctl *ctl);

int xdp_ctl_prog_fd(const struct xdp_ctl *ctl);
uint32_t xdp_ctl_prog_id(const struct xdp_ctl *ctl);

/* The id of the XDP program attached to ifindex in any mode, 0 if none. */
int xdp_ctl_attached_id(int ifindex, uint32_t *prog_id);
/* Attach to ifindex with XDP_FLAGS_* (XDP_FLAGS_SKB_MODE for generic); fails if one is. */
int xdp_ctl_attach(struct xdp_ctl *ctl, int ifindex, uint32_t xdp_flags);
/* Detach what xdp_ctl_attach() attached, only if it is still this program. */
int xdp_ctl_detach(struct xdp_ctl *ctl);

/* Frames of RX queue `queue` go to this AF_XDP socket (bound to that queue) from now on. */
int xdp_ctl_xsk_set(struct xdp_ctl *ctl, uint32_t queue, int xsk_fd);
/* RX queue `queue` has no socket any more: its frames pass to the kernel. */
int xdp_ctl_xsk_clear(struct xdp_ctl *ctl, uint32_t queue);

/* Carry (or stop carrying) tagged frames of VLAN vid, 1..4094. */
int xdp_ctl_vlan_allow(struct xdp_ctl *ctl, uint16_t vid, bool allow);
/* Carry exactly the VLANs whose bit is set (bit vid % 64 of word vid / 64); 0, 4095 ignored. */
int xdp_ctl_vlan_set(struct xdp_ctl *ctl, const uint64_t member[XDP_CTL_VLAN_WORDS]);
/* Let untagged and priority-tagged frames in (the port has a PVID) or not. */
int xdp_ctl_untagged_allow(struct xdp_ctl *ctl, bool allow);

/* Drop every frame from this source MAC; -EEXIST if it already is, -E2BIG when full. */
int xdp_ctl_block_mac(struct xdp_ctl *ctl, const uint8_t mac[6]);
/* Take the MAC off the block list; -ENOENT if it was not on it. */
int xdp_ctl_unblock_mac(struct xdp_ctl *ctl, const uint8_t mac[6]);

/*
 * Frames from source MACs other than these n are dropped (mac_not_allowed); n == 0: from any.
 * Replaces the whole set; -E2BIG for more than XDP_CTL_ALLOWED_MAX. On error no frame the old
 * setting let in is dropped, and some of the new set's MACs may already be let in.
 */
int xdp_ctl_set_allowed(struct xdp_ctl *ctl, const uint8_t (*macs)[6], unsigned int n);

/* Each counter summed over all CPUs, indexed by enum xdp_counter. */
int xdp_ctl_counters(const struct xdp_ctl *ctl, uint64_t counters[XDP_CNT_MAX]);

#endif

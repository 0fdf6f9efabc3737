/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lanswitch_xdp.skel.h"
#include "xdp_ctl.h"
#include "xdp_maps.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(XDP_CTL_ALLOWED_MAX == XDP_ALLOWED_MAX, "xdp_ctl.h and xdp_maps.h disagree");

const char *const xdp_counter_names[XDP_CNT_MAX] = {
#define XDP_COUNTER_NAME(e, name, drop) [XDP_CNT_##e] = name,
	XDP_COUNTERS(XDP_COUNTER_NAME)
#undef XDP_COUNTER_NAME
};

const bool xdp_counter_is_drop[XDP_CNT_MAX] = {
#define XDP_COUNTER_DROP(e, name, drop) [XDP_CNT_##e] = drop,
	XDP_COUNTERS(XDP_COUNTER_DROP)
#undef XDP_COUNTER_DROP
};

enum ctl_map { MAP_XSKS, MAP_COUNTERS, MAP_VLANS, MAP_CONFIG, MAP_BLOCKED, MAP_ALLOWED, MAP_NUM };

/*
 * What a map must look like to be taken for ours when found by name in a program loaded by
 * someone else: a map with our name but another layout means the object file and this
 * library come from different builds, and writing into it would corrupt the program's view.
 */
struct map_spec {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t min_entries; /* the largest key this library writes, plus one */
};

static const struct map_spec map_specs[MAP_NUM] = {
	[MAP_XSKS] = { XDP_MAP_XSKS, BPF_MAP_TYPE_XSKMAP, sizeof(uint32_t), sizeof(uint32_t), 1 },
	[MAP_COUNTERS] = { XDP_MAP_COUNTERS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t),
	                   sizeof(uint64_t), XDP_CNT_MAX },
	[MAP_VLANS] = { XDP_MAP_VLANS, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(uint8_t),
	                XDP_VLANS_MAX },
	[MAP_CONFIG] = { XDP_MAP_CONFIG, BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
	                 sizeof(struct xdp_config), 1 },
	[MAP_BLOCKED] = { XDP_MAP_BLOCKED, BPF_MAP_TYPE_HASH, sizeof(struct xdp_mac_key),
	                  sizeof(uint8_t), 1 },
	[MAP_ALLOWED] = { XDP_MAP_ALLOWED, BPF_MAP_TYPE_HASH, sizeof(struct xdp_mac_key),
	                  sizeof(uint8_t), XDP_ALLOWED_ENTRIES },
};

/*
 * One handle on one loaded program. Used by one thread at a time (the control thread);
 * nothing here is read by the data path, which only sees the kernel maps.
 */
struct xdp_ctl {
	struct lanswitch_xdp *skel; /* set when loaded here: it owns the prog and map fds */
	int prog_fd;                /* owned by this handle when skel is NULL */
	uint32_t prog_id;
	int map_fd[MAP_NUM];  /* idem */
	int attached_ifindex; /* 0: xdp_ctl_attach() did not attach it */
	uint32_t attached_flags;
	int ncpus;        /* possible CPUs: the number of values a per-CPU lookup returns */
	uint64_t *percpu; /* ncpus values, scratch for xdp_ctl_counters() */
};

static int ctl_new(struct xdp_ctl **ctlp)
{
	struct xdp_ctl *ctl;
	int i;

	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return -ENOMEM;
	ctl->prog_fd = -1;
	for (i = 0; i < MAP_NUM; i++)
		ctl->map_fd[i] = -1;
	ctl->ncpus = libbpf_num_possible_cpus();
	if (ctl->ncpus < 0) {
		int ret = ctl->ncpus;

		free(ctl);
		return ret;
	}
	ctl->percpu = calloc(ctl->ncpus, sizeof(*ctl->percpu));
	if (ctl->percpu == NULL) {
		free(ctl);
		return -ENOMEM;
	}
	*ctlp = ctl;
	return 0;
}

static int ctl_read_prog_id(struct xdp_ctl *ctl)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int ret;

	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(ctl->prog_fd, &info, &len);
	if (ret < 0)
		return ret;
	ctl->prog_id = info.id;
	return 0;
}

int xdp_ctl_open(struct xdp_ctl **ctlp)
{
	struct xdp_ctl *ctl;
	int ret;

	ret = ctl_new(&ctl);
	if (ret < 0)
		return ret;
	ctl->skel = lanswitch_xdp__open_and_load();
	if (ctl->skel == NULL) {
		ret = errno > 0 ? -errno : -EINVAL;
		goto err_close;
	}
	ctl->prog_fd = bpf_program__fd(ctl->skel->progs.lanswitch_xdp);
	ctl->map_fd[MAP_XSKS] = bpf_map__fd(ctl->skel->maps.xsks_map);
	ctl->map_fd[MAP_COUNTERS] = bpf_map__fd(ctl->skel->maps.ls_counters);
	ctl->map_fd[MAP_VLANS] = bpf_map__fd(ctl->skel->maps.ls_vlans);
	ctl->map_fd[MAP_CONFIG] = bpf_map__fd(ctl->skel->maps.ls_config);
	ctl->map_fd[MAP_BLOCKED] = bpf_map__fd(ctl->skel->maps.ls_blocked);
	ctl->map_fd[MAP_ALLOWED] = bpf_map__fd(ctl->skel->maps.ls_allowed);
	ret = ctl_read_prog_id(ctl);
	if (ret < 0)
		goto err_close;
	*ctlp = ctl;
	return 0;

err_close:
	xdp_ctl_close(ctl);
	return ret;
}

/* Keep the map with this id if it is one of ours; close it if it is someone else's. */
static int ctl_adopt_map(struct xdp_ctl *ctl, uint32_t map_id)
{
	const struct map_spec *s;
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	int fd, ret, m;

	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (ret < 0)
		goto err_fd;
	for (m = 0; m < MAP_NUM; m++)
		if (strncmp(info.name, map_specs[m].name, sizeof(info.name)) == 0)
			break;
	if (m == MAP_NUM) {
		close(fd);
		return 0;
	}
	s = &map_specs[m];
	if (ctl->map_fd[m] >= 0 || info.type != s->type || info.key_size != s->key_size ||
	    info.value_size != s->value_size || info.max_entries < s->min_entries) {
		ret = -EPROTO;
		goto err_fd;
	}
	ctl->map_fd[m] = fd;
	return 0;

err_fd:
	close(fd);
	return ret;
}

int xdp_ctl_open_prog_id(uint32_t prog_id, struct xdp_ctl **ctlp)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), ids[16], n, i;
	struct xdp_ctl *ctl;
	int ret;

	ret = ctl_new(&ctl);
	if (ret < 0)
		return ret;
	ctl->prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (ctl->prog_fd < 0) {
		ret = ctl->prog_fd;
		goto err_close;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = ARRAY_SIZE(ids);
	info.map_ids = (uint64_t)(uintptr_t)ids;
	ret = bpf_obj_get_info_by_fd(ctl->prog_fd, &info, &len);
	if (ret < 0)
		goto err_close;
	if (info.type != BPF_PROG_TYPE_XDP) {
		ret = -EINVAL;
		goto err_close;
	}
	/* nr_map_ids says how many the program has; only the first ARRAY_SIZE(ids) were filled */
	n = info.nr_map_ids < ARRAY_SIZE(ids) ? info.nr_map_ids : ARRAY_SIZE(ids);
	for (i = 0; i < n; i++) {
		ret = ctl_adopt_map(ctl, ids[i]);
		if (ret < 0)
			goto err_close;
	}
	for (i = 0; i < MAP_NUM; i++) {
		if (ctl->map_fd[i] < 0) {
			ret = -ENOENT; /* not lanswitch_xdp: a map of ours is missing */
			goto err_close;
		}
	}
	ctl->prog_id = prog_id;
	*ctlp = ctl;
	return 0;

err_close:
	xdp_ctl_close(ctl);
	return ret;
}

/* The first XDP program of the object, or NULL. */
static struct bpf_program *ctl_find_xdp(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) if (bpf_program__type(prog) ==
	                                            BPF_PROG_TYPE_XDP) return prog;
	return NULL;
}

/* libbpf's own codes (an ELF it cannot read: 4001) have names only libbpf knows. */
static void ctl_strerror(int ret, char *buf, size_t len)
{
	if (libbpf_strerror(ret, buf, len) < 0)
		snprintf(buf, len, "%s", strerror(-ret));
}

int xdp_ctl_open_file(const char *path, struct xdp_ctl **ctlp, char *err, size_t errlen)
{
	struct bpf_program *prog;
	char why[128];
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	struct bpf_object *obj;
	int ret;

	obj = bpf_object__open_file(path, NULL);
	if (obj == NULL) {
		ret = errno > 0 ? -errno : -EINVAL;
		ctl_strerror(ret, why, sizeof(why));
		snprintf(err, errlen, "XDP object %s: cannot open: %s", path, why);
		return ret;
	}
	prog = ctl_find_xdp(obj);
	if (prog == NULL) {
		ret = -ENOENT;
		snprintf(err, errlen, "XDP object %s: has no XDP program", path);
		goto out;
	}
	ret = bpf_object__load(obj);
	if (ret < 0) {
		ctl_strerror(ret, why, sizeof(why));
		snprintf(err, errlen, "XDP object %s: the kernel refused to load it: %s", path,
		         why);
		goto out;
	}
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (ret == 0)
		ret = xdp_ctl_open_prog_id(info.id, ctlp);
	if (ret < 0)
		snprintf(err, errlen, "XDP object %s: %s", path,
		         ret == -ENOENT   ? "not a lanswitch program (its maps are missing)"
		         : ret == -EPROTO ? "its maps have another layout than this lanswitch's"
		                          : strerror(-ret));
out:
	/* the handle holds its own references to the program and maps */
	bpf_object__close(obj);
	return ret;
}

int xdp_ctl_open_ifindex(int ifindex, struct xdp_ctl **ctlp)
{
	uint32_t prog_id = 0;
	int ret;

	/* Flags 0: the program of whichever single mode is attached (none if several are). */
	ret = bpf_xdp_query_id(ifindex, 0, &prog_id);
	if (ret < 0)
		return ret;
	if (prog_id == 0)
		return -ENOENT;
	return xdp_ctl_open_prog_id(prog_id, ctlp);
}

void xdp_ctl_close(struct xdp_ctl *ctl)
{
	int i;

	if (ctl == NULL)
		return;
	/*
	 * A netlink attachment outlives every fd: left attached, the program would go on dropping
	 * frames by a configuration nobody maintains any more.
	 */
	if (ctl->attached_ifindex != 0)
		xdp_ctl_detach(ctl);
	if (ctl->skel != NULL) {
		lanswitch_xdp__destroy(ctl->skel);
	} else {
		for (i = 0; i < MAP_NUM; i++)
			if (ctl->map_fd[i] >= 0)
				close(ctl->map_fd[i]);
		if (ctl->prog_fd >= 0)
			close(ctl->prog_fd);
	}
	free(ctl->percpu);
	free(ctl);
}

int xdp_ctl_prog_fd(const struct xdp_ctl *ctl)
{
	return ctl->prog_fd;
}

uint32_t xdp_ctl_prog_id(const struct xdp_ctl *ctl)
{
	return ctl->prog_id;
}

int xdp_ctl_attached_id(int ifindex, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, opts);
	int ret;

	ret = bpf_xdp_query(ifindex, 0, &opts);
	if (ret < 0)
		return ret;
	/* one of the modes' ids, whichever is set: a program in any mode occupies the hook */
	*prog_id = opts.prog_id
	                   ? opts.prog_id
	                   : (opts.drv_prog_id
	                              ? opts.drv_prog_id
	                              : (opts.skb_prog_id ? opts.skb_prog_id : opts.hw_prog_id));
	return 0;
}

int xdp_ctl_attach(struct xdp_ctl *ctl, int ifindex, uint32_t xdp_flags)
{
	int ret;

	if (ctl->attached_ifindex != 0)
		return -EBUSY;
	/* Never replace a program someone else attached, another port's for instance. */
	ret = bpf_xdp_attach(ifindex, ctl->prog_fd, xdp_flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (ret < 0)
		return ret;
	ctl->attached_ifindex = ifindex;
	ctl->attached_flags = xdp_flags & XDP_FLAGS_MODES;
	return 0;
}

int xdp_ctl_detach(struct xdp_ctl *ctl)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = ctl->prog_fd);
	int ret;

	if (ctl->attached_ifindex == 0)
		return -ENOENT;
	/* old_prog_fd makes it a replace: if someone swapped the program since, it stays. */
	ret = bpf_xdp_detach(ctl->attached_ifindex, ctl->attached_flags, &opts);
	ctl->attached_ifindex = 0;
	return ret;
}

int xdp_ctl_xsk_set(struct xdp_ctl *ctl, uint32_t queue, int xsk_fd)
{
	return bpf_map_update_elem(ctl->map_fd[MAP_XSKS], &queue, &xsk_fd, BPF_ANY);
}

int xdp_ctl_xsk_clear(struct xdp_ctl *ctl, uint32_t queue)
{
	return bpf_map_delete_elem(ctl->map_fd[MAP_XSKS], &queue);
}

static bool vid_valid(uint32_t vid)
{
	/* 0 means "no VLAN" (priority tag) and 4095 is reserved: neither is ever carried. */
	return vid >= 1 && vid <= 4094;
}

int xdp_ctl_vlan_allow(struct xdp_ctl *ctl, uint16_t vid, bool allow)
{
	uint32_t key = vid;
	uint8_t carried = allow;

	if (!vid_valid(vid))
		return -EINVAL;
	return bpf_map_update_elem(ctl->map_fd[MAP_VLANS], &key, &carried, BPF_ANY);
}

int xdp_ctl_vlan_set(struct xdp_ctl *ctl, const uint64_t member[XDP_CTL_VLAN_WORDS])
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	uint32_t *keys, count = XDP_VLANS_MAX, vid;
	uint8_t *carried;
	int ret;

	keys = calloc(XDP_VLANS_MAX, sizeof(*keys));
	if (keys == NULL)
		return -ENOMEM;
	carried = calloc(XDP_VLANS_MAX, sizeof(*carried));
	if (carried == NULL) {
		ret = -ENOMEM;
		goto out_keys;
	}
	for (vid = 0; vid < XDP_VLANS_MAX; vid++) {
		keys[vid] = vid;
		carried[vid] = vid_valid(vid) && ((member[vid / 64] >> (vid % 64)) & 1);
	}
	/*
	 * One syscall for all 4096 entries rather than 4096. Not atomic as a whole: while it runs,
	 * a frame sees each VLAN either as before or as after, which is what a port whose VLANs
	 * are being changed may do.
	 */
	ret = bpf_map_update_batch(ctl->map_fd[MAP_VLANS], keys, carried, &count, &opts);
	free(carried);
out_keys:
	free(keys);
	return ret;
}

/*
 * ls_config's settings share one value: read it, change the one byte, write it back, so that
 * setting one never resets another. The control thread is the map's only writer.
 */
static int config_set(struct xdp_ctl *ctl, size_t field, bool on)
{
	struct xdp_config cfg;
	uint32_t key = 0;
	int ret;

	ret = bpf_map_lookup_elem(ctl->map_fd[MAP_CONFIG], &key, &cfg);
	if (ret < 0)
		return ret;
	((uint8_t *)&cfg)[field] = on;
	return bpf_map_update_elem(ctl->map_fd[MAP_CONFIG], &key, &cfg, BPF_ANY);
}

int xdp_ctl_untagged_allow(struct xdp_ctl *ctl, bool allow)
{
	return config_set(ctl, offsetof(struct xdp_config, untagged_allowed), allow);
}

static struct xdp_mac_key mac_key(const uint8_t mac[6])
{
	struct xdp_mac_key key;

	memset(&key, 0, sizeof(key)); /* the pad is part of the hashed key */
	memcpy(key.addr, mac, sizeof(key.addr));
	return key;
}

int xdp_ctl_block_mac(struct xdp_ctl *ctl, const uint8_t mac[6])
{
	struct xdp_mac_key key = mac_key(mac);
	uint8_t one = 1;

	return bpf_map_update_elem(ctl->map_fd[MAP_BLOCKED], &key, &one, BPF_NOEXIST);
}

int xdp_ctl_unblock_mac(struct xdp_ctl *ctl, const uint8_t mac[6])
{
	struct xdp_mac_key key = mac_key(mac);

	return bpf_map_delete_elem(ctl->map_fd[MAP_BLOCKED], &key);
}

/* Whether key is one of the n MACs. */
static bool mac_in(const struct xdp_mac_key *key, const uint8_t (*macs)[6], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (memcmp(key->addr, macs[i], sizeof(key->addr)) == 0)
			return true;
	return false;
}

/*
 * Delete every entry of ls_allowed that is not one of the n MACs. The keys are read first
 * and deleted after: deleting while walking a hash map can restart the walk.
 */
static int allowed_prune(struct xdp_ctl *ctl, const uint8_t (*macs)[6], unsigned int n)
{
	struct xdp_mac_key keys[XDP_ALLOWED_ENTRIES], *prev = NULL;
	unsigned int nkeys = 0, i;
	int fd = ctl->map_fd[MAP_ALLOWED], ret = 0;

	while (nkeys < XDP_ALLOWED_ENTRIES &&
	       (ret = bpf_map_get_next_key(fd, prev, &keys[nkeys])) == 0)
		prev = &keys[nkeys++];
	if (nkeys < XDP_ALLOWED_ENTRIES && ret != -ENOENT)
		return ret;
	for (i = 0; i < nkeys; i++) {
		if (mac_in(&keys[i], macs, n))
			continue;
		ret = bpf_map_delete_elem(fd, &keys[i]);
		if (ret < 0 && ret != -ENOENT)
			return ret;
	}
	return 0;
}

/*
 * The window while the set changes: the new MACs are added before the old ones go, so the
 * map holds the union for a moment: a frame from a MAC of the new set is never dropped for
 * it, and one from neither set never passes while the flag is on. Turning it on fills the
 * map first and sets the flag last; turning it off clears the flag first: in between, every
 * frame passes, as it did before and will after. The workers' own check (guard_frame)
 * stands behind the program either way.
 */
int xdp_ctl_set_allowed(struct xdp_ctl *ctl, const uint8_t (*macs)[6], unsigned int n)
{
	const size_t flag = offsetof(struct xdp_config, allowed_only);
	uint8_t one = 1;
	unsigned int i;
	int ret;

	if (n > XDP_ALLOWED_MAX)
		return -E2BIG;
	if (n == 0) {
		ret = config_set(ctl, flag, false);
		return ret < 0 ? ret : allowed_prune(ctl, NULL, 0);
	}
	for (i = 0; i < n; i++) {
		struct xdp_mac_key key = mac_key(macs[i]);

		/* only MACs not there yet: replacing a hash element a frame is looking up can
		 * hide it from that lookup (the new element goes in at the bucket's head, behind
		 * a walker already past it, the old one out) and drop a frame of an allowed MAC
		 * (xdp_test's replace window saw one in 20 000 under ASan) */
		ret = bpf_map_update_elem(ctl->map_fd[MAP_ALLOWED], &key, &one, BPF_NOEXIST);
		if (ret < 0 && ret != -EEXIST)
			return ret; /* the old set is still whole in the map (with a few more) */
	}
	ret = allowed_prune(ctl, macs, n);
	if (ret == 0)
		ret = config_set(ctl, flag, true);
	return ret;
}

int xdp_ctl_counters(const struct xdp_ctl *ctl, uint64_t counters[XDP_CNT_MAX])
{
	uint32_t key;
	int ret, cpu;

	for (key = 0; key < XDP_CNT_MAX; key++) {
		/* A per-CPU lookup fills one 8-byte-aligned value per possible CPU. */
		ret = bpf_map_lookup_elem(ctl->map_fd[MAP_COUNTERS], &key, ctl->percpu);
		if (ret < 0)
			return ret;
		counters[key] = 0;
		for (cpu = 0; cpu < ctl->ncpus; cpu++)
			counters[key] += ctl->percpu[cpu];
	}
	return 0;
}

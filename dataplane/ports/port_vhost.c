/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user guest ports. DPDK's vhost PMD makes the socket, (re)connects, negotiates and
 * tells the link state; the workers move frames with rte_vhost's own burst calls on the
 * connected device, as Open vSwitch does, not through the PMD's: its rx and tx add per-frame
 * work a switch does not need (xstats by size and by cast, one rte_pktmbuf_free per sent
 * frame): 194 -> 176 cycles per 64-byte frame (bench/fwdperf --vhost, bench/README.md).
 *
 * Client mode (default): QEMU or libvirt own the socket (mode='server'); the PMD connects
 * when the socket appears and reconnects after the guest or the switch restarts, so neither
 * side has to restart the other. A socket that does not exist yet is normal: libvirt makes
 * it when the domain starts. Server mode: the switch makes the socket and the guest
 * connects.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eth_vhost.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_vhost.h>

#include "api/words.h"
#include "ctl/unix_path.h"
#include "ctl/worker_ctl.h"
#include "fast/shared.h"
#include "ports/port.h"

/* virtqueue numbers of queue pair 0, as the guest names them: it receives on 0, sends on 1 */
#define VHOST_GUEST_RXQ 0
#define VHOST_GUEST_TXQ 1
/* the workers send at most a burst at a time; what rte_vhost does not take they retry */
static_assert(BURST <= 32, "one rte_vhost call per tx burst (its own bursts are 32)");

/* What the workers read: the connected device, or -1 between connections (vid: shared,
 * written under vhost_priv's lock by the vhost-events thread or the control thread). */
struct vhost_fast {
	int vid;
	struct rte_mempool *pool;
};

struct vhost_priv {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char devname[32];
	bool server;
	pthread_mutex_t lock; /* orders the link callback and the control thread's own check */
	struct vhost_fast *fast;
};

/*
 * A guest with checksum offload sends TCP and UDP with only the pseudo-header summed
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM); rte_vhost marks such a frame L4_CKSUM_NONE. Nothing
 * downstream would finish it (a TAP, an AF_XDP socket, a guest that gets no virtio header
 * flag for it), so it is finished here, as the vhost PMD does for an application that does
 * not take Rx checksum offload. One flag test for every other frame.
 */
static void vhost_rx_csum(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens lens;
	uint32_t ptype, l4, off;
	uint16_t csum;

	ptype = rte_net_get_ptype(m, &lens, RTE_PTYPE_ALL_MASK);
	l4 = lens.l2_len + lens.l3_len;
	if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP)
		off = l4 + offsetof(struct rte_tcp_hdr, cksum);
	else if ((ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP)
		off = l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
	else
		return;
	/* the guest put the pseudo-header's sum in the checksum field: summing over it is right */
	if (off + sizeof(csum) > rte_pktmbuf_data_len(m) ||
	    rte_raw_cksum_mbuf(m, l4, rte_pktmbuf_pkt_len(m) - l4, &csum) < 0)
		return;
	csum = (uint16_t)~csum;
	if (csum == 0 && (ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP)
		csum = 0xffff; /* RFC 768: zero means "no checksum" */
	*rte_pktmbuf_mtod_offset(m, uint16_t *, off) = csum;
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_RX_L4_CKSUM_MASK) | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

static uint16_t vhost_rx_burst(struct worker *w, struct port *p, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vhost_fast *f = p->fast;
	int vid = shared_read(&f->vid);
	uint16_t got, i;

	if (vid < 0)
		return 0;
	got = rte_vhost_dequeue_burst(vid, VHOST_GUEST_TXQ, f->pool, pkts, n);
	for (i = 0; i < got; i++)
		if (unlikely((pkts[i]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
		             RTE_MBUF_F_RX_L4_CKSUM_NONE))
			vhost_rx_csum(pkts[i]);
	return got;
}

/* rte_vhost copies the frames into the guest's buffers: the sent mbufs are freed here, in one
 * bulk call; the rest stay the caller's. */
static uint16_t vhost_tx_burst(struct port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vhost_fast *f = p->fast;
	int vid = shared_read(&f->vid);
	uint16_t sent;

	if (vid < 0)
		return 0;
	sent = rte_vhost_enqueue_burst(vid, VHOST_GUEST_RXQ + 2 * q, pkts, n);
	rte_pktmbuf_free_bulk(pkts, sent);
	return sent;
}

/*
 * Adaptive mode (port.h: wake): the guest kicks the vring it sends on when it adds frames,
 * once notification is on. The PMD turns it off at every (re)connect, and the kickfd is a
 * new one each time: vhost_fast_update and vhost_queue_state make the worker fetch it again.
 * A guest not connected, or whose vring has no kickfd yet, has nothing to wait on: its
 * connection wakes the worker.
 */
static int vhost_wake(struct port *p, bool on, int *fds, int max)
{
	const struct vhost_fast *f = p->fast;
	int vid = shared_read(&f->vid);
	struct rte_vhost_vring vr;

	if (vid < 0)
		return 0;
	if (rte_vhost_enable_guest_notification(vid, VHOST_GUEST_TXQ, on) != 0 || !on)
		return 0;
	if (rte_vhost_get_vhost_vring(vid, VHOST_GUEST_TXQ, &vr) != 0 || vr.kickfd < 0)
		return 0;
	fds[0] = vr.kickfd;
	return 1;
}

/*
 * Point the workers at the device the PMD has now, or at none. Runs on the vhost-events
 * thread inside the PMD's new_device and destroy_device, and on the control thread. A device
 * that goes away is freed (its vid reused) once destroy_device returns: wait until no worker
 * is still in a burst on it, as the PMD's own rx and tx make destroy_device wait.
 */
static void vhost_fast_update(struct port *p)
{
	struct vhost_priv *v = p->priv;
	struct rte_eth_link link;
	int vid = -1, old;

	pthread_mutex_lock(&v->lock);
	if (rte_eth_link_get_nowait(p->eth_id, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
		vid = rte_eth_vhost_get_vid_from_port_id(p->eth_id);
	old = v->fast->vid; /* writers hold the lock: the last one's value */
	shared_publish(&v->fast->vid, vid);
	if (old >= 0 && old != vid)
		worker_sync();
	pthread_mutex_unlock(&v->lock);
	/* a sleeping worker waits on the old kickfd, if any */
	worker_wake_port(p);
}

static int vhost_lsc(uint16_t eth_id, enum rte_eth_event_type ev, void *arg, void *ret)
{
	vhost_fast_update(arg);
	return 0;
}

/* A vring enabled or disabled (the PMD's vring_state_changed): its kickfd may be new. */
static int vhost_queue_state(uint16_t eth_id, enum rte_eth_event_type ev, void *arg, void *ret)
{
	worker_wake_port(arg);
	return 0;
}

static void vhost_callbacks_unregister(struct port *p)
{
	/* -EAGAIN: the callback is running right now; p must outlive it */
	while (rte_eth_dev_callback_unregister(p->eth_id, RTE_ETH_EVENT_INTR_LSC, vhost_lsc, p) ==
	       -EAGAIN)
		rte_delay_ms(1);
	while (rte_eth_dev_callback_unregister(p->eth_id, RTE_ETH_EVENT_QUEUE_STATE,
	                                       vhost_queue_state, p) == -EAGAIN)
		rte_delay_ms(1);
}

static int vhost_parse(struct port *p, int argc, char **argv, struct vhost_priv *v, char *err,
                       size_t errlen)
{
	int i;

	if (argc < 1) {
		snprintf(err, errlen, "usage: port add NAME vhost PATH [--server]");
		return -EINVAL;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") != 0) {
			snprintf(err, errlen, "port \"%s\": unknown vhost option \"%s\"", p->name,
			         argv[i]);
			return -EINVAL;
		}
		v->server = true;
	}
	if (argv[0][0] != '/' || strlen(argv[0]) >= sizeof(v->path) || strchr(argv[0], ',')) {
		snprintf(err, errlen,
		         "port \"%s\": vhost socket %s: must be an absolute path of at most %zu "
		         "characters, without commas",
		         p->name, argv[0], sizeof(v->path) - 1);
		return -EINVAL;
	}
	strcpy(v->path, argv[0]);
	return 0;
}

static int vhost_check_path(const struct port *p, const struct vhost_priv *v, char *err,
                            size_t errlen)
{
	char dir[sizeof(v->path)];
	struct stat st;
	int ret = 0;

	if (v->server) {
		strcpy(dir, v->path);
		if (stat(dirname(dir), &st) != 0)
			ret = -errno;
		else
			ret = unix_path_clear(v->path);
	} else if (stat(v->path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		ret = -ENOTSOCK;
	}
	if (ret < 0)
		snprintf(err, errlen, "port \"%s\": vhost socket %s: %s", p->name, v->path,
		         ret == -ENOTSOCK ? "exists and is not a socket" : strerror(-ret));
	return ret;
}

static void vhost_poll(struct port *p)
{
	const struct vhost_priv *v = p->priv;
	struct stat st;

	port_eth_poll(p);
	if (shared_read(&p->up))
		port_set_status(p, "connected");
	else if (v->server)
		port_set_status(p, "waiting for the guest on %s", v->path);
	else if (stat(v->path, &st) != 0)
		port_set_status(p, "waiting for socket %s", v->path);
	else
		port_set_status(p, "connecting to %s", v->path);
}

static int vhost_open(struct port *p, int argc, char **argv, char *err, size_t errlen)
{
	static unsigned int seq;
	struct vhost_priv *v = calloc(1, sizeof(*v));
	char args[sizeof(v->path) + 64];
	int ret;

	if (v == NULL)
		return -ENOMEM;
	ret = vhost_parse(p, argc, argv, v, err, errlen);
	if (ret < 0)
		goto err_free;
	ret = vhost_check_path(p, v, err, errlen);
	if (ret < 0)
		goto err_free;
	ret = -ENOMEM;
	v->fast = rte_zmalloc("vhost", sizeof(*v->fast), RTE_CACHE_LINE_SIZE);
	if (v->fast == NULL)
		goto err_free;
	v->fast->vid = -1;
	v->fast->pool = worker_pool;
	pthread_mutex_init(&v->lock, NULL);
	/* vdev names must be unique for the process's life, port names may come back */
	snprintf(v->devname, sizeof(v->devname), "net_vhost_ls%u", seq++);
	snprintf(args, sizeof(args), "iface=%s,queues=1,client=%d", v->path, !v->server);
	ret = rte_vdev_init(v->devname, args);
	if (ret < 0) {
		snprintf(err, errlen, "port \"%s\": vhost socket %s: %s", p->name, v->path,
		         strerror(-ret));
		goto err_free;
	}
	ret = rte_eth_dev_get_port_by_name(v->devname, &p->eth_id);
	if (ret < 0)
		goto err_uninit;
	ret = port_eth_start(p, err, errlen);
	if (ret < 0)
		goto err_uninit;
	/* a guest drains its ring from another core: a full ring is often free again a few
	 * hundred cycles later (Open vSwitch retries vhost sends the same way) */
	p->tx_retries = 8;
	/* and a guest off its core for milliseconds (its vCPU preempted) finds the frames that
	 * came meanwhile held for it: 4 096, four times a kernel tap's txqueuelen, since at the
	 * 0.5 Mpps bench/upper sends 1 024 lasted 2 ms and still lost frames there */
	p->held_max = PORT_HELD_DEFAULT;
	p->priv = v;
	p->fast = v->fast;
	p->rx_burst = vhost_rx_burst;
	p->tx_burst = vhost_tx_burst;
	p->wake = vhost_wake;
	p->wake_how = "kick";
	/* without the callback the workers would keep a vid the library has freed */
	ret = rte_eth_dev_callback_register(p->eth_id, RTE_ETH_EVENT_INTR_LSC, vhost_lsc, p);
	if (ret == 0)
		ret = rte_eth_dev_callback_register(p->eth_id, RTE_ETH_EVENT_QUEUE_STATE,
		                                    vhost_queue_state, p);
	if (ret < 0) {
		vhost_callbacks_unregister(p);
		snprintf(err, errlen, "port \"%s\": link callback: %s", p->name, strerror(-ret));
		p->priv = NULL; /* freed below, not by the caller */
		port_eth_stop(p);
		goto err_uninit;
	}
	/* a guest that connected before the callback was registered is seen by this update */
	vhost_fast_update(p);
	vhost_poll(p);
	return 0;

err_uninit:
	rte_vdev_uninit(v->devname);
err_free:
	rte_free(v->fast);
	free(v);
	return ret;
}

static void vhost_close(struct port *p)
{
	struct vhost_priv *v = p->priv;

	vhost_callbacks_unregister(p);
	/* the workers left this port before close: nothing reads fast any more */
	port_eth_stop(p);
	rte_vdev_uninit(v->devname);
	pthread_mutex_destroy(&v->lock);
	rte_free(v->fast);
}

static void vhost_describe(const struct port *p, FILE *out)
{
	const struct vhost_priv *v = p->priv;

	words_quote(out, v->path);
	if (v->server)
		fputs(" --server", out);
}

static void vhost_show(const struct port *p, struct json_object *o)
{
	const struct vhost_priv *v = p->priv;

	json_object_object_add(o, "path", json_object_new_string(v->path));
	json_object_object_add(o, "mode", json_object_new_string(v->server ? "server" : "client"));
}

const struct port_ops port_vhost_ops = {
	.type = "vhost",
	.open = vhost_open,
	.close = vhost_close,
	.describe = vhost_describe,
	.show = vhost_show,
	.poll = vhost_poll,
	.link_up_why = "guest connected",
	.link_down_why = "guest disconnected",
};

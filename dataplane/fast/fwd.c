/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-burst path: input (size, VLAN), learning, forwarding or flooding into per-port tx
 * buffers, and one tx burst per output port. Every frame freed here is counted under a
 * reason from drop.h.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_prefetch.h>

#include "fast/fdb.h"
#include "fast/shared.h"
#include "fast/snoop.h"
#include "fast/worker.h"

/*
 * Size and VLAN checks at the ingress edge; leaves the frame untagged with its VLAN in tci.
 * vs and max_len: the ingress port's, read once for the burst.
 */
static inline int fwd_input(const struct vlan_set *vs, uint16_t max_len, struct rte_mbuf *m,
                            uint16_t *tci)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint16_t t = 0, vid;

	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN))
		return DROP_RUNT;
	if (unlikely(!rte_is_valid_assigned_ether_addr(&eh->src_addr)))
		return DROP_BAD_SRC_MAC;
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		if (unlikely(m->data_len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN))
			return DROP_RUNT;
		if (unlikely(len > (uint32_t)max_len + RTE_VLAN_HLEN))
			return DROP_OVERSIZED;
		t = rte_be_to_cpu_16(((struct rte_vlan_hdr *)(eh + 1))->vlan_tci);
		vid = t & RTE_VLAN_ID_MASK;
		rte_vlan_strip(m);
		/* VID 0 is a priority tag: the frame counts as untagged, its PCP stays */
		if (vid == 0)
			vid = vs->pvid;
		if (unlikely(vid == 0 || !vlan_member(vs, vid)))
			return DROP_VLAN_NOT_ALLOWED;
	} else {
		if (unlikely(len > max_len))
			return DROP_OVERSIZED;
		vid = vs->pvid;
		if (unlikely(vid == 0))
			return DROP_VLAN_NOT_ALLOWED;
	}
	*tci = (t & ~RTE_VLAN_ID_MASK) | vid;
	return -1;
}

static inline void fwd_enqueue(struct worker *w, uint16_t slot, struct rte_mbuf *m)
{
	struct txbuf *tb = &w->tx[slot];

	if (tb->n == 0)
		w->dirty[w->ndirty++] = slot;
	tb->pkts[tb->n++] = m;
	tb->bytes += rte_pktmbuf_pkt_len(m);
	if (unlikely(tb->n == BURST))
		fwd_flush(w);
}

/* Tag the frame for a port that carries its VLAN tagged. m must be ours alone. */
static inline struct rte_mbuf *fwd_tag(struct worker *w, uint16_t slot, struct rte_mbuf *m,
                                       uint16_t tci)
{
	struct rte_mbuf *c;

	m->vlan_tci = tci;
	if (likely(rte_vlan_insert(&m) == 0))
		return m;
	/* no headroom (or not a direct mbuf): tag a copy instead */
	c = rte_pktmbuf_copy(m, worker_pool, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	if (c == NULL || (c->vlan_tci = tci, rte_vlan_insert(&c) != 0)) {
		rte_pktmbuf_free(c);
		w->stats[slot].drops[DROP_NO_MBUF]++;
		return NULL;
	}
	return c;
}

static inline void fwd_output(struct worker *w, const struct port *out, const struct vlan_set *vs,
                              struct rte_mbuf *m, uint16_t tci)
{
	if ((tci & RTE_VLAN_ID_MASK) != vs->pvid) {
		m = fwd_tag(w, out->index, m, tci);
		if (m == NULL)
			return;
	}
	fwd_enqueue(w, out->index, m);
}

/*
 * Storm control: a flooded frame's class (broadcast, multicast or unknown unicast) passes if
 * it conforms to the port's rate for the class (GCRA: a token bucket of one second's frames
 * kept as the time the next frame is due), else DROP_STORM_*; -1: passes. Only flooded
 * frames pay for it, and only on a port with a guard.
 */
static inline int fwd_storm(struct worker *w, uint16_t slot, const struct port_guard *g,
                            const struct rte_mbuf *m)
{
	static const int reasons[GUARD_STORM_MAX] = {
		[GUARD_STORM_BROADCAST] = DROP_STORM_BROADCAST,
		[GUARD_STORM_MULTICAST] = DROP_STORM_MULTICAST,
		[GUARD_STORM_UNKNOWN_UNICAST] = DROP_STORM_UNKNOWN_UNICAST,
	};
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint64_t now, *tat;
	unsigned int c;

	if (rte_is_broadcast_ether_addr(&eh->dst_addr))
		c = GUARD_STORM_BROADCAST;
	else if (rte_is_multicast_ether_addr(&eh->dst_addr))
		c = GUARD_STORM_MULTICAST;
	else
		c = GUARD_STORM_UNKNOWN_UNICAST;
	if (likely(g->storm_interval[c] == 0))
		return -1;
	now = rte_rdtsc();
	tat = &w->storm_tat[slot][c];
	if (*tat < now)
		*tat = now;
	if (*tat - now > g->storm_tolerance[c])
		return reasons[c];
	*tat += g->storm_interval[c];
	return -1;
}

/*
 * Broadcast, multicast and unknown unicast: every other up port that carries the VLAN.
 * Ports that take the frame untagged share the one mbuf (reference count); each port that
 * takes it tagged gets its own copy, since the tag is written into the frame. A port whose
 * tx limit the frame exceeds counts it tx_oversized (a tag does not count against it); a frame
 * that every port so refused was forwarded all the same, and is freed counted there.
 */
static void fwd_flood(struct worker *w, struct port *in, struct rte_mbuf *m, uint16_t tci)
{
	uint16_t untagged[PORT_MAX], tagged[PORT_MAX], nu = 0, nt = 0, nlong = 0, i, n, vid;
	const struct port_guard *g = shared_read(&in->guard);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const struct vlan_set *vs;
	struct rte_mbuf *c;
	struct port *p;
	int reason;

	if (unlikely(g != NULL)) {
		reason = fwd_storm(w, in->index, g, m);
		if (reason >= 0) {
			worker_drop(w, in->index, reason, m);
			return;
		}
	}
	vid = tci & RTE_VLAN_ID_MASK;
	snoop_flood(w, in, m, vid);
	n = shared_read(&port_table_len);
	for (i = 0; i < n; i++) {
		p = shared_read(&port_table[i]);
		if (p == NULL || p == in || !shared_read(&p->up))
			continue;
		vs = shared_read(&p->vlan);
		if (!vlan_member(vs, vid))
			continue;
		if (unlikely(len > shared_read(&p->tx_len_max))) {
			w->stats[i].drops[DROP_TX_OVERSIZED]++;
			nlong++;
		} else if (vs->pvid == vid) {
			untagged[nu++] = i;
		} else {
			tagged[nt++] = i;
		}
	}
	if (unlikely(nu + nt == 0)) {
		if (nlong > 0)
			rte_pktmbuf_free(m); /* counted tx_oversized at each port */
		else
			worker_drop(w, in->index, DROP_NO_EGRESS, m);
		return;
	}
	/* copies first: the original must not be sent before it has been copied */
	for (i = 0; i < nt - (nu == 0); i++) {
		c = rte_pktmbuf_copy(m, worker_pool, 0, UINT32_MAX);
		if (c == NULL) {
			w->stats[tagged[i]].drops[DROP_NO_MBUF]++;
			continue;
		}
		c = fwd_tag(w, tagged[i], c, tci);
		if (c != NULL)
			fwd_enqueue(w, tagged[i], c);
	}
	if (nu == 0) {
		m = fwd_tag(w, tagged[nt - 1], m, tci);
		if (m != NULL)
			fwd_enqueue(w, tagged[nt - 1], m);
		return;
	}
	rte_mbuf_refcnt_update(m, (int16_t)(nu - 1));
	for (i = 0; i < nu; i++)
		fwd_enqueue(w, untagged[i], m);
}

/*
 * A group's frames to one port, untagged: appended to its tx buffer in one copy, its bytes in
 * one add. The buffers are flushed after every burst and a burst holds at most BURST frames,
 * so a group fits unless the port's buffer was filled by flooding in this burst: then frame by
 * frame.
 */
static inline void fwd_enqueue_run(struct worker *w, uint16_t slot, struct rte_mbuf **pkts,
                                   uint16_t cnt, uint32_t bytes)
{
	struct txbuf *tb = &w->tx[slot];
	uint16_t i;

	if (unlikely(tb->n + cnt > BURST)) {
		for (i = 0; i < cnt; i++)
			fwd_enqueue(w, slot, pkts[i]);
		return;
	}
	if (tb->n == 0)
		w->dirty[w->ndirty++] = slot;
	/* a lone frame (many addresses, another port next): no call to memcpy for it */
	if (cnt == 1)
		tb->pkts[tb->n] = pkts[0];
	else
		memcpy(&tb->pkts[tb->n], pkts, cnt * sizeof(pkts[0]));
	tb->n += cnt;
	tb->bytes += bytes;
	if (unlikely(tb->n == BURST))
		fwd_flush(w);
}

/*
 * Runs of frames to one port and VLAN (fwd_dispatch): one set of checks for all of them.
 * in_max: the ingress port's max_len, which fwd_input held every frame to, so the egress
 * port's limit (tx_len_max) needs a look at each frame only when it is the smaller one (an
 * afxdp port whose interface has a smaller MTU than a guest's): then frames longer than it are
 * counted tx_oversized there, and the others go on, in order.
 */
static inline void fwd_unicast_run(struct worker *w, struct port *in, uint16_t in_max,
                                   struct rte_mbuf **pkts, const uint16_t *tci, uint16_t cnt,
                                   uint32_t bytes, uint16_t slot)
{
	struct port *out = shared_read(&port_table[slot]);
	uint16_t i, vid = tci[0] & RTE_VLAN_ID_MASK; /* the VLAN is part of the run's key */
	const struct vlan_set *vs = NULL;
	uint16_t out_max = 0;
	int reason;

	if (likely(out != NULL)) {
		vs = shared_read(&out->vlan);
		out_max = shared_read(&out->tx_len_max);
	}
	if (unlikely(out == in))
		reason = DROP_HAIRPIN;
	else if (unlikely(out == NULL || !shared_read(&out->up)))
		reason = DROP_PORT_DOWN;
	else if (unlikely(!vlan_member(vs, vid)))
		reason = DROP_VLAN_NOT_ALLOWED;
	else if (likely(vid == vs->pvid && out_max >= in_max)) {
		fwd_enqueue_run(w, slot, pkts, cnt, bytes);
		return;
	} else {
		reason = -1;
	}
	for (i = 0; i < cnt; i++) {
		if (reason >= 0)
			worker_drop(w, in->index, reason, pkts[i]);
		else if (unlikely(rte_pktmbuf_pkt_len(pkts[i]) > out_max))
			worker_drop(w, slot, DROP_TX_OVERSIZED, pkts[i]);
		else
			fwd_output(w, out, vs, pkts[i], tci[i]); /* tagged: each its own PCP */
	}
}

/*
 * The guard's per-frame checks (allowed-mac, arp-guard, dhcp-server, ra-guard) on the frame's
 * headers: read in place when the first segment holds them, else gathered into buf.
 */
/*
 * What most frames are, told without a call: a guest's IPv4 TCP or UDP that is not a DHCP
 * server's (the only IPv4 check), or an EtherType no check looks at. guard_frame_l3 says
 * the same of them; anything else (ARP, IPv6, tags, IP options, a short first segment)
 * goes to it.
 */
static inline bool fwd_guard_plain(const struct port_guard *g, const struct rte_ether_hdr *eh,
                                   const struct rte_mbuf *m)
{
	const uint32_t dhcp = rte_cpu_to_be_32(67 << 16 | 68);
	const uint8_t *ip = (const uint8_t *)(eh + 1);
	uint32_t ports;

	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		if (!(g->inspect & GUARD_F_DHCP))
			return true;
		if (m->data_len < RTE_ETHER_HDR_LEN + 20 + sizeof(ports) || ip[0] != 0x45)
			return false;
		if (ip[9] != IPPROTO_UDP)
			return true;
		memcpy(&ports, ip + 20, sizeof(ports));
		return ports != dhcp;
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
	case RTE_BE16(RTE_ETHER_TYPE_VLAN):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ):
		return false;
	default:
		return true;
	}
}

static inline int fwd_guard(const struct port_guard *g, const struct rte_mbuf *m, uint64_t *src_ok)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(m), (uint32_t)GUARD_PEEK_MAX);
	uint8_t buf[GUARD_PEEK_MAX];
	const uint8_t *f;
	uint64_t w;

	/* allowed-mac once per run of one source (fwd_input saw a whole header): the list is
	 * up to 16 compares, the run's frames mostly one source */
	if (g->inspect & GUARD_F_MAC) {
		w = guard_mac_word(eh->src_addr.addr_bytes);
		if (w != *src_ok) {
			if (!guard_mac_allowed(g, w))
				return DROP_MAC_NOT_ALLOWED;
			*src_ok = w;
		}
	}
	if (!(g->inspect & ~GUARD_F_MAC) || fwd_guard_plain(g, eh, m))
		return -1;
	f = rte_pktmbuf_read(m, 0, len, buf);
	return f != NULL ? guard_frame_l3(g, f, len) : DROP_RUNT;
}

/* Where a MAC was before it moved, for lanctl monitor: a port name, whole (event_post_fdb). */
static const char *fwd_port_name(uint16_t slot)
{
	static const char gone[PORT_NAME_MAX] = "?";
	const struct port *p = slot < PORT_MAX ? shared_read(&port_table[slot]) : NULL;

	return p != NULL ? p->name : gone;
}

/*
 * mac-limit: a source new to the port (unknown, or learned on another port) when the port
 * already has its limit of learned MACs: DROP_MAC_LIMIT, or with --flood -2: forwarded but
 * not learned. -1: learn it. The count is the FDB's (fdb_learned), kept as entries come and
 * go; only this port's worker learns on it, so the check and the learning do not race.
 */
static inline int fwd_mac_limit(const struct port *in, const struct port_guard *g)
{
	if (likely(g == NULL || g->mac_limit == 0 || fdb_learned(in->index) < g->mac_limit))
		return -1;
	return g->mac_limit_flood ? -2 : DROP_MAC_LIMIT;
}

/* A source the burst's lookup missed, learned on this port since by an earlier run of the
 * same burst: not a new one. Asked only when the port is at its limit. */
static bool fwd_learned_here(uint64_t word, const struct port *in)
{
	uint64_t data;

	return fdb_lookup_bulk(&word, 1, &data) == 1 && FDB_PORT(data) == in->index;
}

/* Learn a run's source; a drop reason when its frames must go (mac-limit), else -1. */
static inline int fwd_learn(struct worker *w, struct port *in, const struct port_guard *g,
                            uint64_t word, bool hit, uint64_t data, uint32_t now)
{
	struct fdb_key k = fdb_key_of(word);
	int ret;

	if (likely(hit)) {
		if (likely(!fdb_stale(data, in->index, now)))
			return -1;
		if (FDB_PORT(data) != in->index && (ret = fwd_mac_limit(in, g)) != -1)
			return ret >= 0 ? ret : -1;
		if (fdb_refresh(&k, data, in->index, now) == 0 && FDB_PORT(data) != in->index)
			event_post_fdb(&w->ev_fdb, now, EVENT_FDB_MOVED, &k.mac, k.vlan, in->name,
			               fwd_port_name(FDB_PORT(data)));
		return -1;
	}
	ret = fwd_mac_limit(in, g);
	if (unlikely(ret != -1))
		return ret >= 0 && !fwd_learned_here(word, in) ? ret : -1;
	/* While the table is full, do not ask it again for every frame of every new MAC. */
	if (w->full_until != 0 && rte_rdtsc() < w->full_until) {
		w->fdb_full++;
		return -1;
	}
	ret = fdb_learn(&k, in->index, now);
	if (ret == -ENOSPC) {
		w->fdb_full++;
		w->full_until = rte_rdtsc() + rte_get_tsc_hz() / 1000;
		return -1;
	}
	w->full_until = 0;
	if (ret == 1)
		event_post_fdb(&w->ev_fdb, now, EVENT_FDB_LEARNED, &k.mac, k.vlan, in->name, NULL);
	return -1;
}

/*
 * Runs whose source the port may not learn (mac-limit): their frames are freed and counted,
 * and the other runs close up, in order, for fwd_dispatch. Returns the runs left; *k the
 * frames left.
 */
static uint16_t fwd_drop_runs(struct worker *w, struct port *in, struct rte_mbuf **pkts,
                              uint16_t *tci, uint16_t *start, uint64_t *keys, uint64_t *data,
                              uint64_t *hit, uint32_t *bytes, uint16_t nr, const int8_t *why,
                              uint16_t *k)
{
	uint64_t h = 0;
	uint16_t r, i, nk = 0, n = 0;

	for (r = 0; r < nr; r++) {
		if (why[r] >= 0) {
			for (i = start[r]; i < start[r + 1]; i++)
				worker_drop(w, in->index, why[r], pkts[i]);
			continue;
		}
		keys[2 * n] = keys[2 * r];
		keys[2 * n + 1] = keys[2 * r + 1];
		data[2 * n] = data[2 * r];
		data[2 * n + 1] = data[2 * r + 1];
		h |= ((*hit >> (2 * r)) & 3) << (2 * n);
		bytes[n] = bytes[r];
		i = start[r];
		start[n] = nk;
		for (; i < start[r + 1]; i++) {
			pkts[nk] = pkts[i];
			tci[nk++] = tci[i];
		}
		n++;
	}
	start[n] = nk;
	*hit = h;
	*k = nk;
	return n;
}

/*
 * The key word (fdb_key_word's layout: mac, then vlan), built in a register. Comparing keys
 * that had just been written field by field stalled on store forwarding: a third of
 * fwd_burst's samples sat on that one compare.
 */
static inline uint64_t fwd_key_word(const struct rte_ether_addr *mac, uint16_t vlan)
{
	return guard_mac_word(mac->addr_bytes) | (uint64_t)vlan << 48;
}

static_assert(offsetof(struct fdb_key, vlan) == 6, "fwd_key_word() assumes the key's layout");
static_assert(2 * BURST <= FDB_TABLE_BULK_MAX, "a burst's keys go to the FDB in one lookup");

/*
 * The runs after lookup: flooded, or handed to their port. Adjacent runs to the same port
 * and VLAN (with many addresses every run is one frame, and a guest's frames mostly go to one
 * peer port) are one group: the port's checks and its tx buffer are done once per group, not
 * once per run. Runs are adjacent in pkts[], so a group is too; a flood in between ends it,
 * which keeps each port's frames in the order they came.
 */
static inline void fwd_dispatch(struct worker *w, struct port *in, uint16_t in_max,
                                struct rte_mbuf **pkts, const uint16_t *tci, const uint16_t *start,
                                uint16_t nr, const uint64_t *keys, const uint64_t *data,
                                uint64_t hit, const uint32_t *bytes)
{
	uint16_t r, i, slot, vid, g_slot = 0, g_vid = 0, g_start = 0, g_end = 0;
	uint32_t g_bytes = 0;

	for (r = 0; r < nr; r++) {
		/* the multicast bit is the first byte's lowest: the word's lowest bit */
		if ((keys[2 * r + 1] & 1) || !((hit >> (2 * r + 1)) & 1)) {
			if (g_end > g_start)
				fwd_unicast_run(w, in, in_max, pkts + g_start, tci + g_start,
				                g_end - g_start, g_bytes, g_slot);
			g_start = g_end = start[r + 1];
			for (i = start[r]; i < start[r + 1]; i++)
				fwd_flood(w, in, pkts[i], tci[i]);
			continue;
		}
		slot = FDB_PORT(data[2 * r + 1]);
		vid = tci[start[r]] & RTE_VLAN_ID_MASK;
		if (g_end > g_start && (slot != g_slot || vid != g_vid)) {
			fwd_unicast_run(w, in, in_max, pkts + g_start, tci + g_start,
			                g_end - g_start, g_bytes, g_slot);
			g_start = g_end;
		}
		if (g_end == g_start) {
			g_slot = slot;
			g_vid = vid;
			g_bytes = 0;
		}
		g_end = start[r + 1];
		g_bytes += bytes[r];
	}
	if (g_end > g_start)
		fwd_unicast_run(w, in, in_max, pkts + g_start, tci + g_start, g_end - g_start,
		                g_bytes, g_slot);
}

/*
 * The usual burst, whatever the number of addresses: every source already learned on this
 * port in this second (or static), every destination a known unicast address on one port, in
 * one VLAN. Then the whole burst is one group with nothing to learn, found by one pass without
 * a branch per run: with many addresses every frame is its own run, and fwd_dispatch's
 * per-run work cost as much as the lookups.
 */
static inline bool fwd_burst_plain(const struct port *in, const uint64_t *keys,
                                   const uint64_t *data, uint64_t hit, uint16_t nr)
{
	uint64_t fresh = FDB_DATA(in->index, 0, shared_read(&worker_now)), all, bad = 0;
	uint16_t r;

	all = nr == BURST ? ~0ull : (1ull << (2 * nr)) - 1;
	if ((hit & all) != all)
		return false;
	for (r = 0; r < nr; r++) {
		bad |= (uint64_t)(data[2 * r] != fresh && !FDB_IS_STATIC(data[2 * r]));
		bad |= (data[2 * r + 1] ^ data[1]) & 0xffff; /* another port */
		bad |= (keys[2 * r + 1] ^ keys[1]) >> 48;    /* another VLAN */
		bad |= keys[2 * r + 1] & 1;                  /* multicast */
	}
	return bad == 0;
}

/*
 * Frames of the switch's own port (ports/port_internal.c): each names its port (hash.usr,
 * slot + 1) and VLAN (vlan_tci), and goes to that port alone, never switched; its source is
 * learned on the own port, so that a unicast reply finds the way back.
 */
static void fwd_directed(struct worker *w, struct port *in, struct rte_mbuf **pkts, uint16_t n)
{
	struct port_stats *st = &w->stats[in->index];
	uint32_t now = shared_read(&worker_now);
	const struct vlan_set *vs;
	struct rte_ether_hdr *eh;
	uint64_t key, data, hit;
	struct rte_mbuf *m;
	struct port *out;
	uint16_t i, vid;

	st->rx_packets += n;
	for (i = 0; i < n; i++) {
		m = pkts[i];
		st->rx_bytes += rte_pktmbuf_pkt_len(m);
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
		out = m->hash.usr - 1 < PORT_MAX ? shared_read(&port_table[m->hash.usr - 1]) : NULL;
		if (out == NULL || !shared_read(&out->up)) {
			worker_drop(w, in->index, DROP_PORT_DOWN, m);
			continue;
		}
		vs = shared_read(&out->vlan);
		if (!vlan_member(vs, vid)) {
			worker_drop(w, in->index, DROP_VLAN_NOT_ALLOWED, m);
			continue;
		}
		eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		key = fwd_key_word(&eh->src_addr, vid);
		hit = fdb_lookup_bulk(&key, 1, &data);
		fwd_learn(w, in, NULL, key, hit & 1, data, now);
		fwd_output(w, out, vs, m, vid);
	}
}

/*
 * Frames of one flow come in runs (a burst from a guest to one peer), so the FDB is asked
 * once per run of equal (source, destination, VLAN), not once per frame; learning, too,
 * happens once per run, and adjacent runs of unicast frames to one port go to its tx buffer
 * in one copy (fwd_dispatch). Run r is frames start[r] to start[r + 1] - 1. Sources and
 * destinations go to the FDB in one bulk lookup (up to 64 keys): its prefetches overlap. The
 * usual burst needs no per-run work after the lookup at all (fwd_burst_plain).
 */
void fwd_burst(struct worker *w, struct port *in, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t keys[2 * BURST], data[2 * BURST], hit, s, d, last_s = 0, last_d = 0, src_ok = 0;
	struct port_stats *st = &w->stats[in->index];
	const struct vlan_set *vs = shared_read(&in->vlan);
	const struct port_guard *g = shared_read(&in->guard);
	uint16_t max_len = shared_read(&in->max_len);
	struct rte_ether_hdr *eh;
	uint16_t tci[BURST], start[BURST + 1], vid, i, k = 0, nr = 0, r;
	uint32_t bytes[BURST], total = 0, now;
	int8_t why[BURST];
	bool drop = false;
	int ret;

	if (unlikely(in->directed)) {
		fwd_directed(w, in, pkts, n);
		return;
	}
	for (i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	st->rx_packets += n;
	for (i = 0; i < n; i++) {
		st->rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
		ret = fwd_input(vs, max_len, pkts[i], &tci[k]);
		if (unlikely(ret < 0 && g != NULL && g->inspect != 0))
			ret = fwd_guard(g, pkts[i], &src_ok);
		if (unlikely(ret >= 0)) {
			worker_drop(w, in->index, ret, pkts[i]);
			continue;
		}
		eh = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		vid = tci[k] & RTE_VLAN_ID_MASK;
		if (unlikely(snoop_dhcp_maybe(pkts[i])))
			snoop_dhcp(w, in, pkts[i], vid);
		s = fwd_key_word(&eh->src_addr, vid);
		d = fwd_key_word(&eh->dst_addr, vid);
		/* a valid source MAC is never zero, so the first frame always starts a run */
		if (s != last_s || d != last_d) {
			keys[2 * nr] = s;
			keys[2 * nr + 1] = d;
			last_s = s;
			last_d = d;
			start[nr] = k;
			bytes[nr++] = 0;
		}
		bytes[nr - 1] += rte_pktmbuf_pkt_len(pkts[i]); /* as sent: untagged */
		total += rte_pktmbuf_pkt_len(pkts[i]);
		pkts[k++] = pkts[i];
	}
	if (k == 0)
		return;
	start[nr] = k;
	/* run r's source at 2r, its destination at 2r + 1 */
	hit = fdb_lookup_bulk(keys, 2 * nr, data);
	if (likely(fwd_burst_plain(in, keys, data, hit, nr))) {
		fwd_unicast_run(w, in, max_len, pkts, tci, k, total, FDB_PORT(data[1]));
		return;
	}
	now = shared_read(&worker_now); /* once, not once per run */
	for (r = 0; r < nr; r++) {
		why[r] = (int8_t)fwd_learn(w, in, g, keys[2 * r], (hit >> (2 * r)) & 1, data[2 * r],
		                           now);
		drop |= why[r] >= 0;
	}
	if (unlikely(drop)) {
		nr = fwd_drop_runs(w, in, pkts, tci, start, keys, data, &hit, bytes, nr, why, &k);
		if (nr == 0)
			return;
	}
	fwd_dispatch(w, in, max_len, pkts, tci, start, nr, keys, data, hit, bytes);
}

static inline uint16_t fwd_tx(struct port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	if (p->tx_burst == NULL)
		return rte_eth_tx_burst(p->eth_id, q, pkts, n);
	return p->tx_burst(p, q, pkts, n);
}

/* Worker w's ring in port p's held frames (p->held_max entries, a power of two). */
static inline struct rte_mbuf **fwd_held_ring(const struct worker *w, const struct port *p)
{
	return p->held + (size_t)w->id * p->held_max;
}

/*
 * Frames port p did not take, after older ones it holds: kept while its ring and the
 * worker's budget have room, the rest freed and counted (a full queue drops at its tail, as
 * a kernel qdisc does). A port without a ring, or down, drops them all.
 */
static void fwd_hold(struct worker *w, uint16_t slot, struct port *p, struct rte_mbuf **pkts,
                     uint16_t n)
{
	struct txbuf *tb = &w->tx[slot];
	struct rte_mbuf **ring;
	uint16_t i = 0, mask;

	if (p != NULL && p->held != NULL && shared_read(&p->up)) {
		ring = fwd_held_ring(w, p);
		mask = p->held_max - 1;
		if (tb->held_n == 0) {
			tb->held_head = 0;
			tb->held_gen = p->gen;
		}
		for (; i < n && tb->held_n < p->held_max && w->held_total < w->held_budget; i++) {
			ring[(tb->held_head + tb->held_n) & mask] = pkts[i];
			tb->held_n++;
			w->held_total++;
		}
		if (tb->held_n > 0 && !tb->held_listed) {
			tb->held_listed = true;
			w->held_slots[w->nheld++] = slot;
		}
	}
	for (; i < n; i++)
		worker_drop(w, slot, DROP_TX_RING_FULL, pkts[i]);
}

/* Port p's held frames of ours, oldest first, until it takes no more; the count sent. */
static uint32_t fwd_send_held(struct worker *w, struct txbuf *tb, struct port *p, uint16_t q,
                              struct port_stats *st)
{
	struct rte_mbuf **ring = fwd_held_ring(w, p);
	uint32_t lens[BURST], bytes, total = 0;
	uint16_t cnt, sent, i, head;

	do {
		head = tb->held_head;
		cnt = RTE_MIN(RTE_MIN(tb->held_n, (uint16_t)(p->held_max - head)), BURST);
		for (i = 0; i < cnt; i++)
			lens[i] = rte_pktmbuf_pkt_len(ring[head + i]);
		sent = fwd_tx(p, q, ring + head, cnt);
		for (i = 0, bytes = 0; i < sent; i++) {
			bytes += lens[i];
			ring[head + i] = NULL; /* the device's now, not ours to free */
		}
		st->tx_packets += sent;
		st->tx_bytes += bytes;
		tb->held_head = (uint16_t)((head + sent) & (p->held_max - 1));
		tb->held_n -= sent;
		w->held_total -= sent;
		total += sent;
	} while (sent == cnt && sent > 0 && tb->held_n > 0);
	return total;
}

/*
 * Before anything new goes to a port that holds frames of ours: a port that is gone (or
 * another in its slot) took them with it (port_free), a port that went down drops them, and
 * a live one is sent them first, so its frames leave in the order they came.
 */
static void fwd_held_check(struct worker *w, struct txbuf *tb, struct port *p, uint16_t slot)
{
	struct rte_mbuf **ring;
	uint16_t mask;

	if (p == NULL || p->gen != tb->held_gen) {
		w->held_total -= tb->held_n;
		tb->held_n = 0;
		return;
	}
	if (shared_read(&p->up))
		return;
	ring = fwd_held_ring(w, p);
	mask = p->held_max - 1;
	for (; tb->held_n > 0; tb->held_n--, w->held_total--) {
		worker_drop(w, slot, DROP_TX_RING_FULL, ring[tb->held_head]);
		ring[tb->held_head] = NULL;
		tb->held_head = (tb->held_head + 1) & mask;
	}
}

/*
 * One tx burst per output port. What the port did not take waits in its held ring, if it
 * has one, or is freed and counted there.
 */
void fwd_flush(struct worker *w)
{
	struct port_stats *st;
	struct txbuf *tb;
	struct port *p;
	uint16_t i, j, q, sent, slot;
	bool locked;

	for (i = 0; i < w->ndirty; i++) {
		slot = w->dirty[i];
		tb = &w->tx[slot];
		st = &w->stats[slot];
		p = shared_read(&port_table[slot]);
		if (unlikely(tb->held_n > 0))
			fwd_held_check(w, tb, p, slot);
		sent = 0;
		if (likely(p != NULL)) {
			locked = p->tx_shared;
			q = w->id % p->ntxq;
			if (unlikely(locked))
				rte_spinlock_lock(&p->tx_lock);
			if (unlikely(tb->held_n > 0))
				fwd_send_held(w, tb, p, q, st);
			if (likely(tb->held_n == 0 && tb->n > 0)) {
				sent = fwd_tx(p, q, tb->pkts, tb->n);
				for (j = p->tx_retries; unlikely(sent < tb->n) && j > 0; j--)
					sent += fwd_tx(p, q, tb->pkts + sent, tb->n - sent);
			}
			if (unlikely(locked))
				rte_spinlock_unlock(&p->tx_lock);
		}
		for (j = sent; j < tb->n; j++)
			tb->bytes -= rte_pktmbuf_pkt_len(tb->pkts[j]);
		if (unlikely(sent < tb->n))
			fwd_hold(w, slot, p, tb->pkts + sent, tb->n - sent);
		st->tx_packets += sent;
		st->tx_bytes += tb->bytes;
		tb->n = 0;
		tb->bytes = 0;
	}
	w->ndirty = 0;
}

/*
 * Every poll while ports hold frames of ours: send what they will take now, and forget the
 * ports that hold none any more. Returns how many left the rings (a poll that sent is busy).
 */
uint32_t fwd_drain(struct worker *w)
{
	uint32_t before = w->held_total;
	uint16_t i, n = 0, slot;
	struct txbuf *tb;

	for (i = 0; i < w->nheld; i++) {
		tb = &w->tx[w->held_slots[i]];
		if (tb->held_n > 0 && tb->n == 0)
			w->dirty[w->ndirty++] = w->held_slots[i];
	}
	fwd_flush(w);
	for (i = 0; i < w->nheld; i++) {
		slot = w->held_slots[i];
		if (w->tx[slot].held_n > 0)
			w->held_slots[n++] = slot;
		else
			w->tx[slot].held_listed = false;
	}
	w->nheld = n;
	return before - w->held_total;
}

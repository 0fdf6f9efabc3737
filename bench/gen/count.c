/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ether.h>

#include "count.h"
#include "mac.h"

#define COUNT_MAC_USED (1ull << 63)
#define COUNT_SEQ_USED (1ull << 63)

void count_reset(struct count *c)
{
	memset(c, 0, sizeof(*c));
}

static void count_mac(struct count_macs *t, const uint8_t *addr)
{
	struct rte_ether_addr a;
	uint64_t key;
	unsigned int h;

	memcpy(&a, addr, sizeof(a));
	key = mac_to_u64(&a) | COUNT_MAC_USED;
	/* Fibonacci hashing: the top 7 bits of the product spread consecutive MACs well. */
	h = (unsigned int)((key * 0x9e3779b97f4a7c15ull) >> 57);
	for (;; h = (h + 1) % COUNT_MAC_SLOTS) {
		if (t->key[h] == key) {
			t->n[h]++;
			return;
		}
		if (t->key[h] == 0)
			break;
	}
	if (t->used == COUNT_MACS_MAX) {
		t->other++;
		return;
	}
	t->key[h] = key;
	t->n[h] = 1;
	t->used++;
}

void count_rx(struct count *c, const struct rte_mbuf *m)
{
	uint8_t buf[RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr)];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const uint8_t *h;
	uint16_t type, tci;

	c->rx++;
	c->rx_bytes += len;
	if (len < RTE_ETHER_HDR_LEN) {
		c->runts++;
		return;
	}
	/* rte_pktmbuf_read() copies only if the header straddles segments. */
	h = rte_pktmbuf_read(m, 0, RTE_MIN(len, (uint32_t)sizeof(buf)), buf);
	count_mac(&c->dsts, h);
	count_mac(&c->srcs, h + RTE_ETHER_ADDR_LEN);

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		c->vlans[m->vlan_tci & 0xfff]++;
		return;
	}
	memcpy(&type, h + 2 * RTE_ETHER_ADDR_LEN, 2);
	type = rte_be_to_cpu_16(type);
	/* A TPID without room for its TCI is a broken tag, not a VLAN: count it untagged. */
	if ((type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ) && len >= sizeof(buf)) {
		memcpy(&tci, h + RTE_ETHER_HDR_LEN, 2);
		c->vlans[rte_be_to_cpu_16(tci) & 0xfff]++;
		return;
	}
	c->untagged++;
}

/*
 * A handful of streams at most (the guests of a test): a linear search is cheaper than any
 * hash here, and this path is not --lean's.
 */
void count_seq(struct count_seq *c, const struct frame_stamp *st)
{
	uint64_t key = (uint64_t)st->tag << 16 | st->port | COUNT_SEQ_USED;
	uint64_t seq = st->seq;
	struct count_seq_stream *s;
	unsigned int i;

	for (i = 0; i < c->streams; i++)
		if (c->s[i].key == key)
			break;
	if (i == c->streams) {
		if (c->streams == COUNT_SEQ_STREAMS) {
			c->untracked++;
			return;
		}
		c->s[c->streams++] = (struct count_seq_stream){ .key = key, .next = seq + 1 };
		c->ok++;
		return;
	}
	s = &c->s[i];
	if (seq < s->next) {
		c->late++;
		return;
	}
	c->lost += seq - s->next;
	c->ok++;
	s->next = seq + 1;
}

static int count_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	struct json_object *n = json_object_new_uint64(v);

	if (n == NULL || json_object_object_add(o, key, n) < 0) {
		json_object_put(n);
		return -ENOMEM;
	}
	return 0;
}

static struct json_object *count_macs_json(const struct count_macs *t)
{
	struct json_object *o = json_object_new_object();
	struct rte_ether_addr a;
	char s[MAC_STR_LEN];
	unsigned int i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < COUNT_MAC_SLOTS; i++) {
		if (t->key[i] == 0)
			continue;
		mac_from_u64(&a, t->key[i] & ~COUNT_MAC_USED);
		mac_format(s, sizeof(s), &a);
		if (count_add_u64(o, s, t->n[i]) < 0)
			goto fail;
	}
	if (t->other != 0 && count_add_u64(o, "other", t->other) < 0)
		goto fail;
	return o;
fail:
	json_object_put(o);
	return NULL;
}

static struct json_object *count_vlans_json(const struct count *c)
{
	struct json_object *o = json_object_new_object();
	char key[8];
	unsigned int vid;

	if (o == NULL)
		return NULL;
	for (vid = 0; vid < COUNT_VIDS; vid++) {
		if (c->vlans[vid] == 0)
			continue;
		snprintf(key, sizeof(key), "%u", vid);
		if (count_add_u64(o, key, c->vlans[vid]) < 0) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static int count_add_obj(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* Adds the counters to a port's object in the stats reply. */
int count_json(const struct count *c, struct json_object *port)
{
	if (count_add_u64(port, "rx", c->rx) < 0 ||
	    count_add_u64(port, "rx_bytes", c->rx_bytes) < 0 ||
	    count_add_u64(port, "tx", c->tx) < 0 ||
	    count_add_u64(port, "tx_bytes", c->tx_bytes) < 0 ||
	    count_add_u64(port, "reflected", c->reflected) < 0 ||
	    count_add_u64(port, "reflect_drops", c->reflect_drops) < 0 ||
	    count_add_u64(port, "untagged", c->untagged) < 0 ||
	    count_add_obj(port, "vlans", count_vlans_json(c)) < 0 ||
	    count_add_obj(port, "srcs", count_macs_json(&c->srcs)) < 0 ||
	    count_add_obj(port, "dsts", count_macs_json(&c->dsts)) < 0 ||
	    count_add_u64(port, "runts", c->runts) < 0 ||
	    count_add_u64(port, "seq_streams", c->seq.streams) < 0 ||
	    count_add_u64(port, "seq_ok", c->seq.ok) < 0 ||
	    count_add_u64(port, "seq_lost", c->seq.lost) < 0 ||
	    count_add_u64(port, "seq_late", c->seq.late) < 0 ||
	    count_add_u64(port, "seq_untracked", c->seq.untracked) < 0 ||
	    count_add_u64(port, "rx_last_ns", c->rx_last_ns) < 0)
		return -ENOMEM;
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX accounting of one port: totals, per VLAN, per source and destination MAC. Written and
 * read by the main lcore only (lsgen has no other thread that touches packets).
 */
#ifndef LSGEN_COUNT_H
#define LSGEN_COUNT_H

#include <stdint.h>

#include <json-c/json.h>
#include <rte_mbuf.h>

#include "frame.h"

/*
 * At most COUNT_MACS_MAX distinct MACs per table, the rest go to "other": a many-MAC run
 * must not turn every frame into a table insert, nor every stats reply into a megabyte.
 * The slots are an open-addressed hash at most half full, so a lookup is one or two probes.
 */
#define COUNT_MACS_MAX 64
#define COUNT_MAC_SLOTS 128
#define COUNT_VIDS 4096

struct count_macs {
	uint64_t key[COUNT_MAC_SLOTS]; /* MAC as a 48-bit number | COUNT_MAC_USED, 0 = free */
	uint64_t n[COUNT_MAC_SLOTS];
	unsigned int used;
	uint64_t other;
};

/*
 * Order of the stamped frames a port receives, per stream: a stream is one sending port of
 * one lsgen process (frame.h: tag and port), its seq that port's count of frames sent. The
 * first frame of a stream since the last reset sets where it stands; after it each frame is
 * ok (the next one, or a later one: then the frames skipped are lost) or late (behind one
 * already seen: reordered or duplicated). The sequence is the sender's over every
 * destination, so a receiver that does not get all a port sends (others were flooded
 * elsewhere, or unicast to another guest) sees them as lost: reset both ends' counters
 * before the frames counted. Frames a port reflects keep their sender's stamp, so a loop
 * through reflecting ports counts them late: the counts mean something only for `send`.
 * Streams beyond COUNT_SEQ_STREAMS are counted in untracked, not checked.
 */
#define COUNT_SEQ_STREAMS 16

struct count_seq_stream {
	uint64_t key; /* tag << 16 | port, COUNT_SEQ_USED set; 0 = free */
	uint64_t next;
};

struct count_seq {
	struct count_seq_stream s[COUNT_SEQ_STREAMS];
	unsigned int streams;
	uint64_t ok;
	uint64_t lost;
	uint64_t late;
	uint64_t untracked;
};

struct count {
	uint64_t rx;
	uint64_t rx_bytes;
	uint64_t tx; /* sent by `send` and by reflect */
	uint64_t tx_bytes;
	uint64_t reflected;
	uint64_t reflect_drops; /* reflect on, but the port's TX stayed full */
	uint64_t untagged;
	uint64_t runts; /* shorter than an Ethernet header: no MACs, no VLAN counted */
	uint64_t vlans[COUNT_VIDS];
	struct count_macs srcs;
	struct count_macs dsts;
	struct count_seq seq; /* not with --lean: count_seq() is the caller's to call */
	/*
	 * CLOCK_REALTIME (ns) when the last burst came, 0 before any: a test compares it with
	 * its own clock when it sent a frame from elsewhere (another process, a namespace),
	 * which lsgen's stamps cannot time. Not with --lean (a clock read per burst).
	 */
	uint64_t rx_last_ns;
};

void count_reset(struct count *c);
void count_rx(struct count *c, const struct rte_mbuf *m);
void count_seq(struct count_seq *c, const struct frame_stamp *st);
int count_json(const struct count *c, struct json_object *port);

#endif

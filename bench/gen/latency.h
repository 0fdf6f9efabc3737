/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Latency of frames that come back to the process that stamped them: TSC at RX minus the
 * TSC written when this process last sent the frame (by `send`, or by reflect, which
 * re-stamps its own frames). Main lcore only.
 *
 * Every sample goes into a log-linear histogram (as HdrHistogram does): values below
 * 2^LATENCY_SUB_BITS cycles exactly, larger ones in buckets 1/2^LATENCY_SUB_BITS of their
 * power of two wide, so a percentile is off by less than 0.4% (half a bucket) and the
 * whole table (58 KiB) stays in cache. A reservoir of raw samples did not: at several
 * million samples per second its random writes into megabytes cost the generator the rate
 * it was asked for. count, min, max and sum are exact.
 */
#ifndef LSGEN_LATENCY_H
#define LSGEN_LATENCY_H

#include <stdint.h>

#include <json-c/json.h>

#define LATENCY_SUB_BITS 7
#define LATENCY_SUB (1u << LATENCY_SUB_BITS)
/* The largest 64-bit value lands in bucket (64 - SUB_BITS) * SUB + SUB - 1. */
#define LATENCY_BUCKETS ((65u - LATENCY_SUB_BITS) * LATENCY_SUB)

struct latency {
	uint64_t *hist; /* LATENCY_BUCKETS counters */
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t sum;
};

int latency_init(struct latency *l);
void latency_free(struct latency *l);
void latency_reset(struct latency *l);
int latency_json(const struct latency *l, uint64_t tsc_hz, struct json_object *reply);

static inline unsigned int latency_bucket(uint64_t cycles)
{
	unsigned int shift;

	if (cycles < LATENCY_SUB)
		return (unsigned int)cycles;
	shift = (unsigned int)(63 - __builtin_clzll(cycles)) - LATENCY_SUB_BITS;
	return (shift + 1) * LATENCY_SUB + (unsigned int)((cycles >> shift) - LATENCY_SUB);
}

static inline void latency_add(struct latency *l, uint64_t cycles)
{
	l->hist[latency_bucket(cycles)]++;
	if (l->count == 0 || cycles < l->min)
		l->min = cycles;
	if (cycles > l->max)
		l->max = cycles;
	l->sum += cycles;
	l->count++;
}

#endif

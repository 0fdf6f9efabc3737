/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Latency of frames that come back to the process that stamped them: TSC at RX minus the
 * TSC written when this process last sent the frame (by `send`, or by reflect, which
 * re-stamps its own frames). Main lcore only.
 *
 * The first LATENCY_KEEP samples are kept; after that reservoir sampling keeps a uniform
 * random subset, so percentiles stay honest over a long run at a fixed memory cost.
 * count, min, max and sum cover every sample.
 */
#ifndef LSGEN_LATENCY_H
#define LSGEN_LATENCY_H

#include <stdint.h>

#include <json-c/json.h>
#include <rte_random.h>

#define LATENCY_KEEP (1u << 20)

struct latency {
	uint64_t *kept; /* TSC cycles */
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t sum;
};

int latency_init(struct latency *l);
void latency_free(struct latency *l);
void latency_reset(struct latency *l);
int latency_json(const struct latency *l, uint64_t tsc_hz, struct json_object *reply);

static inline void latency_add(struct latency *l, uint64_t cycles)
{
	uint64_t j;

	if (l->count < LATENCY_KEEP) {
		l->kept[l->count] = cycles;
	} else {
		j = rte_rand_max(l->count + 1);
		if (j < LATENCY_KEEP)
			l->kept[j] = cycles;
	}
	if (l->count == 0 || cycles < l->min)
		l->min = cycles;
	if (cycles > l->max)
		l->max = cycles;
	l->sum += cycles;
	l->count++;
}

#endif

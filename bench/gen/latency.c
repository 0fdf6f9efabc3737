/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"

int latency_init(struct latency *l)
{
	memset(l, 0, sizeof(*l));
	l->hist = calloc(LATENCY_BUCKETS, sizeof(*l->hist));
	return l->hist == NULL ? -ENOMEM : 0;
}

void latency_free(struct latency *l)
{
	free(l->hist);
	l->hist = NULL;
}

void latency_reset(struct latency *l)
{
	uint64_t *hist = l->hist;

	memset(hist, 0, LATENCY_BUCKETS * sizeof(*hist));
	memset(l, 0, sizeof(*l));
	l->hist = hist;
}

static uint64_t latency_ns(uint64_t cycles, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)cycles * 1000000000u / hz);
}

static int latency_add_ns(struct json_object *o, const char *key, uint64_t cycles, uint64_t hz)
{
	struct json_object *v = json_object_new_uint64(latency_ns(cycles, hz));

	if (v == NULL || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* The middle of bucket b, kept within [min, max] (exact below LATENCY_SUB cycles). */
static uint64_t latency_value(const struct latency *l, unsigned int b)
{
	unsigned int shift;
	uint64_t low, v;

	if (b < LATENCY_SUB)
		return b;
	shift = b / LATENCY_SUB - 1;
	low = (uint64_t)(LATENCY_SUB + b % LATENCY_SUB) << shift;
	v = low + ((1ull << shift) >> 1);
	if (v < l->min)
		v = l->min;
	if (v > l->max)
		v = l->max;
	return v;
}

/* Nearest rank: the value at or below which p% of the samples lie. */
static uint64_t latency_percentile(const struct latency *l, unsigned int p)
{
	uint64_t rank = (l->count * p + 99) / 100, seen = 0;
	unsigned int b;

	if (rank == 0)
		rank = 1;
	for (b = 0; b < LATENCY_BUCKETS; b++) {
		seen += l->hist[b];
		if (seen >= rank)
			return latency_value(l, b);
	}
	return l->max;
}

/* {"samples":N,"min_ns","median_ns","p99_ns","max_ns","mean_ns"}; only "samples" if N = 0. */
int latency_json(const struct latency *l, uint64_t tsc_hz, struct json_object *reply)
{
	struct json_object *v;

	v = json_object_new_uint64(l->count);
	if (v == NULL || json_object_object_add(reply, "samples", v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	if (l->count == 0)
		return 0;
	if (latency_add_ns(reply, "min_ns", l->min, tsc_hz) < 0 ||
	    latency_add_ns(reply, "median_ns", latency_percentile(l, 50), tsc_hz) < 0 ||
	    latency_add_ns(reply, "p99_ns", latency_percentile(l, 99), tsc_hz) < 0 ||
	    latency_add_ns(reply, "max_ns", l->max, tsc_hz) < 0 ||
	    latency_add_ns(reply, "mean_ns", l->sum / l->count, tsc_hz) < 0)
		return -ENOMEM;
	return 0;
}

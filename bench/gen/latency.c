/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"

int latency_init(struct latency *l)
{
	memset(l, 0, sizeof(*l));
	l->kept = malloc(LATENCY_KEEP * sizeof(*l->kept));
	return l->kept == NULL ? -ENOMEM : 0;
}

void latency_free(struct latency *l)
{
	free(l->kept);
	l->kept = NULL;
}

void latency_reset(struct latency *l)
{
	uint64_t *kept = l->kept;

	memset(l, 0, sizeof(*l));
	l->kept = kept;
}

static int latency_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
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

/* {"samples":N,"min_ns","median_ns","p99_ns","max_ns","mean_ns"}; only "samples" if N = 0. */
int latency_json(const struct latency *l, uint64_t tsc_hz, struct json_object *reply)
{
	size_t n = l->count < LATENCY_KEEP ? l->count : LATENCY_KEEP;
	struct json_object *v;
	uint64_t *s;
	int ret = -ENOMEM;

	v = json_object_new_uint64(l->count);
	if (v == NULL || json_object_object_add(reply, "samples", v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	if (n == 0)
		return 0;
	/* Sort a copy: RX keeps adding to the kept samples after this reply. */
	s = malloc(n * sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	memcpy(s, l->kept, n * sizeof(*s));
	qsort(s, n, sizeof(*s), latency_cmp);
	/* Nearest-rank percentiles: the value at or below which p% of the samples lie. */
	if (latency_add_ns(reply, "min_ns", l->min, tsc_hz) < 0 ||
	    latency_add_ns(reply, "median_ns", s[(n + 1) / 2 - 1], tsc_hz) < 0 ||
	    latency_add_ns(reply, "p99_ns", s[(n * 99 + 99) / 100 - 1], tsc_hz) < 0 ||
	    latency_add_ns(reply, "max_ns", l->max, tsc_hz) < 0 ||
	    latency_add_ns(reply, "mean_ns", l->sum / l->count, tsc_hz) < 0)
		goto free_sorted;
	ret = 0;
free_sorted:
	free(s);
	return ret;
}

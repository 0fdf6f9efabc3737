/* SPDX-License-Identifier: BSD-3-Clause */
/* The event ring and its names (fast/event.h); made and drained by ctl/event_ctl.c. */
#include "fast/event.h"

struct rte_ring *event_ring;
uint64_t event_lost;

const char *const event_names[EVENT_MAX] = {
#define EVENT_NAME(e, name) [EVENT_##e] = name,
	EVENT_KINDS(EVENT_NAME)
#undef EVENT_NAME
};

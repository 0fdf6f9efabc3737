/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers seen from the control thread (ctl/worker_ctl.c): set-up, launch and stop, the
 * rx lists they poll, the RCU grace period that lets the control thread free what they might
 * still read, their clock, and the counters summed for lanctl. struct worker, and what each
 * field's readers may assume, is in fast/worker.h.
 */
#ifndef LANSWITCH_WORKER_CTL_H
#define LANSWITCH_WORKER_CTL_H

#include <stdint.h>
#include <stdio.h>

#include "fast/worker.h"

struct json_object;

int worker_init(unsigned int nworkers, struct rte_mempool *pool);
void worker_fini(void);
int worker_launch(void);
void worker_stop(void);
void worker_sync(void);
void worker_assign(void);
uint16_t worker_pick(void);
uint32_t worker_clock(void);
void worker_tick(void);
void worker_port_stats(uint16_t slot, struct port_stats *sum);
uint64_t worker_port_held(uint16_t slot);
void worker_port_reset(uint16_t slot);
struct json_object *worker_stats_json(void);
/* the frames' mbuf pool: size, in_use (what in_use means: worker_ctl.c) */
struct json_object *worker_pool_json(void);
/* adaptive or poll, and adaptive's idle threshold: the workers see them at once */
void worker_set_mode(enum worker_mode mode);
/* the configuration is loaded: the workers take its mode (they poll until then) */
void worker_configured_now(void);
void worker_set_idle_us(uint32_t us);
void worker_describe(FILE *out);
extern uint32_t worker_idle_us; /* control thread */

#endif

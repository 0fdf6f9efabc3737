/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which ports lsgen has, in --vdev order, and how each is probed.
 *
 * DPDK 22.11's virtio-user in server mode (server=1) blocks in accept() while it is
 * probed, until the switch connects; probed by EAL, it would hold start-up and the ready
 * line hostage to the switch. Those ports are taken out of the EAL arguments and probed
 * one after the other on a control thread, which then configures and starts each and
 * publishes it to the main lcore through gen_port.ready.
 */
#ifndef LSGEN_PROBE_H
#define LSGEN_PROBE_H

struct gen;

int probe_prepare(struct gen *g, int *argc, char ***argv);
int probe_map(struct gen *g);
int probe_start(struct gen *g);
void probe_stop(struct gen *g);
void probe_free(struct gen *g);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames the switch sends of its own into a port, and their answers (ctl/probe.c). */
#ifndef LANSWITCH_PROBE_H
#define LANSWITCH_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct port;

enum probe_kind { PROBE_DHCP, PROBE_ARP };

/* A DHCPDISCOVER, or an ARP probe for ip (network order), into target alone, in vlan (< 0:
 * its untagged VLAN). Returns at once: the answer is an event (dhcp_server, host_seen). */
int probe_send(struct port *target, enum probe_kind kind, int vlan, uint32_t ip, char *err,
               size_t errlen);
/* Before the control thread sleeps, and after what woke it: the answers that came to the
 * switch's own port (its workers ring the doorbell), and its window closed at second now.
 * Returns the frames handled. */
unsigned int probe_poll(uint32_t now);
void probe_fini(void);

#endif

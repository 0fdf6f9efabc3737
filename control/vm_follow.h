/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl vm follow`, the agent that keeps the switch in step with libvirt's domains, run by
 * its own unit (dist/lanswitch-agent.service) until stopped.
 *
 * One thread, one loop: libvirt's default event implementation (registered before the
 * connection is opened) runs it, and the switch's event stream (a `monitor` subscription), the
 * retry timer and the signal pipe are added to it (virEventAddHandle, virEventAddTimeout).
 * Every callback only records what happened (a flag, a domain's name and event) and returns:
 * the work (reading domains' metadata, asking the switch) is done by the loop after
 * virEventRunDefaultImpl returns, never inside a callback, so a slow switch or a slow libvirt
 * never holds up the other's events inside libvirt.
 *
 * The agent brings the switch in step (vm_follow_sync.c) at its start, after it connected to
 * libvirt again, once the switch answers again (lanswitchd restarted: it restored its state
 * file, the agent makes what is still missing), and after each domain event that can change
 * what the domains name (defined, undefined, started, stopped, lanswitch's metadata changed).
 * Each change is one line on stdout; what fails, on stderr.
 *
 * Neither libvirt nor the switch needs to be up when the agent starts: it says which one is
 * away, once, and tries again every second (the switch) or two (libvirt) until it answers.
 * lanswitchd starts before libvirtd and never waits for either of them.
 *
 * Files: vm_follow.c (the command and the loop), vm_follow_virt.c (libvirt: connection,
 * callbacks, the domains' ports), vm_follow_switch.c (the switch: its stream, its ports),
 * vm_follow_sync.c (one pass of bringing the switch in step), vm_follow_plan.c (the decision,
 * unit-tested).
 */
#ifndef LANSWITCH_VM_FOLLOW_H
#define LANSWITCH_VM_FOLLOW_H

#include <limits.h>
#include <stdbool.h>
#include <time.h>

#include "lanctl.h"
#include "virt.h"
#include "vm_follow_plan.h"

#define VM_FOLLOW_TICK_MS 1000        /* the retry timer, while libvirt or the switch is away */
#define VM_FOLLOW_SWITCH_RETRY_S 1    /* lanswitchd restarts in a fraction of a second */
#define VM_FOLLOW_LIBVIRT_RETRY_S 2   /* libvirtd takes a few seconds to start */
#define VM_FOLLOW_KEEPALIVE_S 5       /* virConnectSetKeepAlive: a ping after 5 s of silence, */
#define VM_FOLLOW_KEEPALIVE_COUNT 3   /* the connection closed after 3 unanswered */
#define VM_FOLLOW_EVENTS_MAX 64       /* domain events kept between two turns of the loop */
#define VM_FOLLOW_DOMAIN_NAME_MAX 256 /* as much of a domain's name as a logged event keeps */

/* A domain event, recorded by a libvirt callback for the loop to log. */
struct vm_follow_event {
	char domain[VM_FOLLOW_DOMAIN_NAME_MAX];
	int event;  /* virDomainEventType; -1: lanswitch's metadata changed */
	int detail; /* its virDomainEvent*DetailType */
};

/*
 * The agent's state. One thread owns all of it: the libvirt callbacks that write the "set by
 * callbacks" fields run inside virEventRunDefaultImpl or inside a libvirt call the loop
 * makes, never beside the loop, so nothing here needs a lock.
 */
struct vm_follow {
	const struct lanctl_opts *opts;
	char dir[PATH_MAX]; /* the socket directory, without trailing slashes */

	/* libvirt: the loop's */
	struct virt virt;              /* conn NULL while away */
	int lifecycle_id, metadata_id; /* event callbacks, -1 when not registered */
	bool libvirt_ever;             /* connected once: the next connection is a reconnection */
	bool libvirt_told_away;        /* said once per outage */
	struct timespec libvirt_next_try;
	/* libvirt: set by callbacks */
	bool libvirt_lost;
	int lost_reason; /* virConnectCloseReason */
	struct vm_follow_event events[VM_FOLLOW_EVENTS_MAX];
	unsigned int nevents;
	unsigned int events_lost; /* more than VM_FOLLOW_EVENTS_MAX in one turn: only counted */

	/* the switch: the loop's */
	struct monitor_reader *stream; /* fd -1 while away */
	int stream_watch;              /* its handle in the event loop, -1 without */
	bool switch_ever, switch_told_away;
	struct timespec switch_next_try;
	/* the switch: set by the stream's handle callback */
	bool stream_ready;

	/* the loop */
	int tick_timer;   /* VM_FOLLOW_TICK_MS while something is away, else disabled */
	bool tick_on;     /* which of the two it is */
	bool tick_due;    /* set by the timer's callback */
	int sig_pipe[2];  /* the signal handler writes the signal's number */
	int sig_watch;    /* sig_pipe[0] in the event loop */
	int stop_signal;  /* set once the pipe is read: SIGTERM or SIGINT */
	bool sync_due;    /* bring the switch in step at the next turn, */
	bool sync_report; /* and say "in step" even when nothing changed, */
	struct timespec sync_next_try; /* not before this: libvirt could not be read last time */
};

/* ---- libvirt (vm_follow_virt.c) --------------------------------------------------------- */

/*
 * Opens f->opts->uri and registers the keepalive, the close callback and the domain event
 * callbacks. -ECONNREFUSED (libvirt away, virt_error() says why) or -EIO (a registration
 * failed, said); the connection is closed again then.
 */
int vm_follow_virt_connect(struct vm_follow *f);
/* Deregisters and closes the connection (one that libvirt closed already, too). */
void vm_follow_virt_drop(struct vm_follow *f);
/* "end of file", "keepalive timeout"...: why libvirt closed the connection. */
const char *vm_follow_virt_reason(int reason);
/* An event recorded by the callbacks, in words: "defined", "undefined", "started"... */
const char *vm_follow_virt_event_name(int event);

/*
 * The ports every domain names, sorted by domain name, each domain's in its metadata's order:
 * a persistent domain's from its persistent definition, a running transient domain's from its
 * running one (undefined while it runs, it still uses its ports until it stops). Fills *want
 * (free with vm_follow_virt_want_free) and *n. *complete is false when some domain's metadata
 * could not be read (said on stderr): its ports are unknown. -EIO when libvirt could not list
 * the domains (said).
 */
int vm_follow_virt_wanted(struct vm_follow *f, struct vm_follow_want **want, unsigned int *n,
                          bool *complete);
void vm_follow_virt_want_free(struct vm_follow_want *want, unsigned int n);

/* ---- the switch (vm_follow_switch.c) ---------------------------------------------------- */

/*
 * Subscribes to the switch's events and adds the stream to the event loop. -ECONNREFUSED when
 * nothing listens on the socket (quietly: the agent tries again), -ECOMM when the switch did
 * not take the subscription (said on stderr).
 */
int vm_follow_switch_subscribe(struct vm_follow *f);
/* Takes the stream out of the loop and closes it. */
void vm_follow_switch_drop(struct vm_follow *f);
/* Reads what the stream holds without waiting. -ECONNRESET once it ended: the switch is gone. */
int vm_follow_switch_drain(struct vm_follow *f);
/* `port list`, as a table (free it). -ECOMM when the switch did not answer (said). */
int vm_follow_switch_ports(struct vm_follow *f, struct vm_follow_have **have, unsigned int *n);

/* ---- one pass (vm_follow_sync.c) -------------------------------------------------------- */

/*
 * Brings the switch in step with the domains, saying each change on stdout. -ECOMM when the
 * switch stopped answering (said), -EIO when libvirt could not be read (said): the pass is
 * given up, and made again once both answer. A port the switch refused is said on stderr and
 * does not stop the pass.
 */
int vm_follow_sync(struct vm_follow *f);

#endif

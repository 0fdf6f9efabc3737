/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `lanctl vm follow [--socket-dir DIR]`: the agent (vm_follow.h), until SIGTERM or SIGINT
 * (exit code 0, within 5 s even when a call into a hung libvirtd holds the loop up). It starts
 * whether or not libvirt and the switch answer, and waits for them: its unit starts after
 * both, but neither's start waits for it. Exit code 2 for a usage error, 1 when libvirt's
 * event loop cannot be had (nothing could work then).
 *
 * Each turn of the loop: what the callbacks recorded is acted on (a connection lost, the
 * switch's stream ready or ended, the retry timer, domain events), then the switch is brought
 * in step when something asked for it, then virEventRunDefaultImpl waits for the next thing.
 * A signal reaches the loop through a pipe that is one of its handles, so it is never missed
 * between two turns.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm_cmd.h"
#include "vm_follow.h"

#define VM_FOLLOW_STOP_S 5 /* from SIGTERM to the end, at most */
#define VM_FOLLOW_STOP_TEXT "5 s"

/* The write end of the signal pipe, for the handler. */
static int vm_follow_sig_write = -1;

static struct timespec vm_follow_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now;
}

static bool vm_follow_reached(const struct timespec *t)
{
	struct timespec now = vm_follow_now();

	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static struct timespec vm_follow_in(int seconds)
{
	struct timespec t = vm_follow_now();

	t.tv_sec += seconds;
	return t;
}

static void vm_follow_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(vm_follow_sig_write, &c, 1) < 0) {
		/* full: a signal is in it already, and one is enough to stop */
	}
	/* the loop stops at its next turn, unless a call holds it up: then the alarm does */
	alarm(VM_FOLLOW_STOP_S);
	errno = saved;
}

/*
 * A libvirtd that hangs (stopped, deadlocked) holds up a call into it for ever: libvirt's
 * client has no timeout of its own, and its keepalive starts only once a connection is open.
 * A stop asked for then ends the process all the same, without the clean-up that the
 * connections' ends do anyway.
 */
static void vm_follow_stop_late(int sig)
{
	static const char msg[] = "vm follow: stopped: a call to libvirt or the switch did not "
	                          "return within " VM_FOLLOW_STOP_TEXT " of the signal\n";

	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nowhere to say it */
	}
	_exit(LANCTL_EXIT_OK);
}

static void vm_follow_signal_ready(int watch, int fd, int events, void *opaque)
{
	struct vm_follow *f = opaque;
	unsigned char c;

	while (read(fd, &c, 1) == 1)
		f->stop_signal = c;
}

static void vm_follow_tick(int timer, void *opaque)
{
	struct vm_follow *f = opaque;

	f->tick_due = true;
}

/* ---- libvirt and the switch, away and back ---------------------------------------------- */

static void vm_follow_libvirt_try(struct vm_follow *f)
{
	int ret;

	ret = vm_follow_virt_connect(f);
	if (ret < 0) {
		if (!f->libvirt_told_away && ret == -ECONNREFUSED)
			printf("libvirt %s: not answering (%s); trying again every %d s\n",
			       f->opts->uri, virt_error(), VM_FOLLOW_LIBVIRT_RETRY_S);
		f->libvirt_told_away = true;
		f->libvirt_next_try = vm_follow_in(VM_FOLLOW_LIBVIRT_RETRY_S);
		return;
	}
	printf("libvirt %s: %s; following its domains\n", f->opts->uri,
	       f->libvirt_ever ? "reconnected" : "connected");
	f->libvirt_ever = true;
	f->libvirt_told_away = false;
	/* what changed while the agent did not listen is found by a whole pass */
	f->sync_due = true;
	f->sync_report = true;
}

static void vm_follow_libvirt_lost(struct vm_follow *f)
{
	printf("libvirt %s: connection lost (%s); reconnecting every %d s\n", f->opts->uri,
	       vm_follow_virt_reason(f->lost_reason), VM_FOLLOW_LIBVIRT_RETRY_S);
	vm_follow_virt_drop(f);
	f->libvirt_lost = false;
	f->libvirt_told_away = true;
	f->libvirt_next_try = vm_follow_in(0);
}

static void vm_follow_switch_try(struct vm_follow *f)
{
	int ret;

	ret = vm_follow_switch_subscribe(f);
	if (ret < 0) {
		if (!f->switch_told_away)
			printf("switch %s: not answering (%s); trying again every %d s\n",
			       f->opts->socket,
			       ret == -ECOMM ? "it refused the subscription" : strerror(-ret),
			       VM_FOLLOW_SWITCH_RETRY_S);
		f->switch_told_away = true;
		f->switch_next_try = vm_follow_in(VM_FOLLOW_SWITCH_RETRY_S);
		return;
	}
	printf("switch %s: %s; subscribed to its events\n", f->opts->socket,
	       f->switch_ever ? "back" : "answering");
	f->switch_ever = true;
	f->switch_told_away = false;
	/* a restarted lanswitchd restored its state file: the pass makes what is missing */
	f->sync_due = true;
	f->sync_report = true;
}

static void vm_follow_switch_lost(struct vm_follow *f, const char *why)
{
	printf("switch %s: gone (%s); trying again every %d s\n", f->opts->socket, why,
	       VM_FOLLOW_SWITCH_RETRY_S);
	vm_follow_switch_drop(f);
	f->switch_told_away = true;
	f->switch_next_try = vm_follow_in(0);
}

/* ---- one turn --------------------------------------------------------------------------- */

static void vm_follow_log_events(struct vm_follow *f)
{
	unsigned int i;

	for (i = 0; i < f->nevents; i++)
		printf("domain \"%s\": %s\n", f->events[i].domain,
		       vm_follow_virt_event_name(f->events[i].event));
	if (f->events_lost > 0)
		printf("%u more domain events, not shown\n", f->events_lost);
	f->nevents = 0;
	f->events_lost = 0;
}

static void vm_follow_sync_now(struct vm_follow *f)
{
	int ret;

	f->sync_due = false;
	ret = vm_follow_sync(f);
	if (ret == -ECOMM) {
		vm_follow_switch_lost(f, "it stopped answering");
		f->sync_due = true; /* again once it is back */
	} else if (ret < 0 && !f->libvirt_lost) {
		/* libvirt could not be read but did not go away: the pass is tried again soon */
		f->sync_due = true;
		f->sync_next_try = vm_follow_in(VM_FOLLOW_LIBVIRT_RETRY_S);
	}
}

static void vm_follow_turn(struct vm_follow *f)
{
	bool libvirt_up, switch_up, tick;

	if (f->libvirt_lost)
		vm_follow_libvirt_lost(f);
	if (f->stream_ready) {
		f->stream_ready = false;
		if (f->stream->fd >= 0 && vm_follow_switch_drain(f) < 0)
			vm_follow_switch_lost(f, "its event stream ended");
	}
	if (f->tick_due) {
		f->tick_due = false;
		if (f->virt.conn == NULL && vm_follow_reached(&f->libvirt_next_try))
			vm_follow_libvirt_try(f);
		if (f->stream->fd < 0 && vm_follow_reached(&f->switch_next_try))
			vm_follow_switch_try(f);
	}
	vm_follow_log_events(f);
	libvirt_up = f->virt.conn != NULL && !f->libvirt_lost;
	switch_up = f->stream->fd >= 0;
	if (f->sync_due && libvirt_up && switch_up && vm_follow_reached(&f->sync_next_try))
		vm_follow_sync_now(f);
	/*
	 * The timer runs only while there is something to try again; changed only when that
	 * changes, since an update may restart its count (the switch's events come many times
	 * a second, and would keep it from ever firing).
	 */
	libvirt_up = f->virt.conn != NULL && !f->libvirt_lost;
	switch_up = f->stream->fd >= 0;
	tick = !libvirt_up || !switch_up || f->sync_due;
	if (tick != f->tick_on) {
		virEventUpdateTimeout(f->tick_timer, tick ? VM_FOLLOW_TICK_MS : -1);
		f->tick_on = tick;
	}
}

/* ---- start and stop --------------------------------------------------------------------- */

/* The signal pipe, the handlers, the timer: the loop's own sources. */
static int vm_follow_setup(struct vm_follow *f)
{
	struct sigaction sa = { .sa_handler = vm_follow_signal };
	struct sigaction late = { .sa_handler = vm_follow_stop_late };

	if (pipe2(f->sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "lanctl: vm follow: pipe: %s\n", strerror(errno));
		return -errno;
	}
	vm_follow_sig_write = f->sig_pipe[1];
	f->sig_watch = virEventAddHandle(f->sig_pipe[0], VIR_EVENT_HANDLE_READABLE,
	                                 vm_follow_signal_ready, f, NULL);
	f->tick_timer = virEventAddTimeout(VM_FOLLOW_TICK_MS, vm_follow_tick, f, NULL);
	f->tick_on = true;
	if (f->sig_watch < 0 || f->tick_timer < 0) {
		fprintf(stderr, "lanctl: vm follow: libvirt's event loop: %s\n", virt_error());
		return -EIO;
	}
	sigaction(SIGALRM, &late, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* a switch or a journal that went away is an error return, not the agent's death */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void vm_follow_teardown(struct vm_follow *f)
{
	vm_follow_virt_drop(f);
	vm_follow_switch_drop(f);
	if (f->tick_timer >= 0)
		virEventRemoveTimeout(f->tick_timer);
	if (f->sig_watch >= 0)
		virEventRemoveHandle(f->sig_watch);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	alarm(0); /* the connections' ends returned */
	signal(SIGALRM, SIG_DFL);
	vm_follow_sig_write = -1;
	if (f->sig_pipe[0] >= 0)
		close(f->sig_pipe[0]);
	if (f->sig_pipe[1] >= 0)
		close(f->sig_pipe[1]);
}

static int vm_follow_loop(struct vm_follow *f)
{
	f->tick_due = true; /* the first tries, now */
	for (;;) {
		vm_follow_turn(f);
		if (f->stop_signal != 0)
			return 0;
		if (virEventRunDefaultImpl() < 0) {
			fprintf(stderr, "lanctl: vm follow: libvirt's event loop: %s\n",
			        virt_error());
			return -EIO;
		}
	}
}

/* The socket directory without trailing slashes: paths in it are compared as text. */
static int vm_follow_dir(struct vm_follow *f, const char *dir)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len >= sizeof(f->dir)) {
		fprintf(stderr, "lanctl: vm follow: socket directory %s: %s\n", dir,
		        strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	memcpy(f->dir, dir, len);
	f->dir[len] = '\0';
	return 0;
}

int vm_follow_run(const struct lanctl_opts *opts, const struct cmd_def *def, int argc, char **argv)
{
	struct vm_follow *f;
	struct vm_args a;
	int ret;

	if (vm_args_read(def, argc, argv, &a) < 0)
		return LANCTL_EXIT_USAGE;
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->stream = calloc(1, sizeof(*f->stream))) == NULL) {
		fprintf(stderr, "lanctl: vm follow: %s\n", strerror(ENOMEM));
		free(f);
		return LANCTL_EXIT_REFUSED;
	}
	f->opts = opts;
	f->lifecycle_id = f->metadata_id = -1;
	f->stream->fd = f->stream_watch = -1;
	f->sig_pipe[0] = f->sig_pipe[1] = f->sig_watch = f->tick_timer = -1;
	/* the journal gets each line as it is said, not a buffer's worth at a time */
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = vm_follow_dir(f, a.socket_dir);
	if (ret < 0)
		goto free_agent;
	/* before any connection: libvirt's remote driver uses the loop registered when it opens */
	ret = virEventRegisterDefaultImpl();
	if (ret < 0) {
		fprintf(stderr, "lanctl: vm follow: libvirt's event loop: %s\n", virt_error());
		goto free_agent;
	}
	ret = vm_follow_setup(f);
	if (ret < 0)
		goto teardown;
	printf("vm follow: socket directory %s, libvirt %s, switch %s\n", f->dir, opts->uri,
	       opts->socket);
	/* /run is empty after a boot: QEMU needs the directory to create the sockets in */
	vm_sockdir_make(f->dir);
	ret = vm_follow_loop(f);
	if (ret == 0)
		printf("vm follow: stopped by %s\n",
		       f->stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
teardown:
	vm_follow_teardown(f);
free_agent:
	free(f->stream);
	free(f);
	return ret < 0 ? LANCTL_EXIT_REFUSED : LANCTL_EXIT_OK;
}
